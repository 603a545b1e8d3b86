"""Our execution step in nbgrader's chain: the sandbox's outputs put into the notebook.

:func:`code_cells` plans which cells run (as nbclient would choose them) and
:func:`apply_outputs` puts the outputs the sandbox sent back into the notebook, in
place of nbgrader's ``Execute`` preprocessor (the converter subclass that calls it
is in :mod:`competency.grading.nbgraderhooks`). Uses no nbgrader internals.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from competency.grading.messages import JSON, NotebookResult, Output
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


def _output(raw: Output) -> Output | None:
    """An output the sandbox reported, reduced to what nbformat allows (else None)."""
    kind = raw.get("output_type")
    if kind == "stream" and raw.get("name") in ("stdout", "stderr"):
        return {"output_type": kind, "name": raw["name"], "text": str(raw.get("text", ""))}
    if kind == "error":
        tb = raw.get("traceback")
        return {"output_type": kind, "ename": str(raw.get("ename", "")),
                "evalue": str(raw.get("evalue", "")),
                "traceback": [str(x) for x in tb] if isinstance(tb, list) else []}
    found = raw.get("data")
    if kind in ("display_data", "execute_result") and isinstance(found, dict):
        data: dict[str, JSON] = {
            str(k): v if str(k).endswith("json") and isinstance(v, dict | list) else
            "".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in found.items()}
        meta = raw.get("metadata")
        out: Output = {"output_type": kind, "data": data,
                       "metadata": meta if isinstance(meta, dict) else {}}
        if kind == "execute_result":
            count = raw.get("execution_count")
            out["execution_count"] = count if isinstance(count, int) else None
        return out
    return None


def _stopped(reason: str, here: bool) -> Output:
    text = reason if here else f"this cell did not run ({reason})"
    return {"output_type": "error", "ename": "GradingStopped", "evalue": text,
            "traceback": [f"GradingStopped: {text}"]}


def stopped(result: NotebookResult | None, planned: Sequence[int], error: str) -> str:
    """Why the notebook did not run to its end (its kernel died, as nbgrader sees it), or "".

    A notebook stopped when the job failed, or when some planned cell has no result
    (the process exited, crashed, was killed, or a cell did not stop when interrupted).
    """
    if error:
        return error
    if result is None:
        return "the notebook did not run" if planned else ""
    missing = [i for i in planned if i not in result.cells]
    if not missing:
        return ""
    return result.reason or f"the notebook stopped before cell {missing[0]}"


def apply_outputs(nb: Any, result: NotebookResult | None, planned: Sequence[int],
                  error: str) -> None:
    """Put the sandbox's outputs into ``nb``; cells that did not run get an error."""
    import nbformat

    cells = result.cells if result is not None else {}
    reason = error or (result.reason if result is not None else "") or "the notebook stopped"
    stopped = result.stopped_in if result is not None else None
    interrupted = set(result.interrupted) if result is not None else set()
    for index in planned:
        cell = nb.cells[index]
        got = cells.get(index)
        outputs: list[Output]
        if got is not None:
            outputs = [o for o in map(_output, got.outputs) if o is not None]
            cell.execution_count = got.count if isinstance(got.count, int) else None
        else:
            outputs = [dict(TIMEOUT_OUTPUT)] if index in interrupted else []
            outputs.append(_stopped(reason, index == stopped))
            cell.execution_count = None
        cell.outputs = [nbformat.from_dict(o) for o in outputs]  # type: ignore[no-untyped-call]
    if result is not None and result.language_info is not None:
        # a real kernel ran it: what its kernel_info reply said, as nbclient records it
        nb.metadata["language_info"] = dict(result.language_info)
        return
    spec = nb.metadata.get("kernelspec") or {}
    if str(spec.get("language") or "python").lower() == "python" or \
            str(spec.get("name") or "") in ("python", "python3"):
        # the warm shell: what ipykernel in this interpreter reports
        nb.metadata["language_info"] = dict(LANGUAGE_INFO)
