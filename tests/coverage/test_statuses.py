"""Coverage: the contract's rules, checked against a literal reference implementation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.coverage.statuses import (
    COLUMNS,
    CoverageOptions,
    compute_coverage,
    coverage_rows,
    load_inputs,
    summarise,
    write_coverage,
    write_coverage_files,
)
from competency.errors import CompetencyError, TableError
from conftest import CliResult

Cli = Callable[..., CliResult]
IDS = ("LAW-1", "LAW-2", "EIA-1", "DATA-1", "CUL-1", "CUL-2")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def reference(roles: list[dict[str, str]], staff: list[dict[str, str]],
              evidence: list[dict[str, str]], as_of: dt.date, years: int = 3,
              days: int = 90) -> list[dict[str, str]]:
    """The contract's rules, written as literally as possible."""
    rows = []
    for person in staff:
        for req in (r for r in roles if r["role"] == person["role"]):
            level_needed = int(req["level"])
            mine = []
            for e in evidence:
                if e["staff_id"] != person["staff_id"] or e["competency"] != req["competency"]:
                    continue
                achieved = dt.date.fromisoformat(e["achieved_on"])
                if achieved > as_of:
                    continue
                mine.append((achieved, add_years(achieved, years), int(e["level"])))
            valid = [m for m in mine if m[0] <= as_of < m[1]]
            expired = [m for m in mine if m[1] <= as_of]
            held = str(max(m[2] for m in valid)) if valid else ""
            good = [m for m in valid if m[2] >= level_needed]
            chosen = None
            if good:
                chosen = max(good, key=lambda m: (m[1], m[2], m[0]))
                status = "expiring" if (chosen[1] - as_of).days <= days else "met"
            elif [m for m in expired if m[2] >= level_needed]:
                chosen = max((m for m in expired if m[2] >= level_needed),
                             key=lambda m: (m[0], m[2]))
                status = "expired"
            elif valid:
                chosen = max(valid, key=lambda m: (m[2], m[1], m[0]))
                status = "below_level"
            else:
                status = "missing"
            rows.append({
                "staff_id": person["staff_id"], "competency": req["competency"],
                "required_level": req["level"], "priority": req["priority"],
                "held_level": held,
                "achieved_on": chosen[0].isoformat() if chosen else "",
                "expires_on": chosen[1].isoformat() if chosen else "",
                "status": status,
            })
    return sorted(rows, key=lambda r: (r["staff_id"], r["competency"]))


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


ROLE_HEADER = ["role", "competency", "level", "priority", "assessed_by"]
STAFF_HEADER = ["staff_id", "role", "team"]
EVIDENCE_HEADER = ["staff_id", "competency", "level", "achieved_on", "source"]


def req(role: str, cid: str, level: int, priority: str = "essential") -> dict[str, str]:
    return {"role": role, "competency": cid, "level": str(level), "priority": priority,
            "assessed_by": "training"}


def ev(staff_id: str, cid: str, level: int, day: str) -> dict[str, str]:
    return {"staff_id": staff_id, "competency": cid, "level": str(level), "achieved_on": day,
            "source": "test"}


def run(tmp_path: Path, roles: list[dict[str, str]], staff: list[dict[str, str]],
        evidence: list[dict[str, str]], options: CoverageOptions
        ) -> tuple[list[dict[str, str]], list[str]]:
    paths = (write_csv(tmp_path / "roles.csv", ROLE_HEADER, roles),
             write_csv(tmp_path / "staff.csv", STAFF_HEADER, staff),
             write_csv(tmp_path / "evidence.csv", EVIDENCE_HEADER, evidence))
    out = tmp_path / "coverage.csv"
    warnings = write_coverage(load_inputs(*paths), options, out)
    # the command's one-pass path gives the same bytes and warnings
    assert write_coverage_files(*paths, options, tmp_path / "fast.csv") == warnings
    assert (tmp_path / "fast.csv").read_bytes() == out.read_bytes()
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader), warnings


AS_OF = dt.date(2026, 6, 30)
STAFF = [{"staff_id": "s1", "role": "Nurse", "team": "A"}]


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ([], ("", "", "", "missing")),
        ([ev("s1", "LAW-1", 2, "2025-01-10")], ("2", "2025-01-10", "2028-01-10", "met")),
        ([ev("s1", "LAW-1", 3, "2023-08-01")], ("3", "2023-08-01", "2026-08-01", "expiring")),
        ([ev("s1", "LAW-1", 2, "2023-06-30")], ("", "2023-06-30", "2026-06-30", "expired")),
        ([ev("s1", "LAW-1", 1, "2025-01-10")], ("1", "2025-01-10", "2028-01-10",
                                                "below_level")),
        # evidence after the as-of date is ignored
        ([ev("s1", "LAW-1", 4, "2026-07-01")], ("", "", "", "missing")),
        # valid on the day it is achieved; expires on the anniversary
        ([ev("s1", "LAW-1", 2, "2026-06-30")], ("2", "2026-06-30", "2029-06-30", "met")),
        # expired at the required level beats valid lower evidence; held shows the lower one
        ([ev("s1", "LAW-1", 3, "2022-01-01"), ev("s1", "LAW-1", 1, "2025-05-05")],
         ("1", "2022-01-01", "2025-01-01", "expired")),
        # met rests on the evidence expiring last, not the highest level
        ([ev("s1", "LAW-1", 4, "2024-01-01"), ev("s1", "LAW-1", 2, "2025-03-03")],
         ("4", "2025-03-03", "2028-03-03", "met")),
        # 29 February: expiry tie with 28 February; the higher level, then later date, wins
        ([ev("s1", "LAW-1", 2, "2024-02-28"), ev("s1", "LAW-1", 3, "2024-02-29")],
         ("3", "2024-02-29", "2027-02-28", "met")),
        ([ev("s1", "LAW-1", 2, "2024-02-28"), ev("s1", "LAW-1", 2, "2024-02-29")],
         ("2", "2024-02-29", "2027-02-28", "met")),
        # window boundary: exactly 90 days is expiring, 91 is met
        ([ev("s1", "LAW-1", 2, "2023-09-28")], ("2", "2023-09-28", "2026-09-28", "expiring")),
        ([ev("s1", "LAW-1", 2, "2023-09-29")], ("2", "2023-09-29", "2026-09-29", "met")),
        # below level: the highest lower level, then the one expiring last
        ([ev("s1", "LAW-1", 1, "2025-06-01"), ev("s1", "LAW-1", 1, "2024-06-01")],
         ("1", "2025-06-01", "2028-06-01", "below_level")),
        # expired: the one achieved last, then the higher level
        ([ev("s1", "LAW-1", 4, "2020-01-01"), ev("s1", "LAW-1", 2, "2021-01-01")],
         ("", "2021-01-01", "2024-01-01", "expired")),
        # other competencies do not count
        ([ev("s1", "LAW-2", 4, "2025-01-01")], ("", "", "", "missing")),
    ],
)
def test_rules(tmp_path: Path, evidence: list[dict[str, str]],
               expected: tuple[str, str, str, str]) -> None:
    rows, warnings = run(tmp_path, [req("Nurse", "LAW-1", 2)], STAFF, evidence,
                         CoverageOptions(AS_OF))
    assert warnings == []
    assert len(rows) == 1
    row = rows[0]
    assert (row["held_level"], row["achieved_on"], row["expires_on"], row["status"]) == expected
    assert (row["staff_id"], row["competency"], row["required_level"], row["priority"]) == (
        "s1", "LAW-1", "2", "essential")
    assert rows == reference([req("Nurse", "LAW-1", 2)], STAFF, evidence, AS_OF)


def random_org(seed: int) -> tuple[list[dict[str, str]], list[dict[str, str]],
                                   list[dict[str, str]]]:
    rng = random.Random(seed)
    roles = []
    for role in ("Nurse", "Porter", "Manager", "Clerk", "Lead"):
        for cid in rng.sample(IDS, rng.randint(1, 4)):
            roles.append(req(role, cid, rng.randint(1, 4), rng.choice(["essential",
                                                                       "desirable"])))
    staff = [{"staff_id": f"S{rng.randint(1, 10**6):07d}" if i % 7 else f"s{i}",
              "role": rng.choice(["Nurse", "Porter", "Manager", "Clerk", "Lead", "Volunteer"]),
              "team": rng.choice("ABC")} for i in range(60)]
    staff = list({p["staff_id"]: p for p in staff}.values())
    evidence = []
    start = dt.date(2019, 1, 1)
    for _ in range(500):
        person = rng.choice(staff)["staff_id"] if rng.random() > 0.02 else "ghost"
        day = start + dt.timedelta(days=rng.randint(0, 8 * 365))
        if rng.random() < 0.05:
            day = dt.date(rng.choice([2020, 2024]), 2, 29)
        evidence.append(ev(person, rng.choice(IDS), rng.randint(1, 4), day.isoformat()))
    return roles, staff, evidence


SEEN_STATUSES: set[str] = set()


@pytest.mark.parametrize("seed", range(8))
def test_matches_reference_on_random_organisations(tmp_path: Path, seed: int) -> None:
    roles, staff, evidence = random_org(seed)
    rng = random.Random(seed)
    as_of = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 4 * 365))
    years, days = rng.choice([1, 2, 3, 5]), rng.choice([0, 30, 90, 365])
    rows, _ = run(tmp_path, roles, staff, evidence, CoverageOptions(as_of, years, days))
    assert rows == reference(roles, staff, evidence, as_of, years, days)
    SEEN_STATUSES.update(r["status"] for r in rows)


def test_random_organisations_exercised_every_status() -> None:
    assert {"met", "expiring", "expired", "below_level", "missing"} == SEEN_STATUSES


def test_rows_sorted_as_text(tmp_path: Path) -> None:
    staff = [{"staff_id": s, "role": "Nurse", "team": "A"} for s in ("b", "B", "a10", "a9")]
    roles = [req("Nurse", "LAW-2", 1), req("Nurse", "CUL-1", 1), req("Nurse", "LAW-1", 1)]
    rows, _ = run(tmp_path, roles, staff, [], CoverageOptions(AS_OF))
    keys = [(r["staff_id"], r["competency"]) for r in rows]
    assert keys == sorted(keys)
    assert keys[0] == ("B", "CUL-1")


def test_warnings_count_roles_without_requirements_and_unknown_staff(tmp_path: Path) -> None:
    staff = STAFF + [{"staff_id": f"v{i}", "role": "Volunteer", "team": "A"} for i in range(3)]
    evidence = [ev("ghost", "LAW-1", 1, "2025-01-01"), ev("ghost", "LAW-2", 1, "2025-01-01"),
                ev("phantom", "LAW-1", 1, "2025-01-01")]
    rows, warnings = run(tmp_path, [req("Nurse", "LAW-1", 2)], staff, evidence,
                         CoverageOptions(AS_OF))
    assert len(rows) == 1
    assert warnings == [
        "3 staff have a role with no requirements (Volunteer: 3); they get no coverage rows",
        "3 evidence rows name 2 staff_id not in the staff table (e.g. ghost, phantom); "
        "they are ignored",
    ]


def test_compute_coverage_in_memory_and_summary(tmp_path: Path) -> None:
    import pandas as pd

    staff = [{"staff_id": f"s{i}", "role": "Nurse", "team": "AB"[i % 2]} for i in range(4)]
    inputs = load_inputs(
        write_csv(tmp_path / "r.csv", ROLE_HEADER, [req("Nurse", "LAW-1", 1)]),
        write_csv(tmp_path / "s.csv", STAFF_HEADER, staff),
        write_csv(tmp_path / "e.csv", EVIDENCE_HEADER, [ev("s0", "LAW-1", 1, "2025-01-01"),
                                                        ev("s1", "LAW-1", 1, "2025-01-01")]))
    result = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                              CoverageOptions(AS_OF))
    assert [r["status"] for r in coverage_rows(result)] == ["met", "met", "missing", "missing"]
    frame = result.to_pandas().merge(pd.DataFrame(staff), on="staff_id")
    summary = summarise(frame, ["team"]).set_index("team")
    assert summary.loc["A", "met"] == 1
    assert summary.loc["A", "missing"] == 1
    assert summary.loc["A", "met_pct"] == 50.0
    assert summary.loc["B", "total"] == 2


@pytest.mark.parametrize(
    ("which", "rows", "message"),
    [
        ("evidence", [ev("s1", "LAW-1", 2, "2025-01-10"), ev("s1", "LAW-1", 2, "2025-13-01")],
         r"evidence\.csv, row 3: malformed date; use YYYY-MM-DD \(2025-13-01\)$"),
        ("evidence", [ev("s1", "LAW-1", 2, "10/01/2025")],
         r"evidence\.csv, row 2: malformed date; use YYYY-MM-DD \(10/01/2025\)$"),
        ("evidence", [ev("s1", "LAW-1", 2, "2025-1-5")], r"row 2: malformed date"),
        ("evidence", [ev("s1", "LAW-1", 2, "2023-02-29")], r"row 2: malformed date"),
        ("evidence", [ev("s1", "LAW-1", 2, "2025-01-10"), ev("s1", "LAW-9", 2, "2025-01-10")],
         r"evidence\.csv, row 3: unknown competency \(LAW-9\)$"),
        ("evidence", [ev("s1", "LAW-1", 5, "2025-01-10")],
         r"evidence\.csv, row 2: unknown level \(5\)$"),
        ("staff", [{"staff_id": "s1", "role": "Nurse", "team": "A"},
                   {"staff_id": "s2", "role": "Nurse", "team": "A"},
                   {"staff_id": "s1", "role": "Nurse", "team": "B"}],
         r"staff\.csv, row 4: duplicate staff_id \(first on row 2\) \(s1\)$"),
        ("staff", [{"staff_id": "", "role": "Nurse", "team": "A"}],
         r"staff\.csv, row 2: empty staff_id \(empty\)$"),
        ("roles", [req("Nurse", "LAW-1", 2), req("Nurse", "LAW-1", 3)],
         r"roles\.csv, row 3: duplicate requirement \(first on row 2\) \(Nurse, LAW-1\)$"),
        ("roles", [req("Nurse", "NOPE-1", 2)], r"roles\.csv, row 2: unknown competency"),
        ("roles", [req("Nurse", "LAW-1", 0)], r"roles\.csv, row 2: unknown level \(0\)$"),
    ],
)
def test_bad_input_names_file_and_row(tmp_path: Path, which: str, rows: list[dict[str, str]],
                                      message: str) -> None:
    tables = {"roles": (ROLE_HEADER, [req("Nurse", "LAW-1", 2)]), "staff": (STAFF_HEADER, STAFF),
              "evidence": (EVIDENCE_HEADER, [])}
    header = tables[which][0]
    tables[which] = (header, rows)
    paths = {name: write_csv(tmp_path / f"{name}.csv", h, r) for name, (h, r) in tables.items()}
    with pytest.raises(TableError, match=message):
        load_inputs(paths["roles"], paths["staff"], paths["evidence"])
    out = tmp_path / "out.csv"
    with pytest.raises(TableError, match=message):
        write_coverage_files(paths["roles"], paths["staff"], paths["evidence"],
                             CoverageOptions(AS_OF), out)
    assert not out.exists()


def messy(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Files every reader accepts that are not already clean: cells to trim, names for
    competencies and levels, a spreadsheet's date cells, a byte-order mark, blank
    lines, columns in another order, staff IDs that need quoting on output."""
    roles = write_csv(tmp_path / "roles.csv", ROLE_HEADER,
                      [req("Nurse", "LAW-1", 2), req("Nurse", "CUL-1", 1)])
    staff = tmp_path / "staff.csv"
    staff.write_text('\ufeffteam,staff_id,role\nA, s1 ,Nurse \nA,"s,2",Nurse\n\n'
                     'B,"s""3",Nurse\nB,s4,Porter\n', encoding="utf-8")
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        "source,achieved_on,level,competency,staff_id\n"
        "x,2025-01-10,2,LAW-1,s1\n"
        "x, 2024-01-10 00:00:00 ,Foundation,law-1,\"s,2\"\n"
        ",,,,\n"
        "x,2025-03-03, 3 ,CUL-1, s1\n"
        "x,2025-03-03,1,CUL-1,ghost \n", encoding="utf-8")
    return roles, staff, evidence


def test_messy_files_give_the_same_rows_by_both_paths(tmp_path: Path) -> None:
    roles, staff, evidence = messy(tmp_path)
    options = CoverageOptions(AS_OF)
    inputs = load_inputs(roles, staff, evidence)
    expected = write_coverage(inputs, options, tmp_path / "slow.csv")
    assert write_coverage_files(roles, staff, evidence, options, tmp_path / "fast.csv") == (
        expected)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes()
    assert (tmp_path / "fast.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        '"s""3",CUL-1,1,essential,,,,missing',
        '"s""3",LAW-1,2,essential,,,,missing',
        '"s,2",CUL-1,1,essential,,,,missing',
        '"s,2",LAW-1,2,essential,1,2024-01-10,2027-01-10,below_level',
        "s1,CUL-1,1,essential,3,2025-03-03,2028-03-03,met",
        "s1,LAW-1,2,essential,2,2025-01-10,2028-01-10,met",
    ]
    assert expected == [
        "1 staff have a role with no requirements (Porter: 1); they get no coverage rows",
        "1 evidence rows name 1 staff_id not in the staff table (e.g. ghost); they are "
        "ignored"]


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("staff_id,competency,level\ns1,LAW-1,2\n", encoding="utf-8")
    roles = write_csv(tmp_path / "roles.csv", ROLE_HEADER, [req("Nurse", "LAW-1", 2)])
    staff = write_csv(tmp_path / "staff.csv", STAFF_HEADER, STAFF)
    with pytest.raises(TableError,
                       match=r"evidence\.csv, row 1: missing column \(achieved_on\)$"):
        load_inputs(roles, staff, path)


def test_options_are_checked() -> None:
    with pytest.raises(CompetencyError, match=r"refresher years must be at least 1 \(0\)"):
        CoverageOptions(AS_OF, refresher_years=0)


# ----------------------------------------------------------------------------- CLI


def files(tmp_path: Path, evidence: list[dict[str, str]]) -> list[str]:
    return ["--roles", str(write_csv(tmp_path / "roles.csv", ROLE_HEADER,
                                     [req("Nurse", "LAW-1", 2), req("Nurse", "CUL-1", 1)])),
            "--staff", str(write_csv(tmp_path / "staff.csv", [*STAFF_HEADER, "ethnic_category"],
                                     [{**STAFF[0], "ethnic_category": "Z"},
                                      {"staff_id": "p1", "role": "Porter", "team": "E",
                                       "ethnic_category": "A"}])),
            "--evidence", str(write_csv(tmp_path / "evidence.csv", EVIDENCE_HEADER, evidence))]


def test_cli_writes_the_contract_csv(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out" / "coverage.csv"
    result = cli("coverage", *files(tmp_path, [ev("s1", "LAW-1", 2, "2025-01-10")]),
                 "--as-of", "2026-06-30", "--out", out)
    assert result.code == 0, result.err
    assert out.read_text(encoding="utf-8") == (
        "staff_id,competency,required_level,priority,held_level,achieved_on,expires_on,status\n"
        "s1,CUL-1,1,essential,,,,missing\n"
        "s1,LAW-1,2,essential,2,2025-01-10,2028-01-10,met\n")
    assert result.err == ("warning: 1 staff have a role with no requirements (Porter: 1); "
                          "they get no coverage rows\n")


def test_cli_options(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "coverage.csv"
    result = cli("coverage", *files(tmp_path, [ev("s1", "LAW-1", 2, "2025-01-10")]),
                 "--as-of", "2026-06-30", "--refresher-years", "1", "--expiring-days", "10",
                 "--out", out)
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[1]["status"] == "expired"
    assert rows[1]["expires_on"] == "2026-01-10"


def test_cli_bad_input_exit_2_nothing_written(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "coverage.csv"
    result = cli("coverage", *files(tmp_path, [ev("s1", "LAW-1", 2, "2025-02-30")]),
                 "--out", out)
    assert result.code == 2
    assert result.err == (f"{tmp_path / 'evidence.csv'}, row 2: malformed date; use YYYY-MM-DD "
                          "(2025-02-30)\n")
    assert not out.exists()
    assert list(tmp_path.glob(".coverage.csv.*")) == []


def test_cli_bad_as_of(cli: Cli, tmp_path: Path) -> None:
    result = cli("coverage", *files(tmp_path, []), "--as-of", "30/06/2026",
                 "--out", tmp_path / "c.csv")
    assert result.code == 2
    assert result.err.startswith("competency: Invalid value for '--as-of': '30/06/2026'")


def test_cli_as_of_defaults_to_today(cli: Cli, tmp_path: Path) -> None:
    today = dt.date.today()
    recent = (today - dt.timedelta(days=10)).isoformat()
    out = tmp_path / "coverage.csv"
    assert cli("coverage", *files(tmp_path, [ev("s1", "LAW-1", 2, recent)]),
               "--out", out).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[1]["status"] == "met"


def test_no_roll_up_from_children_to_parents(tmp_path: Path) -> None:
    """Evidence for a child (any level) does not meet its parent's requirement: a
    requirement is met only by evidence for that exact competency ID."""
    from competency.framework.moodle import read_moodle_csv

    nested = read_moodle_csv(Path(__file__).parent.parent / "framework" / "data" /
                               "nested-framework.csv").framework
    assert [c.id for c in nested.children("C-LISTEN-2")] == ["B-LISTEN-2a", "B-LISTEN-2b"]
    staff = [{"staff_id": "s1", "role": "Advocate", "team": "A"},
             {"staff_id": "s2", "role": "Advocate", "team": "A"}]
    inputs = load_inputs(
        write_csv(tmp_path / "r.csv", ROLE_HEADER, [req("Advocate", "C-LISTEN-2", 3),
                                                    req("Advocate", "B-LISTEN-2a", 3)]),
        write_csv(tmp_path / "s.csv", STAFF_HEADER, staff),
        write_csv(tmp_path / "e.csv", EVIDENCE_HEADER, [
            ev("s1", "B-LISTEN-2a", 4, "2026-01-10"), ev("s1", "B-LISTEN-2b", 4, "2026-01-10"),
            ev("s2", "C-LISTEN-2", 3, "2026-01-10")]),
        nested)
    result = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                              CoverageOptions(AS_OF))
    status = {(r["staff_id"], r["competency"]): r["status"] for r in coverage_rows(result)}
    assert status == {("s1", "C-LISTEN-2"): "missing", ("s1", "B-LISTEN-2a"): "met",
                      ("s2", "C-LISTEN-2"): "met", ("s2", "B-LISTEN-2a"): "missing"}
