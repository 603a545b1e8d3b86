"""tables.py: CSV/XLSX reading and writing, row numbers, errors; the pandas-free reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from competency.arrowtables import read_text_table
from competency.errors import TableError
from competency.tables import FIRST_DATA_ROW, read_rows, read_table, write_table

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


def test_read_table_gives_stripped_text_indexed_by_file_row(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("\ufeffid , name\n007, Ana \n,\n42,Wiremu\n", encoding="utf-8")
    frame = read_table(path, ["id", "name"])
    assert list(frame.columns) == ["id", "name"]
    # the blank row (file row 3) is dropped; leading zeros are kept as text
    assert frame.to_dict("index") == {2: {"id": "007", "name": "Ana"},
                                      4: {"id": "42", "name": "Wiremu"}}
    assert FIRST_DATA_ROW == 2


@pytest.mark.parametrize(("name", "content", "message"), [
    ("t.csv", b"id,name\n1,a\n", "t.csv, row 1: missing column (team)"),
    ("t.csv", b"  \n", "t.csv, row 1: empty file"),
    ("t.csv", b"id,name,team\n1,a,b\n2,\xff,c\n", "t.csv, row 3: not UTF-8 text; "
              "save the file as CSV UTF-8 (byte 0xff)"),
    ("t.txt", b"id\n", "t.txt: unsupported table format; use .csv or .xlsx (.txt)"),
])
def test_read_table_errors_name_file_row_and_value(
        tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError) as info:
        read_table(path, ["id", "name", "team"])
    assert str(info.value).startswith(f"{tmp_path / message}")


def test_read_table_names_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(TableError, match=r"t\.xlsx: cannot read as XLSX"):
        read_table(path, ["id"])


def test_read_table_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="file not found"):
        read_table(tmp_path / "absent.csv", [])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_table_round_trips(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"id": ["001", "2"], "name": ["Ngaio", "Hēmi"]})
    path = write_table(frame, tmp_path / f"out{suffix}")
    back = read_table(path, ["id", "name"])
    assert back.reset_index(drop=True).equals(frame)
    assert list(tmp_path.iterdir()) == [path]


def test_write_table_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"out\.json: unsupported table format.*\(\.json\)"):
        write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2\n3,4,5\n",                      # a short row is padded with ""
    "a,b,c\n\n1,2,3\n,,\n4,5,6\n",              # blank lines skipped, empty rows dropped
    "a,a,b\n1,2,3\n",                           # repeated columns: a, a.1
    "\n\na,b\n1,2\n",                           # blank lines before the header
    " a , b \n x ,y\n",                         # names and values stripped
    '\ufeffa,b\n"x, y",2\n',                    # BOM and quoted commas
    "a,b,c\n1,2,3\n4,5,6,7\n",                  # too many fields
    'a,b\n"x\ny",2\n3,4,5\n',                   # too many fields after a quoted newline
    "b,c\n1,2\n",                               # missing column
])
def test_read_rows_matches_read_table(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")

    def read(reader: object) -> object:
        try:
            table = reader(path, ["a"])  # type: ignore[operator]
        except TableError as exc:
            return str(exc)
        rows = table.rows if hasattr(table, "rows") else list(table.index)
        columns = table.columns if isinstance(table.columns, dict) else list(table.columns)
        return list(rows), {str(c): list(table[c]) for c in columns}

    assert read(read_rows) == read(read_table)


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
