"""One table reader: CSV/XLSX, UTF-8, row numbers with the header as row 1; the fast
Arrow reader gives the same rows, row numbers and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from competency.arrowtables import read_text_table
from competency.errors import TableError
from competency.tables import read_table

HEADER = "staff_id,role,team\n"


def write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def both(path: Path, required: tuple[str, ...] = ("staff_id", "role", "team")
         ) -> tuple[list[tuple[int, list[str]]], list[tuple[int, list[str]]]]:
    frame = read_table(path, required)
    slow = [(int(i), [str(v) for v in row]) for i, row in zip(frame.index, frame.values,
                                                              strict=True)]
    text = read_text_table(path, required)
    rows = text.table.to_pylist()
    fast = [(text.row(i), list(r.values())) for i, r in enumerate(rows)]
    return slow, fast


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_are_numbered_from_the_header(tmp_path: Path, suffix: str) -> None:
    import pandas as pd

    path = tmp_path / f"staff{suffix}"
    if suffix == ".csv":
        write(path, "\ufeff" + HEADER + " s1 , Nurse ,A\n,,\ns2,Porter,B\n")
    else:
        pd.DataFrame({"staff_id": ["s1", "", "s2"], "role": ["Nurse", "", "Porter"],
                      "team": ["A", "", "B"]}).to_excel(path, index=False)
    slow, fast = both(path)
    assert slow == fast == [(2, ["s1", "Nurse", "A"]), (4, ["s2", "Porter", "B"])]


def test_blank_lines_are_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "staff.csv", HEADER + "s1,Nurse,A\n\n\ns2,Porter,B\n")
    slow, fast = both(path)
    assert slow == fast == [(2, ["s1", "Nurse", "A"]), (5, ["s2", "Porter", "B"])]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("staff.csv", "", r"staff\.csv, row 1: empty file$"),
    ("staff.csv", "\n\n", r"staff\.csv, row 1: empty file$"),
    ("staff.csv", "staff_id,team\ns1,A\n", r"staff\.csv, row 1: missing column \(role\)$"),
    ("staff.csv", HEADER.encode() + b"s1,Nurse,A\ns2,Caf\xe9,B\n",
     r"staff\.csv, row 3: not UTF-8 text; save the file as CSV UTF-8 \(byte 0xe9\)$"),
    ("staff.txt", HEADER, r"staff\.txt: unsupported table format; use \.csv or \.xlsx "
                          r"\(\.txt\)$"),
    ("staff.xlsx", "not a workbook", r"staff\.xlsx: cannot read as XLSX: "),
])
def test_both_readers_fail_alike(tmp_path: Path, name: str, data: str | bytes,
                                 message: str) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(TableError, match=message) as slow:
        read_table(path, ("staff_id", "role", "team"))
    with pytest.raises(TableError) as fast:
        read_text_table(path, ("staff_id", "role", "team"))
    assert str(fast.value) == str(slow.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    with pytest.raises(TableError, match=r"none\.csv: file not found$"):
        read_table(path, ())
    with pytest.raises(TableError, match=r"none\.csv: file not found$"):
        read_text_table(path, ())


def test_staff_errors_name_the_file_row(tmp_path: Path) -> None:
    from competency.hr.staff import load_staff

    path = write(tmp_path / "staff.csv", HEADER + "s1,Nurse,A\n\n,,\ns1,Porter,B\n")
    with pytest.raises(TableError, match=r"staff\.csv, row 5: duplicate staff_id "
                                         r"\(first on row 2\) \(s1\)$"):
        load_staff(path)
    path = write(tmp_path / "staff.csv", HEADER + "s1,Nurse,A\n\n,Porter,B\n")
    with pytest.raises(TableError, match=r"staff\.csv, row 4: empty staff_id \(empty\)$"):
        load_staff(path)


@pytest.mark.parametrize("body", [
    "s1,Nurse\ns2,Porter,B\n",  # a short row: its missing cells are empty
    's1,"Nurse\nin charge",A\ns2,Porter,B\n',  # a quoted line break
])
def test_what_arrow_cannot_parse_is_read_like_read_table(tmp_path: Path, body: str) -> None:
    path = write(tmp_path / "staff.csv", HEADER + body)
    slow, fast = both(path)
    assert slow == fast


def test_ragged_rows_fail_alike(tmp_path: Path) -> None:
    path = write(tmp_path / "staff.csv", HEADER + "s1,Nurse,A\ns2,Porter,B,extra,more\n")
    with pytest.raises(TableError, match=r"staff\.csv: malformed CSV: ") as slow:
        read_table(path, ())
    with pytest.raises(TableError) as fast:
        read_text_table(path, ())
    assert str(fast.value) == str(slow.value)
