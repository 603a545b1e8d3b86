"""Run learners' notebooks isolated, with limits, in warm forked processes.

A *warm worker* (``python -P -c 'from competency.grading.worker import main; main()'``)
imports what the course needs once, builds one IPython shell, then reads job file
paths on stdin. For each job it forks a *supervisor* (so the worker itself never
holds a learner's data), which forks one *sandboxed child* per notebook and watches
it: per-cell and per-notebook wall time, output size, exit. The child:

* joins a fresh cgroup v2 group (or becomes init of a PID namespace, or is reaped by
  the supervisor as child subreaper), so nothing it starts outlives it;
* as root: gets private mount, network and IPC namespaces, then drops to a uid of
  its own with no groups; Python installs under unreadable folders (``/root``)
  are re-exposed read-only through a tmpfs;
* gets rlimits (address space, file size, processes, CPU) and no-new-privileges;
* confines itself with Landlock where the kernel has it: read only system and
  Python folders, write only its working copy, no TCP, no signals out;
* runs the cells in-process (:mod:`competency.grading.shellrun`) in a private working copy.

What was applied is reported per notebook (``isolation``), before learner code runs.
The processes talk in the typed messages of :mod:`competency.grading.messages`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from competency.grading import sandbox as lx
from competency.grading.messages import (
    JSON,
    CellDone,
    CellResult,
    CellStarted,
    ChildMessage,
    Crashed,
    Isolation,
    Job,
    JobDone,
    JobFailed,
    JobResult,
    KernelInfo,
    NotebookEnd,
    NotebookJob,
    NotebookResult,
    Output,
    Pid,
    ProtocolError,
    SetupFailed,
    Ticket,
    decode_child,
    decode_result,
    encode_child,
    encode_result,
)
from competency.grading.sandbox import Limits

__all__ = ["DEFAULT_PRELOAD", "NOT_KEPT", "TIMEOUT_OUTPUT", "Job", "NotebookJob", "WorkerPool"]

DEFAULT_PRELOAD = ("IPython", "ipywidgets")
NOT_KEPT = "file(s) the notebook wrote not kept"
"""The note when :func:`~competency.grading.sandbox.copy_back` left files out."""
_MAX_LINE = 64 * 1024 * 1024
TIMEOUT_OUTPUT: Output = {"output_type": "error", "ename": "CellTimeoutError", "evalue": "",
                  "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel "
                                "before timeout"]}


# --------------------------------------------------------------------------- child


def _writer(fd: int) -> Callable[[bytes], None]:
    write = os.write

    def send(data: bytes) -> None:
        while data:
            data = data[write(fd, data):]

    return send


def _emitter(fd: int) -> Callable[[ChildMessage], None]:
    """Send messages to the supervisor on ``fd``."""
    send = _writer(fd)

    def emit(message: ChildMessage) -> None:
        send(encode_child(message))

    return emit


def _result_sender(fd: int) -> Callable[[JobResult], None]:
    """Send job results to the parent on ``fd``."""
    send = _writer(fd)

    def emit(result: JobResult) -> None:
        send(encode_result(result))

    return emit


def _child(job: Job, notebook: NotebookJob, workdir: Path, fd: int, reaper: str,
           group: Path | None) -> None:
    """Inside the fork: isolate, then run the cells. Never returns."""
    code = 0
    emit = _emitter(fd)
    try:
        os.setsid()
        if group is not None:
            lx.cgroup_join(group)
        if reaper == "pidns":
            lx.enter_pid_namespace(lambda pid: emit(Pid(pid)))
        report = lx.isolate(job.limits, workdir, job.protect, job.uid, fd)
        emit(Isolation(tuple(report)))
        if notebook.kernel is not None:  # another kernel: a real one, in the sandbox
            from competency.grading import kernelrun

            kernelrun.run_cells(notebook.kernel, notebook.cells, workdir, emit,
                                job.limits.output_chars)
        else:
            from competency.grading import shellrun

            shell = shellrun.GradingShell.instance()
            shellrun.run_cells(shell, notebook.cells, emit, job.limits.output_chars)
    except lx.SandboxSetupError as exc:
        emit(SetupFailed(str(exc)))
        code = 70
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            emit(Crashed(f"{type(exc).__name__}: {exc}"))
        code = 71
    os._exit(code)


# ------------------------------------------------------------------------ supervisor


@dataclass
class _Watch:
    """What the supervisor knows about a running notebook."""

    cells: dict[int, CellResult] = field(default_factory=dict)
    current: int | None = None
    applied: list[str] = field(default_factory=list)
    target: int = 0
    ended: bool = False
    reason: str = ""
    timed_out: set[int] = field(default_factory=set)
    setup: float = 0.0
    language_info: dict[str, JSON] | None = None


def _handle(message: ChildMessage | None, watch: _Watch, cell_deadline: float,
            limits: Limits) -> float:
    if isinstance(message, CellStarted):
        watch.current = message.cell
        return time.monotonic() + limits.cell_timeout
    if isinstance(message, CellDone):
        index = message.cell
        outputs = list(message.outputs)
        if index in watch.timed_out:
            outputs.append(dict(TIMEOUT_OUTPUT))
        watch.cells[index] = CellResult(tuple(outputs), message.count,
                                        "timeout" if index in watch.timed_out else "ran")
        if message.truncated and not watch.reason:
            watch.reason = (f"output over the limit ({limits.output_chars:,} characters) in "
                            f"cell {index}; truncated")
        watch.current = None
        return float("inf")
    if isinstance(message, Isolation):
        watch.applied = list(message.applied)
        watch.setup = time.monotonic()
    elif isinstance(message, Pid):
        watch.target = message.pid
    elif isinstance(message, KernelInfo):
        watch.language_info = message.language_info
    elif isinstance(message, NotebookEnd):
        watch.ended = True
    elif isinstance(message, SetupFailed):
        watch.reason = f"sandbox setup failed: {message.reason}"
    elif isinstance(message, Crashed):
        watch.reason = f"crashed: {message.reason}"
    return cell_deadline


def _watch(pid: int, fd: int, watch: _Watch, limits: Limits) -> None:
    """Read the child's messages until it ends, enforcing the time limits."""
    start = time.monotonic()
    notebook_deadline = start + limits.notebook_timeout
    cell_deadline = float("inf")
    interrupted = False
    parts: list[bytes] = []
    size = 0
    while True:
        now = time.monotonic()
        if now >= notebook_deadline:
            where = f" in cell {watch.current}" if watch.current is not None else ""
            watch.reason = f"notebook time limit ({limits.notebook_timeout:g} s) reached{where}"
            return
        if now >= cell_deadline:
            if interrupted:
                watch.reason = (f"cell {watch.current} did not stop when interrupted after "
                                f"{limits.cell_timeout:g} s")
                return
            interrupted = True
            if watch.current is not None:  # a cell is running: interrupt it, as a kernel is
                watch.timed_out.add(watch.current)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(watch.target or pid, signal.SIGINT)
            cell_deadline = now + limits.interrupt_grace
            continue
        ready, _, _ = select.select([fd], [], [], min(notebook_deadline, cell_deadline) - now)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return
        parts.append(chunk)
        size += len(chunk)
        if size > _MAX_LINE:
            watch.reason = "protocol violation: a message over the size limit"
            return
        if b"\n" not in chunk:
            continue
        *lines, rest = b"".join(parts).split(b"\n")
        parts, size = [rest], len(rest)
        for line in lines:
            before = watch.current
            try:
                cell_deadline = _handle(decode_child(line), watch, cell_deadline, limits)
            except ProtocolError:
                watch.reason = "protocol violation: a malformed message"
                return
            if before is not None and watch.current is None:
                interrupted = False
            if watch.ended:
                return


def _exit_reason(status: int, watch: _Watch) -> str:
    where = f" in cell {watch.current}" if watch.current is not None else ""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        return f"the notebook process was killed by {name}{where}"
    return f"the notebook ended the grading process (exit status {os.WEXITSTATUS(status)})" \
           f"{where}"


def run_notebook(job: Job, notebook: NotebookJob, workdir: Path) -> NotebookResult:
    """Fork a sandboxed child for one notebook and watch it; the notebook's result."""
    reaper = lx.choose_reaper(job.reaper)
    group = lx.cgroup_create(f"{Path(job.workroot).parent.name}-{job.id}") \
        if reaper == "cgroup" else None
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(job, notebook, workdir, write_fd, reaper, group)
    os.close(write_fd)
    watch = _Watch()
    try:
        _watch(pid, read_fd, watch, job.limits)
    finally:
        os.close(read_fd)
        if not watch.ended:
            lx.terminate(pid, group)
    _, status, usage = os.wait4(pid, 0)
    lx.kill_all(group)
    if group is not None:
        lx.cgroup_remove(group)
    if not watch.ended and not watch.reason:
        watch.reason = _exit_reason(status, watch)
    elif not watch.reason:
        limit_hit = [i for i, c in watch.cells.items()
                     if any(o.get("ename") == "MemoryError" for o in c.outputs)]
        if limit_hit:
            watch.reason = (f"memory limit ({job.limits.memory_bytes / 1024**3:g} GB) reached "
                            f"in cell {limit_hit[0]}")
        elif watch.timed_out:
            watch.reason = (f"cell {min(watch.timed_out)} interrupted after "
                            f"{job.limits.cell_timeout:g} s")
    return NotebookResult(
        name=notebook.name, cells=dict(watch.cells), reason=watch.reason,
        isolation=tuple(watch.applied), reaper=reaper,
        stopped_in=None if watch.ended else watch.current,
        interrupted=tuple(sorted(watch.timed_out)),
        setup=round(watch.setup - started, 3) if watch.setup else None,
        cpu=round(usage.ru_utime + usage.ru_stime, 3),
        seconds=round(time.monotonic() - started, 3), language_info=watch.language_info)


def supervise(job_path: str) -> None:
    """Run one job (in a fresh fork of the worker) and print its result as one line."""
    job = Job.from_json(Path(job_path).read_text("utf-8"))
    lx.become_subreaper()  # orphans come to us, to be killed (or reaped) here
    workdir = lx.make_workdir(Path(job.workroot), job.id, Path(job.files), job.uid)
    results = []
    try:
        for notebook in job.notebooks:
            results.append(run_notebook(job, notebook, workdir))
        back = lx.copy_back(workdir, Path(job.files), job.uid)
        if back.left and results:  # a note on the last notebook, not a failure
            note = (f"{len(back.left)} {NOT_KEPT} (not a regular file, or over 1,000 files "
                    f"or 256 MB): {', '.join(back.left[:5])}")
            last = results[-1]
            results[-1] = dataclasses.replace(last, reason=f"{last.reason}; {note}"
                                              if last.reason else note)
    finally:
        lx.remove_tree(workdir.parent)
    _result_sender(1)(JobDone(job.id, tuple(results)))


def main() -> None:
    """The warm worker: preload, then fork a supervisor per job path read on stdin."""
    lx.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for thread_var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(thread_var, "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    preload = sys.argv[1:] if len(sys.argv) > 1 else list(DEFAULT_PRELOAD)
    for module in preload:
        try:
            __import__(module)
        except Exception as exc:
            print(f"warning: cannot preload {module}: {exc}", file=sys.stderr)
    from competency.grading import shellrun

    shellrun.warm_up(shellrun.make_shell())
    lx.candidate_roots()
    emit = _result_sender(1)
    for line in sys.stdin:
        ticket = Ticket.decode(line)
        if ticket is None:
            continue
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the supervisor
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                supervise(ticket.path)
            except BaseException as exc:
                emit(JobFailed(ticket.job, f"{type(exc).__name__}: {exc}"))
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0 and os.WIFSIGNALED(status):
            emit(JobFailed(ticket.job, f"supervisor killed by signal {os.WTERMSIG(status)}"))



# ------------------------------------------------------------------ parent side: pool

_WORKER_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "VIRTUAL_ENV", "PYTHONPATH",
               "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_PLATFORM_DIRS",
               "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_PER_WORKER = 2  # jobs queued per worker, so that none waits for the parent


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    log: Path
    jobs: set[int] = field(default_factory=set)
    buffer: bytes = b""


class WorkerPool:
    """Warm workers that run jobs; the parent submits jobs and collects their results.

    The workers get a scrubbed environment (no database URLs or tokens), their own
    session (a Ctrl-C reaches only the parent) and die with the parent.
    """

    def __init__(self, size: int, rundir: Path, preload: Sequence[str] = DEFAULT_PRELOAD
                 ) -> None:
        self.rundir = rundir
        self.jobdir = rundir / "jobs"
        self.workroot = rundir / "work"
        self.jobdir.mkdir(mode=0o700)
        self.workroot.mkdir()
        os.chmod(self.workroot, 0o711)
        self.preload = list(preload)
        self.env = {k: v for k, v in os.environ.items() if k in _WORKER_ENV}
        self.workers = [self._start(i) for i in range(size)]
        self.orphans: list[JobResult] = []

    def _start(self, index: int) -> _Worker:
        log = self.rundir / f"worker-{index}.log"
        with log.open("ab") as err:
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", "from competency.grading.worker import main; main()",
                 *self.preload], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                env=self.env, start_new_session=True, close_fds=True)
        return _Worker(process, log)

    @property
    def free(self) -> int:
        """How many more jobs can be submitted without waiting."""
        return sum(max(0, _PER_WORKER - len(w.jobs)) for w in self.workers)

    @property
    def busy(self) -> bool:
        """Whether any job is still running."""
        return any(w.jobs for w in self.workers) or bool(self.orphans)

    def submit(self, job: Job) -> None:
        """Send ``job`` to the least busy worker."""
        worker = min(self.workers, key=lambda w: len(w.jobs))
        path = self.jobdir / f"{job.id}.json"
        path.write_text(job.to_json(), "utf-8")
        worker.jobs.add(job.id)
        assert worker.process.stdin is not None
        try:
            worker.process.stdin.write(Ticket(job.id, str(path)).encode())
            worker.process.stdin.flush()
        except BrokenPipeError:
            self._died(worker)

    def _died(self, worker: _Worker) -> None:
        tail = worker.log.read_text("utf-8", "replace")[-500:].strip()
        for job_id in sorted(worker.jobs):
            self.orphans.append(JobFailed(job_id, "the grading worker died"
                                          + (f": {tail.splitlines()[-1]}" if tail else "")))
        worker.process.kill()
        worker.process.wait()
        index = self.workers.index(worker)
        self.workers[index] = self._start(index)

    def results(self, timeout: float) -> list[JobResult]:
        """Results that arrived within ``timeout`` seconds."""
        out, self.orphans = self.orphans, []
        if out:
            return out
        pipes = {w.process.stdout.fileno(): w for w in self.workers
                 if w.jobs and w.process.stdout is not None}
        ready, _, _ = select.select(list(pipes), [], [], timeout) if pipes else ([], [], [])
        for fd in ready:
            worker = pipes[fd]
            chunk = os.read(fd, 1 << 22)
            if not chunk:
                self._died(worker)
                continue
            worker.buffer += chunk
            *lines, worker.buffer = worker.buffer.split(b"\n")
            for line in lines:
                result = decode_result(line)
                worker.jobs.discard(result.job)
                (self.jobdir / f"{result.job}.json").unlink(missing_ok=True)
                out.append(result)
        out.extend(self.orphans)
        self.orphans = []
        return out

    def warnings(self) -> list[str]:
        """The workers' ``warning: ...`` lines (a module that could not be preloaded)."""
        lines: list[str] = []
        for log in sorted(self.rundir.glob("worker-*.log")):
            for line in log.read_text("utf-8", "replace").splitlines():
                if line.startswith("warning: ") and line[9:] not in lines:
                    lines.append(line[9:])
        return lines

    def close(self) -> None:
        """Stop the workers (and with them anything still running).

        Idle workers are killed at once (they hold nothing; their interpreters' exit
        would take a while); busy ones get up to five seconds to finish their job.
        """
        for worker in self.workers:
            with contextlib.suppress(OSError):
                if worker.process.stdin is not None:
                    worker.process.stdin.close()
        deadline = time.monotonic() + 5
        for worker in self.workers:
            if worker.jobs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(max(0.1, deadline - time.monotonic()))
            if worker.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
            if worker.process.stdout is not None:
                worker.process.stdout.close()
        lx.cgroup_sweep(self.rundir.name)  # groups of supervisors killed above
