"""Run a notebook's code cells in this process, in an IPython shell, as nbformat outputs.

This is the execution step of :mod:`competency.grading.grader` without a Jupyter kernel: a
warm process (see :mod:`competency.grading.sandbox`) builds one :class:`GradingShell` and forks
a child per notebook; the child runs the cells here and reports each cell, as soon as
it has finished, through ``emit``. Outputs are the ones a kernel would have sent:
``stream`` (consecutive writes to one stream joined), ``execute_result`` and
``display_data`` with every MIME type the display formatter produced, and ``error``
with ename, evalue and traceback. Each cell's outputs are capped (a marker says so).

Errors are taken from the shell's own execution result, not only from what the
traceback display printed, so a notebook that silences ``showtraceback`` still has
its failing cells recorded as errors (as nbgrader does for a kernel).
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.compilerop import CachingCompiler
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from competency.grading.messages import CellDone, CellStarted, ChildMessage, NotebookEnd

Output = dict[str, Any]
Emit = Callable[[ChildMessage], None]

TRUNCATED = ("\n[output truncated by the grader: this cell wrote more than {limit:,} "
             "characters]\n")
SILENT_TRACEBACK = ["ERROR: An error occurred while showtraceback was disabled"]


def clean(value: Any) -> Any:
    """``value`` as plain JSON: bytes become base64 text, odd objects their ``repr``."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return repr(value)


class Capture:
    """The outputs of the cell running now, with a size cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.outputs: list[Output] = []
        self.size = 0
        self.truncated = False
        self.clear_pending = False

    def reset(self) -> None:
        """Start a new cell."""
        self.outputs = []
        self.size = 0
        self.truncated = False
        self.clear_pending = False

    @property
    def has_error(self) -> bool:
        """Whether the cell has an ``error`` output."""
        return any(o["output_type"] == "error" for o in self.outputs)

    def _before_output(self) -> None:
        if self.clear_pending:
            self.outputs.clear()
            self.size = 0
            self.clear_pending = False

    def _mark_truncated(self, name: str = "stdout") -> None:
        if not self.truncated:
            self.truncated = True
            self.outputs.append({"output_type": "stream", "name": name,
                                 "text": TRUNCATED.format(limit=self.limit)})

    def stream(self, name: str, text: str) -> None:
        """Text written to ``stdout`` or ``stderr``."""
        self._before_output()
        if self.truncated or not text:
            return
        room = self.limit - self.size
        cut = len(text) > room
        text = text[:max(room, 0)]
        if text:
            last = self.outputs[-1] if self.outputs else None
            if last is not None and last["output_type"] == "stream" and last["name"] == name:
                last["text"] += text
            else:
                self.outputs.append({"output_type": "stream", "name": name, "text": text})
            self.size += len(text)
        if cut:
            self._mark_truncated(name)

    def _rich(self, output: Output) -> None:
        self._before_output()
        if self.truncated:
            return
        size = len(repr(output["data"]))
        if self.size + size > self.limit:
            self._mark_truncated()
            return
        self.size += size
        self.outputs.append(output)

    def display(self, data: Mapping[str, Any], metadata: Mapping[str, Any] | None,
                transient: Mapping[str, Any] | None = None, update: bool = False) -> None:
        """``display(...)``: a ``display_data`` output (an update replaces its display)."""
        output: Output = {"output_type": "display_data", "data": clean(data),
                          "metadata": clean(metadata or {})}
        display_id = (transient or {}).get("display_id")
        if update and display_id is not None:
            for index, old in enumerate(self.outputs):
                if old.get("transient", {}).get("display_id") == display_id:
                    output["transient"] = {"display_id": display_id}
                    self.outputs[index] = output
                    return
        if display_id is not None and not update:
            output["transient"] = {"display_id": display_id}
        self._rich(output)

    def result(self, data: Mapping[str, Any], metadata: Mapping[str, Any] | None,
               count: int | None) -> None:
        """The value of the cell's last expression: an ``execute_result`` output."""
        self._rich({"output_type": "execute_result", "data": clean(data),
                    "metadata": clean(metadata or {}), "execution_count": count})

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        """An exception the cell raised."""
        self._before_output()
        tb = [str(line) for line in traceback][:200]
        self.outputs.append({"output_type": "error", "ename": ename, "evalue": evalue[:10_000],
                             "traceback": tb})

    def clear(self, wait: bool) -> None:
        """``clear_output(wait)``."""
        if wait:
            self.clear_pending = True
        else:
            self.outputs.clear()
            self.size = 0

    def finished(self) -> list[Output]:
        """The cell's outputs as nbformat expects them (no transient keys)."""
        for output in self.outputs:
            output.pop("transient", None)
        return self.outputs


CAPTURE = Capture(1_000_000)


class CaptureStream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` while a cell runs."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def name(self) -> str:
        """``stdout`` or ``stderr``."""
        return self._name

    encoding = "utf-8"

    def writable(self) -> bool:
        """Yes."""
        return True

    def write(self, text: str) -> int:
        """Record ``text`` as stream output."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        CAPTURE.stream(self._name, text)
        return len(text)

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


class _Publisher(DisplayPublisher):
    def publish(self, data: Any, metadata: Any = None, source: Any = None, *,
                transient: Any = None, update: bool = False, **kwargs: Any) -> None:
        CAPTURE.display(data, metadata, transient, update)

    def clear_output(self, wait: bool = False) -> None:
        CAPTURE.clear(wait)


class _DisplayHook(DisplayHook):
    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: Any, md_dict: Any = None) -> None:
        CAPTURE.result(format_dict, md_dict, None)

    def finish_displayhook(self) -> None:
        self._is_active = False


class _KernelCellNames(CachingCompiler):
    """Cells named as ipykernel names them: a ``.py`` path that does not exist.

    IPython formats a traceback through such a frame from its raw lines (its "fast
    path"), as in nbgrader's kernel; through an ``<ipython-input-...>`` name it would
    use stack_data, with other context lines and colours.
    """

    def get_code_name(self, raw_code: str, code: str, number: int) -> str:
        digest = hashlib.sha1(raw_code.encode("utf-8", "replace")).hexdigest()[:16]
        return f"/nonexistent/competency-grade-cells/{digest}.py"


class GradingShell(InteractiveShell):
    """An IPython shell whose outputs become nbformat outputs in :data:`CAPTURE`."""

    displayhook_class = Type(_DisplayHook)
    display_pub_class = Type(_Publisher)
    compiler_class = Type(_KernelCellNames)

    def _showtraceback(self, etype: type[BaseException], evalue: BaseException,
                       stb: list[str]) -> None:
        CAPTURE.error(str(etype.__name__), str(evalue), stb)

    def _format_exception_for_storage(self, exception: BaseException, filename: Any = None,
                                      running_compiled_code: bool = False) -> dict[str, Any]:
        """Name and value only: the history's second copy of each traceback is never shown."""
        return {"ename": type(exception).__name__, "evalue": str(exception), "traceback": []}

    def enable_gui(self, gui: str | None = None) -> None:
        """No GUI event loops while grading."""
        raise RuntimeError(f"GUI event loops are not available while grading ({gui})")


def make_shell() -> GradingShell:
    """The process's one shell: history in memory, no GUI, outputs captured."""
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    config.HistoryManager.enabled = False
    shell: GradingShell = GradingShell.instance(config=config)
    return shell


def warm_up(shell: GradingShell) -> None:
    """Load what the first traceback and rich display would load, once, before forking."""
    try:
        raise ValueError("warm-up")
    except ValueError:
        shell.InteractiveTB.structured_traceback(*sys.exc_info())
    formatter = shell.display_formatter
    assert formatter is not None
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        formatter.format(pandas.DataFrame({"a": [1]}))  # type: ignore[no-untyped-call]
    formatter.format(1)  # type: ignore[no-untyped-call]


_RUN_CELL = InteractiveShell.run_cell  # bound once: a notebook rebinding it changes nothing


def run_cells(shell: GradingShell, cells: list[tuple[int, str]], emit: Emit,
              output_limit: int) -> None:
    """Run ``(index, source)`` cells in order, emitting ``start`` and ``done`` per cell.

    ``done`` carries the cell's outputs, its execution count and whether its output
    was truncated; ``end`` follows the last cell.
    """
    CAPTURE.limit = output_limit
    sys.stdout = CaptureStream("stdout")
    sys.stderr = CaptureStream("stderr")
    for index, source in cells:
        emit(CellStarted(index))
        CAPTURE.reset()
        count = shell.execution_count  # a kernel's execute_input count, whatever happens
        result = _RUN_CELL(shell, source, store_history=True,  # type: ignore[no-untyped-call]
                           silent=False)
        if result.execution_count is None:  # e.g. showtraceback broken by the notebook
            result.execution_count = count
        failure = result.error_before_exec or result.error_in_exec
        if failure is not None and not CAPTURE.has_error:
            CAPTURE.error(type(failure).__name__, str(failure), SILENT_TRACEBACK)
        outputs = CAPTURE.finished()
        for output in outputs:
            if output["output_type"] == "execute_result":
                output["execution_count"] = result.execution_count
        emit(CellDone(index, tuple(outputs), result.execution_count, bool(CAPTURE.truncated)))
    emit(NotebookEnd())
