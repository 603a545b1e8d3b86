"""nbgrader's Autograde converter with our execution step in its preprocessor chain.

:func:`autograde_classes` builds nbgrader subclasses: an ``Autograde`` converter whose
``Execute`` preprocessor is replaced by one that applies the outputs the sandbox sent
back (:func:`apply_outputs`, for the cells :func:`code_cells` planned), and whose
``CheckCellMetadata`` validates with a schema compiled once. :mod:`competency.grading.nbgraderglue`
drives the converter submission by submission. Everything nbgrader is imported lazily:
importing it costs seconds.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence
from typing import Any

from competency.grading.worker import TIMEOUT_OUTPUT

LANGUAGE_INFO = {"name": "python", "mimetype": "text/x-python", "file_extension": ".py",
                 "codemirror_mode": {"name": "ipython", "version": 3},
                 "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
                 "version": ".".join(map(str, sys.version_info[:3]))}


def code_cells(nb: Any) -> list[tuple[int, str]]:
    """The cells nbclient would execute: code, not empty, not tagged skip-execution."""
    out = []
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and cell.source.strip() and "skip-execution" not in tags:
            out.append((index, str(cell.source)))
    return out


def _output(raw: Any) -> dict[str, Any] | None:
    """An output the sandbox reported, reduced to what nbformat allows (else None)."""
    if not isinstance(raw, dict):
        return None
    kind = raw.get("output_type")
    if kind == "stream" and raw.get("name") in ("stdout", "stderr"):
        return {"output_type": kind, "name": raw["name"], "text": str(raw.get("text", ""))}
    if kind == "error":
        tb = raw.get("traceback")
        return {"output_type": kind, "ename": str(raw.get("ename", "")),
                "evalue": str(raw.get("evalue", "")),
                "traceback": [str(x) for x in tb] if isinstance(tb, list) else []}
    if kind in ("display_data", "execute_result") and isinstance(raw.get("data"), dict):
        data = {str(k): v if str(k).endswith("json") and isinstance(v, dict | list) else
                "".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in raw["data"].items()}
        meta = raw.get("metadata")
        out = {"output_type": kind, "data": data, "metadata": meta if isinstance(meta, dict)
               else {}}
        if kind == "execute_result":
            count = raw.get("execution_count")
            out["execution_count"] = count if isinstance(count, int) else None
        return out
    return None


def _stopped(reason: str, here: bool) -> dict[str, Any]:
    text = reason if here else f"this cell did not run ({reason})"
    return {"output_type": "error", "ename": "GradingStopped", "evalue": text,
            "traceback": [f"GradingStopped: {text}"]}


def apply_outputs(nb: Any, result: dict[str, Any] | None, planned: Sequence[int],
                  error: str) -> None:
    """Put the sandbox's outputs into ``nb``; cells that did not run get an error."""
    import nbformat

    result = result or {}
    cells = result.get("cells", {})
    reason = error or result.get("reason") or "the notebook stopped"
    stopped = result.get("stopped_in")
    interrupted = set(result.get("interrupted", []))
    for index in planned:
        cell = nb.cells[index]
        got = cells.get(str(index))
        if isinstance(got, dict):
            outputs = [o for o in map(_output, got.get("outputs", [])) if o is not None]
            count = got.get("count")
            cell.execution_count = count if isinstance(count, int) else None
        else:
            outputs = [dict(TIMEOUT_OUTPUT)] if index in interrupted else []
            outputs.append(_stopped(reason, index == stopped))
            cell.execution_count = None
        cell.outputs = [nbformat.from_dict(o) for o in outputs]  # type: ignore[no-untyped-call]
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)


@functools.cache
def autograde_classes() -> Any:
    """nbgrader subclasses, built on first use (importing nbgrader is slow)."""
    import jsonschema
    from nbconvert.preprocessors import Preprocessor
    from nbgrader.converters.autograde import Autograde
    from nbgrader.nbgraderformat import ValidationError
    from nbgrader.nbgraderformat.common import BaseMetadataValidator
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
    from nbgrader.preprocessors import CheckCellMetadata, Execute

    class CompiledSchema(BaseMetadataValidator):  # type: ignore[misc]
        """nbgrader's schema check, with the schema compiled once instead of per cell."""

        valid: set[str] = set()  # noqa: RUF012 - metadata already found valid, shared

        @functools.cached_property
        def compiled(self) -> Any:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            return cls(self.schema)

        def validate_cell(self, cell: Any) -> None:
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                super().validate_cell(cell)
                return
            key = json.dumps(meta, sort_keys=True, default=str)
            if key in self.valid:
                return
            error = jsonschema.exceptions.best_match(self.compiled.iter_errors(meta))
            if error is not None:
                raise error
            self.valid.add(key)

    class Validator(MetadataValidatorV3, CompiledSchema):  # type: ignore[misc]
        """nbgrader's v3 metadata rules on top of the compiled schema check."""

    validator = Validator()

    class FastCheckCellMetadata(CheckCellMetadata):  # type: ignore[misc]
        """CheckCellMetadata with one validator for the whole run."""

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            try:
                validator.validate_nb(nb)
            except ValidationError as exc:
                self.log.error("%s", exc)
                raise ValidationError("Notebook failed to validate; the nbgrader metadata "
                                      "may be corrupted.") from exc
            return nb, resources

    class ApplyExecution(Preprocessor):
        """In place of ``Execute``: the outputs the sandbox sent back."""

        ran: dict[str, Any] = {}  # noqa: RUF012 - set per submission
        planned: dict[str, list[int]] = {}  # noqa: RUF012
        error = ""

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            name = resources["nbgrader"]["notebook"]
            apply_outputs(nb, self.ran.get(name), self.planned.get(name, []), self.error)
            return nb, resources

    class FastAutograde(Autograde):  # type: ignore[misc]
        """nbgrader's Autograde with the execution step and metadata check replaced."""

        apply: Any = None

        def _init_preprocessors(self) -> None:
            self.exporter._preprocessors = []
            chain = self.sanitize_preprocessors if self._sanitizing \
                else self.autograde_preprocessors
            for pp in chain:
                if isinstance(pp, type) and issubclass(pp, Execute):
                    self.exporter.register_preprocessor(self.apply)
                elif pp is CheckCellMetadata:
                    self.exporter.register_preprocessor(FastCheckCellMetadata)
                else:
                    self.exporter.register_preprocessor(pp)

    return type("Classes", (), {"Autograde": FastAutograde, "Apply": ApplyExecution})
