from __future__ import annotations

from pathlib import Path

import pytest

from competency.errors import TableError
from competency.hr.staff import NHS_ETHNIC_CATEGORIES, load_staff, scan_staff


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_staff_keeps_every_column_as_text(tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,role,team,ethnic_category,username\n"
                           "007,Nurse,North,99,ana\n8,Manager,South,,\n")
    staff = load_staff(path)
    assert len(staff) == 2
    assert staff.path == path
    assert staff.table.column("staff_id").to_pylist() == ["007", "8"]
    assert staff.table.column("ethnic_category").to_pylist() == ["99", ""]
    assert len(NHS_ETHNIC_CATEGORIES) == 18


@pytest.mark.parametrize(("text", "message"), [
    ("staff_id,role,team\n1,a,b\n,c,d\n", "row 3: empty staff_id (empty)"),
    ("staff_id,role,team\n1,a,b\n2,a,b\n1,c,d\n", "row 4: duplicate staff_id (first on row 2) (1)"),
    ("staff_id,role,team,ethnic_category\n1,a,b,A\n2,a,b,W\n",
     "row 3: unknown ethnic_category; use the NHS codes A-S, Z or 99 (W)"),
    ("staff_id,role\n1,a\n", "row 1: missing column (team)"),
])
def test_staff_errors_name_the_row_and_value(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TableError) as info:
        load_staff(path)
    assert str(info.value) == f"{path}, {message}"


def test_the_earliest_bad_row_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,role,team,ethnic_category\n1,a,b,X\n,a,b,A\n")
    with pytest.raises(TableError, match=r"row 2: unknown ethnic_category.*\(X\)"):
        load_staff(path)


def test_every_duplicate_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("staff_id,role,team\na,R,T\nb,R,T\na,R,T\nb,R,T\na,R,T\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_staff(path)
    assert str(caught.value) == (f"{path}, row 4: duplicate staff_id (first on row 2) (a) (and "
                                 "2 more rows with problems; --all-errors lists them)")
    assert [line.split(": ")[0] for line in caught.value.lines()] == [
        f"{path}, row {n}" for n in (4, 5, 6)]


def test_scan_staff_reads_a_clean_file_in_one_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,role,team,ethnic_category\nb,Nurse ,N,A\na,Porter,S,\n")
    columns = scan_staff(path)
    assert columns is not None
    assert columns.ids.to_pylist() == ["b", "a"]
    assert columns.roles.to_pylist() == ["Nurse", "Porter"]
    assert columns.order.to_pylist() == [1, 0]


@pytest.mark.parametrize("text", [
    "staff_id,role,team\n1,a,b\n,c,d\n",           # empty staff_id
    "staff_id,role,team\n 1,a,b\n",                 # staff_id to trim
    "staff_id,role,team\n1,a,b\n1,c,d\n",          # duplicate
    "staff_id,role,team,ethnic_category\n1,a,b,W\n",  # unknown category
    "staff_id,role,team\n1,a,b\n\n2,a,b\n",        # blank line
    "staff_id,role,team\n1,a,b,c\n",                # ragged
    "staff_id,role\n1,a\n",                         # missing column
])
def test_scan_staff_leaves_anything_else_to_load_staff(tmp_path: Path, text: str) -> None:
    assert scan_staff(write(tmp_path, text)) is None
