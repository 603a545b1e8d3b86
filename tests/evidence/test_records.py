"""Evidence import from files (the contract's columns, ESR-style exports) and export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.errors import TableError, UsageError
from competency.evidence.records import (
    EvidenceRecord,
    UncleanEvidence,
    date_format,
    import_evidence_file,
    load_evidence,
    parse_mapping,
    read_evidence_file,
    scan_evidence,
    store_records,
    stored_records,
)
from competency.framework.model import Framework
from competency.store.database import open_store
from conftest import CliResult

Cli = Callable[..., CliResult]
ESR_HEADER = "Assignment Number,Full Name,Competence Name,Achieved Date,Expiry Date\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_columns(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path / "ev.csv", "staff_id,competency,level,achieved_on,source\n"
                 "s1,LAW-1,2,2025-01-10,ext-council-eia\n"
                 "s2,cul-1,Practitioner,2024-02-29,\n")
    assert read_evidence_file(path, framework) == [
        EvidenceRecord("s1", "LAW-1", 2, dt.date(2025, 1, 10), "ext-council-eia"),
        EvidenceRecord("s2", "CUL-1", 2, dt.date(2024, 2, 29), "ev.csv"),
    ]


def test_esr_export_with_a_mapping_and_uk_dates(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path / "esr.csv", ESR_HEADER
                 + "10001234-2,Ann Smith,Equality law in practice,05/01/2024,05/01/2027\n"
                 + "10005678-1,Bo Chen,LAW-2,31/12/2023,\n")
    mapping = parse_mapping(["staff_id=Assignment Number", "competency=Competence Name",
                             "achieved_on=Achieved Date"])
    records = read_evidence_file(path, framework, mapping=mapping, date_spelling="dd/mm/yyyy",
                                 level=1, source="ESR")
    assert records == [
        EvidenceRecord("10001234-2", "LAW-1", 1, dt.date(2024, 1, 5), "ESR"),
        EvidenceRecord("10005678-1", "LAW-2", 1, dt.date(2023, 12, 31), "ESR"),
    ]


def test_xlsx_with_date_cells(tmp_path: Path, framework: Framework) -> None:
    import pandas as pd

    path = tmp_path / "esr.xlsx"
    pd.DataFrame({"staff_id": ["s1"], "competency": ["RACE-1"], "level": [1],
                  "achieved_on": [dt.datetime(2025, 6, 30)], "source": ["REC workshop"]}
                 ).to_excel(path, index=False)
    assert read_evidence_file(path, framework, date_spelling="dd/mm/yyyy") == [
        EvidenceRecord("s1", "RACE-1", 1, dt.date(2025, 6, 30), "REC workshop")]


@pytest.mark.parametrize(("spelling", "expected"), [
    (None, "%Y-%m-%d"), ("dd/mm/yyyy", "%d/%m/%Y"), ("DD.MM.YY", "%d.%m.%y"),
    ("%d %b %Y", "%d %b %Y")])
def test_date_format_spellings(spelling: str | None, expected: str) -> None:
    assert date_format(spelling) == expected


@pytest.mark.parametrize(("text", "options", "message"), [
    ("s1,LAW-9,1,2025-01-10,x\n", {}, r"ev\.csv, row 2: unknown competency \(LAW-9\)$"),
    ("s1,LAW-1,5,2025-01-10,x\n", {}, r"ev\.csv, row 2: unknown level \(5\)$"),
    ("s1,LAW-1,1,10/01/2025,x\n", {}, r"ev\.csv, row 2: malformed date; use YYYY-MM-DD "
                                      r"\(10/01/2025\)$"),
    ("s1,LAW-1,1,2025-1-10,x\n", {}, r"ev\.csv, row 2: malformed date; use YYYY-MM-DD "
                                     r"\(2025-1-10\)$"),
    ("s1,LAW-1,1,2025-01-10,x\n", {"date_spelling": "dd/mm/yyyy"},
     r"ev\.csv, row 2: malformed date; use dd/mm/yyyy \(2025-01-10\)$"),
    (",LAW-1,1,2025-01-10,x\n", {}, r"ev\.csv, row 2: empty staff_id \(empty\)$"),
])
def test_bad_rows_name_file_and_row(tmp_path: Path, framework: Framework, text: str,
                                    options: dict[str, str], message: str) -> None:
    path = write(tmp_path / "ev.csv", "staff_id,competency,level,achieved_on,source\n" + text)
    with pytest.raises(TableError, match=message):
        read_evidence_file(path, framework, **options)  # type: ignore[arg-type]


def test_missing_mapped_column(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path / "esr.csv", ESR_HEADER + "1,A,LAW-1,05/01/2024,\n")
    with pytest.raises(TableError, match=r"esr\.csv, row 1: missing column "
                       r"\(staff_id, level\)$"):
        read_evidence_file(path, framework, mapping={"competency": "Competence Name",
                                                     "achieved_on": "Achieved Date"})


@pytest.mark.parametrize(("items", "message"), [
    (["staff=Assignment Number"], "unknown field (staff); use staff_id, competency, level, "
                                  "achieved_on, source"),
    (["staff_id"], "not FIELD=COLUMN (staff_id)"),
])
def test_bad_mapping(items: list[str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_mapping(items)
    assert str(caught.value) == f"column mapping: {message}"


def test_import_twice_adds_nothing_and_export_feeds_coverage(
        cli: Cli, tmp_path: Path, db_url: str) -> None:
    esr = write(tmp_path / "esr.csv", ESR_HEADER
                + "s1,Ann Smith,LAW-1,05/01/2024,\n" + "s2,Bo Chen,CUL-1,31/12/2023,\n")
    args = ("evidence", "import", esr, "--map", "staff_id=Assignment Number",
            "--map", "competency=Competence Name", "--map", "achieved_on=Achieved Date",
            "--date-format", "dd/mm/yyyy", "--level", "1", "--store", db_url)
    first = cli(*args)
    assert first.code == 0, first.err
    assert first.out.startswith(f"{esr}: added 2, skipped 0 (already in the store) -> ")
    assert cli(*args).out.startswith(f"{esr}: added 0, skipped 2 (already in the store) -> ")
    out = tmp_path / "evidence.csv"
    assert cli("evidence", "export", "--out", out, "--store", db_url).code == 0
    with out.open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["staff_id", "competency", "level", "achieved_on", "source"],
            ["s1", "LAW-1", "1", "2024-01-05", "esr.csv"],
            ["s2", "CUL-1", "1", "2023-12-31", "esr.csv"]]
    roles = write(tmp_path / "roles.csv", "role,competency,level,priority,assessed_by\n"
                  "Nurse,LAW-1,1,essential,training\n")
    staff = write(tmp_path / "staff.csv", "staff_id,role,team\ns1,Nurse,A\ns2,Nurse,A\n")
    coverage = tmp_path / "coverage.csv"
    result = cli("coverage", "--roles", roles, "--staff", staff, "--evidence", out,
                 "--as-of", "2025-01-01", "--out", coverage)
    assert result.code == 0, result.err
    lines = coverage.read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["s1,LAW-1,1,essential,1,2024-01-05,2027-01-05,met",
                         "s2,LAW-1,1,essential,,,,missing"]


def test_import_is_all_or_nothing(tmp_path: Path, framework: Framework, db_url: str) -> None:
    path = write(tmp_path / "ev.csv", "staff_id,competency,level,achieved_on,source\n"
                 "s1,LAW-1,1,2025-01-10,x\ns2,LAW-1,1,2025-02-30,x\n")
    with open_store(db_url) as store:
        with pytest.raises(TableError, match=r"row 3: malformed date"):
            import_evidence_file(store, path, framework)
        assert stored_records(store) == []
        assert store.imports() == []


def test_cli_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "ev.csv", "staff_id,competency,level,achieved_on,source\n"
                 "s1,LAW-1,1,2025-01-10,x\n")
    store = f"sqlite:///{tmp_path / 'competency.db'}"
    result = cli("evidence", "import", path, "--level", "7", "--store", store)
    assert (result.code, result.err) == (
        2, "level for every row: unknown level (7); the framework has 1, 2, 3, 4\n")
    result = cli("evidence", "import", path, "--map", "nope=x", "--store", store)
    assert result.code == 2
    assert result.err.startswith("column mapping: unknown field (nope)")


def test_load_evidence_reads_an_export(tmp_path: Path, framework: Framework) -> None:
    with open_store(f"sqlite:///{tmp_path / 'competency.db'}") as store:
        store_records(store, [EvidenceRecord("s1", "LAW-1", 3, dt.date(2025, 1, 10), "x")],
                           kind="file", origin="x")
        from competency.evidence.records import export_evidence

        assert export_evidence(store, tmp_path / "out.xlsx") == 1
    table = load_evidence(tmp_path / "out.xlsx", framework)
    assert table.table.column("level").to_pylist() == [3]
    assert table.table.column("achieved_on").to_pylist() == [dt.date(2025, 1, 10)]


EVIDENCE_HEADER = "staff_id,competency,level,achieved_on,source\n"


@pytest.mark.parametrize(("body", "first_line"), [
    ("s1,LAW-1,1,2025-01-10,x\n,LAW-1,1,2025-01-10,x\n", "row 3: empty staff_id (empty)"),
    ("s1,LAW-9,1,2025-01-10,x\n", "row 2: unknown competency (LAW-9)"),
    ("s1,,1,2025-01-10,x\n", "row 2: unknown competency (empty)"),
    ("s1,LAW-1,9,2025-01-10,x\n", "row 2: unknown level (9)"),
    ("s1,LAW-1,,2025-01-10,x\n", "row 2: unknown level (empty)"),
    ("s1,LAW-1,1,2025-1-10,x\n", "row 2: malformed date; use YYYY-MM-DD (2025-1-10)"),
    ("s1,LAW-1,1,2023-02-29,x\n", "row 2: malformed date; use YYYY-MM-DD (2023-02-29)"),
    ("s1,LAW-1,1,0000-01-01,x\n", "row 2: malformed date; use YYYY-MM-DD (0000-01-01)"),
    ("s1,LAW-1,1,2024-01-01T00:00,x\n",
     "row 2: malformed date; use YYYY-MM-DD (2024-01-01T00:00)"),
    ("s1,LAW-1,1,,x\n", "row 2: malformed date; use YYYY-MM-DD (empty)"),
    # the first bad row wins; within a row, staff_id, competency, level, date in that order
    ("s1,LAW-1,1,2025-01-10,x\n\n,LAW-9,9,bad,x\ns2,LAW-9,1,2025-01-10,x\n",
     "row 4: empty staff_id (empty)"),
    ("s1,LAW-1,9,bad,x\n", "row 2: unknown level (9)"),
    ("s1,LAW-1,1,2025-01-10,x\n,,,,\ns2,LAW-1,1,bad,x\n",
     "row 4: malformed date; use YYYY-MM-DD (bad)"),
])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_and_coverage_apply_the_same_rules(tmp_path: Path, framework: Framework,
                                                   body: str, first_line: str,
                                                   suffix: str) -> None:
    import pandas as pd

    path = write(tmp_path / "evidence.csv", EVIDENCE_HEADER + body)
    if suffix == ".xlsx":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
        path = tmp_path / "evidence.xlsx"
        frame.to_excel(path, index=False)
    with pytest.raises(TableError) as imported:
        read_evidence_file(path, framework)
    with pytest.raises(TableError) as covered:
        load_evidence(path, framework)
    assert imported.value.first_line() == covered.value.first_line() == f"{path}, {first_line}"
    assert str(imported.value) == str(covered.value)


def test_import_and_coverage_read_a_good_file_alike(tmp_path: Path,
                                                    framework: Framework) -> None:
    path = write(tmp_path / "evidence.csv", EVIDENCE_HEADER
                 + "s1,LAW-1,1,2025-01-10,x\n\ns2,law-1,2,2024-02-29 00:00:00,y\n")
    records = read_evidence_file(path, framework)
    table = load_evidence(path, framework).table
    assert [r.row() for r in records] == [
        {k: str(v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in table.to_pylist()]
    assert records[1] == EvidenceRecord("s2", "LAW-1", 2, dt.date(2024, 2, 29), "y")


# --------------------------------------------------------------------------- every bad row

BAD_ROWS = ("s1,LAW-1,1,2025-01-10,x\n"   # row 2: good
            ",LAW-1,1,2025-01-10,x\n"      # row 3: empty staff_id
            "s3,LAW-9,1,2025-01-10,x\n"    # row 4: unknown competency
            "s4,LAW-1,9,bad,x\n"           # row 5: unknown level (first rule of the row)
            "s5,LAW-1,1,2025-13-01,x\n"    # row 6: malformed date
            "s6,LAW-1,1,2031-01-01,x\n"    # row 7: after the as-of date
            "s7,LAW-1,1,2025-01-10,x\n")   # row 8: good


def test_every_bad_row_is_counted_in_the_one_line(tmp_path: Path,
                                                  framework: Framework) -> None:
    path = write(tmp_path / "evidence.csv", EVIDENCE_HEADER + BAD_ROWS)
    with pytest.raises(TableError) as caught:
        read_evidence_file(path, framework, latest=dt.date(2026, 1, 1))
    assert str(caught.value) == (f"{path}, row 3: empty staff_id (empty) (and 4 more rows with "
                                 "problems; --all-errors lists them)")
    assert caught.value.lines() == [
        f"{path}, row 3: empty staff_id (empty)",
        f"{path}, row 4: unknown competency (LAW-9)",
        f"{path}, row 5: unknown level (9)",
        f"{path}, row 6: malformed date; use YYYY-MM-DD (2025-13-01)",
        f"{path}, row 7: achieved_on is after the as-of date 2026-01-01 (2031-01-01)"]
    # coverage reads the same file without the as-of rule: the future row is not a problem
    with pytest.raises(TableError) as covered:
        load_evidence(path, framework)
    assert len(covered.value.lines()) == 4
    assert str(covered.value).endswith("(and 3 more rows with problems; --all-errors lists "
                                       "them)")


def test_one_other_bad_row_is_a_row(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path / "evidence.csv", EVIDENCE_HEADER + ",LAW-1,1,2025-01-10,x\n" * 2)
    with pytest.raises(TableError, match=r"\(and 1 more row with problems; --all-errors"):
        load_evidence(path, framework)


def test_import_refuses_evidence_from_the_future(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path / "evidence.csv", EVIDENCE_HEADER + "s1,LAW-1,1,2026-03-02,x\n")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        with pytest.raises(TableError) as caught:
            import_evidence_file(store, path, framework, as_of=dt.date(2026, 3, 1))
        assert str(caught.value) == (f"{path}, row 2: achieved_on is after the as-of date "
                                     "2026-03-01 (2026-03-02)")
        assert import_evidence_file(store, path, framework, as_of=dt.date(2026, 3, 2)).added == 1
        far = write(tmp_path / "far.csv", EVIDENCE_HEADER + "s1,LAW-1,1,2999-01-01,x\n")
        with pytest.raises(TableError, match="after the as-of date"):
            import_evidence_file(store, far, framework)  # default: today


def test_cli_import_one_line_all_errors_as_of_and_unknown_staff(tmp_path: Path,
                                                                cli: Cli) -> None:
    bad = write(tmp_path / "bad.csv", EVIDENCE_HEADER + BAD_ROWS)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    result = cli("evidence", "import", bad, "--store", store, "--as-of", "2026-01-01")
    assert result.code == 2
    assert result.err == (f"{bad}, row 3: empty staff_id (empty) (and 4 more rows with "
                          "problems; --all-errors lists them)\n")
    listed = cli("evidence", "import", bad, "--all-errors", "--store", store,
                 "--as-of", "2026-01-01")
    assert listed.code == 2
    assert [line.split(": ")[0] for line in listed.err.splitlines()] == [
        f"{bad}, row {n}" for n in range(3, 8)]
    staff = write(tmp_path / "staff.csv", "staff_id,role,team\ns1,Nurse,A\n")
    (tmp_path / "competency.toml").write_text(f'[data]\nstaff = "{staff}"\n', encoding="utf-8")
    good = write(tmp_path / "good.csv", EVIDENCE_HEADER + "s1,LAW-1,1,2025-01-10,x\n"
                 "s2,LAW-1,1,2025-01-10,x\ns3,LAW-1,1,2025-01-10,x\ns3,LAW-2,1,2025-01-10,x\n")
    done = cli("evidence", "import", good, "--store", store, "--config",
               tmp_path / "competency.toml")
    assert done.code == 0, done.err
    assert "added 4" in done.out
    assert done.err == (f"warning: {good}: 2 staff_id(s) on 3 row(s) are not in the staff "
                        f"table {staff} (e.g. s2, s3); imported all the same\n")


def test_scan_evidence_codes_each_distinct_value_by_the_rules(tmp_path: Path,
                                                              framework: Framework) -> None:
    import pyarrow as pa

    path = write(tmp_path / "e.csv", "staff_id,competency,level,achieved_on,source,extra\n"
                 "s1,LAW-1,2,2025-01-10,x,1\n"
                 "s2, law-1 ,Practitioner,2024-02-29 00:00:00,x,2\n"
                 "ghost,CUL-1,1,2025-01-10,x,3\n")
    competencies = sorted(framework.ids)
    chunks = scan_evidence(path, framework, pa.array(["s2", "s1"]), competencies)
    assert chunks is not None
    (codes,) = list(chunks)
    assert codes.staff.tolist() == [1, 0, -1]
    assert [competencies[c] for c in codes.competency] == ["LAW-1", "LAW-1", "CUL-1"]
    assert codes.level.tolist() == [2, 2, 1]
    assert [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in codes.day] == [
        dt.date(2025, 1, 10), dt.date(2024, 2, 29), dt.date(2025, 1, 10)]
    assert codes.unknown.to_pylist() == ["ghost"]


@pytest.mark.parametrize("row", [
    "s1,LAW-9,2,2025-01-10,x",    # unknown competency
    "s1,LAW-1,9,2025-01-10,x",    # unknown level
    "s1,LAW-1,2,2025-02-30,x",    # malformed date
    ",LAW-1,2,2025-01-10,x",      # empty staff_id
    " s1 ,LAW-1,2,2025-01-10,x",  # staff_id to trim
])
def test_scan_evidence_leaves_anything_else_to_load_evidence(
        tmp_path: Path, framework: Framework, row: str) -> None:
    import pyarrow as pa

    path = write(tmp_path / "e.csv", f"staff_id,competency,level,achieved_on,source\n{row}\n")
    chunks = scan_evidence(path, framework, pa.array(["s1"]), sorted(framework.ids))
    assert chunks is not None
    with pytest.raises(UncleanEvidence):
        list(chunks)


def test_scan_evidence_reads_only_csv(tmp_path: Path, framework: Framework) -> None:
    import pyarrow as pa

    bad = write(tmp_path / "e.csv", "staff_id,competency,level,achieved_on\ns1,LAW-1,2\n")
    assert scan_evidence(bad, framework, pa.array(["s1"]), sorted(framework.ids)) is None
    assert scan_evidence(tmp_path / "e.xlsx", framework, pa.array(["s1"]), []) is None
