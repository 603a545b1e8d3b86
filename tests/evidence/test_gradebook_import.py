"""Evidence from the nbgrader gradebook, for real: a tiny course graded by nbgrader itself.

The course has one module ``m1`` whose graded cells carry competency tags:

* LAW-1: ``a_test`` (2 points, level 1) and ``b_test`` (1 point, level 2), so the
  module gives LAW-1 at level 2 for 3 points;
* LAW-2: ``c_test`` (1 point) and the manually graded reflection (2 points), level 1.

Three learners submit: ``alice`` answers everything (her reflection awaits manual
grading), ``bob`` gets only ``a`` right (2 of 3 on LAW-1: below 80%) and leaves the
reflection blank (nbgrader scores it 0 itself), and ``carol.w`` (staff S003 through the
staff table's ``username``) answers a, b and c but not the reflection. nbgrader runs
generate_assignment and autograde with its gradebook on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from competency.errors import GradebookError
from competency.evidence.records import (
    EvidenceRecord,
    import_gradebook,
    read_gradebook,
    stored_records,
)
from competency.hr.staff import load_staff
from competency.store.database import open_store
from conftest import COURSE, DATABASES, CliResult, make_cell, wait

pytestmark = pytest.mark.nbgrader

Cli = Callable[..., CliResult]
MODULE = "m1"
ANSWERS = {"a": "answer_a = 42", "b": 'answer_b = "yes"', "c": "answer_c = True"}
WRONG = {"a": "answer_a = 42", "b": 'answer_b = "no"', "c": "answer_c = False"}
REFLECTION = "I would ask the patient which language they prefer and book an interpreter."
SUBMISSIONS: dict[str, tuple[dict[str, str], str | None, str]] = {
    "alice": (ANSWERS, REFLECTION, "2026-03-02 10:15:00.000000 UTC"),
    "bob": (WRONG, None, "2026-03-03 23:30:00.000000 UTC"),
    "carol.w": (ANSWERS, None, "2026-03-04 08:00:00.000000 UTC"),
}


def solution(name: str) -> Any:
    return make_cell(f"### BEGIN SOLUTION\n{ANSWERS[name]}\n### END SOLUTION",
                     solution=True, grade_id=f"{name}_answer")


def check_cell(name: str, points: float, tags: list[str]) -> Any:
    check = {"a": "assert answer_a == 42", "b": 'assert answer_b == "yes"',
             "c": "assert answer_c is True"}[name]
    return make_cell(check, grade=True, points=points, grade_id=f"{name}_test", tags=tags)


def tiny_course(root: Path) -> Path:
    cells = [
        make_cell("# Module 1: a tiny module", kind="markdown"),
        solution("a"), check_cell("a", 2, ["competency:LAW-1", "level:1"]),
        solution("b"), check_cell("b", 1, ["competency:LAW-1", "level:2"]),
        solution("c"), check_cell("c", 1, ["competency:LAW-2", "level:1"]),
        make_cell("Reflect on working with interpreters.", kind="markdown"),
        make_cell("YOUR ANSWER HERE", kind="markdown", grade=True, solution=True, points=2,
                  grade_id="reflection", tags=["competency:LAW-2", "level:1"]),
    ]
    folder = root / "source" / MODULE
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, folder / f"{MODULE}.ipynb")
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def nbgrader(course: Path, db_url: str, *args: str) -> None:
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args,
                           f"--CourseDirectory.db_url={db_url}"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=wait(600), check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def submit(course: Path) -> None:
    release = nbformat.read(course / "release" / MODULE / f"{MODULE}.ipynb", as_version=4)
    for student, (answers, reflection, stamp) in SUBMISSIONS.items():
        nb = nbformat.from_dict(release)  # a copy
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id.endswith("_answer"):
                cell.source = answers[grade_id[0]]
            elif grade_id == "reflection" and reflection is not None:
                cell.source = reflection
        target = course / "submitted" / student / MODULE
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{MODULE}.ipynb")
        (target / "timestamp.txt").write_text(stamp)


@pytest.fixture(scope="module", params=DATABASES)
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           new_database: Callable[[str], str]) -> tuple[Path, str]:
    """The tiny course, generated, submitted and autograded; (course, gradebook URL)."""
    gradebook = new_database(request.param)
    course = tiny_course(tmp_path_factory.mktemp("course"))
    nbgrader(course, gradebook, "generate_assignment", MODULE, "--force")
    submit(course)
    nbgrader(course, gradebook, "autograde", MODULE, "--force")
    return course, gradebook


@pytest.fixture
def staff_file(tmp_path: Path) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text("staff_id,role,team,username\nalice,Nurse,A,\nbob,Nurse,A,\n"
                    "S003,Nurse,B,carol.w\n", encoding="utf-8")
    return path


def outcomes(course: Path, url: str, staff: Path | None = None,
             pass_mark: float = 0.8) -> dict[tuple[str, str], tuple[str, int, str, float]]:
    report = read_gradebook(course, url, pass_mark=pass_mark,
                            staff=load_staff(staff) if staff else None)
    return {(o.staff_id, o.competency): (o.outcome, o.level, o.submitted_on.isoformat(),
                                         o.score) for o in report.outcomes}


def test_who_holds_what_at_which_level_from_when(graded: tuple[Path, str],
                                                 staff_file: Path) -> None:
    course, url = graded
    assert outcomes(course, url, staff_file) == {
        ("alice", "LAW-1"): ("held", 2, "2026-03-02", 3.0),
        ("alice", "LAW-2"): ("pending", 1, "2026-03-02", 1.0),
        ("bob", "LAW-1"): ("below", 2, "2026-03-03", 2.0),
        ("bob", "LAW-2"): ("below", 1, "2026-03-03", 0.0),
        ("S003", "LAW-1"): ("held", 2, "2026-03-04", 3.0),
        ("S003", "LAW-2"): ("below", 1, "2026-03-04", 1.0),
    }


def test_pass_mark_is_a_share_of_the_tagged_points(graded: tuple[Path, str]) -> None:
    course, url = graded
    result = outcomes(course, url, pass_mark=2 / 3)
    assert result[("bob", "LAW-1")][0] == "held"
    assert result[("carol.w", "LAW-1")][0] == "held"  # no staff table: student id is staff_id


def test_unknown_students_are_warned_about(graded: tuple[Path, str], tmp_path: Path) -> None:
    course, url = graded
    staff = tmp_path / "few.csv"
    staff.write_text("staff_id,role,team\nalice,Nurse,A\n", encoding="utf-8")
    report = read_gradebook(course, url, staff=load_staff(staff))
    assert {o.staff_id for o in report.outcomes} == {"alice"}
    assert report.warnings == (
        "2 gradebook student(s) match no staff_id or username in the staff table "
        "(e.g. bob, carol.w); their results are not imported",)


def test_import_into_the_store_twice_adds_nothing(graded: tuple[Path, str], db_url: str,
                                                  staff_file: Path) -> None:
    course, url = graded
    report = read_gradebook(course, url, staff=load_staff(staff_file))
    with open_store(db_url) as store:
        first = import_gradebook(store, report, url)
        second = import_gradebook(store, report, url)
        stored = stored_records(store)
        log = store.imports()
    assert (first.added, first.skipped, first.pending) == (2, 0, 1)
    assert (second.added, second.skipped, second.pending) == (0, 2, 1)
    assert stored == [
        EvidenceRecord("S003", "LAW-1", 2, dt.date(2026, 3, 4), "nbgrader:m1"),
        EvidenceRecord("alice", "LAW-1", 2, dt.date(2026, 3, 2), "nbgrader:m1"),
    ]
    assert [(e.kind, e.added, e.skipped, e.pending) for e in log] == [
        ("gradebook", 2, 0, 1), ("gradebook", 0, 2, 1)]


def test_manual_grade_turns_pending_into_held_or_below(graded: tuple[Path, str]) -> None:
    from nbgrader.api import Gradebook

    course, url = graded
    with Gradebook(url, course_id="") as gb:
        grade = gb.find_grade("reflection", MODULE, MODULE, "alice")
        grade.manual_score = 2.0
        grade.needs_manual_grade = False
        gb.db.commit()
    try:
        assert outcomes(course, url)[("alice", "LAW-2")] == ("held", 1, "2026-03-02", 3.0)
        with Gradebook(url, course_id="") as gb:
            grade = gb.find_grade("reflection", MODULE, MODULE, "alice")
            grade.manual_score = 1.0
            gb.db.commit()
        assert outcomes(course, url)[("alice", "LAW-2")] == ("below", 1, "2026-03-02", 2.0)
    finally:
        with Gradebook(url, course_id="") as gb:
            grade = gb.find_grade("reflection", MODULE, MODULE, "alice")
            grade.manual_score = None
            grade.needs_manual_grade = True
            gb.db.commit()


def test_cli_gradebook_import_and_export(cli: Cli, graded: tuple[Path, str], db_url: str,
                                         staff_file: Path, tmp_path: Path) -> None:
    course, url = graded
    args = ("evidence", "gradebook", "--course", course, "--db-url", url, "--staff",
            staff_file, "--store", db_url)
    result = cli(*args)
    assert result.code == 0, result.err
    where = url.split("@")[-1]
    assert where in result.out
    assert "added 2, skipped 0 (already in the store), pending 1 (awaiting manual " \
           "grading), not passed 3" in result.out
    assert cli(*args).out.count("added 0, skipped 2") == 1
    out = tmp_path / "evidence.csv"
    result = cli("evidence", "export", "--out", out, "--store", db_url)
    assert result.code == 0
    assert result.err == f"{out}: 2 evidence records\n"
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"staff_id": "S003", "competency": "LAW-1", "level": "2", "achieved_on": "2026-03-04",
         "source": "nbgrader:m1"},
        {"staff_id": "alice", "competency": "LAW-1", "level": "2",
         "achieved_on": "2026-03-02", "source": "nbgrader:m1"},
    ]


def test_missing_gradebook_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    course = tiny_course(tmp_path / "course")
    with pytest.raises(GradebookError, match=r"^sqlite:///.*/gradebook\.db: no gradebook there "
                       r"\(file not found\); run nbgrader autograde first, or give the "
                       r"gradebook's URL$"):
        read_gradebook(course)
    assert not (course / "gradebook.db").exists()


def test_a_database_that_is_not_a_gradebook(tmp_path: Path) -> None:
    course = tiny_course(tmp_path / "course")
    with open_store(f"sqlite:///{tmp_path / 'store.db'}"):
        pass
    with pytest.raises(GradebookError, match=r"store\.db: not an nbgrader gradebook "
                       r"\(no grade table\)$"):
        read_gradebook(course, f"sqlite:///{tmp_path / 'store.db'}")


@pytest.mark.parametrize("mark", [0.0, 1.5])
def test_pass_mark_must_be_a_share(tmp_path: Path, mark: float) -> None:
    from competency.errors import UsageError

    with pytest.raises(UsageError, match=rf"^pass mark: must be a number above 0 and at most 1 "
                       rf"\({mark}\)$"):
        read_gradebook(tmp_path, pass_mark=mark)
