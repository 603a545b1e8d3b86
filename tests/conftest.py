"""Shared fixtures: the default framework, a CLI runner, notebook builders, course copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from competency.cli import main
from competency.framework import Framework, load_framework

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class CliResult:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``competency ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The shipped default framework."""
    return load_framework()


@pytest.fixture
def course_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the committed course's nbgrader folder (source and config only)."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def make_cell(source: str, *, kind: str = "code", tags: list[str] | None = None,
              grade: bool = False, solution: bool = False, points: float | None = None,
              grade_id: str | None = None) -> Any:
    """One notebook cell with nbgrader metadata when it is graded or a solution."""
    cell = (nbformat.v4.new_code_cell(source) if kind == "code"
            else nbformat.v4.new_markdown_cell(source))
    if tags:
        cell.metadata["tags"] = tags
    if grade or solution or grade_id:
        meta: dict[str, Any] = {"grade": grade, "solution": solution, "locked": not solution,
                                "grade_id": grade_id or f"cell-{id(cell)}",
                                "schema_version": 3}
        if points is not None:
            meta["points"] = points
        cell.metadata["nbgrader"] = meta
    return cell


@pytest.fixture
def write_course(tmp_path: Path) -> Callable[[dict[str, list[Any]]], Path]:
    """Write ``{module: [cells]}`` as a course directory with one notebook per module."""

    def write(modules: dict[str, list[Any]]) -> Path:
        root = tmp_path / "course"
        for module, cells in modules.items():
            folder = root / "source" / module
            folder.mkdir(parents=True)
            nb = nbformat.v4.new_notebook(cells=cells)
            nbformat.write(nb, folder / f"{module}.ipynb")
        return root

    return write
