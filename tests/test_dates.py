"""One date parser: strict ISO, spreadsheet cells, spelled formats, calendar arithmetic;
the vectorised (Arrow) path accepts exactly what the Python path accepts."""

from __future__ import annotations

import datetime as dt

import pytest

from competency.arrowtables import parse_dates
from competency.dates import (
    add_months,
    add_years,
    date_format,
    parse_cell,
    parse_date,
    parse_iso,
)
from competency.errors import CompetencyError, DateError

TRICKY = [
    "2024-02-29", "2023-02-29", "2024-2-1", " 2024-01-01", "2024-01-01 ", "2024-01-01T00:00",
    "20240101", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2024-00-10",
    "2024-04-31", "2024-01-00", "+2024-01-01", "-2024-01-01", "2024/01/01", "",
    "２０２４-01-01", "2024-01-01\n", "2024-W01-1", "2024-01-01 00:00:00",
    "2024-01-01T00:00:00", "2024-01-01 12:00:00", "2023-02-29 00:00:00", "24-01-01",
]
GOOD_ISO = {"2024-02-29": dt.date(2024, 2, 29), "0001-01-01": dt.date(1, 1, 1),
            "9999-12-31": dt.date(9999, 12, 31)}
GOOD_CELLS = {**GOOD_ISO, "2024-01-01 00:00:00": dt.date(2024, 1, 1),
              "2024-01-01T00:00:00": dt.date(2024, 1, 1)}


@pytest.mark.parametrize("text", TRICKY)
def test_strict_iso(text: str) -> None:
    assert parse_iso(text) == GOOD_ISO.get(text)


@pytest.mark.parametrize("text", TRICKY)
def test_table_cells(text: str) -> None:
    assert parse_cell(text) == GOOD_CELLS.get(text)


def test_arrow_path_accepts_and_rejects_the_same_strings() -> None:
    import pyarrow as pa

    values = pa.chunked_array([pa.array(TRICKY[:10]), pa.array(TRICKY[10:])])
    dates, bad = parse_dates(values)
    assert dates.to_pylist() == [GOOD_CELLS.get(t) for t in TRICKY]
    assert bad.to_pylist() == [GOOD_CELLS.get(t) is None for t in TRICKY]


@pytest.mark.parametrize("text", sorted(GOOD_ISO))
def test_arrow_fast_path_for_clean_columns(text: str) -> None:
    import pyarrow as pa

    dates, bad = parse_dates(pa.chunked_array([pa.array([text, "2020-06-01"])]))
    assert dates.to_pylist() == [GOOD_ISO[text], dt.date(2020, 6, 1)]
    assert bad.to_pylist() == [False, False]


@pytest.mark.parametrize("text", ["0000-01-01", "2023-02-29"])
def test_arrow_fast_path_refuses_what_python_refuses(text: str) -> None:
    import pyarrow as pa

    dates, bad = parse_dates(pa.chunked_array([pa.array(["2020-06-01", text])]))
    assert dates.to_pylist() == [dt.date(2020, 6, 1), None]
    assert bad.to_pylist() == [False, True]


def test_arrow_path_with_a_spelled_format() -> None:
    import pyarrow as pa

    values = pa.chunked_array([pa.array(["05/01/2024", "2024-01-05", "2024-01-05 00:00:00",
                                         "31/02/2024"])])
    dates, bad = parse_dates(values, "%d/%m/%Y")
    assert dates.to_pylist() == [dt.date(2024, 1, 5), None, dt.date(2024, 1, 5), None]
    assert bad.to_pylist() == [False, True, False, True]


def test_parse_date_names_where_and_the_value() -> None:
    assert parse_date("2024-02-29", "x") == dt.date(2024, 2, 29)
    with pytest.raises(DateError) as info:
        parse_date("2024-2-29", "reviews.csv, row 3, reviewed_on")
    assert str(info.value) == ("reviews.csv, row 3, reviewed_on: malformed date; "
                               "use YYYY-MM-DD (2024-2-29)")
    assert isinstance(info.value, CompetencyError)
    assert isinstance(info.value, ValueError)
    with pytest.raises(DateError, match=r"^--as-of: malformed date; use YYYY-MM-DD \(empty\)$"):
        parse_date("", "--as-of")


@pytest.mark.parametrize(("spelling", "text", "expected"), [
    (None, "2024-01-05", dt.date(2024, 1, 5)),
    ("dd/mm/yyyy", "05/01/2024", dt.date(2024, 1, 5)),
    ("DD.MM.YY", "05.01.24", dt.date(2024, 1, 5)),
    ("%d %b %Y", "05 Jan 2024", dt.date(2024, 1, 5)),
    ("dd/mm/yyyy", "2024-01-05", None),  # the spelling given is the one accepted
    ("dd/mm/yyyy", "2024-01-05 00:00:00", dt.date(2024, 1, 5)),  # a spreadsheet date cell
    ("dd/mm/yyyy", "31/02/2024", None),
])
def test_spelled_formats(spelling: str | None, text: str, expected: dt.date | None) -> None:
    assert parse_cell(text, date_format(spelling)) == expected


@pytest.mark.parametrize(("day", "months", "expected"), [
    ("2025-01-31", 12, "2026-01-31"), ("2024-02-29", 12, "2025-02-28"),
    ("2025-01-31", 1, "2025-02-28"), ("2024-01-31", 1, "2024-02-29"),
    ("2025-12-15", 3, "2026-03-15"), ("2025-03-31", -1, "2025-02-28"),
    ("2025-01-15", -13, "2023-12-15")])
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months).isoformat() == expected


@pytest.mark.parametrize(("day", "years", "expected"), [
    ("2024-02-29", 1, "2025-02-28"), ("2024-02-29", 4, "2028-02-29"),
    ("2023-02-28", 1, "2024-02-28"), ("2025-06-30", 3, "2028-06-30")])
def test_add_years_29_february(day: str, years: int, expected: str) -> None:
    assert add_years(dt.date.fromisoformat(day), years).isoformat() == expected


def test_add_years_agrees_with_the_coverage_sql() -> None:
    import duckdb

    days = [dt.date(2024, 2, 29), dt.date(2023, 3, 1), dt.date(2020, 12, 31)]
    con = duckdb.connect()
    try:
        for day in days:
            for years in (1, 3, 4):
                rows = con.execute(f"SELECT CAST(DATE '{day}' + to_years({years}) AS DATE)"
                                   ).fetchall()
                assert rows == [(add_years(day, years),)]
    finally:
        con.close()


def _variants(base: str = "2024-02-29") -> list[str]:
    chars = "0123456789-+ T:Z/.a\u0660\u00b2"
    out = {base[:i] + c + base[i + 1:] for i in range(len(base)) for c in chars}
    out |= {base[:i] + base[i + 1:] for i in range(len(base))}
    out |= {"0000-01-01", "0000-02-29", "0001-01-01", "9999-12-31", "10000-01-01"}
    return sorted(out)


def test_arrow_fast_path_is_exact_on_one_character_variants() -> None:
    import pyarrow as pa

    for text in _variants():
        dates, bad = parse_dates(pa.chunked_array([pa.array([text])]))
        assert (text, dates.to_pylist()) == (text, [parse_iso(text)])
        assert bad.to_pylist() == [parse_iso(text) is None]
