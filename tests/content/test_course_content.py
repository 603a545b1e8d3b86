"""What every module must have (issue: the course), checked on the committed sources."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from competency.course.coursemap import course_map
from competency.framework.model import Framework
from conftest import COURSE

MODULES = sorted(p for p in (COURSE / "source").iterdir() if p.is_dir())


def cells(module: Path) -> list[dict[str, Any]]:
    notebook = next(module.glob("*.ipynb"))
    data: dict[str, Any] = json.loads(notebook.read_text(encoding="utf-8"))
    return list(data["cells"])


def text(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = cell.get("metadata", {}).get("nbgrader", {})
    return meta


def test_there_are_seven_modules() -> None:
    assert [m.name[:2] for m in MODULES] == ["01", "02", "03", "04", "05", "06", "07"]


def test_every_competency_carries_at_least_three_points(framework: Framework) -> None:
    totals = course_map(COURSE, framework).totals()
    assert {cid: totals.get(cid, 0.0) for cid in framework.ids if totals.get(cid, 0.0) < 3} == {}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_shape(module: Path) -> None:
    all_cells = cells(module)
    tests = [c for c in all_cells if nbgrader(c).get("grade") and c["cell_type"] == "code"]
    manual = [c for c in all_cells if nbgrader(c).get("grade") and nbgrader(c).get("solution")]
    assert sum(float(nbgrader(c)["points"]) for c in tests) >= 8
    assert manual, "at least one manually graded answer"
    for cell in tests:
        source = text(cell)
        assert re.search(r'check\("q\w+"\)', source), nbgrader(cell)["grade_id"]
        assert "### BEGIN HIDDEN TESTS" in source, nbgrader(cell)["grade_id"]
        tags = cell["metadata"].get("tags", [])
        assert any(t.startswith("competency:") for t in tags)
        assert any(t.startswith("level:") for t in tags)
    for cell in manual:
        assert "Mark scheme" in text(cell), "a mark scheme inside the solution region"
    assert any("practice(" in text(c) for c in all_cells if c["cell_type"] == "code")
    markdown = "\n".join(text(c) for c in all_cells if c["cell_type"] == "markdown")
    sources = markdown.split("Sources", 1)
    assert len(sources) == 2, "a Sources section"
    assert "https://" in sources[1]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_question_bank_has_no_graded_answers(module: Path) -> None:
    bank = yaml.safe_load((module / "questions.yaml").read_text(encoding="utf-8"))
    for qid, spec in bank.items():
        if qid == "practice":
            continue
        assert "answer" not in spec, qid
        assert "solution" not in spec, qid
