"""End to end with nbgrader's own commands, as a trainer would, in a copy of the course.

For every module: generate_assignment -> the release holds no solutions, hidden
tests or mark schemes -> a full-solution submission earns every autograded
point and a blank copy earns none under ``nbgrader autograde``; nbgrader's
Validate passes on the full solution.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COURSE, wait

pytestmark = pytest.mark.nbgrader

MODULES = sorted(p.name for p in (COURSE / "source").iterdir()
                 if p.is_dir() and any(p.glob("*.ipynb")))
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # nbgrader runs `alembic` by name: put this environment's bin first on PATH
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PATH=path)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=wait(600), check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done


def solution_lines(source: str) -> list[str]:
    inside, out = False, []
    for line in source.splitlines():
        if BEGIN_SOLUTION in line:
            inside = True
        elif END_SOLUTION in line:
            inside = False
        elif inside and len(line.strip()) > 3:
            out.append(line.strip())
    return out


@pytest.fixture(scope="module", params=MODULES)
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[str, Path]:
    module: str = request.param
    course = tmp_path_factory.mktemp(f"course-{module}")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / module, course / "source" / module,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    nbgrader(course, "generate_assignment", module, "--force")
    release = course / "release" / module
    for student, origin in (("full", course / "source" / module), ("blank", release)):
        target = course / "submitted" / student / module
        shutil.copytree(origin, target)
        (target / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
    nbgrader(course, "autograde", module, "--force")
    return module, course


def test_release_has_no_solutions_hidden_tests_or_mark_schemes(graded: tuple[str, Path]
                                                               ) -> None:
    module, course = graded
    for source_nb in sorted((course / "source" / module).glob("*.ipynb")):
        release_text = (course / "release" / module / source_nb.name).read_text("utf-8")
        for marker in (BEGIN_SOLUTION, "BEGIN HIDDEN TESTS", "Mark scheme", "mark scheme"):
            assert marker not in release_text, marker
        release = json.loads(release_text)
        source = json.loads(source_nb.read_text("utf-8"))
        assert len(release["cells"]) == len(source["cells"])
        for src_cell, rel_cell in zip(source["cells"], release["cells"], strict=True):
            rel_source = "".join(rel_cell["source"])
            for line in solution_lines("".join(src_cell["source"])):
                assert line not in rel_source, f"solution leaked: {line}"


def scores(course: Path, module: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("full", "blank"):
            sub = gb.find_submission(module, student)
            out[student] = (float(sub.code_score), float(sub.max_code_score))
    return out


def test_full_solution_earns_every_autograded_point(graded: tuple[str, Path]) -> None:
    module, course = graded
    score, maximum = scores(course, module)["full"]
    assert maximum >= 8
    assert score == maximum


def test_blank_copy_earns_nothing(graded: tuple[str, Path]) -> None:
    module, course = graded
    score, maximum = scores(course, module)["blank"]
    assert maximum >= 8
    assert score == 0


def test_validate_passes_on_the_full_solution(graded: tuple[str, Path]) -> None:
    module, course = graded
    for notebook in sorted((course / "submitted" / "full" / module).glob("*.ipynb")):
        done = nbgrader(course, "validate", str(notebook))
        assert "Success! Your notebook passes all the tests." in done.stdout
