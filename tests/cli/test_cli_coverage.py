"""cli/coverage.py: coverage, report, evidence and reviews commands translate flags and
the config into API calls; flags win over the config; dates are checked before any work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.coverage import reports, statuses
from competency.evidence import records
from conftest import CliResult

Cli = Callable[..., CliResult]
Recorded = list[tuple[str, tuple[Any, ...], dict[str, Any]]]


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """A folder with a competency.toml naming (empty) data files and non-default settings."""
    for name in ("roles.csv", "staff.csv", "evidence.csv"):
        (tmp_path / name).write_text("x\n", "utf-8")
    (tmp_path / "competency.toml").write_text(
        '[data]\nroles = "roles.csv"\nstaff = "staff.csv"\nevidence = "evidence.csv"\n'
        "[coverage]\nrefresher_years = 2\nexpiring_days = 30\n"
        "[report]\nthreshold = 5\nround_to = 10\n", "utf-8")
    return tmp_path


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """load_inputs, write_coverage, write_coverage_files, read_report_counts and
    make_report replaced by recorders."""
    calls: Recorded = []

    def recorder(name: str, result: Any) -> Callable[..., Any]:
        def fake(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs))
            return result
        return fake

    monkeypatch.setattr(statuses, "load_inputs", recorder("load_inputs", "INPUTS"))
    monkeypatch.setattr(statuses, "write_coverage", recorder("write_coverage", ["a warning"]))
    monkeypatch.setattr(statuses, "write_coverage_files",
                        recorder("write_coverage_files", ["a warning"]))
    monkeypatch.setattr(reports, "read_report_counts", recorder("read_report_counts", "COUNTS"))
    monkeypatch.setattr(reports, "make_report", recorder("make_report", []))
    monkeypatch.setattr(reports, "load_review_status", recorder("load_review_status", None))
    return calls


def test_coverage_reads_the_config(cli: Cli, org: Path, seen: Recorded,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(org)
    result = cli("coverage", "--out", "c.csv", "--as-of", "2026-11-26")
    assert result.code == 0, result.err
    assert result.err == "warning: a warning\n"
    ((name, write_args, _),) = seen
    assert name == "write_coverage_files"
    *paths, options, out, _ = write_args
    assert [Path(p).name for p in paths] == ["roles.csv", "staff.csv", "evidence.csv"]
    assert (options.as_of, options.refresher_years, options.expiring_days) == (
        dt.date(2026, 11, 26), 2, 30)
    assert out == Path("c.csv")


def test_coverage_flags_win(cli: Cli, org: Path, seen: Recorded, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(org)
    other = tmp_path / "other.csv"
    other.write_text("x\n", "utf-8")
    result = cli("coverage", "--out", "c.csv", "--roles", other, "--refresher-years", "4",
                 "--expiring-days", "10")
    assert result.code == 0, result.err
    ((_, (roles, _, _, options, _, _), _),) = seen
    assert Path(roles) == other
    assert (options.as_of, options.refresher_years, options.expiring_days) == (
        dt.date.today(), 4, 10)


@pytest.mark.parametrize("day", ["26/11/2026", "2026-02-30", "tomorrow"])
def test_a_bad_as_of_date_stops_before_reading_anything(cli: Cli, org: Path, seen: Recorded,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        day: str) -> None:
    monkeypatch.chdir(org)
    result = cli("coverage", "--out", "c.csv", "--as-of", day)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert day in result.err
    assert seen == []


def test_coverage_without_data_names_what_is_missing(cli: Cli, tmp_path: Path, seen: Recorded,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("coverage", "--out", "c.csv")
    assert result.code == 2
    assert "--roles" in result.err
    assert seen == []


def test_report_reads_the_disclosure_rule_from_the_config(cli: Cli, org: Path, seen: Recorded,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(org)
    assert cli("report", "--out", "r.html", "--as-of", "2026-11-26").code == 0
    assert cli("report", "--out", "r.xlsx", "--threshold", "3", "--no-suppress",
               "--identifiable").code == 0
    made = [args for name, args, _ in seen if name == "make_report"]
    first, second = made[0][1], made[1][1]
    assert (first.rule.enabled, first.rule.threshold, first.rule.rounding) == (True, 5, 10)
    assert first.identifiable is False
    assert first.coverage.refresher_years == 2
    assert (second.rule.enabled, second.rule.threshold, second.rule.rounding) == (False, 3, 10)
    assert second.identifiable is True
    assert [Path(a[3]).name for a in made] == ["r.html", "r.xlsx"]
    assert [a[0] for a in made] == ["COUNTS", "COUNTS"]
    read = [args for name, args, _ in seen if name == "read_report_counts"]
    assert [Path(p).name for p in read[0][:3]] == ["roles.csv", "staff.csv", "evidence.csv"]
    assert read[1][3] is second


def test_evidence_import_passes_its_options(cli: Cli, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    got: dict[str, Any] = {}

    def fake(store: Any, path: Path, framework: Any, **kwargs: Any) -> Any:
        got.update(kwargs, path=path, where=store.where)
        return type("R", (), {"added": 3, "skipped": 1, "warnings": ("2 unknown staff",)})()

    monkeypatch.setattr(records, "import_evidence_file", fake)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'e.db'}"
    result = cli("evidence", "import", "esr.csv", "--store", url, "--map",
                 "staff_id=Assignment Number", "--date-format", "dd/mm/yyyy", "--level", "2",
                 "--source", "esr", "--as-of", "2026-03-01")
    assert result.code == 0, result.err
    assert got["mapping"] == {"staff_id": "Assignment Number"}
    assert (got["date_spelling"], got["level"], got["source"]) == ("dd/mm/yyyy", 2, "esr")
    assert (got["as_of"], got["staff"]) == (dt.date(2026, 3, 1), None)  # no staff configured
    assert result.err == "warning: 2 unknown staff\n"
    assert result.out.startswith("esr.csv: added 3, skipped 1 (already in the store)")
