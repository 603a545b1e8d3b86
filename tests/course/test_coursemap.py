from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.course.coursemap import course_map
from competency.errors import CourseError
from competency.framework.model import Framework
from conftest import COURSE, make_cell

WriteCourse = Callable[[dict[str, list[Any]]], Path]


def test_points_are_summed_per_module_and_competency(write_course: WriteCourse,
                                                     framework: Framework) -> None:
    root = write_course({
        "01-a": [
            make_cell("x = 1", solution=True, grade_id="a1", tags=["competency:LAW-1"]),
            make_cell("assert x", grade=True, points=2, grade_id="t1",
                      tags=["competency:LAW-1", "level:2"]),
            make_cell("assert x", grade=True, points=1.5, grade_id="t2",
                      tags=["competency:LAW-1", "competency:LAW-2"]),
            make_cell("answer", kind="markdown", grade=True, solution=True, points=4,
                      grade_id="m1", tags=["competency:LAW-2", "level:3"]),
        ],
        "02-b": [make_cell("print(1)")],
    })
    result = course_map(root, framework)
    assert result.points == {"01-a": {"LAW-1": 3.5, "LAW-2": 5.5}, "02-b": {}}
    assert result.levels == {"01-a": {"LAW-1": 2, "LAW-2": 3}, "02-b": {}}
    assert json.loads(result.to_json()) == result.points
    assert result.warnings == []
    assert result.totals() == {"LAW-1": 3.5, "LAW-2": 5.5}


def test_untagged_graded_cell_is_a_warning(write_course: WriteCourse,
                                           framework: Framework) -> None:
    root = write_course({"m": [make_cell("assert 1", grade=True, points=1, grade_id="t9")]})
    result = course_map(root, framework)
    assert result.points == {"m": {}}
    assert len(result.warnings) == 1
    assert "m.ipynb, cell 0 (t9): graded cell has no competency tag" in result.warnings[0]


def test_unknown_competency_names_notebook_and_cell(write_course: WriteCourse,
                                                    framework: Framework) -> None:
    root = write_course({"m": [make_cell("a"),
                               make_cell("assert 1", grade=True, points=1, grade_id="t3",
                                         tags=["competency:LAW-9"])]})
    with pytest.raises(CourseError,
                       match=r"m\.ipynb, cell 1 \(t3\): unknown competency in tag "
                             r"\(competency:LAW-9\)$"):
        course_map(root, framework)


def test_unknown_level_is_an_error(write_course: WriteCourse, framework: Framework) -> None:
    root = write_course({"m": [make_cell("assert 1", grade=True, points=1, grade_id="t",
                                         tags=["competency:LAW-1", "level:7"])]})
    with pytest.raises(CourseError, match=r"unknown level in tag \(level:7\)"):
        course_map(root, framework)


def test_broken_notebook_json(tmp_path: Path, framework: Framework) -> None:
    folder = tmp_path / "c" / "source" / "m"
    folder.mkdir(parents=True)
    (folder / "m.ipynb").write_text('{"cells": [\n  {oops}', encoding="utf-8")
    with pytest.raises(CourseError, match=r"m\.ipynb, line 2: not valid notebook JSON"):
        course_map(tmp_path / "c", framework)


def test_not_a_course(tmp_path: Path, framework: Framework) -> None:
    with pytest.raises(CourseError, match="no source/ folder"):
        course_map(tmp_path, framework)


def test_committed_course_map_covers_module_one(framework: Framework) -> None:
    result = course_map(COURSE, framework)
    assert result.warnings == []
    module = result.points["01-equality-law"]
    assert module.get("LAW-1", 0) >= 4
    assert module.get("LAW-2", 0) >= 4
    assert sum(module.values()) >= 10
