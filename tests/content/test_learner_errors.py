"""A learner never sees a Python traceback: every graded answer cell, every module.

The release copies are made with nbgrader's own ``generate_assignment`` (as
``competency lab`` makes them) in a copy of the course. Each module then runs in
one kernel, top to bottom, with every answer cell run several times: first
with the solution (its test, hidden tests included, passes), then blank (the
``...`` stub) and once per kind of wrong value (text for a number, a number or
a list for one option, an option without quotes, a table, a column of values),
each followed by the learner's test cell, then, for one-option questions, a
valid but wrong option followed by the hidden tests, and the solution again.

Every error must be the friendly one: one line beginning ``Not yet:``. Answer
cells print nothing when they fail (no table dumped), test cells still fail so
that nbgrader scores them 0, and a wrong re-answer clears the earlier right one.
"""

from __future__ import annotations

import ast
import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode
from test_course_nbgrader import BEGIN_SOLUTION, END_SOLUTION, MODULES

from competency.course.exercises import NOT_YET, QuestionBank
from competency.course.lab import generate_releases
from conftest import COURSE

pytestmark = pytest.mark.nbgrader

STUB = "...  # YOUR ANSWER HERE"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WRONG = {
    "text": '"lots"',
    "number": "42",
    "list": '["A", "B"]',
    "unquoted": "B",
    "table": '__import__("pandas").DataFrame({"x": [1, 2]})',
    "column": '__import__("pandas").Series([1.5, 2.5])',
}
"""Kinds of wrong value, as a learner would type them in place of the ``...``."""


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("learner-course")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    assert generate_releases(course, say=lambda _: None) == MODULES
    return course


def _solution(source: str) -> str:
    inside, lines = False, []
    for line in source.splitlines():
        if BEGIN_SOLUTION in line:
            inside = True
        elif END_SOLUTION in line:
            inside = False
        elif inside:
            lines.append(line.strip())
    return " ".join(lines)


def _probe(cell: NotebookNode, question: str, variant: str, role: str) -> NotebookNode:
    probe = nbformat.from_dict(cell)
    probe.metadata["probe"] = {"question": question, "variant": variant, "role": role}
    probe.outputs = []
    return probe


def variants(kind: str) -> dict[str, str]:
    """The wrong values that are wrong for this kind of answer (42 is a fine number)."""
    skip = {"number": {"number"}, "multi": {"list"}}.get(kind, set())
    return {name: text for name, text in WRONG.items() if name not in skip}


def probe_notebook(course: Path, module: str) -> NotebookNode:
    """The release notebook with every answer cell run blank, wrong and right."""
    (release_path,) = sorted((course / "release" / module).glob("*.ipynb"))
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(course / "source" / module / release_path.name, as_version=4)
    bank = QuestionBank.load(course / "release" / module / "questions.yaml")
    assert len(release.cells) == len(source.cells)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): i
             for i, c in enumerate(release.cells)}
    cells: list[NotebookNode] = []
    tested: set[int] = set()
    for index, cell in enumerate(release.cells):
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if grading.get("grade") and not grading.get("solution"):
            assert index in tested, f"{module}: test cell {grading['grade_id']} has no answer"
            continue
        if not grading.get("solution"):
            cells.append(_probe(cell, "", "setup", "setup"))
            continue
        assert not grading.get("grade"), f"{module}: graded code answer cell at {index}"
        question = grading["grade_id"].removesuffix("_answer")
        test_index = by_id[f"{question}_test"]
        tested.add(test_index)
        assert STUB in cell.source, f"{module} {question}: no ... stub in the release"
        answer_cell, test_cell = cell, release.cells[test_index]
        solution_answer, hidden_test = source.cells[index], source.cells[test_index]
        spec = bank.get(question)
        names_a_thing = not cell.source.lstrip().startswith(f'{question} = answer("{question}"')
        kind = "name" if names_a_thing else spec.kind
        cells += [_probe(solution_answer, question, "solution", "answer"),
                  _probe(hidden_test, question, "solution", "test"),
                  _probe(answer_cell, question, "blank", "answer"),
                  _probe(test_cell, question, "blank", "test")]
        for name, text in variants(kind).items():
            wrong = nbformat.from_dict(answer_cell)
            wrong.source = answer_cell.source.replace(STUB, text)
            cells += [_probe(wrong, question, name, "answer"),
                      _probe(test_cell, question, name, "test")]
        if kind == "choice":
            right = ast.literal_eval(_solution(solution_answer.source))
            other = next(key for key in spec.options if key != right)
            wrong = nbformat.from_dict(answer_cell)
            wrong.source = answer_cell.source.replace(STUB, f'"{other}"')
            cells += [_probe(wrong, question, "wrong option", "valid answer"),
                      _probe(hidden_test, question, "wrong option", "test")]
        cells.append(_probe(solution_answer, question, "solution again", "answer"))
    probe = nbformat.from_dict(release)
    probe.cells = cells
    return probe


async def run(course: Path, module: str, slots: asyncio.Semaphore) -> NotebookNode:
    notebook = probe_notebook(course, module)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(course / "release" / module)}})
    async with slots:
        await client.async_execute()
    return notebook


async def run_all(course: Path) -> list[NotebookNode]:
    slots = asyncio.Semaphore(2)  # two kernels at a time: two CPUs
    return list(await asyncio.gather(*(run(course, m, slots) for m in MODULES)))


@pytest.fixture(scope="module")
def runs(course: Path) -> dict[str, NotebookNode]:
    return dict(zip(MODULES, asyncio.run(run_all(course)), strict=True))


def errors(cell: NotebookNode) -> list[Any]:
    return [o for o in cell.outputs if o.output_type == "error"]


def text(cell: NotebookNode, stream: str) -> str:
    return "".join(o.text for o in cell.outputs
                   if o.output_type == "stream" and o.name == stream)


def said(cell: NotebookNode) -> str:
    """What the cell printed or showed as text: ``check()`` shows its message as a live
    region, with the same words as plain text."""
    return text(cell, "stdout") + "".join(o.data.get("text/plain", "") for o in cell.outputs
                                          if o.output_type == "display_data")


def friendly(error: Any) -> bool:
    lines = [ANSI.sub("", line) for line in error.traceback]
    return len(lines) == 1 and lines[0].startswith(NOT_YET) and "\n" not in lines[0].strip()


def describe(cell: NotebookNode) -> str:
    probe = cell.metadata["probe"]
    shown = [f"{e.ename}: {e.evalue} | " + " / ".join(ANSI.sub("", t) for t in e.traceback)[:400]
             for e in errors(cell)]
    return (f"{probe['question']} {probe['variant']} {probe['role']}:\n{cell.source}\n"
            f"-> {shown} stdout={text(cell, 'stdout')[:300]!r}")


@pytest.mark.parametrize("module", MODULES)
def test_a_learner_sees_only_friendly_lines(runs: dict[str, NotebookNode], module: str
                                            ) -> None:
    from nbgrader.utils import determine_grade

    notebook = runs[module]
    wrong_kinds = 0
    for cell in notebook.cells:
        probe = cell.metadata["probe"]
        variant, role = probe["variant"], probe["role"]
        assert not text(cell, "stderr"), describe(cell)
        if variant in ("setup", "solution", "solution again") or role == "valid answer":
            assert not errors(cell), describe(cell)
            if role == "test":
                assert determine_grade(cell)[0] == cell.metadata.nbgrader.points
            continue
        assert len(errors(cell)) == 1, describe(cell)
        assert friendly(errors(cell)[0]), describe(cell)
        if role == "answer":
            wrong_kinds += 1
            assert not text(cell, "stdout"), describe(cell)  # no table printed before it
        else:  # the test cell still fails: nbgrader gives it 0
            assert determine_grade(cell)[0] == 0, describe(cell)
            if variant != "wrong option":  # the earlier right answer was cleared
                assert f"{NOT_YET} {probe['question']}" in said(cell), describe(cell)
    assert wrong_kinds >= 8 * 6
