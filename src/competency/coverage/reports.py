"""Coverage reports as one Excel workbook or one self-contained HTML page.

A report holds, on the as-of date: the status of every requirement summarised
by competency, role and team; a heatmap of the share met by role and
competency; the trend of requirements in every status at month ends over the
last 24 months (judged on each date with today's staff and roles); the training
review status when review data is supplied; and the number of staff by their
overall status, broken down by ethnic category and by team.

Every aggregated figure goes through :mod:`competency.coverage.disclosure` (small
numbers suppressed, others rounded, by default). Only an *identifiable*
report adds the people x competencies matrix, and says so in its header; a
report that is not identifiable is checked for staff identifiers before it is
written. This module builds the report's content; :mod:`competency.coverage.reportfiles`
renders it as HTML or XLSX.

The figures come from one pass over the evidence (:func:`coverage_counts`; from the
files, :func:`read_report_counts`, which reads them as ``competency coverage`` does):
the statuses of :mod:`competency.coverage.trend`, judged in columns once, counted at
every month end and, on the as-of date, by group (:mod:`competency.coverage.groups`);
pandas sees only the grouped counts, so a report on a national workforce handles
thousands of rows, not millions, and no table of its requirements is built unless it
is identifiable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from competency.coverage import charts
from competency.coverage.charts import TREND_COLOURS as TREND_COLOURS
from competency.coverage.charts import TREND_MARKERS as TREND_MARKERS
from competency.coverage.charts import heatmap_text_colour as heatmap_text_colour
from competency.coverage.disclosure import (
    IDENTIFYING_COLUMNS,
    SUPPRESSED,
    TOTAL,
    DisclosureRule,
    ProtectedTable,
    ensure_no_identifiers,
    identifiers_of,
    protect,
)
from competency.coverage.groups import COMPETENCY as COMPETENCY
from competency.coverage.groups import STATUS as STATUS
from competency.coverage.groups import N as N
from competency.coverage.groups import people_counts, requirement_counts, requirement_rows
from competency.coverage.reportfiles import AGGREGATE_NOTICE as AGGREGATE_NOTICE
from competency.coverage.reportfiles import CSS as CSS
from competency.coverage.reportfiles import IDENTIFIABLE_NOTICE as IDENTIFIABLE_NOTICE
from competency.coverage.reportfiles import STATUS_COLOURS as STATUS_COLOURS
from competency.coverage.reportfiles import SVG as SVG
from competency.coverage.reportfiles import Chart, workbook_texts
from competency.coverage.reportfiles import Report as Report
from competency.coverage.reportfiles import Section as Section
from competency.coverage.reportfiles import render_html as render_html
from competency.coverage.reportfiles import render_xlsx as render_xlsx
from competency.coverage.reportfiles import table_html as table_html
from competency.coverage.statuses import (
    STATUSES,
    CoverageInputs,
    CoverageOptions,
    compute_coverage,
    evidence_slots,
    judge_files,
    slots_warnings,
)
from competency.coverage.trend import Timeline, status_counts_by_date
from competency.dates import add_months
from competency.errors import CompetencyError
from competency.files import atomic_write_bytes
from competency.hr.staff import ETHNIC_CATEGORY, ROLE, STAFF_ID, TEAM

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from competency.framework.model import Framework
    from competency.training.reviews import ReviewStatus

HELD = ("met", "expiring")
"""Statuses that mean the competency is held on the date."""
SEVERITY: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
"""A person's overall status is their worst requirement's, in the order of STATUSES."""
NOT_RECORDED = "Not recorded"
TREND_MONTHS = 24
REPORT_SUFFIXES = (".xlsx", ".html")
NO_REVIEWS = ("Review data was not supplied: pass --catalogue and --reviews to include the "
              "training review status.")
ETHNIC_LABELS: dict[str, str] = {
    "A": "White - British", "B": "White - Irish", "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean", "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian", "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian", "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean", "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other ethnic groups - Chinese", "S": "Other ethnic groups - Any other ethnic group",
    "Z": "Not stated", "99": "Not known"}
"""NHS Data Dictionary ethnic categories."""


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers and how it protects people."""

    coverage: CoverageOptions
    """As-of date, refresher period and expiring window."""
    identifiable: bool = False
    """Add the people x competencies matrix (personal data, for managers)."""
    rule: DisclosureRule = field(default_factory=DisclosureRule)
    """Small-number suppression for every aggregated figure."""
    trend_months: int = TREND_MONTHS
    """Month ends in the trend."""
    title: str = "Competency coverage report"
    """The report's title."""


# --------------------------------------------------------------------------- data

def coverage_frame(inputs: CoverageInputs, options: CoverageOptions
                   ) -> tuple[pd.DataFrame, list[str]]:
    """Coverage rows joined with each person's role, team and ethnic category."""
    result = compute_coverage(inputs.roles, inputs.staff, inputs.evidence, options)
    people = _people_columns(inputs.staff.table).to_pandas()
    frame = result.to_pandas().merge(people, on=STAFF_ID, how="left", validate="many_to_one")
    return frame, list(result.warnings)


def _people_columns(staff: pa.Table) -> pa.Table:
    """The staff table's ID, role, team and ethnic category ("" when it has none)."""
    import pyarrow as pa

    columns = [c for c in (STAFF_ID, ROLE, TEAM, ETHNIC_CATEGORY) if c in staff.column_names]
    people = staff.select(columns)
    if ETHNIC_CATEGORY not in columns:
        people = people.append_column(ETHNIC_CATEGORY, pa.array([""] * len(people),
                                                                pa.string()))
    return people


@dataclass(frozen=True)
class CoverageCounts:
    """Coverage on the as-of date, grouped, and the trend: what a report's sections read."""

    requirements: pd.DataFrame
    """Requirements (column :data:`N`) by role, team, competency and status."""
    people: pd.DataFrame
    """Staff with requirements (column :data:`N`) by role, team, ethnic category and
    overall status (their worst requirement's, see :data:`SEVERITY`)."""
    trend: pd.DataFrame
    """Requirements by status (columns) on each date of :func:`month_ends` (index)."""
    warnings: tuple[str, ...]
    """The coverage warnings."""
    rows: pd.DataFrame | None = None
    """When asked for: one row per requirement (staff_id, competency, status, role,
    team), sorted by staff_id then competency."""
    identifiers: Sequence[str] | pa.Array = ()
    """Every value of the staff table's identifying columns (see
    :func:`~competency.coverage.disclosure.identifiers_of`): what a report that is not
    identifiable must not contain."""


def coverage_counts(inputs: CoverageInputs, options: CoverageOptions, months: int,
                    rows: bool = False) -> CoverageCounts:
    """Coverage on ``options.as_of`` and at the month ends before it, from one pass over
    the evidence: :mod:`competency.coverage.trend` judges every requirement's statuses
    over time, counted on every date; the statuses on the as-of date are counted by
    group (:mod:`competency.coverage.groups`)."""
    days = month_ends(options.as_of, months)
    judged = evidence_slots(inputs.roles, inputs.staff, inputs.evidence, options,
                            lambda slots: Timeline(slots, days))
    return _counted(judged, inputs.staff.table, rows, identifiers_of(inputs.staff.table))


def read_report_counts(roles: str | Path, staff: str | Path, evidence: str | Path,
                       options: ReportOptions, framework: Framework) -> CoverageCounts:
    """:func:`~competency.coverage.statuses.load_inputs` then :func:`coverage_counts`,
    with the same checks, errors and figures, in one pass over each file where it is
    clean (as ``competency coverage`` reads them, see
    :func:`~competency.coverage.statuses.judge_files`): ``competency report``."""
    cov = options.coverage
    days = month_ends(cov.as_of, options.trend_months)
    judged, table = judge_files(roles, staff, evidence, cov, framework,
                                lambda slots: Timeline(slots, days),
                                (TEAM, ETHNIC_CATEGORY, *IDENTIFYING_COLUMNS))
    return _counted(judged, table, options.identifiable, identifiers_of(table))


def _counted(judged: Timeline, staff: pa.Table, rows: bool,
             identifiers: pa.Array) -> CoverageCounts:
    statuses = judged.statuses_on(judged.dates[-1])
    slots = judged.slots
    trend = _trend_frame(judged.counts(), judged.dates)
    return CoverageCounts(requirement_counts(slots, statuses, staff),
                          people_counts(slots, statuses, staff), trend,
                          tuple(slots_warnings(slots)),
                          requirement_rows(slots, statuses, staff) if rows else None,
                          identifiers)


def _sizes(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Rows of ``frame`` by group: the sum of its :data:`N` column when it has one."""
    groups = frame.groupby(keys, observed=True)
    sizes: pd.Series = groups[N].sum() if N in frame.columns else groups.size()
    return sizes


def status_counts(frame: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Rows of ``frame`` by group (index) and status (columns, in STATUSES order); a
    grouped frame's rows count :data:`N` times each."""
    import pandas as pd

    keys = [by] if isinstance(by, str) else list(by)
    if N in frame.columns:
        counts = _sizes(frame, [*keys, STATUS]).unstack(STATUS, fill_value=0)
    else:
        counts = pd.crosstab([frame[k] for k in keys], frame[STATUS])
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).rename_axis(columns=None)
    result: pd.DataFrame = counts[counts.sum(axis=1) > 0]  # groups nobody is in
    return result


def person_status(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per person: their worst requirement's status, with role, team, ethnicity."""
    severity = frame[STATUS].map(SEVERITY)
    worst = severity.groupby(frame[STAFF_ID]).max()
    people = frame.drop_duplicates(STAFF_ID).set_index(STAFF_ID)[[ROLE, TEAM, ETHNIC_CATEGORY]]
    return people.assign(**{STATUS: worst.map(dict(enumerate(STATUSES)))})


def published(table: ProtectedTable, label: str, shares: bool = True) -> pd.DataFrame:
    """A protected table as report cells: counts, then percentages of the row total."""
    import pandas as pd

    counts = table.counts.astype(object).where(table.counts.notna(), SUPPRESSED)
    parts = [counts]
    if shares:
        pct = table.shares()
        parts.append(pct.astype(object).where(pct.notna(), SUPPRESSED).add_suffix(" %"))
    cells = pd.concat(parts, axis=1)
    cells.index = cells.index.map(lambda v: " / ".join(v) if isinstance(v, tuple) else str(v))
    return cells.rename_axis(label).reset_index()


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last ``months`` month ends on or before ``as_of`` (ascending), then ``as_of``
    itself when it is not a month end."""
    one = dt.timedelta(days=1)
    last = as_of if (as_of + one).day == 1 else as_of.replace(day=1) - one
    ends = [add_months(last.replace(day=1), 2 - k) - one for k in range(months, 0, -1)]
    return ends if ends and ends[-1] == as_of else [*ends, as_of]


def trend_counts(inputs: CoverageInputs, options: CoverageOptions, months: int
                 ) -> pd.DataFrame:
    """Requirements by status (columns) on each date of :func:`month_ends` (index),
    judged on all the dates by one query."""
    days = month_ends(options.as_of, months)
    return _trend_frame(status_counts_by_date(inputs.roles, inputs.staff, inputs.evidence,
                                              options, days), days)


def _trend_frame(counts: Mapping[dt.date, Mapping[str, int]],
                 days: Sequence[dt.date]) -> pd.DataFrame:
    """Counts by date and status as the trend's frame: one row per date (ISO, the
    index), one column per status in STATUSES order."""
    import pandas as pd

    records = [{"date": day.isoformat(), **{s: counts[day][s] for s in STATUSES}}
               for day in days]
    return pd.DataFrame.from_records(records, index="date", columns=["date", *STATUSES])


# --------------------------------------------------------------------------- plots

def heatmap_shares(frame: pd.DataFrame, rule: DisclosureRule,
                   competencies: Sequence[str]) -> pd.DataFrame:
    """Percentage of requirements held (met or expiring) by role and competency.

    ``<NA>`` where the role does not require it or the figures are suppressed
    (see :func:`heatmap_suppressed`).
    """
    held = status_counts(frame, [ROLE, COMPETENCY])[list(HELD)].sum(axis=1).unstack(
        fill_value=0)
    required = _sizes(frame, [ROLE, COMPETENCY]).unstack(fill_value=0)
    order = [c for c in competencies if c in required.columns]
    held = held.reindex(index=required.index, columns=order, fill_value=0)
    required = required.reindex(columns=order)
    held_pub = protect(held, rule).counts.drop(index=TOTAL, columns=TOTAL)
    required_pub = protect(required, rule).counts.drop(index=TOTAL, columns=TOTAL)
    share: pd.DataFrame = (held_pub.astype("Float64") / required_pub.where(required_pub > 0)
                           * 100).round(0 if not rule.exact else 1)
    return share.rename_axis(index=ROLE, columns=None)


def _values(frame: pd.DataFrame) -> list[list[float | None]]:
    """A frame's cells as floats, None where missing (a suppressed share)."""
    return [[None if v is None or v != v else float(v) for v in row]
            for row in frame.astype(object).where(frame.notna(), None).to_numpy().tolist()]


def heatmap_svg(shares: pd.DataFrame, required: pd.DataFrame | None = None) -> bytes:
    """The role x competency heatmap as SVG (:func:`competency.coverage.charts.heatmap_svg`):
    ``required`` (same shape, bool) marks the cells the role requires; others stay blank."""
    needed = None if required is None else required.to_numpy(dtype=bool).tolist()
    return charts.heatmap_svg([str(r) for r in shares.index], [str(c) for c in shares.columns],
                              _values(shares), needed)


def heatmap_table(shares: pd.DataFrame, required: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's figures as report cells, its text alternative: a row per role, the
    share held in each competency, ``*`` where suppressed, blank where not required."""
    import numpy as np
    import pandas as pd

    blanks = pd.DataFrame(np.where(required, SUPPRESSED, ""), index=shares.index,
                          columns=shares.columns)
    table: pd.DataFrame = shares.astype(object).where(shares.notna(), blanks).reset_index()
    return table


def trend_svg(shares: pd.DataFrame) -> bytes:
    """The share of requirements in every status over time (dates as the index, a column
    per status) as SVG (:func:`competency.coverage.charts.trend_svg`); a gap where a
    figure is suppressed."""
    columns = [s for s in STATUSES if s in shares.columns]
    values = _values(shares[columns])
    return charts.trend_svg([str(d) for d in shares.index],
                            {s: [row[k] for row in values] for k, s in enumerate(columns)})


# --------------------------------------------------------------------------- sections

def summary_section(frame: pd.DataFrame, by: str, rule: DisclosureRule, key: str,
                    sheet: str, title: str, chart: Chart | None = None) -> Section:
    """Requirements by status for each value of ``by``, protected."""
    table = published(protect(status_counts(frame, by), rule), by)
    return Section(key, sheet, title, "Requirements (one per member of staff and competency "
                   "their role requires) by status; percentages of the row total.", table,
                   chart=chart)


def _people_section(people: pd.DataFrame, by: pd.Series, rule: DisclosureRule, label: str,
                    key: str, sheet: str, title: str) -> Section:
    counts = status_counts(people.assign(_group=by), "_group").rename_axis(label)
    return Section(key, sheet, title, "Staff by their overall status (the worst status among "
                   "their role's requirements, in the order met, expiring, expired, "
                   "below_level, missing); percentages of the row total.",
                   published(protect(counts, rule), label))


def reviews_section(status: ReviewStatus | None) -> Section:
    """The training review status, or a section saying review data was not supplied."""
    import pandas as pd

    title = "Training review status"
    if status is None:
        return Section("reviews", "Training reviews", title, NO_REVIEWS)
    rows = [{"course_id": c.training.course_id, "title": c.training.title,
             "provider": c.training.provider, "state": c.state,
             "last reviewed": c.review.reviewed_on.isoformat() if c.review else "",
             "verdict": c.review.verdict if c.review else "",
             "next review due": c.review.next_review_due.isoformat() if c.review else ""}
            for c in status.courses]
    table = pd.DataFrame.from_records(rows, columns=["course_id", "title", "provider", "state",
                                                     "last reviewed", "verdict",
                                                     "next review due"])
    in_date = len(status.in_state("in date"))
    gaps = ", ".join(f"{cid} level {lv}" for cid, lv in status.gaps()) or "none"
    note = (f"{in_date} of {len(status.courses)} courses reviewed and in date "
            f"({status.share_in_date:.0%}); competency levels with no reviewed training in "
            f"date: {gaps}.")
    return Section("reviews", "Training reviews", title, note, table)


def load_review_status(catalogue: Path | None, reviews: Path | None, framework: Framework,
                       as_of: dt.date) -> ReviewStatus | None:
    """The training review status from a catalogue CSV and a review log CSV (None if neither)."""
    if catalogue is None and reviews is None:
        return None
    from competency.training.reviews import load_catalogue, load_review_csv, review_status

    log = load_review_csv(reviews, framework) if reviews is not None else []
    return review_status(load_catalogue(catalogue, framework), log, framework, as_of)


def build_report(inputs: CoverageInputs | CoverageCounts, options: ReportOptions,
                 framework: Framework, reviews: ReviewStatus | None = None,
                 pictures: bool = True) -> Report:
    """Compute every section of the report (from the input tables, or from their
    :class:`CoverageCounts` for ``options``); ``pictures=False`` leaves out the SVG
    pictures (a workbook replaces them by its colour scale and native chart)."""
    import pandas as pd

    cov, rule = options.coverage, options.rule
    counts = inputs if isinstance(inputs, CoverageCounts) else coverage_counts(
        inputs, cov, options.trend_months, rows=options.identifiable)
    frame = counts.requirements
    order = list(framework.ids)
    frame[COMPETENCY] = pd.Categorical(frame[COMPETENCY], categories=order)
    sections = [
        summary_section(frame, COMPETENCY, rule, "by-competency", "Requirements by competency",
                        "Summary by competency", Chart(
                            "stacked_bar", "Requirements by competency and status",
                            STATUSES, "Requirements (published counts)")),
        summary_section(frame, ROLE, rule, "by-role", "Requirements by role",
                        "Summary by role"),
        summary_section(frame, TEAM, rule, "by-team", "Requirements by team",
                        "Summary by team")]
    shares = heatmap_shares(frame, rule, order)
    required = _sizes(frame, [ROLE, COMPETENCY]).unstack(
        fill_value=0).reindex(index=shares.index, columns=shares.columns, fill_value=0) > 0
    sections.append(Section(
        "heatmap", "Held by role and competency", "Share met by role and competency",
        "Percentage of requirements met or expiring (still held) by role and competency; "
        f"{SUPPRESSED} where suppressed, blank where the role does not require it.",
        heatmap_table(shares, required),
        heatmap_svg(shares, required) if pictures else None, image_type=SVG,
        image_alt="Heatmap of the percentage of requirements held by role and competency; "
        "the same figures are in the table below.", heat=True))
    trend = protect(counts.trend, rule, column_totals=False)
    sections.append(Section(
        "trend", "Status by month", f"Coverage over the last {options.trend_months} months",
        "Requirements by status at each month end (and the as-of date), recomputed with "
        "today's staff and roles; percentages of all requirements.",
        published(trend, "date"), trend_svg(trend.shares()) if pictures else None,
        image_type=SVG,
        image_alt="Line chart of the percentage of requirements in each status (met, "
        "expiring, expired, below level, missing) at each month end; the same figures are "
        "in the table below.",
        chart=Chart("stacked_column", "Requirements by status at each month end (%)",
                    tuple(f"{st} %" for st in STATUSES), "% of requirements", skip_rows=())))
    sections.append(reviews_section(reviews))
    people = counts.people
    labels = {c: f"{c} {v}" for c, v in ETHNIC_LABELS.items()}
    ethnic = pd.Series(pd.Categorical(
        people[ETHNIC_CATEGORY].fillna("").map(labels).fillna(NOT_RECORDED),
        categories=[*labels.values(), NOT_RECORDED]), index=people.index)
    sections.append(_people_section(people, ethnic, rule,
                                    ETHNIC_CATEGORY, "by-ethnic-category",
                                    "Staff by ethnic category", "Staff by ethnic category"))
    sections.append(_people_section(people, people[TEAM], rule, TEAM, "staff-by-team",
                                    "Staff by team", "Staff by team"))
    if counts.rows is not None:
        everyone = counts.rows
        everyone[COMPETENCY] = pd.Categorical(everyone[COMPETENCY], categories=order)
        sections.append(people_section(everyone, order))
    header = [f"As of {cov.as_of.isoformat()}: evidence lasts {cov.refresher_years} years; "
              f"'expiring' means it expires within {cov.expiring_days} days.",
              IDENTIFIABLE_NOTICE if options.identifiable else AGGREGATE_NOTICE,
              rule.describe()]
    return Report(options.title, tuple(header), options.identifiable, tuple(sections),
                  counts.warnings)


def people_section(frame: pd.DataFrame, competencies: Sequence[str]) -> Section:
    """The identifiable people x competencies matrix of statuses."""
    matrix = frame.pivot(index=STAFF_ID, columns=COMPETENCY, values=STATUS)
    matrix = matrix.reindex(columns=[c for c in competencies if c in matrix.columns])
    who = frame.drop_duplicates(STAFF_ID).set_index(STAFF_ID)[[TEAM, ROLE]]
    table = who.join(matrix.astype(object).where(matrix.notna(), "")).reset_index()
    table.columns = [str(c) for c in table.columns]
    return Section("people", "People", "People and competencies (identifiable)",
                   IDENTIFIABLE_NOTICE + " Blank: not required by the role.", table,
                   status_colours=True)


# --------------------------------------------------------------------------- writing

def report_path(out: str | Path) -> Path:
    """``out`` as a path, when it names a format reports are written in."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise CompetencyError(f"{out}: a report is written as .xlsx or .html "
                              f"({suffix or 'no suffix'})")
    return out


def write_report(report: Report, out: str | Path,
                 identifiers: Sequence[str] | pa.Array = ()) -> Path:
    """Render ``report`` by the suffix of ``out`` (.xlsx or .html) and write it atomically.

    A report that is not identifiable is refused when it contains any of
    ``identifiers`` (the staff IDs, usernames and names).
    """
    out = report_path(out)
    if out.suffix.lower() == ".html":
        text = render_html(report)
        # the pictures' own text (their labels), which the page holds only as base64
        data, texts = text.encode("utf-8"), [text, *(
            s.image.decode("utf-8") for s in report.sections
            if s.image is not None and s.image_type == SVG)]
    else:
        data = render_xlsx(report)
        texts = workbook_texts(data)
    if not report.identifiable:
        ensure_no_identifiers(str(out), texts, identifiers)
    return atomic_write_bytes(out, data)


def make_report(inputs: CoverageInputs | CoverageCounts, options: ReportOptions,
                framework: Framework, out: str | Path, reviews: ReviewStatus | None = None
                ) -> list[str]:
    """Build and write a report (from the input tables, or from their
    :func:`read_report_counts`); returns the coverage warnings."""
    html = report_path(out).suffix.lower() == ".html"
    counts = inputs if isinstance(inputs, CoverageCounts) else coverage_counts(
        inputs, options.coverage, options.trend_months, rows=options.identifiable)
    report = build_report(counts, options, framework, reviews, pictures=html)
    write_report(report, out, counts.identifiers)
    return list(report.warnings)
