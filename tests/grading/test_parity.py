"""nbgrader's own autograde tests, run twice: ``nbgrader autograde`` and ``competency grade``.

Every test of ``nbgrader/tests/apps/test_nbgrader_autograde.py`` (nbgrader 0.9.6, the
same file as tag v0.9.5) is ported here as a *scenario*: the course is built with
nbgrader's own commands (``nbgrader db ...``, ``generate_assignment``) from nbgrader's
test notebooks (``tests/fixtures/nbgrader``, BSD-3, its LICENSE beside them), copied
twice, and every step that follows is done to both copies; each ``autograde`` is run
as ``nbgrader autograde`` on one copy and as ``competency grade`` on the other, and
after each the two copies must agree on:

* the exit status (nbgrader: 0, or 1 when a submission failed) and which submissions
  failed;
* the gradebook: students, submissions (timestamp, seconds late), per notebook the
  score, maximum, manual-grading flag and late penalty, per cell the automatic and
  manual scores, flags and comments;
* the autograded tree: file names, modes and contents. Contents are compared as they
  are, except in notebooks, where only what depends on the run is normalised (see
  :func:`normalised_notebook`): execution timing metadata and the Python patch version.

nbgrader's own assertions follow in each scenario, applied to both copies, so that a
scenario that agreed on a wrong result would still fail.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import stat
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import nbformat
import pytest

from competency.cli import main

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "nbgrader"


def fixture(name: str) -> Path:
    """One of nbgrader's test files; its notebooks are kept as ``NAME.ipynb.json`` (they
    hold outputs, as nbgrader ships them, and our committed notebooks must not)."""
    return FILES / (f"{name}.json" if name.endswith(".ipynb") else name)
DUE = "2015-02-02 14:58:23.948203 America/Los_Angeles"

pytestmark = pytest.mark.nbgrader


# ----------------------------------------------------------------------- the harness


def run_nbgrader(root: Path, args: list[str]) -> tuple[int, str]:
    """``nbgrader ARGS`` in-process with ``root`` as working directory: (status, log)."""
    from jupyter_core.application import NoStart
    from nbgrader.apps.nbgraderapp import NbGraderApp

    log = io.StringIO()
    here = os.getcwd()
    path = list(sys.path)
    os.chdir(root)
    app = NbGraderApp.instance()
    caught = warnings.catch_warnings()
    caught.__enter__()
    warnings.simplefilter("ignore")  # as printed warnings: nbgrader's own SAWarnings
    try:
        app.initialize(args)
        app.init_logging(logging.StreamHandler, [log], color=False, subapps=True)
        app.start()
        code = 0
    except NoStart:
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        app.reset()
        NbGraderApp.clear_instance()
        os.chdir(here)
        sys.path[:] = path
        caught.__exit__(None, None, None)
    return code, log.getvalue()


def run_competency(root: Path, args: list[str]) -> tuple[int, str]:
    """``competency grade ps1 --course ROOT ARGS``: (status, printed output)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["grade", "ps1", "--course", str(root), "--no-progress", "--jobs", "1",
                     "--report", str(root.parent / f"{root.name}-report.csv"), *args])
    return code, out.getvalue() + err.getvalue()


_NBGRADER_FAILED = re.compile(r"There was an error processing assignment '[^']*' for student "
                              r"'([^']*)'")


def failed_students(tool: str, root: Path, log: str) -> set[str]:
    """The students whose submission failed, from nbgrader's log or our report."""
    if tool == "nbgrader":
        return set(_NBGRADER_FAILED.findall(log))
    report = root.parent / f"{root.name}-report.csv"
    if not report.exists():
        return set()
    import csv

    rows = list(csv.DictReader(io.StringIO(report.read_text("utf-8"))))
    report.unlink()
    return {r["student"] for r in rows if r["status"] == "failed"}


def gradebook(root: Path) -> dict[str, Any]:
    """Everything autograde writes to the gradebook, keyed by names (not ids)."""
    from nbgrader.api import Gradebook

    out: dict[str, Any] = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        out["students"] = sorted(s.id for s in gb.students)
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                notebooks = {}
                for nb in sub.notebooks:
                    notebooks[nb.name] = {
                        "score": nb.score, "max_score": nb.max_score,
                        "needs_manual_grade": nb.needs_manual_grade,
                        "late_submission_penalty": nb.late_submission_penalty,
                        "flagged": nb.flagged,
                        "grades": sorted((g.name, g.auto_score, g.manual_score, g.extra_credit,
                                          g.max_score, g.needs_manual_grade)
                                         for g in nb.grades),
                        "comments": sorted((c.name, c.auto_comment, c.manual_comment)
                                           for c in nb.comments)}
                out[f"{assignment.name}/{sub.student_id}"] = {
                    "timestamp": str(sub.timestamp), "extension": str(sub.extension),
                    "total_seconds_late": sub.total_seconds_late, "notebooks": notebooks}
    return out




def normalised_notebook(text: str) -> Any:
    """A notebook with its run-dependent parts normalised.

    Normalised: ``metadata.execution`` of each cell (nbclient's iopub timestamps, which
    nbgrader's kernel run records and ours does not) and ``language_info.version`` (the
    Python patch level). Everything else, tracebacks with their colour codes included,
    is compared as written.
    """
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
    info = nb.get("metadata", {}).get("language_info")
    if isinstance(info, dict) and "version" in info:
        info["version"] = "<version>"
    return nb


def tree(root: Path) -> dict[str, Any]:
    """``autograded/``: every path with its mode and (normalised) contents."""
    out: dict[str, Any] = {}
    base = root / "autograded"
    if not base.exists():
        return out
    for path in sorted(base.rglob("*")):
        rel = str(path.relative_to(base))
        mode = oct(stat.S_IMODE(path.lstat().st_mode))
        if path.is_dir():
            out[rel + "/"] = mode
        elif path.suffix == ".ipynb":
            out[rel] = (mode, normalised_notebook(path.read_text("utf-8")))
        else:
            out[rel] = (mode, path.read_bytes())
    return out


def first_difference(a: Any, b: Any, where: str = "") -> str:
    """Where ``a`` (nbgrader's) and ``b`` (ours) first differ, and how."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{where}.{key}")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where}: nbgrader {a!r:.600} competency {b!r:.600}"


@dataclass
class Outcome:
    """What one autograde run left behind."""

    code: int
    failed: set[str]
    gradebook: dict[str, Any]
    tree: dict[str, Any]
    log: str


class Course:
    """One copy of a scenario's course; nbgrader's test helpers as methods."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def copy(self, name: str, rel: str) -> None:
        dest = self.path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        shutil.copy(fixture(name), dest)

    def make(self, rel: str, contents: str = "") -> None:
        dest = self.path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(contents)

    def empty_notebook(self, rel: str, kernel: str | None = None) -> None:
        nb = nbformat.v4.new_notebook()
        if kernel is not None:
            nb.metadata.kernelspec = {"display_name": "kernel", "language": kernel,
                                      "name": kernel}
        dest = self.path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        nbformat.write(nb, dest)

    def remove(self, rel: str) -> None:
        self.path(rel).unlink()

    def config(self, text: str) -> None:
        with self.path("nbgrader_config.py").open("a") as fh:
            fh.write("\n" + text + "\n")

    def nbgrader(self, *args: str, retcode: int = 0) -> str:
        code, log = run_nbgrader(self.root, list(args))
        assert code == retcode, f"nbgrader {' '.join(args)} exited {code}:\n{log}"
        return log

    def exists(self, rel: str) -> bool:
        return self.path(rel).exists()

    def isfile(self, rel: str) -> bool:
        return self.path(rel).is_file()

    def contents(self, rel: str) -> str:
        return self.path(rel).read_text()

    def mode(self, rel: str) -> str:
        st_mode = self.path(rel).stat().st_mode
        return oct(st_mode)[-4:] if st_mode & 0o2000 else oct(st_mode)[-3:]

    def gradebook(self) -> Any:
        from nbgrader.api import Gradebook

        return Gradebook(f"sqlite:///{self.root / 'gradebook.db'}")


class Pair:
    """A scenario's two copies: ``nbgrader`` and ``competency``; steps apply to both."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.setup = Course(base / "setup")
        self.setup.root.mkdir()
        self.setup.make("nbgrader_config.py", "c = get_config()\n")
        self.copies: dict[str, Course] = {}
        self.outcomes: list[tuple[Outcome, Outcome]] = []

    def split(self) -> None:
        """Copy the course built so far into the two copies."""
        for name in ("nbgrader", "competency"):
            shutil.copytree(self.setup.root, self.base / name, symlinks=True)
            self.copies[name] = Course(self.base / name)

    @property
    def both(self) -> list[Course]:
        return list(self.copies.values())

    def each(self, action: Callable[[Course], Any]) -> None:
        for course in self.both:
            action(course)

    def autograde(self, *args: str, ours: tuple[str, ...] | None = None,
                  retcode: int = 0) -> tuple[Outcome, Outcome]:
        """``nbgrader autograde ps1 ARGS`` and ``competency grade ps1 OURS``; compared."""
        if not self.copies:
            self.split()
        outcomes = []
        for tool, course in self.copies.items():
            forget_course_modules(self.base)  # each tool imports a course's plugins itself
            if tool == "nbgrader":
                code, log = run_nbgrader(course.root, ["autograde", "ps1", *args])
            else:
                code, log = run_competency(course.root, list(args if ours is None else ours))
            outcomes.append(Outcome(code, failed_students(tool, course.root, log),
                                    gradebook(course.root), tree(course.root), log))
        theirs, mine = outcomes
        assert theirs.code == retcode, f"nbgrader autograde exited {theirs.code}:\n{theirs.log}"
        assert mine.code == theirs.code, f"competency grade exited {mine.code}:\n{mine.log}"
        assert mine.failed == theirs.failed, mine.log
        assert mine.gradebook == theirs.gradebook
        assert mine.tree.keys() == theirs.tree.keys()
        for key, value in theirs.tree.items():
            assert mine.tree[key] == value, f"{key}: {first_difference(value, mine.tree[key])}"
        self.outcomes.append((theirs, mine))
        return theirs, mine


def forget_course_modules(base: Path) -> None:
    """Drop modules imported from the scenario's courses (``late_plugin``) from sys.modules."""
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(str(base)):
            del sys.modules[name]


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    """A scenario: build with ``pair.setup``, then steps on both copies."""
    return Pair(tmp_path)


def add_students(course: Course, *students: str, duedate: bool = True) -> None:
    """``nbgrader db assignment add ps1`` and ``db student add`` for each."""
    course.nbgrader("db", "assignment", "add", "ps1", *(("--duedate", DUE) if duedate else ()))
    for student in students:
        course.nbgrader("db", "student", "add", student)


# ----------------------------------------------------------------------- the scenarios
# One test per test of nbgrader's test_nbgrader_autograde.py, in its order and with its
# name; ``ours=`` gives competency grade's spelling of an nbgrader option.


def released(pair: Pair, source: str = "submitted-unchanged.ipynb",
             students: tuple[str, ...] = ("foo", "bar"), config: str = "",
             extra: Callable[[Course], None] | None = None) -> Course:
    """The usual start: ps1 due, students, one source notebook, generate_assignment."""
    s = pair.setup
    add_students(s, *students)
    if config:
        s.config(config)
    s.copy(source, "source/ps1/p1.ipynb")
    if extra is not None:
        extra(s)
    s.nbgrader("generate_assignment", "ps1")
    return s


def test_help(cli: Callable[..., Any]) -> None:
    assert run_nbgrader(Path.cwd(), ["autograde", "--help-all"])[0] == 0
    assert cli("grade", "--help").code == 0


def test_missing_student(pair: Pair) -> None:
    s = released(pair, "submitted-changed.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/baz/ps1/p1.ipynb")
    pair.autograde("--Autograde.create_student=False",
                   ours=("--nbgrader", "Autograde.create_student=False"), retcode=1)
    pair.autograde()


def test_missing_assignment(pair: Pair) -> None:
    s = released(pair, "submitted-changed.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/ps2/foo/p1.ipynb")
    pair.split()
    for tool, course in pair.copies.items():
        if tool == "nbgrader":
            code, _ = run_nbgrader(course.root, ["autograde", "ps2"])
        else:
            code, _ = run_competency_assignment(course.root, "ps2")
        assert code == (1 if tool == "nbgrader" else 2)


def run_competency_assignment(root: Path, assignment: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["grade", assignment, "--course", str(root), "--no-progress"])
    return code, out.getvalue() + err.getvalue()


def scores(c: Course, student: str, notebook: str = "p1") -> tuple[Any, Any, Any]:
    with c.gradebook() as gb:
        nb = gb.find_submission_notebook(notebook, "ps1", student)
        return nb.score, nb.max_score, nb.needs_manual_grade


def test_grade(pair: Pair) -> None:
    s = released(pair)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
        assert not c.isfile("autograded/foo/ps1/timestamp.txt")
        assert c.isfile("autograded/bar/ps1/p1.ipynb")
        assert scores(c, "foo") == (1, 7, False)
        assert scores(c, "bar") == (2, 7, True)
        with c.gradebook() as gb:
            for cell in ("set_a", "baz", "quux"):
                assert gb.find_comment(cell, "p1", "ps1", "foo").comment == "No response."
                assert gb.find_comment(cell, "p1", "ps1", "bar").comment is None


@pytest.mark.parametrize(("source", "expected"), [
    ("autotest-simple", (1, 1)), ("autotest-hashed", (1, 1)), ("autotest-multi", (3, 4))],
    ids=["test_grade_autotest", "test_grade_hashed_autotest", "test_grade_complex_autotest"])
def test_grade_autotests(pair: Pair, source: str, expected: tuple[int, int]) -> None:
    s = released(pair, f"{source}.ipynb",
                 extra=lambda c: c.copy("autotests.yml", "autotests.yml"))
    s.copy(f"{source}-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy(f"{source}-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/timestamp.txt")
        assert scores(c, "foo") == (0, expected[1], False)
        assert scores(c, "bar") == (expected[0], expected[1], False)


def test_showtraceback_exploit(pair: Pair) -> None:
    s = released(pair, students=("foo", "bar", "spam", "eggs"))
    s.config("c.Execute.timeout = None")
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    s.copy("submitted-cheat-attempt.ipynb", "submitted/spam/ps1/p1.ipynb")
    s.copy("submitted-cheat-attempt-alternative.ipynb", "submitted/eggs/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert scores(c, "foo") == (1, 7, False)
        assert scores(c, "bar") == (2, 7, True)
        assert scores(c, "spam") == (1, 7, True)
        assert scores(c, "eggs") == (1, 7, True)


def test_student_id_exclude(pair: Pair) -> None:
    s = released(pair)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/baz/ps1/p1.ipynb")
    pair.autograde("--CourseDirectory.student_id_exclude=bar,baz",
                   ours=("--nbgrader", "CourseDirectory.student_id_exclude=bar,baz"))
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
        assert not c.exists("autograded/bar/ps1/p1.ipynb")
        assert scores(c, "foo")[0] == 1


def test_grade_timestamp(pair: Pair) -> None:
    s = released(pair)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    s.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    s.make("submitted/bar/ps1/timestamp.txt", "2015-02-01 14:58:23.948203 America/Los_Angeles")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/timestamp.txt")
        with c.gradebook() as gb:
            assert gb.find_submission("ps1", "foo").total_seconds_late > 0
            assert gb.find_submission("ps1", "bar").total_seconds_late == 0
    pair.autograde()


def test_grade_empty_timestamp(pair: Pair) -> None:
    s = released(pair)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/timestamp.txt", "")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/timestamp.txt")
    pair.each(lambda c: c.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb"))
    pair.each(lambda c: c.make("submitted/bar/ps1/timestamp.txt",
                               "But I want to be a timestamp string :("))
    pair.autograde(retcode=1)


def late_pair(pair: Pair, config: str = "", foo_late: str = "14:58",
              extra: Callable[[Course], None] | None = None) -> Course:
    s = released(pair, config=config, extra=extra)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/timestamp.txt",
           f"2015-02-02 {foo_late}:23.948203 America/Los_Angeles")
    s.copy("submitted-changed.ipynb", "submitted/bar/ps1/p1.ipynb")
    s.make("submitted/bar/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    return s


def penalties(c: Course) -> dict[str, tuple[Any, Any, bool]]:
    with c.gradebook() as gb:
        out = {}
        for student in ("foo", "bar"):
            sub = gb.find_submission("ps1", student)
            nb = sub.notebooks[0]
            out[student] = (nb.score, nb.late_submission_penalty, sub.total_seconds_late > 0)
        return out


def test_late_submission_penalty_none(pair: Pair) -> None:
    late_pair(pair)
    pair.autograde()
    for c in pair.both:
        assert penalties(c) == {"foo": (1, None, False), "bar": (2, None, True)}


def test_late_submission_penalty_zero(pair: Pair) -> None:
    late_pair(pair, config="c.LateSubmissionPlugin.penalty_method = 'zero'")
    pair.autograde()
    for c in pair.both:
        assert penalties(c) == {"foo": (1, None, False), "bar": (2, 2, True)}
    pair.each(lambda c: c.make("submitted/bar/ps1/timestamp.txt",
                               "2015-02-02 14:58:23.948203 America/Los_Angeles"))
    pair.autograde("--force", ours=("--force",))
    for c in pair.both:
        assert penalties(c)["bar"] == (2, None, False)


LATE_PLUGIN = dedent("""
    from __future__ import division
    from nbgrader.plugins import BasePlugin

    class Blarg(BasePlugin):
        def late_submission_penalty(self, student_id, score, total_seconds_late):
            # loss 1 mark per hour late
            hours_late = total_seconds_late / 3600
            return int(hours_late)
    """)


def test_late_submission_penalty_plugin(pair: Pair) -> None:
    late_pair(pair, config="c.AssignLatePenalties.plugin_class = 'late_plugin.Blarg'",
              foo_late="18:58", extra=lambda c: c.make("late_plugin.py", LATE_PLUGIN))
    pair.autograde()
    for c in pair.both:
        assert penalties(c) == {"foo": (1, 1, True), "bar": (2, 1, True)}


@pytest.mark.parametrize("flag", ["--force", "-f"], ids=["test_force", "test_force_f"])
def test_force(pair: Pair, flag: str) -> None:
    def files(c: Course) -> None:
        c.make("source/ps1/foo.txt", "foo")
        c.make("source/ps1/data/bar.txt", "bar")

    s = released(pair, extra=files)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/foo.txt", "foo")
    s.make("submitted/foo/ps1/data/bar.txt", "bar")
    s.make("submitted/foo/ps1/blah.pyc", "asdf")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/foo.txt")
        assert c.isfile("autograded/foo/ps1/data/bar.txt")
        assert not c.isfile("autograded/foo/ps1/blah.pyc")
    pair.each(lambda c: c.remove("autograded/foo/ps1/foo.txt"))
    pair.autograde()
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/foo.txt")
    pair.autograde(flag, ours=(flag,))
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/foo.txt")
    pair.each(lambda c: c.remove("source/ps1/foo.txt"))
    pair.each(lambda c: c.remove("submitted/foo/ps1/foo.txt"))
    pair.autograde(flag, ours=(flag,))
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/foo.txt")
        assert c.isfile("autograded/foo/ps1/data/bar.txt")


NOTEBOOK_P1 = ("--nbgrader", "notebook=p1")


def test_filter_notebook(pair: Pair) -> None:
    def files(c: Course) -> None:
        c.make("source/ps1/foo.txt", "foo")
        c.make("source/ps1/data/bar.txt", "bar")

    s = released(pair, extra=files)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/foo.txt", "foo")
    s.make("submitted/foo/ps1/data/bar.txt", "bar")
    s.make("submitted/foo/ps1/blah.pyc", "asdf")
    pair.autograde("--notebook", "p1", ours=NOTEBOOK_P1)
    pair.each(lambda c: c.remove("autograded/foo/ps1/p1.ipynb"))
    pair.each(lambda c: c.remove("autograded/foo/ps1/foo.txt"))
    pair.autograde("--notebook", "p1", ours=NOTEBOOK_P1)
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
        assert c.isfile("autograded/foo/ps1/foo.txt")
    pair.each(lambda c: c.remove("autograded/foo/ps1/foo.txt"))
    pair.autograde("--notebook", "p1", ours=NOTEBOOK_P1)
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/foo.txt")
    pair.each(lambda c: c.remove("autograded/foo/ps1/p1.ipynb"))
    pair.autograde()
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/p1.ipynb")
        assert c.isfile("autograded/foo/ps1/data/bar.txt")


@pytest.mark.parametrize("subdir", ["", "subdir/"],
                         ids=["test_grade_overwrite_files", "test_grade_overwrite_files_subdirs"])
def test_grade_overwrite_files(pair: Pair, subdir: str) -> None:
    def files(c: Course) -> None:
        c.make(f"source/ps1/{subdir}data.csv", "some,data\n")
        c.make(f"source/ps1/{subdir}helper.py", "print('hello!')\n")

    s = released(pair, config=f'c.Autograde.exclude_overwriting = {{"ps1": ["{subdir}helper.py"]}}',
                 extra=files)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    s.make(f"submitted/foo/ps1/{subdir}data.csv", "some,other,data\n")
    s.make(f"submitted/foo/ps1/{subdir}helper.py", "print('this is different!')\n")
    pair.autograde()
    for c in pair.both:
        assert c.contents("autograded/foo/ps1/timestamp.txt") == \
            "2015-02-02 15:58:23.948203 America/Los_Angeles"
        assert c.contents(f"autograded/foo/ps1/{subdir}data.csv") == "some,data\n"
        assert c.contents(f"autograded/foo/ps1/{subdir}helper.py") == \
            "print('this is different!')\n"


def test_side_effects(pair: Pair) -> None:
    s = released(pair, "side-effects.ipynb")
    s.copy("side-effects.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/side-effect.txt")
        assert not c.isfile("submitted/foo/ps1/side-effect.txt")


def test_skip_extra_notebooks(pair: Pair) -> None:
    s = released(pair)
    s.copy("submitted-unchanged.ipynb", "submitted/foo/ps1/p1 copy.ipynb")
    s.copy("submitted-changed.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
        assert not c.isfile("autograded/foo/ps1/p1 copy.ipynb")


def empty_course(pair: Pair, *notebooks: str, config: str = "", duedate: bool = True,
                 kernel: str | None = None) -> Course:
    s = pair.setup
    add_students(s, "foo", "bar", duedate=duedate)
    if config:
        s.config(config)
    for name in notebooks:
        s.empty_notebook(f"source/ps1/{name}", kernel=kernel)
    return s


@pytest.mark.parametrize("groupshared", [False, True])
def test_permissions(pair: Pair, groupshared: bool) -> None:
    s = empty_course(pair, "foo.ipynb", duedate=False,
                     config="c.CourseDirectory.groupshared = True" if groupshared else "")
    s.make("source/ps1/foo.txt", "foo")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/foo.ipynb")
    s.make("source/foo/ps1/foo.txt", "foo")
    pair.autograde()
    perms = "664" if groupshared else "444"
    for c in pair.both:
        if groupshared:
            assert c.mode("autograded/foo/ps1") == "2775"
        assert c.mode("autograded/foo/ps1/foo.ipynb") == perms
        assert c.mode("autograded/foo/ps1/foo.txt") == perms


def test_custom_permissions(pair: Pair) -> None:
    s = empty_course(pair, "foo.ipynb")
    s.make("source/ps1/foo.txt", "foo")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/foo.ipynb")
    s.make("source/foo/ps1/foo.txt", "foo")
    pair.autograde("--AutogradeApp.permissions=644",
                   ours=("--nbgrader", "AutogradeApp.permissions=644"))
    for c in pair.both:
        assert c.mode("autograded/foo/ps1/foo.ipynb") == "644"
        assert c.mode("autograded/foo/ps1/foo.txt") == "644"


CLEAR_METADATA = ("--ClearMetadataPreprocessor.enabled=True",
                  "--ClearMetadataPreprocessor.clear_notebook_metadata=False",
                  "--ClearMetadataPreprocessor.preserve_cell_metadata_mask=[('nbgrader')]")


def ours(*args: str) -> tuple[str, ...]:
    """nbgrader's ``--Class.trait=value`` flags as competency grade's ``--nbgrader`` options."""
    out: list[str] = []
    for arg in args:
        out += ["--nbgrader", arg.removeprefix("--")]
    return tuple(out)


def two_notebooks(pair: Pair, timestamp: str | None = None) -> Course:
    s = pair.setup
    add_students(s, "foo", "bar")
    s.copy("test.ipynb", "source/ps1/p1.ipynb")
    s.copy("test.ipynb", "source/ps1/p2.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.copy("test.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("test.ipynb", "submitted/foo/ps1/p2.ipynb")
    if timestamp:
        s.make("submitted/foo/ps1/timestamp.txt", timestamp)
    return s


def test_force_single_notebook(pair: Pair) -> None:
    two_notebooks(pair)
    pair.autograde(*CLEAR_METADATA, ours=ours(*CLEAR_METADATA))
    before = {c: (c.contents("autograded/foo/ps1/p1.ipynb"),
                  c.contents("autograded/foo/ps1/p2.ipynb")) for c in pair.both}
    for p1, p2 in before.values():
        assert p1 == p2
    pair.each(lambda c: c.empty_notebook("submitted/foo/ps1/p1.ipynb"))
    pair.each(lambda c: c.empty_notebook("submitted/foo/ps1/p2.ipynb"))
    pair.autograde("--notebook", "p1", "--force", ours=(*NOTEBOOK_P1, "--force"))
    for c, (p1, p2) in before.items():
        assert p1 != c.contents("autograded/foo/ps1/p1.ipynb")
        assert p2 == c.contents("autograded/foo/ps1/p2.ipynb")


def test_update_newer(pair: Pair) -> None:
    s = pair.setup
    add_students(s, "foo", "bar")
    s.copy("test.ipynb", "source/ps1/p1.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.copy("test.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.make("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    pair.autograde()
    before = {c: c.contents("autograded/foo/ps1/p1.ipynb") for c in pair.both}
    pair.each(lambda c: c.empty_notebook("submitted/foo/ps1/p1.ipynb"))
    pair.each(lambda c: c.make("submitted/foo/ps1/timestamp.txt",
                               "2015-02-02 16:58:23.948203 America/Los_Angeles"))
    pair.autograde()
    for c, p in before.items():
        assert c.contents("autograded/foo/ps1/timestamp.txt") == \
            "2015-02-02 16:58:23.948203 America/Los_Angeles"
        assert p != c.contents("autograded/foo/ps1/p1.ipynb")


def test_update_newer_single_notebook(pair: Pair) -> None:
    two_notebooks(pair, "2015-02-02 15:58:23.948203 America/Los_Angeles")
    pair.autograde(*CLEAR_METADATA, ours=ours(*CLEAR_METADATA))
    before = {c: (c.contents("autograded/foo/ps1/p1.ipynb"),
                  c.contents("autograded/foo/ps1/p2.ipynb")) for c in pair.both}
    pair.each(lambda c: c.empty_notebook("submitted/foo/ps1/p1.ipynb"))
    pair.each(lambda c: c.empty_notebook("submitted/foo/ps1/p2.ipynb"))
    pair.each(lambda c: c.make("submitted/foo/ps1/timestamp.txt",
                               "2015-02-02 16:58:23.948203 America/Los_Angeles"))
    pair.autograde("--notebook", "p1", ours=NOTEBOOK_P1)
    for c, (p1, p2) in before.items():
        assert p1 != c.contents("autograded/foo/ps1/p1.ipynb")
        assert p2 == c.contents("autograded/foo/ps1/p2.ipynb")


def validate(c: Course, rel: str) -> str:
    """``nbgrader validate`` of a notebook: its first line."""
    from nbgrader.validator import Validator

    out = io.StringIO()
    old = Validator.stream
    Validator.stream = out
    try:
        with contextlib.redirect_stdout(out):
            code, _ = run_nbgrader(c.root, ["validate", str(c.path(rel))])
    finally:
        Validator.stream = old
    assert code == 0
    return out.getvalue().strip().splitlines()[0]


SUCCESS = "Success! Your notebook passes all the tests."
FAILED_ON = ("VALIDATION FAILED ON {} CELL(S)! If you submit your assignment as it is, you "
             "WILL NOT")


def test_hidden_tests_single_notebook(pair: Pair) -> None:
    s = released(pair, "test-hidden-tests.ipynb",
                 config='c.ClearSolutions.code_stub=dict(python="# YOUR CODE HERE")')
    assert "BEGIN HIDDEN TESTS" not in s.contents("release/ps1/p1.ipynb")
    shutil.copy(s.path("release/ps1/p1.ipynb"), s.path("submitted/foo/ps1").mkdir(
        parents=True) or s.path("submitted/foo/ps1/p1.ipynb"))
    assert validate(s, "submitted/foo/ps1/p1.ipynb") == SUCCESS
    pair.autograde()
    for c in pair.both:
        assert "BEGIN HIDDEN TESTS" in c.contents("autograded/foo/ps1/p1.ipynb")
        assert validate(c, "autograded/foo/ps1/p1.ipynb") == FAILED_ON.format(2)
        with c.gradebook() as gb:
            assert gb.find_submission("ps1", "foo").notebooks[0].score == 1.5


def test_hidden_tests_autotest(pair: Pair) -> None:
    s = released(pair, "autotest-hidden.ipynb", students=("foo", "bar", "baz"),
                 config='c.ClearSolutions.code_stub=dict(python="# YOUR CODE HERE")',
                 extra=lambda c: c.copy("autotests.yml", "autotests.yml"))
    s.copy("autotest-hidden-unchanged.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("autotest-hidden-changed-wrong.ipynb", "submitted/bar/ps1/p1.ipynb")
    s.copy("autotest-hidden-changed-right.ipynb", "submitted/baz/ps1/p1.ipynb")
    assert validate(s, "submitted/foo/ps1/p1.ipynb") == FAILED_ON.format(1)
    assert validate(s, "submitted/bar/ps1/p1.ipynb") == SUCCESS
    assert validate(s, "submitted/baz/ps1/p1.ipynb") == SUCCESS
    pair.autograde()
    for c in pair.both:
        for student in ("foo", "bar", "baz"):
            assert "BEGIN HIDDEN TESTS" in c.contents(f"autograded/{student}/ps1/p1.ipynb")
        assert validate(c, "autograded/foo/ps1/p1.ipynb") == FAILED_ON.format(1)
        assert validate(c, "autograded/bar/ps1/p1.ipynb") == FAILED_ON.format(1)
        assert validate(c, "autograded/baz/ps1/p1.ipynb") == SUCCESS
        with c.gradebook() as gb:
            assert [gb.find_submission("ps1", st).notebooks[0].score
                    for st in ("foo", "bar", "baz")] == [0, 0, 1]


def test_handle_failure(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb", "p2.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/bar/ps1/p1.ipynb")
    s.copy("test.ipynb", "submitted/bar/ps1/p2.ipynb")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb")
    s.empty_notebook("submitted/foo/ps1/p2.ipynb")
    pair.autograde(retcode=1)
    for c in pair.both:
        assert not c.exists("autograded/bar/ps1")
        assert c.exists("autograded/foo/ps1")


def test_handle_failure_single_notebook(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb", "p2.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb")
    s.copy("test.ipynb", "submitted/foo/ps1/p2.ipynb")
    pair.autograde("--notebook", "p*", ours=("--nbgrader", "notebook=p*"),
                   retcode=1)
    for c in pair.both:
        assert c.exists("autograded/foo/ps1")
        assert not c.isfile("autograded/foo/ps1/p1.ipynb")
        assert not c.isfile("autograded/foo/ps1/p2.ipynb")


STUBS = "c.ClearSolutions.code_stub = {'python': '## Answer', 'blah': '## Answer'}"


def test_missing_source_kernelspec(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb", config=STUBS)
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb", kernel="python")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
    pair.each(lambda c: c.empty_notebook("submitted/bar/ps1/p1.ipynb", kernel="blarg"))
    pair.autograde(retcode=1)
    for c in pair.both:
        assert not c.exists("autograded/bar/ps1")


def test_incorrect_source_kernelspec(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb", config=STUBS, kernel="blah")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb", kernel="python")
    pair.autograde(retcode=1)
    for c in pair.both:
        assert not c.exists("autograded/foo/ps1")


def test_incorrect_submitted_kernelspec(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb", kernel="python")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb", kernel="blah")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")


def test_no_execute(pair: Pair) -> None:
    s = pair.setup
    add_students(s, "foo", "bar")
    s.copy("test.ipynb", "source/ps1/p1.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.copy("test-with-output.ipynb", "submitted/foo/ps1/p1.ipynb")
    original = nbformat.read(fixture("test-with-output.ipynb"), as_version=4)
    pair.autograde()
    for c in pair.both:
        new = nbformat.read(c.path("autograded/foo/ps1/p1.ipynb"), as_version=4)
        assert any(a.get("outputs") != b.get("outputs")
                   for a, b in zip(original.cells, new.cells, strict=True))
    pair.autograde("--force", "--no-execute", ours=("--force", "--nbgrader", "no-execute"))
    for c in pair.both:
        new = nbformat.read(c.path("autograded/foo/ps1/p1.ipynb"), as_version=4)
        for a, b in zip(original.cells, new.cells, strict=True):
            assert a.get("outputs") == b.get("outputs")


@pytest.mark.skip(reason="nbgrader's own test is skipped: it needs a PostgreSQL server "
                         "configured with max_connections of about 5 and takes too long")
def test_many_students(pair: Pair) -> None:
    s = released(pair, students=tuple(f"student{i:03d}" for i in range(50)))
    for i in range(50):
        s.copy("submitted-changed.ipynb", f"submitted/student{i:03d}/ps1/p1.ipynb")
    pair.autograde()


def test_infinite_loop(pair: Pair) -> None:
    s = released(pair, "infinite-loop.ipynb", config="c.Execute.timeout = 1")
    s.copy("infinite-loop.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")


@pytest.mark.skip(reason="nbgrader's own test is skipped: it takes too long to run and "
                         "consumes a LOT of memory")
def test_infinite_loop_with_output(pair: Pair) -> None:
    s = released(pair, "infinite-loop-with-output.ipynb", students=("foo",))
    s.copy("infinite-loop-with-output.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde(retcode=1)


def test_missing_files(pair: Pair) -> None:
    s = empty_course(pair, "p1.ipynb")
    s.nbgrader("generate_assignment", "ps1")
    s.empty_notebook("submitted/foo/ps1/p1.ipynb")
    s.path("submitted/bar/ps1").mkdir(parents=True)
    pair.autograde()
    for c in pair.both:
        assert c.isfile("autograded/foo/ps1/p1.ipynb")
        assert not c.exists("autograded/bar")


def test_grade_missing_notebook(pair: Pair) -> None:
    s = released(pair, extra=lambda c: c.copy("submitted-unchanged.ipynb", "source/ps1/p2.ipynb"))
    s.copy("submitted-changed.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        assert not c.isfile("autograded/foo/ps1/p2.ipynb")
        with c.gradebook() as gb:
            _, nb2 = gb.find_submission("ps1", "foo").notebooks
            assert not nb2.needs_manual_grade
            assert nb2.score == 0


def test_grade_with_validating_envvar(pair: Pair) -> None:
    s = released(pair, "validating-environment-variable.ipynb", students=("foo",))
    s.copy("validating-environment-variable.ipynb", "submitted/foo/ps1/p1.ipynb")
    pair.autograde()
    for c in pair.both:
        with c.gradebook() as gb:
            assert gb.find_submission("ps1", "foo").notebooks[0].score == 0


def test_autograde_timeout(pair: Pair) -> None:
    s = released(pair, "timeout.ipynb")
    s.copy("timeout.ipynb", "submitted/foo/ps1/p1.ipynb")
    s.copy("timeout.ipynb", "submitted/bar/ps1/p1.ipynb")
    pair.autograde("--student", "foo", ours=("--student", "foo"))
    pair.autograde("--student", "bar", "--Execute.timeout=2",
                   ours=("--student", "bar", "--nbgrader", "Execute.timeout=2"))
    for c in pair.both:
        assert scores(c, "foo")[0] == 1
        assert scores(c, "bar")[0] == 0


# ------------------------------------------------------- beyond nbgrader's own tests


def kernelspec(root: Path, name: str, argv: list[str], env: dict[str, str],
               language: str = "python") -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    folder.joinpath("kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": name, "language": language, "env": env}))


def test_other_kernels_run_in_a_kernel_of_that_name(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A notebook for another installed kernel runs in it (here a second Python kernelspec
    that marks its environment, and one that dies at once): never as Python."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    launch = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernelspec(jupyter, "parity-env", launch, {"PARITY_KERNEL": "parity-env"})
    kernelspec(jupyter, "parity-dead", [sys.executable, "-c", "raise SystemExit(3)"], {})
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    s = pair.setup
    add_students(s, "foo", "bar")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nprint(os.environ.get('PARITY_KERNEL'))")])
    nb.metadata.kernelspec = {"name": "parity-env", "display_name": "parity-env",
                              "language": "python"}
    s.path("source/ps1").mkdir(parents=True)
    nbformat.write(nb, s.path("source/ps1/p1.ipynb"))
    s.nbgrader("generate_assignment", "ps1")
    shutil.copytree(s.path("release/ps1"), s.path("submitted/foo/ps1"))
    pair.autograde()
    for c in pair.both:
        out = nbformat.read(c.path("autograded/foo/ps1/p1.ipynb"), as_version=4)
        assert out.cells[0].outputs[0]["text"] == "parity-env\n"
    with sqlite_gradebook(pair) as gbs:  # the source now names the dead kernel
        for gb in gbs:
            gb.find_notebook("p1", "ps1").kernelspec = json.dumps(
                {"name": "parity-dead", "display_name": "parity-dead", "language": "python"})
    pair.each(lambda c: shutil.copytree(c.path("release/ps1"), c.path("submitted/bar/ps1")))
    pair.autograde(retcode=1)
    for c in pair.both:
        assert not c.exists("autograded/bar/ps1")


def test_another_languages_notebook_gets_its_kernels_language_info(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """nbclient writes the ``language_info`` of the kernel's ``kernel_info_reply`` into
    the notebook, whatever the notebook said: here a kernelspec of another language
    (Octave, which nbgrader knows, starting ipykernel, so its reply says Python) and a
    submission that claims that language."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    kernelspec(jupyter, "parity-lang", [sys.executable, "-m", "ipykernel_launcher", "-f",
                                        "{connection_file}"], {}, language="octave")
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    s = pair.setup
    add_students(s, "foo")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")])
    nb.metadata.kernelspec = {"name": "parity-lang", "display_name": "parity-lang",
                              "language": "octave"}
    nb.metadata.language_info = {"name": "octave", "version": "0.1"}
    s.path("source/ps1").mkdir(parents=True)
    nbformat.write(nb, s.path("source/ps1/p1.ipynb"))
    s.nbgrader("generate_assignment", "ps1")
    shutil.copytree(s.path("release/ps1"), s.path("submitted/foo/ps1"))
    assert nbformat.read(s.path("submitted/foo/ps1/p1.ipynb"), as_version=4
                         ).metadata.language_info["name"] == "octave"
    pair.autograde()
    for c in pair.both:
        out = nbformat.read(c.path("autograded/foo/ps1/p1.ipynb"), as_version=4)
        assert out.metadata.language_info["name"] == "python"
        assert out.metadata.language_info["version"] == ".".join(
            map(str, sys.version_info[:3]))
        assert out.cells[0].outputs[0]["data"]["text/plain"] == "42"


@contextlib.contextmanager
def sqlite_gradebook(pair: Pair) -> Any:
    from nbgrader.api import Gradebook

    books = [Gradebook(f"sqlite:///{c.root / 'gradebook.db'}") for c in pair.both]
    try:
        yield books
        for gb in books:
            gb.db.commit()
    finally:
        for gb in books:
            gb.close()
