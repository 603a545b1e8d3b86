"""The training catalogue: course modules and external courses, with what they cover."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.errors import TableError
from competency.framework.model import Framework
from competency.training.catalogue import (
    MODULE_PROVIDER,
    Catalogue,
    Training,
    load_catalogue,
    parse_pairs,
    render_catalogue,
)
from conftest import make_cell

CATALOGUE_HEADER = "course_id,title,provider,competencies,levels,delivery\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("comps", "levels", "expected"), [
    ("LAW-1;CUL-1", "2", (("LAW-1", 2), ("CUL-1", 2))),
    ("LAW-1; CUL-1", "2;1", (("LAW-1", 2), ("CUL-1", 1))),
    ("", "", ()),
])
def test_parse_pairs(framework: Framework, comps: str, levels: str,
                     expected: tuple[tuple[str, int], ...]) -> None:
    assert parse_pairs(comps, levels, framework) == expected


@pytest.mark.parametrize(("comps", "levels", "message"), [
    ("LAW-9", "1", "unknown competency (LAW-9)"),
    ("LAW-1", "5", "unknown level (5)"),
    ("LAW-1;CUL-1;EIA-1", "1;2", "give one level, or one per competency (LAW-1;CUL-1;EIA-1 / "
                                 "1;2)"),
    ("LAW-1", "", "give one level, or one per competency (LAW-1 / )"),
])
def test_parse_pairs_problems(framework: Framework, comps: str, levels: str,
                              message: str) -> None:
    with pytest.raises(ValueError, match=r"^" + message.replace("(", r"\(").replace(")", r"\)")
                       + "$"):
        parse_pairs(comps, levels, framework)


def test_catalogue_joins_course_modules_and_external_courses(
        framework: Framework, write_course: Callable[[dict[str, list[Any]]], Path],
        tmp_path: Path) -> None:
    course = write_course({"01-law": [
        make_cell("# Module 1: The law\n\nText.", kind="markdown"),
        make_cell("assert True", grade=True, points=2, tags=["competency:LAW-1", "level:2"]),
        make_cell("assert True", grade=True, points=1, tags=["competency:LAW-2"])]})
    path = write(tmp_path / "catalogue.csv", CATALOGUE_HEADER
                 + "ext-1,Interpreters,Languages Service,CUL-2;DATA-1,2;1,face to face\n")
    catalogue = load_catalogue(path, framework, course)
    assert catalogue.courses == (
        Training("01-law", "Module 1: The law", "Cultural Capability Toolkit course",
                 (("LAW-1", 2), ("LAW-2", 1)), "module", "Jupyter notebook (nbgrader)"),
        Training("ext-1", "Interpreters", "Languages Service", (("CUL-2", 2), ("DATA-1", 1)),
                 "external", "face to face"))


@pytest.mark.parametrize(("rows", "message"), [
    ("a,A,p,LAW-1,1,\na,B,p,LAW-1,1,\n", r"row 3: duplicate course_id \(first in row 2\) \(a\)"),
    ("a,A,p,LAW-7,1,\n", r"row 2: unknown competency \(LAW-7\)"),
    ("a,A,p,LAW-1;CUL-1,1;2;3,\n", r"row 2: give one level, or one per competency"),
    (",A,p,LAW-1,1,\n", r"row 2: empty course_id"),
])
def test_catalogue_problems(framework: Framework, tmp_path: Path, rows: str,
                            message: str) -> None:
    path = write(tmp_path / "catalogue.csv", CATALOGUE_HEADER + rows)
    with pytest.raises(TableError, match=r"catalogue\.csv, " + message):
        load_catalogue(path, framework)


def test_an_empty_title_names_the_course(framework: Framework, tmp_path: Path) -> None:
    path = write(tmp_path / "catalogue.csv", CATALOGUE_HEADER + "ext-9,,p,LAW-1,1,\n")
    with pytest.raises(TableError) as info:
        load_catalogue(path, framework)
    assert str(info.value) == f"{path}, row 2: empty title (ext-9)"


def test_a_catalogue_finds_and_renders_its_entries() -> None:
    catalogue = Catalogue((
        Training("01-law", "Module 1: The law", MODULE_PROVIDER, (("LAW-1", 2),), "module"),
        Training("ext-1", "Interpreters", "Languages Service", (), "external", "e-learning")))
    assert len(catalogue) == 2
    assert [c.course_id for c in catalogue] == ["01-law", "ext-1"]
    assert catalogue.get("ext-1") is catalogue.courses[1]
    assert catalogue.get("nope") is None
    assert render_catalogue(catalogue).splitlines() == [
        f"{'01-law':<28} module   Module 1: The law ({MODULE_PROVIDER}): LAW-1 2",
        f"{'ext-1':<28} external Interpreters (Languages Service): -"]


def test_no_catalogue_file_and_no_course_is_an_empty_catalogue(framework: Framework) -> None:
    assert len(load_catalogue(None, framework)) == 0


def test_every_bad_catalogue_row_is_counted(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CATALOGUE_HEADER + ",T,P,LAW-1,1,\nx,,P,LAW-1,1,\ny,T,P,LAW-1,9,\n",
                    encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_catalogue(path, framework)
    assert str(caught.value) == (f"{path}, row 2: empty course_id (and 2 more rows with "
                                 "problems; --all-errors lists them)")
    assert len(caught.value.lines()) == 3
