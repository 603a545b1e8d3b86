from __future__ import annotations

import dataclasses

import nbformat

from competency.grading.autograde import LANGUAGE_INFO, apply_outputs, code_cells
from competency.grading.messages import CellResult, NotebookResult
from conftest import make_cell


def notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[
        make_cell("# Title", kind="markdown"), make_cell("x = 1"), make_cell("   \n"),
        make_cell("import time", tags=["skip-execution"]), make_cell("print(x)"),
        make_cell("x / 0")])


def test_code_cells_are_what_nbclient_would_run() -> None:
    assert code_cells(notebook()) == [(1, "x = 1"), (4, "print(x)"), (5, "x / 0")]


def test_apply_outputs_keeps_valid_outputs_and_marks_cells_that_did_not_run() -> None:
    nb = notebook()
    result = NotebookResult(
        name="n.ipynb", cells={
            1: CellResult(outputs=({"output_type": "stream", "name": "stdout", "text": "ok"},
                                   {"output_type": "bogus"}), count=1, state="ok"),
            4: CellResult(outputs=({"output_type": "execute_result", "data":
                                    {"text/plain": ["1", "2"]}, "execution_count": 2},),
                          count=2, state="ok")},
        reason="cell timeout", isolation=(), reaper="none", stopped_in=5, interrupted=(5,),
        setup=0.0, cpu=0.0, seconds=0.0)
    apply_outputs(nb, result, [1, 4, 5], error="")
    assert nb.cells[1].execution_count == 1
    assert [o["text"] for o in nb.cells[1].outputs] == ["ok"]
    assert nb.cells[4].outputs[0]["data"] == {"text/plain": "12"}
    stopped = nb.cells[5].outputs
    assert [o["ename"] for o in stopped] == ["CellTimeoutError", "GradingStopped"]
    assert stopped[1]["evalue"] == "cell timeout"
    assert nb.cells[5].execution_count is None
    assert nb.metadata["language_info"] == LANGUAGE_INFO
    nbformat.validate(nb)


def test_language_info_is_the_kernels_as_nbclient_records_it() -> None:
    """A notebook run in a real kernel gets the ``language_info`` of that kernel's
    ``kernel_info_reply`` whatever its language (nbclient's ``async_execute``); the warm
    shell's notebooks get ipykernel's; another language's notebook that did not run keeps
    its own."""
    r_info = {"name": "R", "version": "4.3.1", "mimetype": "text/x-r-source",
              "file_extension": ".r", "codemirror_mode": "r", "pygments_lexer": "r"}
    nb = notebook()
    nb.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}
    nb.metadata.language_info = {"name": "R", "version": "3.6.0"}
    ran = NotebookResult(name="n", cells={}, reason="", isolation=(), reaper="none",
                         stopped_in=None, interrupted=(), setup=0.0, cpu=0.0, seconds=0.0,
                         language_info=r_info)
    apply_outputs(nb, ran, [], error="")
    assert nb.metadata["language_info"] == r_info
    other = notebook()
    other.metadata.kernelspec = {"name": "ir", "display_name": "R", "language": "R"}
    other.metadata.language_info = {"name": "R", "version": "3.6.0"}
    apply_outputs(other, None, [1], error="the kernel died")
    assert other.metadata["language_info"] == {"name": "R", "version": "3.6.0"}
    python = notebook()
    apply_outputs(python, dataclasses.replace(ran, language_info=None), [], error="")
    assert python.metadata["language_info"] == LANGUAGE_INFO


def test_cells_after_a_crash_say_they_did_not_run() -> None:
    nb = notebook()
    apply_outputs(nb, None, [1, 4], error="the sandbox was killed")
    for index in (1, 4):
        [output] = nb.cells[index].outputs
        assert output["evalue"] == "this cell did not run (the sandbox was killed)"
