from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from competency.arrowtables import (
    TextTable,
    first_bad,
    parse_dates,
    read_csv_columns,
    read_text_table,
)
from competency.errors import TableError


def test_read_text_table_reads_every_column_as_stripped_text(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("staff_id,date\n 007 ,2024-01-05\n12,\n", encoding="utf-8")
    text = read_text_table(path, ["staff_id"])
    table = text.table
    assert table.column_names == ["staff_id", "date"]
    assert table.schema.field("staff_id").type == pa.string()
    assert table.to_pydict() == {"staff_id": ["007", "12"], "date": ["2024-01-05", ""]}
    assert [text.row(i) for i in range(table.num_rows)] == [2, 3]


def test_read_text_table_missing_column_names_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("staff_id\n1\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        read_text_table(path, ["staff_id", "competency", "date"])
    assert str(info.value) == f"{path}, row 1: missing column (competency, date)"


def test_read_text_table_locates_a_bad_byte(tmp_path: Path) -> None:
    rows = b"".join(b"%d,name\n" % i for i in range(2000))  # beyond the header read
    path = tmp_path / "evidence.csv"
    path.write_bytes(b"staff_id,name\n" + rows + b"x,\xe9\n")
    with pytest.raises(TableError, match=r", row 2002: not UTF-8 text.*\(byte 0xe9\)"):
        read_text_table(path, ["staff_id"])


def test_read_text_table_locates_a_bad_byte_near_the_top(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_bytes(b"staff_id,name\n1,a\n2,b\n3,\xe9\n")
    with pytest.raises(TableError) as info:
        read_text_table(path, ["staff_id"])
    assert str(info.value).endswith(", row 4: not UTF-8 text; save the file as CSV UTF-8 "
                                    "(byte 0xe9)")


def test_read_text_table_refuses_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="file not found"):
        read_text_table(tmp_path / "absent.csv", [])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(TableError, match=r"empty\.csv, row 1: empty file"):
        read_text_table(empty, [])


def test_parse_dates_marks_loose_and_impossible_dates_bad() -> None:
    values = pa.array(["2024-01-05", "2024-1-5", "2023-02-30", "", "2020-02-29"])
    dates, bad = parse_dates(values)
    assert bad.to_pylist() == [False, True, True, True, False]
    assert dates[0].as_py() == datetime.date(2024, 1, 5)
    assert dates[4].as_py() == datetime.date(2020, 2, 29)
    assert first_bad(bad) == 1
    assert first_bad(pa.array([False, False])) is None


def test_report_first_raises_for_the_earliest_bad_row() -> None:
    ids = pa.array(["1", "", "3", "4"])
    dates = pa.array(["2024-01-01", "2024-01-02", "soon", "2024-13-01"])
    _, bad_dates = parse_dates(dates)
    checks = [(bad_dates, "not a date (YYYY-MM-DD)", dates),
              (pa.array([v == "" for v in ids.to_pylist()]), "missing staff_id", ids)]
    table = TextTable(Path("evidence.csv"), pa.table({"staff_id": ids, "achieved_on": dates}))
    with pytest.raises(TableError) as info:
        table.report_first(checks)
    # data row 1 (from 0) is file row 3; an empty value is shown as "empty"
    assert str(info.value) == ("evidence.csv, row 3: missing staff_id (empty) (and 2 more rows "
                               "with problems; --all-errors lists them)")
    assert info.value.lines() == ["evidence.csv, row 3: missing staff_id (empty)",
                                  "evidence.csv, row 4: not a date (YYYY-MM-DD) (soon)",
                                  "evidence.csv, row 5: not a date (YYYY-MM-DD) (2024-13-01)"]
    table.report_first([(pa.array([False] * 4), "never", ids)])  # nothing bad: no error


def test_report_first_counts_a_million_bad_rows_quickly() -> None:
    import time

    ids = pa.array([""] * 1_000_000)
    table = TextTable(Path("staff.csv"), pa.table({"staff_id": ids}))
    started = time.perf_counter()
    with pytest.raises(TableError) as info:
        table.report_first([(pc.equal(ids, ""), "empty staff_id", ids)])
    assert str(info.value).endswith("(and 999999 more rows with problems; --all-errors lists "
                                    "them)")
    assert info.value.lines()[-1] == "staff.csv, row 1000001: empty staff_id (empty)"
    assert time.perf_counter() - started < 30  # generous on a shared machine


def test_read_csv_columns_types_each_column_or_declines(tmp_path: Path) -> None:
    text = pa.dictionary(pa.int32(), pa.string())
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n x ,1\ny,1\n")
    table = read_csv_columns(path, ["a"], lambda name: text if name == "b" else pa.string())
    assert table is not None
    assert table.column("a").to_pylist() == [" x ", "y"]  # not trimmed: the caller checks
    assert table.column("b").chunk(0).dictionary.to_pylist() == ["1"]
    for name, data in [("bytes.csv", b"a,b\nx,\xff\n"), ("ragged.csv", b"a,b\nx,1,2\n"),
                       ("twice.csv", b"a,a\nx,1\n"), ("empty.csv", b""),
                       ("blank-first.csv", b"\na,b\nx,1\n"), ("missing.csv", b"b\n1\n")]:
        (tmp_path / name).write_bytes(data)
        assert read_csv_columns(tmp_path / name, ["a"], lambda _: text) is None, name
    assert read_csv_columns(tmp_path / "t.xlsx", ["a"], lambda _: text) is None
