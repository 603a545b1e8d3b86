"""The trend: requirements in each status on many dates, from one query.

Judging coverage afresh on every date repeats the same work once per date. The
rules of :mod:`competency.coverage.statuses` make every requirement's status a
step function of the date instead, whose steps fall on evidence dates, expiry
dates and the start of each expiring window. Evidence expires a fixed number of
years after it was achieved, so of two pieces of evidence the later one never
expires sooner; on a date ``d``, for a requirement of level L:

* if evidence of level >= L was achieved on or before ``d``, the latest such
  (achieved ``a``, expiring ``x``) decides: it expires last of them, so ``met``
  while ``d < x - expiring_days``, ``expiring`` while ``d < x``, then
  ``expired``;
* otherwise ``below_level`` while the latest lower evidence achieved on or
  before ``d`` is still valid (``d < x``), else ``missing``.

So each piece of evidence joined with a requirement holds its requirement in a
status over a few date intervals, up to the next piece of evidence of its kind
(at or above L, or below it) and, for lower evidence, the first at or above L.
The query computes those intervals once, turns them into +1/-1 changes per
status and date, and sums the changes up to each date; ``missing`` is what is
left of the requirements. The work is one pass over the evidence, whatever the
number of dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from competency.coverage.statuses import (
    DUCKDB_MEMORY_LIMIT,
    STATUSES,
    WARNING_EXAMPLES,
    CoverageOptions,
    coverage_warnings,
)
from competency.evidence.records import EvidenceTable
from competency.hr.roles import Roles
from competency.hr.staff import Staff

DATES = "trend_dates"
"""The table of dates (column ``day``) :data:`COUNTS_SQL` counts on."""
SPANS = "status_spans"
"""The table of intervals (``staff_id, competency, status, since, until``) in which a
requirement holds a status other than ``missing`` (``since <= day < until``)."""


def spans_sql(options: CoverageOptions, first: dt.date, last: dt.date) -> str:
    """The :data:`SPANS` rows that meet the dates from ``first`` to ``last``, from tables
    ``staff`` (staff_id, role), ``roles`` (role, competency, level) and ``evidence``:
    for each requirement, at most one span holds on any date."""
    years, days = int(options.refresher_years), int(options.expiring_days)
    start, end = f"DATE '{first.isoformat()}'", f"DATE '{last.isoformat()}'"
    # the day after the last date stands for "never" (no next evidence)
    never = f"({end} + 1)"
    return f"""
WITH req AS (
    SELECT s.staff_id, r.competency, r.level AS required_level
    FROM staff s JOIN roles r ON s.role = r.role
),
ev AS (
    SELECT e.staff_id, e.competency, e.level >= q.required_level AS high,
           e.achieved_on AS a, CAST(e.achieved_on + to_years({years}) AS DATE) AS x
    FROM req q JOIN evidence e ON e.staff_id = q.staff_id AND e.competency = q.competency
    WHERE e.achieved_on <= {end}
),
steps AS (
    -- up to the next evidence of its kind (ties: the last of them gets the interval),
    -- and lower evidence counts only before the first evidence at the level
    SELECT staff_id, competency, high, a, x,
        COALESCE(CASE WHEN high THEN min(a) FILTER (WHERE high) OVER later
                 ELSE least(min(a) FILTER (WHERE NOT high) OVER later,
                            min(a) FILTER (WHERE high) OVER whole) END, {never}) AS upto
    FROM ev
    WINDOW whole AS (PARTITION BY staff_id, competency),
           later AS (PARTITION BY staff_id, competency ORDER BY a
                     ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
)
SELECT staff_id, competency, status, span[1] AS since, span[2] AS until
FROM (
    SELECT staff_id, competency,
        unnest(CASE WHEN high THEN [
                   {{'status': 'met', 'span': [a, least(x - {days}, upto)]}},
                   {{'status': 'expiring', 'span': [greatest(a, x - {days}), least(x, upto)]}},
                   {{'status': 'expired', 'span': [x, upto]}}]
               ELSE [{{'status': 'below_level', 'span': [a, least(x, upto)]}}] END,
               recursive := true)
    FROM steps
    WHERE upto > {start}
)
WHERE span[1] < span[2] AND span[2] > {start} AND span[1] <= {end}
"""


COUNTS_SQL = f"""
WITH changes AS (
    SELECT status, since AS day, count(*) AS n FROM {SPANS} GROUP BY ALL
    UNION ALL
    SELECT status, until AS day, -count(*) AS n FROM {SPANS} GROUP BY ALL
)
SELECT d.day, c.status, CAST(sum(c.n) AS BIGINT) AS requirements
FROM {DATES} d JOIN changes c ON c.day <= d.day
GROUP BY ALL
"""
"""Rows ``(day, status, requirements)`` for each date of :data:`DATES` and each status
but ``missing`` from :data:`SPANS` (statuses with none on a date may be left out)."""


def connect(roles: Roles, staff: Staff, evidence: EvidenceTable) -> Any:
    """A DuckDB connection with the tables :func:`spans_sql` reads."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    con.register("roles", pa.table({
        "role": pa.array([r.role for r in roles], pa.string()),
        "competency": pa.array([r.competency for r in roles], pa.string()),
        "level": pa.array([r.level for r in roles], pa.int8())}))
    con.register("staff", staff.table.select(["staff_id", "role"]))
    con.register("evidence", evidence.table.select(["staff_id", "competency", "level",
                                                    "achieved_on"]))
    return con


def create_spans(con: Any, options: CoverageOptions, first: dt.date, last: dt.date) -> None:
    """Compute the :data:`SPANS` table on ``con`` (see :func:`connect`)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SPANS} AS {spans_sql(options, first, last)}")


def counts_on(con: Any, days: Sequence[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Requirements in each status (every one of STATUSES) on each of ``days`` (sorted,
    unique, within the dates :data:`SPANS` was computed for) on ``con``."""
    import pyarrow as pa

    counts: dict[dt.date, dict[str, int]] = {d: dict.fromkeys(STATUSES, 0) for d in days}
    con.register(DATES, pa.table({"day": pa.array(days, pa.date32())}))
    total = int(con.execute("SELECT count(*) FROM staff s JOIN roles r "
                            "ON s.role = r.role").fetchall()[0][0])
    for day, status, n in con.execute(COUNTS_SQL).fetchall():
        counts[day][status] = int(n)
    for day in days:
        counts[day]["missing"] = total - sum(counts[day].values())
    return counts


def status_counts_by_date(roles: Roles, staff: Staff, evidence: EvidenceTable,
                          options: CoverageOptions, dates: Sequence[dt.date]
                          ) -> dict[dt.date, dict[str, int]]:
    """Requirements in each status (every one of STATUSES, 0 when none) on each of
    ``dates``, as :func:`~competency.coverage.statuses.compute_coverage` judges them on
    that date with the refresher period and expiring window of ``options`` (its
    ``as_of`` is not used), from one pass over the evidence (see the module's docstring).
    """
    days = sorted(set(dates))
    if not days:
        return {}
    con = connect(roles, staff, evidence)
    try:
        create_spans(con, options, days[0], days[-1])
        return counts_on(con, days)
    finally:
        con.close()


def connection_warnings(con: Any) -> list[str]:
    """The coverage command's warnings (roles without requirements, unknown staff),
    from the ``roles``, ``staff`` and ``evidence`` tables of a :func:`connect` connection."""
    rows = con.execute("""
        SELECT s.role, count(*) AS n FROM staff s
        WHERE s.role NOT IN (SELECT role FROM roles)
        GROUP BY s.role ORDER BY n DESC, s.role""").fetchall()
    unknown, people = con.execute("""
        SELECT count(*), count(DISTINCT staff_id) FROM evidence
        WHERE staff_id NOT IN (SELECT staff_id FROM staff)""").fetchall()[0]
    names = [r[0] for r in con.execute(f"""
        SELECT DISTINCT staff_id FROM evidence
        WHERE staff_id NOT IN (SELECT staff_id FROM staff)
        ORDER BY staff_id LIMIT {WARNING_EXAMPLES}""").fetchall()] if unknown else []
    return coverage_warnings(rows, unknown, people, names)
