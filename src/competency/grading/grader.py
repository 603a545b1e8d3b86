"""Grading at trust scale: ``competency grade``, fast, isolated and nbgrader-compatible.

The bookkeeping is nbgrader's own, in this (the parent) process, which alone opens
the gradebook: for each submission its :class:`~nbgrader.converters.Autograde`
converter decides whether to grade it, creates the student and submission with
the timestamp, copies the source files and sanitises each notebook (ClearOutput,
DeduplicateIds, OverwriteKernelspec, OverwriteCells restoring locked cells, test
code and points from the gradebook, CheckCellMetadata); after execution it runs
the configured autograde chain (IgnorePattern, ClearMetadata, LimitOutput,
SaveAutoGrades, AssignLatePenalties, CheckCellMetadata) and writes the autograded
notebook where ``nbgrader autograde`` would. Only nbgrader's ``Execute`` step is
replaced: the notebook runs in a warm, sandboxed worker (:mod:`competency.grading.worker`,
:mod:`competency.grading.sandbox`), several at a time.

Two speed-ups keep nbgrader's logic but not its overheads: the preprocessors share
one gradebook connection, whose commits are deferred to two transactions per
submission (when it is prepared; with its scores), instead of opening the database
about ten times and committing about fifty times per submission; and cell metadata
are checked against nbgrader's schema with a compiled validator instead of
recompiling the schema for every cell.

A run killed at any moment resumes: nbgrader writes each submission into a hidden
staging folder, and only after its scores are committed and its report row written
is that folder renamed to ``autograded/STUDENT/ASSIGNMENT`` (:meth:`_Run.publish`).
A submission without that folder is graded again by the next run, without ``--force``.

A notebook that did not run to its end (it crashed, exited, or a cell ignored the
interrupt) fails its submission, as a dying kernel does under nbgrader; with
``keep_partial`` the cells that did not run get an error output (nbgrader scores
their tests 0) and the cells that ran keep their scores.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import gc
import hashlib
import io
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from competency.errors import GradingError
from competency.files import rewrite_locked
from competency.grading import nbgraderhooks as hooks
from competency.grading.autograde import code_cells, stopped
from competency.grading.messages import Job, JobDone, JobResult, NotebookJob
from competency.grading.sandbox import Limits, cgroup_sweep, landlock_abi, remove_tree
from competency.grading.worker import DEFAULT_PRELOAD, NOT_KEPT, WorkerPool

DEFAULT_COURSE = Path("course")
GRADED, MANUAL, FAILED, SKIPPED = "graded", "needs manual grading", "failed", "skipped"
REPORT_COLUMNS = ("student", "status", "reason", "score", "max_score", "late_penalty",
                  "seconds", "notes")
UID_BASE, UID_SPAN = 1_000_000_000, 1_000_000_000
RUN_PREFIX, RUN_LOCK = "competency-grade-", "running.lock"
"""Run folders are ``$TMPDIR/competency-grade-*``, locked through ``running.lock``."""
PUBLISH_EVERY = 1.0
"""Seconds between publications of graded submissions (report rows, then folders)."""


@dataclass(frozen=True)
class StudentResult:
    """How one submission was graded."""

    student: str
    """The learner's nbgrader id."""
    status: str
    """``graded``, ``needs manual grading``, ``failed`` or ``skipped``."""
    reason: str = ""
    """Why it failed or was skipped (empty otherwise)."""
    score: float | None = None
    """Points in the gradebook (before any late penalty), None when not graded."""
    max_score: float | None = None
    """Points available."""
    late_penalty: float = 0.0
    """Points deducted for lateness, as nbgrader's late-submission plugin decided."""
    seconds: float = 0.0
    """Wall seconds the notebooks ran."""
    notes: tuple[str, ...] = ()
    """nbgrader's warnings about this submission (e.g. changed points or cell types)."""

    @property
    def label(self) -> str:
        """The status as the summary shows it, e.g. ``failed: cell 4 ...``."""
        return f"{self.status}: {self.reason}" if self.reason else self.status


@dataclass(frozen=True)
class GradingReport:
    """A grading run: one result per submission, and how it was done."""

    assignment: str
    """The assignment graded."""
    results: tuple[StudentResult, ...]
    """One per submission, sorted by student id."""
    seconds: float
    """Wall seconds for the whole run, nbgrader's start-up included."""
    jobs: int
    """Worker processes used."""
    isolation: tuple[str, ...] = ()
    """The isolation applied to the notebooks (as the first sandbox reported it)."""
    path: Path | None = None
    """Where the CSV report was written."""
    warnings: tuple[str, ...] = ()
    """What the sandbox cannot prevent on this machine (printed as ``warning:`` lines)."""

    def count(self, status: str) -> int:
        """How many submissions have ``status``."""
        return sum(r.status == status for r in self.results)

    def render(self) -> str:
        """The printed summary: one line per submission, then the totals."""
        width = max([len(r.student) for r in self.results] + [7])
        lines = [f"{'student':<{width}}  {'score':>11}  {'time':>7}  status"]
        for r in self.results:
            score = "" if r.score is None else f"{r.score:g}/{r.max_score or 0:g}"
            if r.late_penalty:
                score += f" (-{r.late_penalty:g})"
            lines.append(f"{r.student:<{width}}  {score:>11}  {r.seconds:>6.2f}s  {r.label}")
        graded = [r for r in self.results if r.status != SKIPPED]
        each = self.seconds / len(graded) if graded else 0.0
        lines.append(f"{self.assignment}: {len(graded)} graded in {self.seconds:.1f} s "
                     f"({each:.2f} s per submission, {self.jobs} workers): "
                     f"{self.count(GRADED)} graded, {self.count(MANUAL)} need manual grading, "
                     f"{self.count(FAILED)} failed, {self.count(SKIPPED)} skipped")
        if self.isolation:
            lines.append("isolation: " + "; ".join(self.isolation))
        if self.path is not None:
            lines.append(f"report: {self.path}")
        return "\n".join(lines) + "\n"


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` as ``(I, N)`` with ``0 <= I < N``."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 0 <= int(match[1]) < int(match[2]):
        raise GradingError(f"shard must be I/N with 0 <= I < N, e.g. 0/4 ({text})")
    return int(match[1]), int(match[2])


def shard_of(student: str, count: int) -> int:
    """The shard (0 to count-1) a student belongs to: a stable hash of the id."""
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def select_students(available: Sequence[str], wanted: Sequence[str] = (),
                    shard: tuple[int, int] | None = None) -> list[str]:
    """The students to grade: those asked for (all when none), in ``shard`` if given."""
    chosen = sorted(available)
    if wanted:
        missing = sorted(set(wanted) - set(chosen))
        if missing:
            raise GradingError(f"no submission from {', '.join(missing)}")
        chosen = [s for s in chosen if s in set(wanted)]
    if shard is not None:
        chosen = [s for s in chosen if shard_of(s, shard[1]) == shard[0]]
    return chosen


def write_report(path: Path, results: Sequence[StudentResult]) -> Path:
    """Add ``results`` to the grading report CSV at ``path`` (columns :data:`REPORT_COLUMNS`).

    The report keeps the latest result of every student graded into it, one row each,
    sorted by student id, so runs of several shards, at once or one after another, add
    up (and a run writing its rows as submissions finish, in any order, ends with the
    same file): a student graded again gets their row replaced, except by a
    ``skipped`` result, which never hides an earlier one. Under the report's lock the
    merged report is written to a temporary file and renamed over the old one
    (:func:`competency.files.rewrite_locked`), so concurrent graders lose nothing and a
    reader always finds a whole report.
    """
    new = {r.student: _report_row(r) for r in results}
    skipped = {r.student for r in results if r.status == SKIPPED}

    def merge(old: bytes | None) -> bytes:
        rows: dict[str, list[str]] = {}
        if old is not None:
            found = list(csv.reader(io.StringIO(old.decode("utf-8", errors="replace"))))
            if found and tuple(found[0]) == REPORT_COLUMNS:
                rows = {r[0]: r for r in found[1:] if len(r) == len(REPORT_COLUMNS)}
        for student, row in new.items():
            if student not in rows or student not in skipped:
                rows[student] = row
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(rows[student] for student in sorted(rows))
        return out.getvalue().encode("utf-8")

    return rewrite_locked(path, merge)


def _report_row(r: StudentResult) -> list[str]:
    return [r.student, r.status, r.reason, "" if r.score is None else f"{r.score:g}",
            "" if r.max_score is None else f"{r.max_score:g}", f"{r.late_penalty:g}",
            f"{r.seconds:.3f}", "; ".join(r.notes)]


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w., \t]+))",
                     re.MULTILINE)


def notebook_imports(course: Path, assignment: str) -> list[str]:
    """Modules the assignment's source notebooks import (to preload in the workers)."""
    found: list[str] = []
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text("utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            for match in _IMPORT.finditer(text):
                names = [match[1]] if match[1] else [n.strip().split(" ")[0]
                                                     for n in match[2].split(",")]
                found.extend(n for n in names if n and not n.startswith(".") and n not in found)
    return found


def exposure_warnings(paths: Iterable[Path], own_uid: bool) -> list[str]:
    """What notebooks could still reach here, given the mechanisms this machine has."""
    out = []
    abi = landlock_abi()
    if not own_uid and not abi:
        out.append("notebooks run with your own rights and without Landlock (this kernel has "
                   "none): they could change the course and the gradebook; grade as root or "
                   "on Linux 5.13 or later")
    elif not own_uid and abi < 6:
        out.append(f"Landlock ABI {abi} cannot stop notebooks signalling your other processes "
                   "(ABI 6, Linux 6.12); grade as root to give them a uid of their own")
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            out.append(f"{path} is writable by every user (mode {stat.S_IMODE(mode):o}); "
                       "make it writable by its owner only")
    return out


def _uid(job_id: int) -> int:
    return UID_BASE + (os.getpid() * 7919 + job_id) % UID_SPAN


@dataclass
class _Prepared:
    student: str
    job: Job
    paths: dict[str, tuple[Path, Any]]
    notes: list[str] = field(default_factory=list)


class _Run:
    """One grading run over an assignment's submissions."""

    def __init__(self, grader: hooks.Grader, limits: Limits, rundir: Path, reaper: str,
                 sandbox_user: bool, report: Path) -> None:
        self.grader = grader
        self.report = report
        self.unpublished: list[StudentResult] = []
        self.published = time.monotonic()
        self.limits = limits
        self.rundir = rundir
        self.reaper = reaper
        self.sandbox_user = sandbox_user and os.geteuid() == 0
        self.isolation: tuple[str, ...] = ()
        self.next_id = 1
        self.cut: list[str] = []  # files a notebook wrote that were not kept, per student

    def prepare(self, student: str) -> _Prepared | StudentResult:
        notes: list[str] = []
        with self.grader.notes_to(notes):
            try:
                paths = self.grader.sanitize(student)
            except hooks.Skip as skip:
                self.grader.discard_partial(student)
                return StudentResult(student, SKIPPED, str(skip))
            except Exception as exc:
                return self._failed(student, exc, notes)
        if paths is None:
            return StudentResult(student, SKIPPED, "excluded by the course configuration")
        notebooks = [NotebookJob(name, code_cells(nb),
                                 hooks.kernel_for(nb) if self.grader.execute else None)
                     for name, (_, nb) in paths.items()]
        job_id, self.next_id = self.next_id, self.next_id + 1
        grader = self.grader
        job = Job(id=job_id, student=student, files=str(grader.destination(student)),
                  notebooks=notebooks, limits=self.limits,
                  protect=[grader.root, *grader.protected_paths, str(self.rundir / "jobs")],
                  uid=_uid(job_id) if self.sandbox_user else None, reaper=self.reaper,
                  workroot=str(self.rundir / "work"))
        return _Prepared(student, job, paths, notes)

    def finish(self, prepared: _Prepared, result: JobResult) -> StudentResult:
        student, notes = prepared.student, prepared.notes
        ran = {nb.name: nb for nb in result.notebooks} if isinstance(result, JobDone) else {}
        planned = {nb.name: [i for i, _ in nb.cells] for nb in prepared.job.notebooks}
        error = result.error if not isinstance(result, JobDone) else ""
        with self.grader.notes_to(notes):
            try:
                self.grader.apply_and_save(student, prepared.paths, ran, planned, error)
            except Exception as exc:
                return self._failed(student, exc, notes)
        if ran and not self.isolation:
            first = next(iter(ran.values()))
            self.isolation = (f"{first.reaper} reaper", *first.isolation)
        # a notebook that did not run to its end fails the submission (as nbgrader; with
        # keep_partial its scores are kept, still as failed); other limits are notes
        reasons = [error] if error else [
            nb.reason for name, nb in ran.items()
            if stopped(nb, planned.get(name, []), "")]
        notes = notes + [f"{name}: {nb.reason}" for name, nb in ran.items()
                         if nb.reason and nb.reason not in reasons]
        self.cut += [f"{student}: {n}" for n in notes if NOT_KEPT in n]
        seconds = sum(nb.seconds for nb in ran.values())
        score = self.grader.score(student)
        status = FAILED if reasons else MANUAL if score.needs_manual else GRADED
        return StudentResult(student, status, "; ".join(reasons), score.score, score.max_score,
                             score.late_penalty, seconds, hooks.summarise(notes))

    def _failed(self, student: str, exc: Exception, notes: list[str]) -> StudentResult:
        self.grader.discard(student)
        score = self.grader.score(student)
        return StudentResult(student, FAILED, hooks.describe(exc), score.score, score.max_score,
                             score.late_penalty, 0.0, hooks.summarise(notes))

    def publish(self, outcome: StudentResult | None = None, *, now: bool = False) -> None:
        """Make finished submissions visible: their report rows, then their folders.

        Every :data:`PUBLISH_EVERY` seconds (and at the end), after the gradebook has
        committed them. A run killed before a submission's folder is renamed into place
        grades it again, so an autograded folder always means a complete one with its
        gradebook rows and its report row.
        """
        if outcome is not None:
            self.unpublished.append(outcome)
        waited = time.monotonic() - self.published
        if not self.unpublished or (not now and waited < PUBLISH_EVERY):
            return
        write_report(self.report, self.unpublished)
        for result in self.unpublished:
            self.grader.publish(result.student)
        self.unpublished.clear()
        self.published = time.monotonic()

    def run(self, pool: WorkerPool, students: Sequence[str], progress: bool) -> list[
            StudentResult]:
        queue = deque(students)
        pending: dict[int, _Prepared] = {}
        done: list[StudentResult] = []
        with _progress_bar(len(students), self.grader.assignment, progress) as bar:
            while queue or pending:
                while queue and pool.free > 0:
                    prepared = self.prepare(queue.popleft())
                    if isinstance(prepared, StudentResult):
                        done.append(prepared)
                        self.publish(prepared)
                        bar.update()
                    elif not self.grader.execute:
                        done.append(self.finish(prepared, JobDone(prepared.job.id, ())))
                        self.publish(done[-1])
                        bar.update()
                    else:
                        pool.submit(prepared.job)
                        pending[prepared.job.id] = prepared
                for result in pool.results(timeout=0.5) if pending else []:
                    outcome = self.finish(pending.pop(result.job), result)
                    done.append(outcome)
                    self.publish(outcome)
                    bar.update()
                    if outcome.status == FAILED:
                        bar.set_postfix_str(f"{outcome.student}: failed", refresh=False)
                self.publish()
        self.publish(now=True)
        return sorted(done, key=lambda r: r.student)


class _NoBar:
    """What the loop calls on a progress bar, doing nothing (no tqdm import either)."""

    def update(self) -> None:
        """Nothing."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Nothing."""


@contextlib.contextmanager
def _progress_bar(total: int, assignment: str, shown: bool) -> Iterator[Any]:
    if not shown:
        yield _NoBar()
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0
    with tqdm(total=total, desc=f"grading {assignment}", unit="submission", file=sys.stderr,
              mininterval=0.2, dynamic_ncols=True) as bar:
        yield bar


@contextlib.contextmanager
def run_directory() -> Iterator[Path]:
    """A private folder for one run's job files and working copies, removed afterwards.

    Mode 0711: sandbox uids may pass through to their own working copy, not list it.
    The run holds the lock of its ``running.lock`` while it lives; the kernel drops
    it when the process dies, however it dies (:func:`sweep_run_directories`).
    """
    path = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    os.chmod(path, 0o711)
    lock = os.open(path / RUN_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path
    finally:
        _remove_run_directory(path)
        os.close(lock)


def _remove_run_directory(path: Path) -> None:
    """Remove a run folder, its lock file last (a run killed meanwhile leaves it sweepable)."""
    for entry in path.iterdir():
        if entry.name == RUN_LOCK:
            continue
        if entry.is_dir() and not entry.is_symlink():
            remove_tree(entry)
        else:
            entry.unlink(missing_ok=True)
    remove_tree(path)


def sweep_run_directories(parent: str | Path | None = None) -> list[Path]:
    """Remove the run folders (and their cgroups) that killed runs left in ``parent``.

    ``parent`` defaults to the temporary folder. Only this user's folders whose
    ``running.lock`` nobody holds are removed: their run is dead. Returns them.
    """
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(f"{RUN_PREFIX}*"):
        try:
            if path.is_symlink() or path.stat().st_uid != os.geteuid():
                continue
            lock = os.open(path / RUN_LOCK, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue  # not a folder of ours, or a run that has not taken its lock yet
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            continue  # a live run
        try:
            cgroup_sweep(path.name)
            _remove_run_directory(path)
        finally:
            os.close(lock)
        removed.append(path)
    return removed


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """Meanwhile, collections skip long-lived objects: those alive now, and nbgrader's.

    Each full collection would otherwise walk all of them; they are alive until the end
    (:func:`~competency.grading.nbgraderhooks.import_nbgrader` freezes what nbgrader's
    import built; all is unfrozen here). Young objects are collected less often too
    (nbgrader and SQLAlchemy make many).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 20_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def grade(assignment: str, course: str | Path = DEFAULT_COURSE, *, jobs: int | None = None,
          students: Sequence[str] = (), shard: tuple[int, int] | None = None,
          force: bool = False, report: str | Path | None = None, progress: bool = True,
          limits: Limits | None = None, cell_timeout: float | None = None,
          notebook_timeout: float | None = None, memory_bytes: int | None = None,
          reaper: str = "auto", sandbox_user: bool = True,
          preload: Sequence[str] | None = None,
          nbgrader_options: Sequence[str] = (), keep_partial: bool = False) -> GradingReport:
    """Autograde every submission of ``assignment`` (or those chosen), as nbgrader would.

    ``jobs`` workers run notebooks at once (default: one per CPU). The limits default
    to :class:`~competency.grading.sandbox.Limits` with the course's ``Execute.timeout`` per
    cell; ``limits`` replaces them, the other three override single values. The CSV
    report goes to ``report`` (default ``autograded/ASSIGNMENT-grading-report.csv``).
    Workers preload ``preload`` (default: IPython, ipywidgets and what the assignment's
    source notebooks import). ``nbgrader_options`` (``Class.trait=value``) are nbgrader
    configuration, as given on its command line. A notebook that does not run to its end
    (its process exits, crashes or is killed) fails the submission, as under nbgrader;
    with ``keep_partial`` the cells that ran keep their scores.
    """
    started = time.monotonic()
    course = Path(course).resolve()
    if not course.is_dir():
        raise GradingError(f"{course}: no such course directory")
    jobs = jobs if jobs is not None else os.cpu_count() or 1
    if jobs < 1:
        raise GradingError(f"jobs must be at least 1 ({jobs})")
    sweep_run_directories()  # what runs killed on this machine left behind
    with run_directory() as rundir:
        if preload is None:
            preload = [*DEFAULT_PRELOAD, *notebook_imports(course, assignment)]
        pool = WorkerPool(jobs, rundir, preload)  # workers warm up while nbgrader loads
        try:
            with _long_lived(), hooks.Grader.open(course, assignment, force,
                                                  nbgrader_options) as grader:
                grader.keep_partial = keep_partial
                base = limits or Limits(cell_timeout=grader.cell_timeout
                                        or Limits().notebook_timeout)
                chosen = Limits(**{**base.__dict__, **{k: v for k, v in (
                    ("cell_timeout", cell_timeout), ("notebook_timeout", notebook_timeout),
                    ("memory_bytes", memory_bytes)) if v is not None}})
                selected = select_students(grader.students(), students, shard)
                exposed = exposure_warnings(
                    [Path(p) for p in (grader.root, *grader.protected_paths)]
                    + [Path(grader.root, str(getattr(grader.coursedir, f"{step}_directory")))
                       for step in ("source", "submitted", "autograded")]
                    + [Path(p).parent for p in grader.protected_paths],
                    sandbox_user and os.geteuid() == 0)
                path = Path(report) if report is not None else grader.report_path()
                run = _Run(grader, chosen, rundir, reaper, sandbox_user, path)
                results = run.run(pool, selected, progress)
        finally:
            pool.close()
        exposed.extend(pool.warnings())
        exposed.extend(run.cut)  # the copy-back limits cut: printed as warnings
    return GradingReport(assignment, tuple(results), time.monotonic() - started, jobs,
                         run.isolation, write_report(path, ()), tuple(exposed))
