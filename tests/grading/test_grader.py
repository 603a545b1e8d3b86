"""``competency grade`` and ``competency feedback``: compatible, fast, isolated, visible.

Unit tests (shards, reports, limits, CLI translation) run without nbgrader. The
sandbox tests drive the warm workers directly with small notebooks built in code.
The end-to-end tests (marked ``nbgrader``) release module 1 with nbgrader, submit a
full solution and a blank copy alongside attacks, grade with ``competency grade``
and compare with ``nbgrader autograde`` on the honest pair.

"Nothing outlived the notebook" is checked on this module's own runs only, so that
other grading runs on the machine (another engineer's, a trust's) cannot fail it: the
processes under the uids our jobs were given, running in our run folders, or running
our sleepers (whose argument is unique to this pytest process), and the cgroups named
after our run folders. Every job submitted here is recorded (:func:`record_jobs`).
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from competency.errors import GradingError
from competency.grading.grader import (
    UID_BASE,
    UID_SPAN,
    GradingReport,
    StudentResult,
    exposure_warnings,
    grade,
    notebook_imports,
    parse_shard,
    run_directory,
    select_students,
    shard_of,
    sweep_run_directories,
    write_report,
)
from competency.grading.messages import Job, JobDone, NotebookJob, NotebookResult
from competency.grading.sandbox import Limits, cgroup_base
from competency.grading.worker import WorkerPool
from conftest import COURSE, wait

MODULE = "01-equality-law"
# Sleepers run `sleep 4711.<our pid>`: a duration no other pytest process uses.
TOKEN = f"4711.{os.getpid():08d}"
# The cell limit stays small (runaway cells must be stopped by it); what honest setup
# and an interrupted cell need scales with the machine's load.
FAST = Limits(cell_timeout=2, notebook_timeout=wait(10), interrupt_grace=wait(1))
JOB_IDS = itertools.count(1)


def own_uid(n: int) -> int:
    """A sandbox uid for this pytest process, as ``competency grade`` derives its own.

    ``competency grade`` in process ``pid`` gives job ``j`` the uid UID_BASE +
    (pid * 7919 + j) mod UID_SPAN; 100,000 is thousands of jobs away from a multiple of
    7919, so ours are neither another run's nor those of our own ``grade`` calls.
    """
    return UID_BASE + (os.getpid() * 7919 + 100_000 + n) % UID_SPAN


@dataclass
class Ours:
    """What this module's grading runs were given: sandbox uids and run folders."""

    uids: set[int] = field(default_factory=set)
    rundirs: set[Path] = field(default_factory=set)

    def add(self, job: Job) -> None:
        if job.uid is not None:
            self.uids.add(job.uid)
        if job.workroot:
            self.rundirs.add(Path(job.workroot).parent)


OURS = Ours()


@pytest.fixture(scope="module", autouse=True)
def record_jobs() -> Iterator[None]:
    """Record every job a worker pool gets here (``grade`` included) in :data:`OURS`."""
    submit = WorkerPool.submit

    def recording(self: WorkerPool, job: Job) -> None:
        OURS.add(job)
        submit(self, job)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WorkerPool, "submit", recording)
        yield


def _ours(uid: int, args: list[str], cwd: str) -> bool:
    """Whether a process belongs to one of our runs (see the module's docstring)."""
    return (uid in OURS.uids or TOKEN in args
            or any(cwd == str(r) or cwd.startswith(f"{r}/") for r in OURS.rundirs))


def leftovers() -> list[str]:
    """Processes our notebooks left behind; other users' and other runs' are not looked at."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        if _ours(uid, args, cwd):
            found.append(f"{entry.name} uid {uid} in {cwd}: {' '.join(args).strip()}")
    return found


def cgroups_left() -> list[str]:
    """Our runs' cgroups still there (each is named RUNDIR-JOB under our own group)."""
    base = cgroup_base()
    return [] if base is None else sorted(
        p.name for r in OURS.rundirs for p in base.glob(f"{r.name}-*"))


# ----------------------------------------------------------------------- unit tests


def test_parse_shard() -> None:
    assert parse_shard("0/4") == (0, 4)
    assert parse_shard(" 3 / 4 ") == (3, 4)
    for bad in ("4/4", "1", "-1/2", "a/b", "1/0"):
        with pytest.raises(GradingError, match=r"^shard must be I/N with 0 <= I < N"):
            parse_shard(bad)


def test_shards_partition_the_cohort_stably() -> None:
    students = [f"learner{n}" for n in range(200)]
    shards = [select_students(students, shard=(i, 4)) for i in range(4)]
    assert sorted(s for shard in shards for s in shard) == sorted(students)
    assert all(len(shard) > 25 for shard in shards)
    assert shard_of("learner7", 4) == shard_of("learner7", 4)
    assert select_students(students, ["learner3", "learner1"]) == ["learner1", "learner3"]


def test_selecting_a_student_without_submission_is_an_error() -> None:
    with pytest.raises(GradingError, match=r"^no submission from ghost$"):
        select_students(["alice"], ["ghost"])


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"cell_timeout must be positive \(0\)"):
        Limits(cell_timeout=0)


def test_report_csv(tmp_path: Path) -> None:
    results = (StudentResult("alice", "graded", "", 16.0, 21.0, 0.0, 0.25),
               StudentResult("bob", "failed", "cell 8 interrupted after 2 s", 0.0, 21.0, 0.0,
                             2.5, ("1 locked cell(s) restored from the gradebook",)))
    path = write_report(tmp_path / "report.csv", results)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == ["alice", "bob"]
    assert rows[1] == {"student": "bob", "status": "failed",
                       "reason": "cell 8 interrupted after 2 s", "score": "0",
                       "max_score": "21", "late_penalty": "0", "seconds": "2.500",
                       "notes": "1 locked cell(s) restored from the gradebook"}
    summary = GradingReport(MODULE, results, 3.0, 2, ("cgroup reaper",), path).render()
    assert re.search(r"^bob +0/21 +2\.50s  failed: cell 8 interrupted after 2 s$", summary,
                     re.MULTILINE)
    assert "1 graded, 0 need manual grading, 1 failed, 0 skipped" in summary


def test_world_writable_course_folders_are_reported(tmp_path: Path) -> None:
    shared = tmp_path / "submitted"
    shared.mkdir()
    shared.chmod(0o777)
    warnings = exposure_warnings([tmp_path, shared], own_uid=True)
    assert warnings == [f"{shared} is writable by every user (mode 777); make it writable "
                        "by its owner only"]


def test_preload_follows_the_notebooks_imports() -> None:
    assert notebook_imports(COURSE, MODULE) == ["competency.exercises", "competency.widgets"]
    assert "pandas" in notebook_imports(COURSE, "04-equality-data")


def test_run_folders_of_killed_runs_are_swept(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - a run killed while it holds its folder
        with run_directory() as rundir:
            os.write(write, str(rundir).encode())
            time.sleep(wait(60))
        os._exit(0)
    os.close(write)
    killed = Path(os.read(read, 4096).decode())
    os.close(read)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    starting = tmp_path / "competency-grade-starting"  # no lock yet: left alone
    starting.mkdir()
    with run_directory() as live:
        (killed / "work" / "learner").mkdir(parents=True)
        assert sweep_run_directories(tmp_path) == [killed]
        assert not killed.exists()
        assert live.is_dir()
        assert starting.is_dir()
    assert not live.exists()


# --------------------------------------------------------------------- the sandbox


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[WorkerPool, Path]]:
    with run_directory() as rundir:
        workers = WorkerPool(2, rundir, ["IPython"])
        try:
            yield workers, rundir
        finally:
            workers.close()


def run_cells(pool: tuple[WorkerPool, Path], tmp_path: Path, *sources: str,
              limits: Limits = FAST, reaper: str = "auto", uid: int | None = own_uid(7),
              protect: tuple[str, ...] = ()) -> NotebookResult:
    """Run ``sources`` as one notebook's cells in the sandbox; the notebook's result."""
    workers, rundir = pool
    files = tmp_path / "files" / "nb"
    files.mkdir(parents=True, exist_ok=True)
    (files / "data.txt").write_text("hello\n")
    job_id = next(JOB_IDS)
    job = Job(id=job_id, student="s", files=str(files),
              notebooks=[NotebookJob("nb", list(enumerate(sources)))], limits=limits,
              protect=[str(tmp_path), *protect], uid=uid, reaper=reaper,
              workroot=str(rundir / "work"))
    workers.submit(job)
    results = []
    deadline = time.monotonic() + wait(60) + limits.notebook_timeout
    while not results:
        assert time.monotonic() < deadline, f"no result for job {job_id}"
        results = workers.results(timeout=1)
    done = results[0]
    assert isinstance(done, JobDone), done
    assert done.job == job_id
    return done.notebooks[0]


def outputs(result: NotebookResult, cell: int) -> list[dict[str, Any]]:
    return list(result.cells[cell].outputs)


def test_outputs_are_nbformat_outputs(pool: tuple[WorkerPool, Path], tmp_path: Path) -> None:
    result = run_cells(
        pool, tmp_path,
        "print('hi')\nimport sys; print('oops', file=sys.stderr); print('again')",
        "6 * 7",
        "from IPython.display import HTML, display; display(HTML('<b>x</b>'))",
        "raise ValueError('boom')",
        "get_ipython().showtraceback = lambda *a, **k: None\nraise KeyError('quiet')",
        "open('data.txt').read()",
    )
    assert result.reason == ""
    assert outputs(result, 0) == [
        {"output_type": "stream", "name": "stdout", "text": "hi\n"},
        {"output_type": "stream", "name": "stderr", "text": "oops\n"},
        {"output_type": "stream", "name": "stdout", "text": "again\n"}]
    assert outputs(result, 1) == [{"output_type": "execute_result", "data": {
        "text/plain": "42"}, "metadata": {}, "execution_count": 2}]
    assert outputs(result, 2)[0]["data"]["text/html"] == "<b>x</b>"
    error = outputs(result, 3)[0]
    assert (error["output_type"], error["ename"], error["evalue"]) == ("error", "ValueError",
                                                                       "boom")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"]))
    assert "raise ValueError('boom')" in plain
    assert outputs(result, 4) == [{"output_type": "error", "ename": "KeyError",
                                   "evalue": "'quiet'", "traceback": [
                                       "ERROR: An error occurred while showtraceback was "
                                       "disabled"]}]
    assert outputs(result, 5)[0]["data"]["text/plain"] == "'hello\\n'"
    assert any("Landlock" in line for line in result.isolation)


def test_a_slow_cell_is_interrupted_and_the_rest_runs(pool: tuple[WorkerPool, Path],
                                                      tmp_path: Path) -> None:
    result = run_cells(pool, tmp_path, "while True: pass", "import time; time.sleep(3600)",
                       "print('after')")
    assert [o["ename"] for o in outputs(result, 0)] == ["KeyboardInterrupt",
                                                        "CellTimeoutError"]
    assert result.cells[1].state == "timeout"
    assert outputs(result, 2) == [{"output_type": "stream", "name": "stdout",
                                   "text": "after\n"}]
    assert result.reason == "cell 0 interrupted after 2 s"
    assert result.seconds < 2 * FAST.cell_timeout + wait(4)  # two 2 s limits, no more


def test_a_cell_ignoring_interrupts_is_killed(pool: tuple[WorkerPool, Path],
                                             tmp_path: Path) -> None:
    result = run_cells(pool, tmp_path, "print('ran')",
                       "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                       "while True: pass", "print('never')")
    assert result.reason == "cell 1 did not stop when interrupted after 2 s"
    assert sorted(result.cells) == [0]
    assert (result.stopped_in, result.interrupted) == (1, (1,))
    assert leftovers() == []


def test_the_notebook_time_limit(pool: tuple[WorkerPool, Path], tmp_path: Path) -> None:
    # Each cell stays under the cell limit; together they exceed the notebook's.
    limit = wait(2)
    limits = Limits(cell_timeout=limit * 2.5, notebook_timeout=limit)
    nap = f"import time; time.sleep({limit * 0.75})"
    result = run_cells(pool, tmp_path, nap, nap, "print(1)", limits=limits)
    assert result.reason == f"notebook time limit ({limit:g} s) reached in cell 1"
    assert sorted(result.cells) == [0]


@pytest.mark.parametrize(("source", "reason"), [
    ("import os; os._exit(3)", "the notebook ended the grading process (exit status 3) in "
                               "cell 1"),
    ("import ctypes; ctypes.string_at(0)", "the notebook process was killed by SIGSEGV in "
                                           "cell 1"),
])
@pytest.mark.parametrize("reaper", ["cgroup", "pidns", "subreaper"])
def test_exits_and_crashes_are_recorded(pool: tuple[WorkerPool, Path], tmp_path: Path,
                                        source: str, reason: str, reaper: str) -> None:
    result = run_cells(pool, tmp_path, "x = 1", source, "print('never')", reaper=reaper)
    assert result.reason == reason
    assert sorted(result.cells) == [0]


def test_memory_and_output_limits(pool: tuple[WorkerPool, Path], tmp_path: Path) -> None:
    result = run_cells(pool, tmp_path, "x = bytearray(6 * 1024**3)",
                       "print('x' * 200_000_000)", "import sys; sys.exit(1)", "print('ok')",
                       limits=Limits(cell_timeout=wait(10), output_chars=1000))
    assert outputs(result, 0)[0]["ename"] == "MemoryError"
    text = outputs(result, 1)
    assert len(text[0]["text"]) == 1000
    assert "output truncated by the grader" in text[1]["text"]
    assert outputs(result, 2)[0]["ename"] == "SystemExit"
    assert outputs(result, 3)[0]["text"] == "ok\n"
    assert result.reason == "output over the limit (1,000 characters) in cell 1; truncated"


SLEEPERS = f"""
import os, subprocess
for _ in range(5):
    subprocess.Popen(["sleep", "{TOKEN}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{TOKEN}"])
    os._exit(0)
print("started")
"""


@pytest.mark.parametrize("reaper", ["cgroup", "pidns", "subreaper"])
def test_nothing_outlives_the_notebook(pool: tuple[WorkerPool, Path], tmp_path: Path,
                                       reaper: str) -> None:
    result = run_cells(pool, tmp_path, SLEEPERS, "print('done')", reaper=reaper)
    assert result.reaper == reaper
    assert outputs(result, 0)[0]["text"] == "started\n"
    assert leftovers() == []
    assert cgroups_left() == []


def test_a_fork_bomb_hits_the_process_limit(pool: tuple[WorkerPool, Path],
                                            tmp_path: Path) -> None:
    bomb = ("import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
            "            time.sleep(3600)\n        n += 1\nexcept OSError as e:\n"
            "    print(n, e.errno)")
    result = run_cells(pool, tmp_path, bomb, limits=Limits(cell_timeout=wait(10), processes=20))
    count, errno = outputs(result, 0)[0]["text"].split()
    assert int(count) < 20
    assert errno == "11"
    assert leftovers() == []


ESCAPES = """
import os
results = []
for path in {targets!r}:
    try:
        with open(path, "a") as handle:
            handle.write("x")
        results.append("wrote " + path)
    except OSError as exc:
        results.append(type(exc).__name__)
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, 0)  # signal 0: permission check only, harmless if it were allowed
        results.append("signalled")
    except OSError as exc:
        results.append(type(exc).__name__)
try:
    open({secret!r}).read()
    results.append("read secret")
except OSError as exc:
    results.append(type(exc).__name__)
print(results)
"""


@pytest.mark.parametrize("uid", [own_uid(11), None], ids=["own-uid", "landlock-only"])
def test_no_writes_reads_or_signals_outside(pool: tuple[WorkerPool, Path], tmp_path: Path,
                                            uid: int | None) -> None:
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    targets = [str(secret), "../../../gradebook.db", "/etc/competency-test"]
    source = ESCAPES.format(targets=targets, secret=str(secret))
    result = run_cells(pool, tmp_path, source, uid=uid)
    printed = outputs(result, 0)[0]["text"]
    assert "wrote" not in printed
    assert "signalled" not in printed
    assert "read secret" not in printed
    assert secret.read_text() == "grades"
    assert not Path("/etc/competency-test").exists()


# ------------------------------------------------------------ end to end (nbgrader)


def nbgrader(course: Path, *args: str) -> None:
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PATH=path)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=wait(600), check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def attack_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": "attack", "metadata": {},
            "outputs": [], "source": source}


def attacks(course: Path) -> dict[str, Callable[[dict[str, Any]], None]]:
    """Submissions built from the blank release copy: name -> how to change it."""
    submitted = course / "submitted"
    source_nb = course / "source" / MODULE / f"{MODULE}.ipynb"
    read_answers = f"""
import glob, json, re
found = 0
for path in [{str(source_nb)!r}, "{MODULE}.ipynb",
             *glob.glob({str(course)!r} + "/**/*.ipynb", recursive=True)]:
    try:
        nb = json.load(open(path))
    except Exception:
        continue
    for cell in nb.get("cells", []):
        for name, value in re.findall(r"assert (q\\d+) == (.+)", "".join(cell["source"])):
            globals()[name] = eval(value)
            found += 1
print("answers found:", found)
"""
    vandal = f"""
import glob
for path in ["../../../gradebook.db", {str(course / 'gradebook.db')!r},
             *glob.glob({str(submitted)!r} + "/*/*/*.ipynb"),
             *glob.glob({str(course)!r} + "/autograded/*/*/*.ipynb")]:
    try:
        open(path, "w").close()
    except OSError:
        pass
"""
    patched = """
import builtins, sys
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip.run_cell = lambda *a, **k: None
builtins.AssertionError = type("Harmless", (Exception,), {})
sys.excepthook = lambda *a: None
"""

    def insert(code: str) -> Callable[[dict[str, Any]], None]:
        return lambda nb: nb["cells"].insert(3, attack_cell(code))

    def weaken(nb: dict[str, Any]) -> None:
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id", "").endswith("_test"):
                cell["source"] = "pass"
        nb["cells"] = [c for c in nb["cells"]
                       if c["metadata"].get("nbgrader", {}).get("grade_id") != "q13_test"]

    def inflate(nb: dict[str, Any]) -> None:
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade"):
                meta["points"] = 100

    return {
        "infinite-loop": insert("while True:\n    pass"),
        "long-sleep": insert("import time\ntime.sleep(10_000)"),
        "sys-exit": insert("import sys\nsys.exit(0)"),
        "os-exit": insert("import os\nos._exit(0)"),
        "segfault": insert("import ctypes\nctypes.string_at(0)"),
        "allocate-6gb": insert("hog = bytearray(6 * 1024**3)"),
        "output-flood": insert("print('x' * 200_000_000)"),
        "sleepers": insert(SLEEPERS),
        "python-sleepers": insert("import os, time\nfor _ in range(3):\n"
                                  "    if os.fork() == 0:\n        os.setsid()\n"
                                  "        time.sleep(3600)\n"),
        "vandal": insert(vandal),
        "read-answers": insert(read_answers),
        "patched-builtins": insert(patched),
        "symlink-out": insert("import os\nos.symlink('/etc/passwd', 'passwd-link')"),
        "weakened-tests": weaken,
        "inflated-points": inflate,
    }


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Module 1 released with nbgrader; honest and attacking submissions in submitted/."""
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("grading") / "course"
    course.mkdir()
    config = (COURSE / "nbgrader_config.py").read_text("utf-8")
    (course / "nbgrader_config.py").write_text(
        config + '\nc.LateSubmissionPlugin.penalty_method = "zero"\n', "utf-8")
    shutil.copytree(COURSE / "source" / MODULE, course / "source" / MODULE,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    nbgrader(course, "generate_assignment", MODULE, "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(MODULE, duedate="2026-11-26 12:00:00 UTC")
    release = course / "release" / MODULE

    def submit(student: str, origin: Path, when: str = "2026-11-26 09:00:00.000000 UTC"
               ) -> Path:
        target = course / "submitted" / student / MODULE
        shutil.copytree(origin, target)
        (target / "timestamp.txt").write_text(when)
        return target / f"{MODULE}.ipynb"

    submit("full", course / "source" / MODULE)
    submit("blank", release)
    submit("late", course / "source" / MODULE, "2026-11-27 09:00:00.000000 UTC")
    baseline = course.parent / "nbgrader"
    shutil.copytree(course, baseline)
    nbgrader(baseline, "autograde", MODULE)
    for name, change in attacks(course).items():
        path = submit(name, release)
        nb = json.loads(path.read_text("utf-8"))
        change(nb)
        path.write_text(json.dumps(nb), "utf-8")
    truncated = submit("truncated-json", release)
    truncated.write_text(truncated.read_text("utf-8")[:20_000], "utf-8")
    return course


def cell_scores(course: Path) -> dict[str, dict[str, tuple[float | None, bool]]]:
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, tuple[float | None, bool]]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            sub = gb.find_submission(MODULE, student.id)
            out[student.id] = {g.name: (g.auto_score, g.needs_manual_grade)
                               for nb in sub.notebooks for g in nb.grades}
            out[student.id]["total"] = (sub.score, sub.needs_manual_grade)
            out[student.id]["late penalty"] = (sub.late_submission_penalty, False)
    return out


@pytest.fixture(scope="module")
def graded(released: Path) -> tuple[Path, GradingReport]:
    # Runaway cells are stopped by the 2 s cell limit; honest notebooks need the rest.
    report = grade(MODULE, released, jobs=2, progress=False,
                   limits=Limits(cell_timeout=2, notebook_timeout=wait(15),
                                 interrupt_grace=wait(1), output_chars=100_000))
    return released, report


@pytest.mark.nbgrader
def test_honest_scores_equal_nbgraders(graded: tuple[Path, GradingReport]) -> None:
    course, _ = graded
    ours, theirs = cell_scores(course), cell_scores(course.parent / "nbgrader")
    for student in ("full", "blank", "late"):
        assert ours[student] == theirs[student]
    assert ours["full"]["total"] == (17.0, True)  # 17 autograded points; a reflection
    assert ours["blank"]["total"] == (0.0, False)
    assert ours["late"]["late penalty"] == (17.0, False)  # penalty_method "zero"
    assert ours["full"]["late penalty"] == (0.0, False)


@pytest.mark.nbgrader
def test_no_attack_scores_above_a_blank_copy(graded: tuple[Path, GradingReport]) -> None:
    course, report = graded
    scores = cell_scores(course)
    attacked = [r for r in report.results if r.student not in ("full", "blank", "late")]
    assert len(attacked) == 16
    for result in attacked:
        assert (result.score or 0.0) <= scores["blank"]["total"][0], result
    statuses = {r.student: r.label for r in report.results}
    assert statuses["full"] == "needs manual grading"
    assert statuses["blank"] == "graded"
    # a notebook that does not run to its end fails its submission, as under nbgrader
    dead = f"failed: DeadKernelError: {MODULE}.ipynb: "
    assert statuses["os-exit"].startswith(dead + "the notebook ended the grading process")
    assert statuses["segfault"].startswith(dead + "the notebook process was killed by SIGSEGV")
    assert statuses["truncated-json"] == ("failed: the notebook is not valid JSON "
                                          "(truncated or damaged)")
    # limits that leave the notebook running are notes, as nbgrader's kernel goes on
    notes = {r.student: " ".join(r.notes) for r in report.results}
    for student, note in [("infinite-loop", "cell 3 interrupted after 2 s"),
                          ("long-sleep", "cell 3 interrupted after 2 s"),
                          ("allocate-6gb", "memory limit (2 GB) reached in cell 3"),
                          ("output-flood", "output over the limit")]:
        assert statuses[student] == "graded"
        assert note in notes[student]
    assert statuses["inflated-points"] == "graded"
    assert report.count("failed") == 3
    weakened = next(r for r in report.results if r.student == "weakened-tests")
    assert weakened.notes[0].endswith("locked cell(s) restored from the gradebook")


@pytest.mark.nbgrader
def test_the_gradebook_and_other_work_are_intact(graded: tuple[Path, GradingReport]) -> None:
    course, report = graded
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        students = {row[0] for row in db.execute("SELECT id FROM student")}
    assert students == {r.student for r in report.results}
    for student in ("full", "blank"):
        path = course / "autograded" / student / MODULE / f"{MODULE}.ipynb"
        assert json.loads(path.read_text("utf-8"))["cells"]
        assert (course / "submitted" / student / MODULE / f"{MODULE}.ipynb").stat().st_size
    text = (course / "autograded" / "read-answers" / MODULE / f"{MODULE}.ipynb").read_text()
    assert "answers found: 0" in text
    assert leftovers() == []
    assert cgroups_left() == []


@pytest.mark.nbgrader
def test_autograded_notebooks_and_report(graded: tuple[Path, GradingReport]) -> None:
    course, report = graded
    assert report.path == course / "autograded" / f"{MODULE}-grading-report.csv"
    with report.path.open(encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert (rows["full"]["score"], rows["full"]["status"]) == ("17", "needs manual grading")
    # files a notebook writes come back, but never a symbolic link (printed as a warning)
    assert not (course / "autograded" / "symlink-out" / MODULE / "passwd-link").is_symlink()
    assert (f"symlink-out: {MODULE}: 1 file(s) the notebook wrote not kept (not a regular "
            "file, or over 1,000 files or 256 MB): passwd-link") in report.warnings
    assert not (course / "autograded" / "os-exit" / MODULE).exists()  # removed, as nbgrader
    partial = grade(MODULE, course, jobs=1, students=["os-exit"], force=True,
                    keep_partial=True, progress=False, report=course / "partial.csv")
    assert partial.results[0].status == "failed"
    stopped = json.loads((course / "autograded" / "os-exit" / MODULE / f"{MODULE}.ipynb")
                         .read_text("utf-8"))
    names = [o.get("ename") for c in stopped["cells"] if c["cell_type"] == "code"
             for o in c["outputs"]]
    assert "GradingStopped" in names  # with keep_partial, the cells that ran are kept
    assert oct(os.stat(course / "autograded" / "full" / MODULE / f"{MODULE}.ipynb").st_mode
               )[-3:] == "444"
    assert list((course / "autograded").glob(f"*/.{MODULE}.partial")) == []  # all published
    again = grade(MODULE, course, jobs=1, students=["full"], progress=False,
                  report=course / "again.csv")
    assert [r.label for r in again.results] == [
        "skipped: already autograded (use --force to grade again)"]


@pytest.mark.nbgrader
def test_an_assignment_missing_from_the_gradebook(graded: tuple[Path, GradingReport]) -> None:
    course, _ = graded
    with pytest.raises(GradingError, match=r"assignment 99-nope is not in the gradebook; run "
                                           r"nbgrader generate_assignment first$"):
        grade("99-nope", course, jobs=1, progress=False)


@pytest.mark.nbgrader
def test_feedback_without_hidden_tests(graded: tuple[Path, GradingReport]) -> None:
    from competency.grading.feedback import feedback

    course, _ = graded
    paths = feedback(MODULE, course, hide_hidden_tests=True, students=["full", "blank"])
    assert [p.parent.parent.name for p in paths] == ["blank", "full"]
    for path in paths:
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text("utf-8")))
        assert 'assert check("q2")' in text
        assert 'q2 == "B"' not in text
        assert "HIDDEN TESTS" not in text
        assert re.search(r"Score: \d+\.\d / 22\.0", text)
    autograded = (course / "autograded" / "blank" / MODULE / f"{MODULE}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in autograded  # formgrader still sees them
