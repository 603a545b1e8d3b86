"""Seeded synthetic workforces: the sample organisation's staff and evidence, and the
NHS-sized data sets of the benchmarks. Everything is fictional.

Generation is vectorised with numpy so that 1.5 million staff and about ten
million evidence rows take seconds. The same seed, size and roles always give
the same tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from competency.hr.roles import Roles

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

ANCHOR = dt.date(2026, 9, 30)
"""Dates are drawn back from this fixed day, so the files do not change with the calendar."""

# Shares of NHS ethnic category codes in a fictional rural English county workforce.
ETHNIC_SHARES: dict[str, float] = {
    "A": 0.790, "B": 0.010, "C": 0.060, "D": 0.004, "E": 0.003, "F": 0.004, "G": 0.003,
    "H": 0.020, "J": 0.006, "K": 0.003, "L": 0.006, "M": 0.004, "N": 0.015, "P": 0.002,
    "R": 0.004, "S": 0.006, "Z": 0.050, "99": 0.010,
}


@dataclass(frozen=True)
class WorkforceSpec:
    """What to generate."""

    staff: int
    """How many staff."""
    seed: int = 2026
    """Random seed."""
    role_weights: dict[str, float] | None = None
    """Relative share of staff per role (default: equal)."""
    teams_per_role: int = 3
    """How many teams each role's staff are spread over."""
    coverage: float = 0.8
    """Chance that a member of staff has evidence for a required competency."""
    extra_evidence: float = 1.0
    """Mean number of further evidence rows per person (refreshers, other competencies)."""
    years_back: float = 4.5
    """Evidence dates are spread over this many years before the anchor date."""
    id_prefix: str = "NR"
    """Prefix of staff IDs."""
    teams: dict[str, tuple[str, ...]] | None = None
    """Team names per role; roles not named get ``<role> team <n>``."""


def _role_arrays(roles: Roles) -> tuple[list[str], list[list[tuple[str, int]]]]:
    names = list(roles.names)
    reqs = [[(r.competency, r.level) for r in roles.for_role(name)] for name in names]
    return names, reqs


def generate_workforce(spec: WorkforceSpec, roles: Roles,
                       competency_ids: tuple[str, ...]) -> tuple[pa.Table, pa.Table]:
    """``(staff, evidence)`` tables in the contract's columns, all text."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(spec.seed)
    names, reqs = _role_arrays(roles)
    weights = np.array([(spec.role_weights or {}).get(n, 1.0) for n in names], dtype=float)
    role_idx = rng.choice(len(names), size=spec.staff, p=weights / weights.sum())
    width = max(5, len(str(spec.staff)))
    numbers = np.arange(1, spec.staff + 1)
    staff_ids = np.char.add(spec.id_prefix, np.char.zfill(numbers.astype(str), width))
    team_no = rng.integers(0, 1 << 30, size=spec.staff)
    role_names = np.array(names, dtype=object)[role_idx]
    team_lists = [(spec.teams or {}).get(name) or
                  tuple(f"{name} team {n}" for n in range(1, spec.teams_per_role + 1))
                  for name in names]
    team_table = np.array([t for lst in team_lists for t in lst], dtype=object)
    team_start = np.concatenate([[0], np.cumsum([len(t) for t in team_lists])[:-1]])
    team_count = np.array([len(t) for t in team_lists])
    teams = team_table[team_start[role_idx] + team_no % team_count[role_idx]]
    codes = list(ETHNIC_SHARES)
    shares = np.array([ETHNIC_SHARES[c] for c in codes])
    ethnic = np.array(codes, dtype=object)[rng.choice(len(codes), size=spec.staff,
                                                      p=shares / shares.sum())]
    usernames = np.char.add("u", np.char.zfill(numbers.astype(str), width))
    staff = pa.table({
        "staff_id": pa.array(staff_ids.astype(str)),
        "role": pa.array(role_names.astype(str)),
        "team": pa.array(teams.astype(str)),
        "ethnic_category": pa.array(ethnic.astype(str)),
        "username": pa.array(usernames.astype(str)),
    })

    # Required competencies: one candidate evidence row per (person, requirement).
    req_counts = np.array([len(r) for r in reqs])
    per_person = req_counts[role_idx]
    person = np.repeat(np.arange(spec.staff), per_person)
    offsets = np.arange(len(person)) - np.repeat(np.cumsum(per_person) - per_person, per_person)
    flat_comp = [c for r in reqs for c, _ in r]
    flat_level = [lv for r in reqs for _, lv in r]
    starts = np.concatenate([[0], np.cumsum(req_counts)[:-1]])
    flat_index = starts[role_idx[person]] + offsets
    comp = np.array(flat_comp or [""], dtype=object)[flat_index] if len(person) else \
        np.array([], dtype=object)
    level = np.array(flat_level or [1], dtype=np.int64)[flat_index] if len(person) else \
        np.array([], dtype=np.int64)
    keep = rng.random(len(person)) < spec.coverage
    person, comp, level = person[keep], comp[keep], level[keep]
    # Mostly at the required level, sometimes below or above.
    level = np.clip(level + rng.choice([-1, 0, 0, 0, 0, 1], size=len(level)), 1, 4)

    # Further rows: refreshers and other competencies.
    n_extra = rng.poisson(spec.extra_evidence * spec.staff)
    extra_person = rng.integers(0, spec.staff, size=n_extra)
    extra_comp = np.array(competency_ids, dtype=object)[
        rng.integers(0, len(competency_ids), size=n_extra)]
    extra_level = rng.integers(1, 5, size=n_extra)

    all_person = np.concatenate([person, extra_person])
    all_comp = np.concatenate([comp, extra_comp])
    all_level = np.concatenate([level, extra_level])
    days_back = rng.integers(0, int(spec.years_back * 365.25), size=len(all_person))
    dates = _dates(days_back)
    sources = np.array(["course", "e-learning", "external", "ESR import"], dtype=object)[
        rng.integers(0, 4, size=len(all_person))]
    evidence = pa.table({
        "staff_id": pa.array(staff_ids[all_person].astype(str)),
        "competency": pa.array(all_comp.astype(str)),
        "level": pa.array(all_level.astype(str)),
        "achieved_on": pa.array(dates),
        "source": pa.array(sources.astype(str)),
    })
    return staff, evidence


def _dates(days_back: np.ndarray) -> np.ndarray:
    import numpy as np

    anchor = np.datetime64(ANCHOR.isoformat(), "D")
    days = anchor - days_back.astype("timedelta64[D]")
    out: np.ndarray = np.datetime_as_string(days, unit="D")
    return out


def write_csv(table: pa.Table, path: str) -> None:
    """Write a table as UTF-8 CSV with a header, quoting only where needed (fast)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("out_table", table)
        quoted = path.replace("'", "''")
        con.execute(f"COPY out_table TO '{quoted}' (FORMAT csv, HEADER true)")
    finally:
        con.close()
