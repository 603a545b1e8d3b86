from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from competency.errors import GradingError
from competency.grading.feedback import feedback, strip_hidden_tests
from conftest import make_cell

TEST = 'assert check("q1")\n### BEGIN HIDDEN TESTS\nassert q1 == "B"\n### END HIDDEN TESTS'


def test_strip_hidden_tests_removes_them_from_source_and_tracebacks(tmp_path: Path) -> None:
    from nbgrader.preprocessors import ClearHiddenTests

    cell = make_cell(TEST, grade=True, points=1, grade_id="q1_test")
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="",
        traceback=['Cell In[3], line 3\n      1 assert check("q1")\n----> 3 '
                   '\x1b[38;5;28massert\x1b[39m q1 == "B"\n'])]
    other = make_cell('print("not graded")')
    path = tmp_path / "feedback.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell, other]), path)
    assert strip_hidden_tests(path, ClearHiddenTests()) == 1
    nb = nbformat.read(path, as_version=4)
    assert 'q1 == "B"' not in nb.cells[0].source
    assert 'assert check("q1")' in nb.cells[0].source
    traceback = nb.cells[0].outputs[0]["traceback"][0]
    assert 'q1 == "B"' not in traceback
    assert "    [hidden test]" in traceback
    assert nb.cells[1].source == 'print("not graded")'


def test_feedback_needs_a_course_directory(tmp_path: Path) -> None:
    with pytest.raises(GradingError, match="no such course directory"):
        feedback("01-law", tmp_path / "absent")
