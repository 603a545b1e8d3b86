"""The trend: status counts on many dates from intervals equal coverage judged on each date."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from competency.coverage.statuses import (
    STATUSES,
    CoverageInputs,
    CoverageOptions,
    compute_coverage,
    load_inputs,
)
from competency.coverage.trend import Timeline, status_counts_by_date, timeline
from competency.evidence.records import EvidenceCodes

IDS = ("LAW-1", "LAW-2", "EIA-1", "DATA-1", "CUL-1", "CUL-2")
ROLES = ("Nurse", "Porter", "Manager", "Clerk", "Lead")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first.replace(day=1)
    while day <= last:
        following = (day + dt.timedelta(days=32)).replace(day=1)
        days.append(following - dt.timedelta(days=1))
        day = following
    return days


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def tricky_org(tmp_path: Path, seed: int, years: int, window: int,
               dates: list[dt.date]) -> CoverageInputs:
    """A seeded organisation whose evidence falls on the dates where statuses change:
    expiring exactly on a date, achieved on one, the day either side, 29 February,
    the start of the expiring window, after the last date, and ties."""
    rng = random.Random(seed)
    roles = [["role", "competency", "level", "priority", "assessed_by"]]
    for role in ROLES:
        for cid in rng.sample(IDS, rng.randint(1, 4)):
            roles.append([role, cid, str(rng.randint(1, 4)), "essential", "training"])
    staff = [["staff_id", "role", "team"]]
    staff += [[f"S{i:03d}", rng.choice([*ROLES, "Volunteer"]), "A"] for i in range(80)]
    one = dt.timedelta(days=1)

    def tricky_day() -> dt.date:
        day = rng.choice(dates)
        kind = rng.randrange(8)
        if kind == 0:  # expires on the date (or the day either side)
            day = add_years(day, -years) + rng.choice([-one, 0 * one, one])
        elif kind == 1:  # the expiring window opens on the date
            day = add_years(day + dt.timedelta(days=window), -years)
        elif kind == 2:  # 29 February, achieved or expiring
            day = dt.date(rng.choice([2020, 2024]), 2, 29)
        elif kind == 3:  # after the last date
            day = dates[-1] + rng.randint(1, 400) * one
        elif kind == 4:  # anywhere
            day = dates[0] - dt.timedelta(days=365 * years) + rng.randint(0, 3000) * one
        else:  # achieved on the date or the day either side
            day += rng.choice([-one, 0 * one, one])
        return day

    evidence = [["staff_id", "competency", "level", "achieved_on", "source"]]
    for _ in range(700):
        person = staff[rng.randint(1, len(staff) - 1)][0] if rng.random() > 0.02 else "ghost"
        cid, day = rng.choice(IDS), tricky_day()
        evidence.append([person, cid, str(rng.randint(1, 4)), day.isoformat(), "test"])
        if rng.random() < 0.15:  # ties: the same date, same or other level
            evidence.append([person, cid, str(rng.randint(1, 4)), day.isoformat(), "tie"])
        if rng.random() < 0.1:  # the same day a refresher period later
            evidence.append([person, cid, str(rng.randint(1, 4)),
                             add_years(day, years).isoformat(), "renewed"])
    return load_inputs(write_csv(tmp_path / "roles.csv", roles),
                       write_csv(tmp_path / "staff.csv", staff),
                       write_csv(tmp_path / "evidence.csv", evidence))


def judged_on_each_date(inputs: CoverageInputs, years: int, window: int,
                        dates: list[dt.date]) -> dict[dt.date, dict[str, int]]:
    counts = {}
    for day in dates:
        statuses = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                                    CoverageOptions(day, years, window)).table.column(
                                        "status").to_pylist()
        counts[day] = {s: statuses.count(s) for s in STATUSES}
    return counts


@pytest.mark.parametrize(("seed", "years", "window"),
                         [(0, 3, 90), (1, 1, 365), (2, 2, 0), (3, 3, 30), (4, 5, 1000)])
def test_trend_equals_coverage_judged_on_each_date(tmp_path: Path, seed: int, years: int,
                                                   window: int) -> None:
    dates = month_ends(dt.date(2022, 1, 1), dt.date(2024, 3, 31))  # takes in 29 Feb 2024
    dates.append(dt.date(2024, 3, 17))  # an as-of date that is no month end
    inputs = tricky_org(tmp_path, seed, years, window, dates)
    options = CoverageOptions(dt.date(2000, 1, 1), years, window)
    counts = status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options,
                                   dates)
    assert list(counts) == sorted(dates)
    expected = judged_on_each_date(inputs, years, window, dates)
    assert counts == expected
    seen = {s for day in expected.values() for s, n in day.items() if n}
    assert seen == set(STATUSES) - ({"expiring"} if window == 0 else set())


def test_dates_in_any_order_with_repeats_and_none(tmp_path: Path) -> None:
    dates = [dt.date(2024, 2, 29), dt.date(2023, 1, 31), dt.date(2024, 2, 29),
             dt.date(2019, 6, 30)]
    inputs = tricky_org(tmp_path, 9, 3, 90, sorted(set(dates)))
    options = CoverageOptions(dt.date(2000, 1, 1))
    counts = status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options,
                                   dates)
    assert list(counts) == sorted(set(dates))
    assert counts == judged_on_each_date(inputs, 3, 90, sorted(set(dates)))
    assert status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options,
                                 []) == {}


def test_a_date_before_all_evidence_is_all_missing(tmp_path: Path) -> None:
    inputs = tricky_org(tmp_path, 5, 3, 90, [dt.date(2022, 1, 31)])
    total = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                             CoverageOptions(dt.date(1990, 1, 1))).table.num_rows
    counts = status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence,
                                   CoverageOptions(dt.date(2000, 1, 1)),
                                   [dt.date(1990, 1, 1)])
    assert counts == {dt.date(1990, 1, 1): {**dict.fromkeys(STATUSES, 0), "missing": total}}


@pytest.mark.parametrize(("seed", "years", "window"), [(6, 3, 90), (7, 1, 365), (8, 2, 0)])
def test_the_status_on_a_date_is_the_requirements_status(tmp_path: Path, seed: int,
                                                         years: int, window: int) -> None:
    """Requirement by requirement, on dates and the days either side: the status the
    timeline gives a slot is the status compute_coverage gives its row."""
    dates = month_ends(dt.date(2022, 1, 1), dt.date(2024, 3, 31))
    inputs = tricky_org(tmp_path, seed, years, window, dates)
    judged = timeline(inputs.roles, inputs.staff, inputs.evidence,
                      CoverageOptions(dt.date(2000, 1, 1), years, window), dates)
    one = dt.timedelta(days=1)
    for day in [dates[0], *dates[1::4], dates[-1], dates[5] - one, dates[9] + one]:
        rows = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                                CoverageOptions(day, years, window)).table
        statuses = [STATUSES[i] for i in judged.statuses_on(day)]
        assert statuses == rows.column("status").to_pylist(), day
    with pytest.raises(ValueError, match="outside"):
        judged.statuses_on(dates[-1] + one)


def test_no_evidence_and_evidence_after_the_last_date(tmp_path: Path) -> None:
    roles = [["role", "competency", "level", "priority", "assessed_by"],
             ["Nurse", "LAW-1", "2", "essential", "training"]]
    staff = [["staff_id", "role", "team"], ["N1", "Nurse", "A"], ["N2", "Porter", "A"]]
    evidence = [["staff_id", "competency", "level", "achieved_on", "source"],
                ["N1", "LAW-1", "2", "2024-04-01", "x"], ["N2", "LAW-1", "2", "2020-01-01", "x"]]
    inputs = load_inputs(write_csv(tmp_path / "r.csv", roles),
                         write_csv(tmp_path / "s.csv", staff),
                         write_csv(tmp_path / "e.csv", evidence))
    day = dt.date(2024, 3, 31)
    options = CoverageOptions(day)
    assert status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options,
                                 [day]) == {day: {**dict.fromkeys(STATUSES, 0), "missing": 1}}
    judged = timeline(inputs.roles, inputs.staff, inputs.evidence, options, [day])
    assert judged.statuses_on(day).tolist() == [STATUSES.index("missing")]


def test_a_timeline_refuses_dates_out_of_order_and_late_evidence(tmp_path: Path) -> None:
    day = dt.date(2024, 1, 31)
    inputs = tricky_org(tmp_path, 10, 3, 90, [day])
    judged = timeline(inputs.roles, inputs.staff, inputs.evidence, CoverageOptions(day), [day])
    for dates in ([day, day - dt.timedelta(days=1)], [day, day], [day - dt.timedelta(days=1)],
                  []):
        with pytest.raises(ValueError, match="sorted, unique and end on"):
            Timeline(judged.slots, dates)
    judged.counts()
    late = EvidenceCodes(staff=np.array([0]), competency=np.array([0]), level=np.array([1]),
                         day=np.array([0]), unknown=pa.array([], pa.string()))
    with pytest.raises(ValueError, match="after the timeline was judged"):
        judged.add(late)


def test_counting_by_sorting_codes_gives_the_same_counts(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Past a few dozen dates the codes are too many to count in one array: sorted
    instead, with the same counts."""
    from competency.coverage import trend

    dates = month_ends(dt.date(2021, 1, 1), dt.date(2024, 3, 31))
    inputs = tricky_org(tmp_path, 11, 2, 60, dates)
    options = CoverageOptions(dt.date(2000, 1, 1), 2, 60)
    dense = status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options, dates)
    monkeypatch.setattr(trend, "DENSE_CODES", 0)
    assert status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence, options,
                                 dates) == dense
    assert {d: dense[d] for d in dates[::6]} == judged_on_each_date(inputs, 2, 60, dates[::6])
