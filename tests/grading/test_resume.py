"""A grading run killed at any moment resumes, without ``--force``, to the same result.

A small assignment (three autograded cells, a hidden test, a manually graded answer,
a late penalty) and a cohort of eight submissions (full, blank, partly right, late,
with an extra file, raising, slow, and a damaged notebook that fails) are graded
once without interruption by the real CLI (``python -c 'competency.cli.main()'``),
then, on a fresh copy of the same course and gradebook, by runs killed with SIGKILL
at moments drawn from a seeded schedule (:data:`SEED`) and started again until one
finishes unkilled. Two kinds of kill alternate at random:

* **parent**: one ``competency grade --jobs 2`` process; only its pid is killed (its
  workers die with it);
* **pod**: two shards (``--shard 0/2`` and ``1/2``, ``--jobs 1``) at once, each in its
  own process group; each shard has its own kill time, and then its process group and
  every process it started (the workers have sessions of their own) are killed at the
  same instant, as when a pod is lost.

Each kill time is drawn uniformly over :data:`WINDOW` times the length of an
uninterrupted run (measured first on this machine, so it follows its load), so kills
land in start-up, in the middle of notebooks, between the gradebook commit and the
folder's publication, and, once little is left to grade, sometimes not at all.
Rounds (a fresh copy each) repeat until at least :data:`KILLS` kills.
After each round the gradebook (every submission's scores, max scores, manual-grade
flags, failed tests, comments, late penalties and timestamps) and the autograded tree
(names, types, modes and contents; in the report only the ``seconds`` column, which
is run-dependent, is blanked) must equal the uninterrupted run's.

The grading processes are forked from this test process with the CLI already
imported (a kill costs milliseconds, not a Python start-up); each is the CLI's
``main(["grade", ...])``. Only processes this test started are killed or checked:
the forked children and the descendants recorded while they ran. The run folders the
killed runs leave in their ``TMPDIR`` must have been swept by the runs after them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from competency.grading.sandbox import cgroup_sweep, remove_tree
from conftest import DATABASES, make_cell, wait

pytestmark = pytest.mark.nbgrader

ASSIGNMENT, COURSE_ID = "resume", "resume-course"
SEED = 20261202
"""The kill schedule's seed (random.Random)."""
KILLS = 30
"""At least this many kills in all (rounds repeat until there were)."""
WINDOW = 1.2
"""Kill times are drawn over this multiple of an attempt's expected length."""

SOLUTION = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
CELLS = [
    ("markdown", "Double a number.", {}),
    ("code", SOLUTION, {"solution": True, "grade_id": "double"}),
    ("code", "import time\ntime.sleep(0.3)\nassert double(2) == 4",
     {"grade": True, "points": 2, "grade_id": "test_double"}),
    ("code", "assert double(3) == 6\n### BEGIN HIDDEN TESTS\nassert double(-5) == -10\n"
             "### END HIDDEN TESTS", {"grade": True, "points": 1, "grade_id": "test_hidden"}),
    ("markdown", "Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
     {"grade": True, "solution": True, "points": 2, "grade_id": "why"}),
]
ON_TIME, LATE = "2026-11-26 09:00:00.000000 UTC", "2026-11-27 15:30:00.000000 UTC"


# --------------------------------------------------------------------------- the course


def nbgrader(course: Path, *args: str) -> None:
    import subprocess

    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PATH=path)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=wait(300), check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def write_config(course: Path, db_url: str) -> None:
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        "c.Execute.timeout = 30\n"
        'c.LateSubmissionPlugin.penalty_method = "zero"\n', "utf-8")


def build_course(course: Path, db_url: str) -> None:
    """The assignment released with nbgrader and eight submissions in ``submitted/``."""
    from nbgrader.api import Gradebook

    folder = course / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    cells = [make_cell(source, kind=kind, **meta) for kind, source, meta in CELLS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{ASSIGNMENT}.ipynb")
    (folder / "data.csv").write_text("x\n1\n2\n", "utf-8")
    write_config(course, db_url)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    with Gradebook(db_url, COURSE_ID) as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate="2026-11-26 12:00:00 UTC")

    def submit(student: str, origin: str, change: Callable[[str], str] = str,
               when: str = ON_TIME) -> Path:
        target = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(course / origin / ASSIGNMENT, target)
        path = target / f"{ASSIGNMENT}.ipynb"
        path.write_text(change(path.read_text("utf-8")), "utf-8")
        (target / "timestamp.txt").write_text(when, "utf-8")
        return target

    def answer(code: str) -> Callable[[str], str]:
        def change(text: str) -> str:
            nb = json.loads(text)
            for cell in nb["cells"]:
                if cell["metadata"].get("nbgrader", {}).get("grade_id") == "double":
                    cell["source"] = code
            return json.dumps(nb)
        return change

    submit("full", "source")
    submit("blank", "release")
    submit("partial", "release", answer("def double(x):\n    return x + 2"))
    submit("late", "source", when=LATE)
    extra = submit("extra-file", "source")
    (extra / "notes.txt").write_text("my working\n", "utf-8")
    submit("raises", "release", answer("def double(x):\n    raise ValueError(x)"))
    submit("slow", "source", answer("import time\ntime.sleep(1.0)\n"
                                    "def double(x):\n    return x * 2"))
    submit("damaged", "release", lambda text: text[:len(text) // 2])


def ok(code: int | None) -> bool:
    """A run that completed: 0, or 1 where a failed submission makes the exit status 1."""
    return code in (0, 1)


STUDENTS = ("blank", "damaged", "extra-file", "full", "late", "partial", "raises", "slow")


@dataclass
class Databases:
    """Fresh copies of the course's gradebook, on SQLite or PostgreSQL."""

    kind: str
    template: str
    made: list[str] = field(default_factory=list)

    def copy(self, course: Path) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{course / 'gradebook.db'}"
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(self.template)
        name = f"{url.database}_{len(self.made)}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
        engine.dispose()
        self.made.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if not self.made:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self.template, isolation_level="AUTOCOMMIT")
        with engine.connect() as con:
            for name in self.made:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def copy_course(template: Path, target: Path, databases: Databases) -> tuple[Path, str]:
    shutil.copytree(template, target, symlinks=True)
    url = databases.copy(target)
    write_config(target, url)
    return target, url


# --------------------------------------------------------------------------- what to compare


def gradebook(url: str) -> dict[str, Any]:
    """Every submission's rows, as nbgrader reports them (ids left out)."""
    from nbgrader.api import Gradebook

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if hasattr(v, "isoformat") else v
                for k, v in row.items() if k != "id" and not k.endswith("_id")}

    out: dict[str, Any] = {}
    with Gradebook(url, COURSE_ID) as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT):
            out[sub.student_id] = {
                "submission": plain(sub.to_dict()),
                "notebooks": {nb.name: {
                    "notebook": plain(nb.to_dict()),
                    "grades": sorted((plain(g.to_dict()) for g in nb.grades),
                                     key=lambda g: g["name"]),
                    "comments": sorted((plain(c.to_dict()) for c in nb.comments),
                                       key=lambda c: c["name"])}
                    for nb in sub.notebooks}}
        gb.db.close()
        gb.engine.dispose()
    return out


def normalised_report(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    seconds = rows[0].index("seconds")
    return [rows[0], *([*r[:seconds], "", *r[seconds + 1:]] for r in rows[1:])]


def tree(course: Path) -> dict[str, tuple[str, int, Any]]:
    """``autograded/``: each path's type, mode and contents (the report's times blanked)."""
    root = course / "autograded"
    out: dict[str, tuple[str, int, Any]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        name = str(path.relative_to(root))
        if stat.S_ISDIR(info.st_mode):
            out[name] = ("dir", stat.S_IMODE(info.st_mode), None)
        elif name.endswith("-grading-report.csv"):
            out[name] = ("report", stat.S_IMODE(info.st_mode),
                         normalised_report(path.read_bytes()))
        else:
            out[name] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
    return out


# --------------------------------------------------------------------------- grading runs


def _stat(pid: int) -> tuple[str, int, int] | None:
    """``(state, ppid, start time)`` of ``pid`` from /proc, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """``{pid: start time}`` of every process below ``pid`` now."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                children.setdefault(found[1], []).append((int(entry.name), found[2]))
    out: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            if child not in out:
                out[child] = started
                todo.append(child)
    return out


def alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs (not a zombie)."""
    found = _stat(pid)
    return found is not None and found[2] == started and found[0] not in "ZX"


@dataclass
class Runs:
    """Grading processes forked from this test, their logs and temporary folders."""

    tmp: Path
    """TMPDIR of the runs (their run folders land here)."""
    logs: Path
    started: list[int] = field(default_factory=list)
    seen: dict[int, int] = field(default_factory=dict)
    """Every descendant recorded: its start time by pid."""

    def fork(self, course: Path, *args: str) -> int:
        """A ``competency grade`` process in a process group of its own."""
        from competency.cli import main

        log = self.logs / f"run-{len(self.started):03d}.log"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the grading process
            code = 70
            try:
                os.setpgid(0, 0)
                out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - lives until _exit
                sys.stdout = sys.stderr = out
                tempfile.tempdir = str(self.tmp)
                os.chdir(course)
                code = main(["grade", ASSIGNMENT, "--course", str(course), "--no-progress",
                             *args])
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                os._exit(code)
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpgid(pid, pid)  # the child may have done it first (or ended)
        self.started.append(pid)
        return pid

    def record(self, pid: int) -> None:
        """Remember ``pid``'s descendants now (to check they end when it is killed)."""
        for child, started in descendants(pid).items():
            self.seen.setdefault(child, started)

    def kill_pod(self, pid: int) -> None:
        """SIGKILL ``pid``'s process group and every process it started, at once."""
        self.record(pid)
        groups = {pid}
        for victim in descendants(pid):
            with contextlib.suppress(ProcessLookupError):
                groups.add(os.getpgid(victim))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)

    def reap(self, pid: int, timeout: float) -> int | None:
        """``pid``'s exit code, or None when it was killed; waits at most ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None
            if time.monotonic() > deadline:
                self.kill_pod(pid)
                os.waitpid(pid, 0)
                raise AssertionError(f"grading process {pid} still running after "
                                     f"{timeout:.0f} s; log:\n{self.log_of(pid)}")
            time.sleep(0.01)

    def log_of(self, pid: int) -> str:
        index = self.started.index(pid)
        return (self.logs / f"run-{index:03d}.log").read_text("utf-8", "replace")[-3000:]

    def left(self, timeout: float) -> list[str]:
        """Recorded descendants still alive after ``timeout`` seconds (then killed)."""
        deadline = time.monotonic() + timeout
        while True:
            left = {pid: started for pid, started in self.seen.items() if alive(pid, started)}
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        found = []
        for pid in left:
            try:
                found.append(f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes()
                             .decode(errors="replace").replace("\0", " "))
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.seen.clear()
        return found


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Runs]:
    # Run folders must be reachable by the notebooks' sandbox uids: not under tmp_path.
    tmp = Path(tempfile.mkdtemp(prefix="competency-resume-test-"))
    os.chmod(tmp, 0o711)
    logs = tmp_path / "logs"
    logs.mkdir()
    made = Runs(tmp, logs)
    try:
        yield made
    finally:
        made.left(0)
        for rundir in tmp.iterdir():  # left by killed runs (the kill skips their cleanup)
            cgroup_sweep(rundir.name)
        remove_tree(tmp)


def remaining(course: Path) -> int:
    """Submissions without an autograded folder yet."""
    return sum(not (course / "autograded" / s / ASSIGNMENT).is_dir() for s in STUDENTS)


@dataclass
class Figures:
    kills: int = 0
    parent_kills: int = 0
    pod_kills: int = 0
    attempts: int = 0
    rounds: int = 0
    partial_seen: int = 0


def attempt(runs: Runs, course: Path, rng: random.Random, expected: float,
            figures: Figures) -> bool:
    """One grading attempt, killed as the schedule says; whether it ran unkilled."""
    figures.attempts += 1
    pod = rng.random() < 0.5
    if pod:
        pids = [runs.fork(course, "--jobs", "1", "--shard", f"{i}/2") for i in range(2)]
    else:
        pids = [runs.fork(course, "--jobs", "2")]
    started = time.monotonic()
    deadline = {pid: started + rng.uniform(0, WINDOW * expected) for pid in pids}
    codes: dict[int, int | None] = {}
    killed = 0
    limit = started + wait(60) + WINDOW * expected
    while len(codes) < len(pids):
        for pid in pids:
            if pid in codes:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes[pid] = os.waitstatus_to_exitcode(status)
                assert ok(codes[pid]), runs.log_of(pid)
                continue
            runs.record(pid)
            if time.monotonic() >= deadline[pid]:
                if pod:
                    runs.kill_pod(pid)
                    figures.pod_kills += 1
                else:
                    os.kill(pid, signal.SIGKILL)
                    figures.parent_kills += 1
                codes[pid] = runs.reap(pid, wait(30))
                killed += 1
        assert time.monotonic() < limit, "a grading attempt did not end"
        time.sleep(0.02)
    figures.kills += killed
    assert runs.left(wait(30)) == [], "processes outlived a killed grading run"
    figures.partial_seen += sum(1 for s in STUDENTS if (
        course / "autograded" / s / f".{ASSIGNMENT}.partial").exists())
    return killed == 0


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("kind", DATABASES)
def test_killed_runs_resume_to_the_uninterrupted_result(
        kind: str, tmp_path: Path, new_database: Callable[[str], str], runs: Runs) -> None:
    import subprocess

    begun = time.monotonic()
    template = tmp_path / "template"
    template.mkdir()
    databases = Databases(kind, new_database(kind) if kind != "sqlite"
                          else f"sqlite:///{template / 'gradebook.db'}")
    try:
        build_course(template, databases.template)

        # The uninterrupted run, by the CLI in a process of its own.
        baseline, base_url = copy_course(template, tmp_path / "baseline", databases)
        clock = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from competency.cli import main; "
             "sys.exit(main())", "grade", ASSIGNMENT, "--course", str(baseline),
             "--jobs", "2", "--no-progress"], cwd=baseline, capture_output=True, text=True,
            timeout=wait(300), check=False, env=dict(os.environ, TMPDIR=str(runs.tmp)))
        cli_seconds = time.monotonic() - clock
        expected_book, expected_tree = gradebook(base_url), tree(baseline)
        assert sorted(expected_book) == sorted(STUDENTS)
        assert ok(done.returncode), done.stderr
        assert "damaged" in done.stdout
        assert remaining(baseline) == 1  # the damaged notebook failed: no folder
        assert not [n for n in expected_tree if ".partial" in n]

        # Start-up of a forked run (everything already graded: all skipped) and a full one.
        clock = time.monotonic()
        assert ok(runs.reap(runs.fork(baseline, "--jobs", "2"), wait(120)))
        startup = time.monotonic() - clock
        assert (gradebook(base_url), tree(baseline)) == (expected_book, expected_tree)
        fresh, fresh_url = copy_course(template, tmp_path / "fresh", databases)
        clock = time.monotonic()
        assert ok(runs.reap(runs.fork(fresh, "--jobs", "2"), wait(120)))
        full = time.monotonic() - clock
        assert (gradebook(fresh_url), tree(fresh)) == (expected_book, expected_tree)

        rng = random.Random(SEED)
        figures = Figures()
        while figures.kills < KILLS:
            assert figures.rounds < 12, figures
            course, url = copy_course(template, tmp_path / f"round-{figures.rounds}",
                                      databases)
            figures.rounds += 1
            for _ in range(100):
                if attempt(runs, course, rng, full, figures):
                    break
            else:
                raise AssertionError(f"no attempt ran unkilled: {figures}, start-up "
                                     f"{startup:.1f} s, full run {full:.1f} s")
            assert gradebook(url) == expected_book, f"round {figures.rounds}"
            assert tree(course) == expected_tree, f"round {figures.rounds}"
            # The killed runs' private folders were swept by the runs after them.
            assert sorted(runs.tmp.rglob("*")) == [], f"round {figures.rounds}"
    finally:
        databases.drop()
    print(f"\n{kind}: seed {SEED}: {figures.kills} kills ({figures.parent_kills} parent, "
          f"{figures.pod_kills} pod) in {figures.attempts} attempts over {figures.rounds} "
          f"round(s); {figures.partial_seen} half-written folders left by kills and redone; "
          f"CLI run {cli_seconds:.1f} s, forked start-up {startup:.1f} s, full {full:.1f} s; "
          f"test {time.monotonic() - begun:.0f} s")
