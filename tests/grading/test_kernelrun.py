"""The slow path: notebooks for another kernel run in a real Jupyter kernel of that name."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from competency.grading import kernelrun
from competency.grading.grader import UID_BASE, UID_SPAN, run_directory
from competency.grading.messages import (
    CellDone,
    CellStarted,
    Job,
    JobDone,
    KernelInfo,
    NotebookEnd,
    NotebookJob,
    NotebookResult,
)
from competency.grading.sandbox import Limits
from competency.grading.worker import TIMEOUT_OUTPUT, WorkerPool
from conftest import wait

PYTHON_KERNEL: dict[str, Any] = {
    "name": "another-python", "language": "python", "env": {"MARK": "other"},
    "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder with a short path for the kernel's working copy: the kernel's sockets
    (ipc) are in it, a socket's path has at most 107 bytes, and tmp_path can be longer
    (under pytest-xdist it gains ``popen-gwN/``)."""
    path = Path(tempfile.mkdtemp(prefix="competency-kernelrun-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run(folder: Path, cells: list[tuple[int, str]], kernel: dict[str, Any] | None = None,
        limit: int = 100_000) -> list[Any]:
    emitted: list[Any] = []
    work = folder / "work"
    work.mkdir(exist_ok=True)
    kernelrun.run_cells(kernel or PYTHON_KERNEL, cells, work, emitted.append, limit)
    return emitted


def test_cells_run_in_order_in_the_working_copy_with_the_kernels_env(folder: Path) -> None:
    emitted = run(folder, [
        (0, "import os\nprint('a'); print('b')"),
        (2, "open('written.txt', 'w').write(os.environ['MARK'])\n6 * 7"),
        (3, "1 / 0"),
        (5, "print('after the error')"),
    ])
    assert [type(m) for m in emitted] == [KernelInfo] + [CellStarted, CellDone] * 4 + [
        NotebookEnd]
    # the kernel's own language_info, as nbclient records it under nbgrader
    assert emitted[0].language_info["name"] == "python"
    assert emitted[0].language_info["version"] == ".".join(map(str, sys.version_info[:3]))
    done = [m for m in emitted if isinstance(m, CellDone)]
    assert [d.cell for d in done] == [0, 2, 3, 5]
    # the two prints arrive as one stream output, as nbclient merges them
    assert done[0].outputs == ({"output_type": "stream", "name": "stdout", "text": "a\nb\n"},)
    assert done[1].outputs[0]["output_type"] == "execute_result"
    assert done[1].outputs[0]["data"]["text/plain"] == "42"
    assert done[1].count == 2
    assert done[2].outputs[0]["output_type"] == "error"
    assert done[2].outputs[0]["ename"] == "ZeroDivisionError"
    assert done[3].outputs[0]["text"] == "after the error\n"
    # the kernel ran in the working copy, with the kernelspec's environment
    assert (folder / "work" / "written.txt").read_text() == "other"
    # its private folder (sockets, connection file, IPython profile) is gone
    assert [p.name for p in (folder / "work").iterdir()] == ["written.txt"]


def test_language_info_is_what_the_kernel_reports_not_what_its_spec_says(
        folder: Path) -> None:
    """nbclient takes ``language_info`` from the kernel's ``kernel_info_reply``: a
    kernelspec that says "other-language" but starts ipykernel is reported as Python."""
    spec = {**PYTHON_KERNEL, "name": "mislabelled", "language": "other-language"}
    emitted = run(folder, [(0, "1")], kernel=spec)
    info = emitted[0]
    assert isinstance(info, KernelInfo)
    assert (info.language_info["name"], info.language_info["file_extension"]) == (
        "python", ".py")


def test_output_over_the_limit_is_cut_with_a_note(folder: Path) -> None:
    emitted = run(folder, [(0, "for i in range(200):\n    print('x' * 50)")], limit=1000)
    done = next(m for m in emitted if isinstance(m, CellDone))
    assert done.truncated
    assert done.outputs[-1]["name"] == "stderr"
    assert "output over 1,000 characters cut" in str(done.outputs[-1]["text"])
    assert sum(len(str(o["text"])) for o in done.outputs[:-1]) <= 1000


def test_a_kernel_that_cannot_start_is_reported(folder: Path) -> None:
    broken = {**PYTHON_KERNEL, "name": "broken", "argv": [str(folder / "no-such-program"),
                                                          "{connection_file}"]}
    with pytest.raises(kernelrun.KernelDied, match="kernel broken did not start"):
        run(folder, [(0, "1")], kernel=broken)


def test_a_kernel_that_dies_in_a_cell_is_reported(folder: Path) -> None:
    with pytest.raises(kernelrun.KernelDied, match="the kernel died"):
        run(folder, [(0, "import os\nos._exit(3)")])


def test_streams_of_the_same_name_merge_and_others_do_not() -> None:
    outputs: list[Any] = []
    size = [0]
    for out in ({"output_type": "stream", "name": "stdout", "text": "a"},
                {"output_type": "stream", "name": "stdout", "text": "b"},
                {"output_type": "stream", "name": "stderr", "text": "c"},
                {"output_type": "display_data", "data": {"text/plain": "d"}, "metadata": {}}):
        assert kernelrun._append(outputs, out, 100, size)
    assert [o.get("text") for o in outputs] == ["ab", "c", None]
    assert not kernelrun._append(outputs, {"output_type": "stream", "name": "stdout",
                                           "text": "x" * 200}, 100, size)


def test_a_cell_over_the_time_limit_is_stopped_as_under_nbgrader(folder: Path) -> None:
    """In the sandbox, as ``competency grade`` runs it: the supervisor's cell limit
    interrupts the kernel; the cell ends with the kernel's ``KeyboardInterrupt`` and
    nbgrader's ``CellTimeoutError`` (nbgrader's ``Execute.error_on_timeout``), the rest of
    the notebook runs in the same kernel, and the worker grades the next submission."""
    # the cell limit stays small (a runaway cell must be stopped by it); what starting a
    # kernel and an interrupted cell need scales with the machine's load
    limits = Limits(cell_timeout=2, notebook_timeout=wait(60), interrupt_grace=wait(5))
    with run_directory() as rundir:
        pool = WorkerPool(1, rundir, ["IPython"])
        try:
            def grade(job_id: int, *sources: str) -> NotebookResult:
                files = folder / f"files{job_id}" / "nb"
                files.mkdir(parents=True)
                pool.submit(Job(
                    id=job_id, student=f"s{job_id}", files=str(files),
                    notebooks=[NotebookJob("nb", list(enumerate(sources)), PYTHON_KERNEL)],
                    limits=limits, protect=[str(folder / "course")],
                    uid=UID_BASE + (os.getpid() * 7919 + 200_000 + job_id) % UID_SPAN
                    if os.geteuid() == 0 else None, workroot=str(rundir / "work")))
                deadline = time.monotonic() + wait(60) + limits.notebook_timeout
                results: list[Any] = []
                while not results:
                    assert time.monotonic() < deadline, f"no result for job {job_id}"
                    results = pool.results(timeout=1)
                assert isinstance(results[0], JobDone), results[0]
                return results[0].notebooks[0]

            started = time.monotonic()
            slow = grade(1, "import time\ntime.sleep(3600)", "import os\nos.environ['MARK']")
            took = time.monotonic() - started
            assert [o["ename"] for o in slow.cells[0].outputs] == ["KeyboardInterrupt",
                                                                   "CellTimeoutError"]
            assert slow.cells[0].outputs[-1] == TIMEOUT_OUTPUT
            assert slow.cells[0].state == "timeout"
            assert slow.interrupted == (0,)
            assert slow.stopped_in is None  # the notebook ran to its end
            assert slow.reason == "cell 0 interrupted after 2 s"
            # the next cell ran in the same kernel, started from the kernelspec
            assert slow.cells[1].state == "ran"
            assert slow.cells[1].outputs[0]["data"]["text/plain"] == "'other'"
            assert took < limits.cell_timeout + wait(30)  # not the hour the cell asked for
            honest = grade(2, "print(6 * 7)")
            assert honest.reason == ""
            assert honest.cells[0].outputs == ({"output_type": "stream", "name": "stdout",
                                                "text": "42\n"},)
            assert honest.language_info is not None  # sent back through the supervisor
            assert honest.language_info["name"] == "python"
        finally:
            pool.close()


class _Queue:
    """A channel of a fake kernel client: messages then queue.Empty (a real one blocks
    up to ``timeout`` first; this one does not, so the test is fast)."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = list(messages)

    def get(self, timeout: float | None = None) -> dict[str, Any]:
        if self.messages:
            return self.messages.pop(0)
        import queue

        raise queue.Empty


class _LostIdleClient:
    """A kernel client whose kernel runs the cell and replies, but whose "idle" status
    never reaches iopub (dropped, as ZeroMQ does when a subscriber falls behind)."""

    def __init__(self) -> None:
        parent = {"msg_id": "cell-1"}
        self.iopub = _Queue([
            {"parent_header": parent, "header": {"msg_type": "status"},
             "content": {"execution_state": "busy"}},
            {"parent_header": parent, "header": {"msg_type": "execute_input"},
             "content": {"execution_count": 3}},
            {"parent_header": parent, "header": {"msg_type": "stream"},
             "content": {"name": "stdout", "text": "done\n"}}])
        self.shell = _Queue([
            {"parent_header": {"msg_id": "an-old-request"}, "content": {"status": "ok"}},
            {"parent_header": parent, "content": {"status": "error", "ename": "ValueError",
                                                  "evalue": "bad", "traceback": []}}])

    def execute(self, source: str, **_: Any) -> str:
        return "cell-1"

    def get_iopub_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return self.iopub.get(timeout)

    def get_shell_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return self.shell.get(timeout)


class _AliveManager:
    def is_alive(self) -> bool:
        return True

    def interrupt_kernel(self) -> None:  # pragma: no cover - not reached here
        raise AssertionError("no time limit in this test")


def test_a_cell_whose_idle_status_is_lost_ends_after_the_reply(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(kernelrun, "IOPUB_GRACE_SECONDS", 0.05)
    result: list[Any] = []
    runner = threading.Thread(target=lambda: result.append(kernelrun._run_cell(
        _AliveManager(), _LostIdleClient(), "raise ValueError('bad')", 1000)), daemon=True)
    runner.start()
    runner.join(timeout=30)
    # before the fix this never returned: it waited for "idle" alone
    assert result, "the cell did not end without its idle status"
    outputs, count, truncated = result[0]
    assert count == 3
    assert not truncated
    assert outputs[0] == {"output_type": "stream", "name": "stdout", "text": "done\n"}
    # the reply's error is kept even though it was read while waiting for "idle"
    assert outputs[1]["output_type"] == "error"
    assert outputs[1]["ename"] == "ValueError"
