"""The course map: which module gives evidence for which competency, and how much.

Every point-carrying cell of a source notebook (an nbgrader autograder test
cell or a manually graded answer: ``metadata.nbgrader.grade`` is true)
carries a cell tag ``competency:<ID>`` and optionally ``level:<n>``. A module
is a folder under ``COURSE/source``; its points for a competency are the sum
over its point-carrying cells tagged with that competency (a cell tagged with
two competencies counts for each); its level for a competency is the highest
``level:`` tag on those cells (1 when none is given).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from competency.errors import CourseError
from competency.framework.model import Framework, load_framework

COMPETENCY_TAG = "competency:"
LEVEL_TAG = "level:"
DEFAULT_COURSE_DIR = Path("course")
DEFAULT_LEVEL = 1


@dataclass(frozen=True)
class GradedCell:
    """One point-carrying cell of a source notebook."""

    module: str
    """Folder name under ``source/``."""
    notebook: str
    """Notebook file name (without folder)."""
    index: int
    """Position of the cell in the notebook, from 0."""
    grade_id: str
    """nbgrader's cell ID."""
    points: float
    """Points the cell carries."""
    competencies: tuple[str, ...]
    """Competency IDs from its ``competency:`` tags."""
    level: int | None
    """Level from its ``level:`` tag, if any."""


@dataclass
class CourseMap:
    """Points and levels per module and competency, plus warnings found on the way."""

    points: dict[str, dict[str, float]] = field(default_factory=dict)
    """``{module: {competency: points}}``."""
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    """``{module: {competency: level}}``."""
    cells: list[GradedCell] = field(default_factory=list)
    """Every point-carrying cell, in module and notebook order."""
    warnings: list[str] = field(default_factory=list)
    """Problems that do not stop the map (a graded cell without a competency tag)."""

    def to_json(self) -> str:
        """The contract's JSON: ``{module: {competency: points}}``."""
        return json.dumps(self.points, indent=2)

    def totals(self) -> dict[str, float]:
        """Points per competency across the whole course."""
        out: dict[str, float] = {}
        for per_module in self.points.values():
            for cid, pts in per_module.items():
                out[cid] = out.get(cid, 0.0) + pts
        return out


def _tags(cell: dict[str, Any]) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [str(t).strip() for t in tags] if isinstance(tags, list) else []


def iter_notebooks(course_dir: Path) -> Iterator[tuple[str, Path]]:
    """``(module, notebook path)`` for every source notebook, sorted."""
    source = course_dir / "source"
    if not source.is_dir():
        raise CourseError(f"{course_dir}: no source/ folder; is this an nbgrader course "
                          "directory?")
    for module_dir in sorted(p for p in source.iterdir() if p.is_dir()):
        if module_dir.name.startswith("."):
            continue
        for notebook in sorted(module_dir.glob("*.ipynb")):
            if ".ipynb_checkpoints" not in notebook.parts:
                yield module_dir.name, notebook


def _read_notebook(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CourseError(f"{path}, line {exc.lineno}: not valid notebook JSON "
                          f"({exc.msg})") from exc
    except UnicodeDecodeError as exc:
        raise CourseError(f"{path}: not UTF-8 text") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise CourseError(f"{path}: not a notebook (no cells list)")
    return data


def graded_cells(module: str, path: Path, framework: Framework) -> tuple[list[GradedCell],
                                                                          list[str]]:
    """The point-carrying cells of one notebook and the warnings about it."""
    data = _read_notebook(path)
    cells: list[GradedCell] = []
    warnings: list[str] = []
    known_levels = set(framework.level_numbers)
    for index, cell in enumerate(data["cells"]):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = str(nbg.get("grade_id", f"cell {index}"))
        where = f"{path}, cell {index} ({grade_id})"
        competencies: list[str] = []
        level: int | None = None
        for tag in _tags(cell):
            if tag.startswith(COMPETENCY_TAG):
                cid = tag[len(COMPETENCY_TAG):].strip()
                if cid not in framework:
                    raise CourseError(f"{where}: unknown competency in tag ({tag})")
                if cid not in competencies:
                    competencies.append(cid)
            elif tag.startswith(LEVEL_TAG):
                raw = tag[len(LEVEL_TAG):].strip()
                if not raw.isdigit() or int(raw) not in known_levels:
                    raise CourseError(f"{where}: unknown level in tag ({tag})")
                level = max(level or 0, int(raw))
        if not nbg.get("grade"):
            continue
        try:
            points = float(nbg.get("points", 0))
        except (TypeError, ValueError):
            raise CourseError(f"{where}: points are not a number "
                              f"({nbg.get('points')!r})") from None
        if points < 0:
            raise CourseError(f"{where}: negative points ({points})")
        if not competencies:
            warnings.append(f"{where}: graded cell has no competency tag; its "
                            f"{points:g} point(s) count for no competency")
        cells.append(GradedCell(module, path.name, index, grade_id, points,
                                tuple(competencies), level))
    return cells, warnings


def course_map(course_dir: str | Path = DEFAULT_COURSE_DIR,
               framework: Framework | None = None) -> CourseMap:
    """Build the course map from ``COURSE_DIR/source``'s notebooks and their tags."""
    course_dir = Path(course_dir)
    framework = framework or load_framework()
    result = CourseMap()
    for module, path in iter_notebooks(course_dir):
        cells, warnings = graded_cells(module, path, framework)
        result.warnings.extend(warnings)
        result.cells.extend(cells)
        points = result.points.setdefault(module, {})
        levels = result.levels.setdefault(module, {})
        for cell in cells:
            for cid in cell.competencies:
                points[cid] = points.get(cid, 0.0) + cell.points
                levels[cid] = max(levels.get(cid, DEFAULT_LEVEL), cell.level or DEFAULT_LEVEL)
    order = {cid: i for i, cid in enumerate(framework.ids)}
    for module in result.points:
        result.points[module] = dict(sorted(result.points[module].items(),
                                            key=lambda kv: order[kv[0]]))
        result.levels[module] = dict(sorted(result.levels[module].items(),
                                            key=lambda kv: order[kv[0]]))
    return result
