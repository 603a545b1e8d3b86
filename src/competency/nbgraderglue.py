"""nbgrader's own bookkeeping around our execution step.

:class:`Grader` drives nbgrader's :class:`~nbgrader.converters.Autograde` converter
submission by submission, split in two around execution: :meth:`Grader.sanitize`
(``init_destination``, ``init_assignment``, the sanitize preprocessors) and
:meth:`Grader.apply_and_save` (the autograde preprocessors, with ``Execute``
replaced by one that applies the sandbox's outputs). Everything nbgrader is imported
lazily: importing it costs seconds.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from competency.errors import GradingError
from competency.gradeworker import TIMEOUT_OUTPUT
from competency.sharedgradebook import clear_submission_cache, shared_gradebook

LOG = logging.getLogger("competency.grading.nbgrader")
LANGUAGE_INFO = {"name": "python", "mimetype": "text/x-python", "file_extension": ".py",
                 "codemirror_mode": {"name": "ipython", "version": 3},
                 "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
                 "version": ".".join(map(str, sys.version_info[:3]))}

class Skip(Exception):
    """nbgrader would not grade this submission now (already autograded)."""


@dataclass(frozen=True)
class Score:
    """A submission's totals in the gradebook."""

    score: float | None
    """Points (before the late penalty); None when there is no submission."""
    max_score: float | None
    """Points available."""
    late_penalty: float
    """Points deducted for lateness."""
    needs_manual: bool
    """Whether a grader still has to look at some cell."""


def quiet_warnings() -> None:
    """Silence what nbgrader's own code warns about on every run (inside catch_warnings)."""
    warnings.filterwarnings("ignore", message=r"Object of type .* not in session")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def _warning_to_note(message: Warning | str, category: type[Warning], *_: Any,
                     **__: Any) -> None:
    """A warning raised while processing a submission (e.g. by nbformat) becomes a note."""
    text = (str(message).strip().splitlines() or [""])[0].split(". ")[0]
    LOG.warning("%s: %s", category.__name__, text[:160])


def describe(exc: BaseException) -> str:
    """One line on why a submission could not be processed."""
    name = type(exc).__name__
    if name == "NotJSONError" or isinstance(exc, json.JSONDecodeError):
        return "the notebook is not valid JSON (truncated or damaged)"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{name}: {first}"[:300]


def summarise(notes: Sequence[str]) -> tuple[str, ...]:
    """nbgrader's warnings about a submission, restored locked cells counted as one note."""
    restored = [n for n in notes if "Attribute 'checksum'" in n]
    others = list(dict.fromkeys(n for n in notes if n not in restored and
                                "Removing existing" not in n and "Updating existing" not in n))
    if restored:
        others.insert(0, f"{len(restored)} locked cell(s) restored from the gradebook")
    return tuple(others)


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
def _classes() -> Any:
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


class _Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.target: list[str] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.target is not None:
            self.target.append(record.getMessage())


def nbgrader_app(course: Path, app_class: Any) -> Any:
    """An nbgrader app with the course's configuration, as if run from the course folder."""
    app = app_class()
    here, path = os.getcwd(), list(sys.path)
    os.chdir(course)
    try:
        app.initialize([], root=str(course))
    except SystemExit as exc:
        raise GradingError(f"{course}: nbgrader cannot read the course configuration") from exc
    finally:
        os.chdir(here)
        sys.path[:] = path  # nbgrader puts the working directory first on sys.path
    app.log_level = logging.WARNING  # nbgrader's INFO lines would drown the summary
    return app


class Grader:
    """nbgrader's autograde bookkeeping for one assignment, split around execution."""

    def __init__(self, app: Any, gradebook: Any, assignment: str, force: bool) -> None:
        from nbconvert.writers.files import FilesWriter

        self.app = app
        self.coursedir = app.coursedir
        self.gradebook = gradebook
        self.assignment = assignment
        classes = _classes()
        conv = classes.Autograde(coursedir=self.coursedir, parent=app)
        conv.log = LOG
        conv.force = force
        execute = app.config.Execute
        self.execute = bool(execute.get("enabled", True))
        timeout = execute.get("timeout", 30)
        self.cell_timeout: float | None = float(timeout) if timeout else None
        conv.apply = classes.Apply(parent=conv)
        conv.apply.enabled = self.execute
        conv.writer = FilesWriter(parent=conv, config=conv.config)  # type: ignore[no-untyped-call]
        conv.exporter = conv.exporter_class(parent=conv, config=conv.config)
        conv.exporter.optimistic_validation = True  # validate once per pass, not per step
        self.conv = conv
        self._notes = _Notes()
        self._notebooks: dict[str, list[str]] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, course: Path, assignment: str, force: bool) -> Iterator[Grader]:
        """The grader for ``assignment`` in ``course``, its gradebook open and shared."""
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            quiet_warnings()
            warnings.showwarning = _warning_to_note
            from nbgrader.api import MissingEntry
            from nbgrader.apps.autogradeapp import AutogradeApp

            app = nbgrader_app(course, AutogradeApp)
            app.coursedir.assignment_id = assignment
            with shared_gradebook(app.coursedir.db_url) as gradebook:
                try:
                    gradebook.find_assignment(assignment)
                except MissingEntry:
                    raise GradingError(f"{course}: assignment {assignment} is not in the "
                                       "gradebook; run nbgrader generate_assignment first"
                                       ) from None
                grader = cls(app, gradebook, assignment, force)
                LOG.addHandler(grader._notes)
                LOG.propagate = False
                LOG.setLevel(logging.WARNING)
                try:
                    yield grader
                finally:
                    LOG.removeHandler(grader._notes)

    @property
    def root(self) -> str:
        """The course root."""
        return str(self.coursedir.root)

    @property
    def protected_paths(self) -> list[str]:
        """The gradebook file, when it is SQLite."""
        url = str(self.coursedir.db_url)
        return [url[len("sqlite:///"):]] if url.startswith("sqlite:///") else []

    def report_path(self) -> Path:
        """``autograded/ASSIGNMENT-grading-report.csv`` in the course."""
        return Path(self.root, str(self.coursedir.autograded_directory),
                    f"{self.assignment}-grading-report.csv")

    def destination(self, student: str) -> Path:
        """``autograded/STUDENT/ASSIGNMENT``."""
        return Path(str(self.conv._format_dest(self.assignment, student)))

    @contextlib.contextmanager
    def notes_to(self, target: list[str]) -> Iterator[None]:
        """Collect nbgrader's warnings into ``target`` meanwhile."""
        self._notes.target = target
        try:
            yield
        finally:
            self._notes.target = None

    def students(self) -> list[str]:
        """Every student with a submission of the assignment (nbgrader's glob)."""
        from nbgrader.converters.base import NbGraderException

        conv = self.conv
        conv._sanitizing = True
        try:
            conv.init_notebooks()
        except NbGraderException:
            raise GradingError(f"no submissions of {self.assignment} under "
                               f"{Path(self.root) / self.coursedir.submitted_directory}"
                               ) from None
        pattern = conv._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)",
                                      escape=True)
        for folder, notebooks in conv.assignments.items():
            match = re.match(pattern, folder)
            if match:
                self._notebooks[match["student_id"]] = sorted(notebooks)
        return sorted(self._notebooks)

    def _resources(self, filename: str) -> Any:
        resources = self.conv.init_single_notebook_resources(filename)
        resources["metadata"] = {"name": Path(filename).stem, "path": str(Path(filename).parent)}
        return resources

    def sanitize(self, student: str) -> dict[str, tuple[Path, Any]] | None:
        """nbgrader's steps before execution; ``{name: (autograded path, notebook)}``.

        The sanitized notebooks stay in memory (nbgrader writes and reads them back).
        None when the course configuration excludes the student; raises :class:`Skip`
        when nbgrader would skip the submission (already autograded, not newer).
        """
        import nbformat
        from nbconvert.exporters.exporter import Exporter

        conv = self.conv
        conv.notebooks = list(self._notebooks[student])
        conv._sanitizing = True
        if not conv.init_destination(self.assignment, student):
            excluded = str(self.coursedir.student_id_exclude or "").split(",")
            if student in excluded:
                return None
            raise Skip("already autograded (use --force to grade again)")
        conv.run_pre_convert_hook()
        conv.init_assignment(self.assignment, student)
        dest = self.destination(student)
        dest.mkdir(parents=True, exist_ok=True)
        out = {}
        for notebook in conv.notebooks:
            conv._sanitizing = True
            conv._init_preprocessors()
            resources = self._resources(notebook)
            nb = nbformat.read(notebook, as_version=4)  # type: ignore[no-untyped-call]
            nb, _ = Exporter.from_notebook_node(conv.exporter, nb, resources)
            out[Path(notebook).stem] = (dest / Path(notebook).name, nb)
        return out

    def apply_and_save(self, student: str, notebooks: dict[str, tuple[Path, Any]],
                       ran: dict[str, Any], planned: dict[str, list[int]], error: str) -> None:
        """nbgrader's steps after execution, with the sandbox's outputs; then commit."""
        from nbgrader import utils

        conv = self.conv
        conv.apply.ran, conv.apply.planned, conv.apply.error = ran, planned, error
        conv._sanitizing = False
        conv._init_preprocessors()
        try:
            with utils.setenv(NBGRADER_EXECUTION="autograde"):
                for path, nb in notebooks.values():
                    resources = self._resources(str(path))
                    output, resources = conv.exporter.from_notebook_node(nb, resources)
                    conv.write_single_notebook(output, resources)
        finally:
            conv._sanitizing = True
        conv.set_permissions(self.assignment, student)
        conv.run_post_convert_hook()
        self.commit()

    def discard(self, student: str) -> None:
        """After a failure: remove the partial autograded folder, keep the gradebook rows."""
        dest = self.destination(student)
        if dest.exists():
            shutil.rmtree(dest, ignore_errors=True)
        self.commit()

    def commit(self) -> None:
        """End the submission's transaction."""
        from sqlalchemy.exc import SQLAlchemyError

        clear_submission_cache()
        try:
            self.gradebook.session.commit()
        except SQLAlchemyError as exc:
            self.gradebook.session.rollback()
            raise GradingError(f"gradebook {self.coursedir.db_url}: {describe(exc)}") from exc

    def score(self, student: str) -> Score:
        """The student's totals in the gradebook."""
        from nbgrader.api import MissingEntry

        try:
            sub = self.gradebook.find_submission(self.assignment, student)
        except MissingEntry:
            return Score(None, None, 0.0, False)
        return Score(float(sub.score), float(sub.max_score),
                     float(sub.late_submission_penalty or 0.0), bool(sub.needs_manual_grade))
