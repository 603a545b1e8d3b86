"""Reports: the workbook's sheets and the HTML page's sections, and no personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from competency.coverage.disclosure import SUPPRESSED, DisclosureRule
from competency.coverage.reports import (
    AGGREGATE_NOTICE,
    IDENTIFIABLE_NOTICE,
    NO_REVIEWS,
    STATUS_COLOURS,
    ReportOptions,
    build_report,
    coverage_counts,
    coverage_frame,
    heatmap_table,
    heatmap_text_colour,
    load_review_status,
    make_report,
    month_ends,
    person_status,
    read_report_counts,
    render_html,
    render_xlsx,
    status_counts,
    trend_counts,
    write_report,
)
from competency.coverage.statuses import (
    STATUSES,
    CoverageInputs,
    CoverageOptions,
    compute_coverage,
    load_inputs,
)
from competency.errors import CompetencyError, DisclosureError, TableError
from competency.framework.model import Framework
from competency.hr.staff import scan_staff
from conftest import REPO, CliResult

Cli = Callable[..., CliResult]
AS_OF = dt.date(2026, 6, 30)
ROLES = [("Nurse", "LAW-1", 1), ("Nurse", "CUL-1", 2), ("Porter", "LAW-1", 1),
         ("Lead", "LAW-1", 2), ("Lead", "EIA-1", 3), ("Lead", "CUL-1", 2)]
SHEETS = ["About", "Requirements by competency", "Requirements by role", "Requirements by team",
          "Held by role and competency", "Status by month", "Training reviews",
          "Staff by ethnic category", "Staff by team"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def staff_rows() -> list[list[str]]:
    """60 staff: two wards and a tiny team; ethnic categories with a few small groups."""
    rows = [["staff_id", "role", "team", "ethnic_category", "username"]]
    ethnic = ["A"] * 52 + ["H"] * 3 + ["N"] + ["C"] * 3 + [""]
    for n in range(60):
        team = "Ward A" if n < 30 else "Ward B" if n < 55 else "Tiny team"
        role = "Lead" if n % 10 == 0 else "Porter" if n % 3 == 0 else "Nurse"
        rows.append([f"NX-{n:03d}", role, team, ethnic[n], f"user{n:03d}"])
    return rows


def evidence_rows() -> list[list[str]]:
    rng = random.Random(7)
    rows = [["staff_id", "competency", "level", "achieved_on", "source"]]
    for n in range(60):
        for cid in ("LAW-1", "CUL-1", "EIA-1"):
            if rng.random() < 0.8:
                day = AS_OF - dt.timedelta(days=rng.randint(0, 5 * 365))
                rows.append([f"NX-{n:03d}", cid, str(rng.randint(1, 3)), day.isoformat(),
                             "test"])
    return rows


@pytest.fixture
def org(tmp_path: Path) -> dict[str, Path]:
    """A small organisation's roles, staff and evidence files, plus review data."""
    roles = [["role", "competency", "level", "priority", "assessed_by"]]
    roles += [[r, c, str(lv), "essential", "training"] for r, c, lv in ROLES]
    catalogue = [["course_id", "title", "provider", "competencies", "levels"],
                 ["law-basics", "Equality law basics", "Fictional Provider", "LAW-1", "1"],
                 ["never-seen", "A course nobody reviewed", "Fictional Provider", "CUL-1", "1"]]
    reviews = [["course_id", "reviewed_on", "reviewer", "framework_version", "verdict",
                "competencies", "levels", "next_review_due", "notes"],
               ["law-basics", "2026-01-10", "R. Viewer", "1.0", "meets", "LAW-1", "1", "", ""]]
    return {"roles": write_csv(tmp_path / "roles.csv", roles),
            "staff": write_csv(tmp_path / "staff.csv", staff_rows()),
            "evidence": write_csv(tmp_path / "evidence.csv", evidence_rows()),
            "catalogue": write_csv(tmp_path / "catalogue.csv", catalogue),
            "reviews": write_csv(tmp_path / "reviews.csv", reviews)}


@pytest.fixture
def inputs(org: dict[str, Path], framework: Framework) -> CoverageInputs:
    return load_inputs(org["roles"], org["staff"], org["evidence"], framework)


STAFF_IDS = [f"NX-{n:03d}" for n in range(60)]
USERNAMES = [f"user{n:03d}" for n in range(60)]


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    book = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def table_of(rows: list[list[Any]], first: str) -> dict[str, list[Any]]:
    """A sheet's table as {first cell: row}, the header under the key ``first``."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == first)
    return {str(r[0]): r for r in rows[start:] if r and r[0] is not None}


def everything(values: dict[str, list[list[Any]]]) -> str:
    return " ".join(str(v) for rows in values.values() for r in rows for v in r
                    if v is not None)


# --- the data --------------------------------------------------------------------------------

def test_month_ends() -> None:
    assert month_ends(dt.date(2026, 3, 15), 3) == [
        dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 15)]
    assert month_ends(dt.date(2024, 2, 29), 2) == [dt.date(2024, 1, 31), dt.date(2024, 2, 29)]
    assert len(month_ends(AS_OF, 24)) == 24
    assert month_ends(AS_OF, 24)[0] == dt.date(2024, 7, 31)


def test_trend_is_coverage_recomputed_on_each_date(inputs: CoverageInputs) -> None:
    options = CoverageOptions(AS_OF)
    trend = trend_counts(inputs, options, 6)
    assert list(trend.index) == [d.isoformat() for d in month_ends(AS_OF, 6)]
    day = dt.date(2026, 2, 28)
    statuses = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                                CoverageOptions(day)).table.column("status").to_pylist()
    assert trend.loc[day.isoformat()].to_dict() == {
        s: statuses.count(s) for s in ("met", "expiring", "expired", "below_level", "missing")}


def test_trend_on_every_date_matches_coverage(inputs: CoverageInputs) -> None:
    options = CoverageOptions(AS_OF, 2, 30)
    trend = trend_counts(inputs, options, 24)
    assert len(trend) == 24
    for day in month_ends(AS_OF, 24):
        statuses = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                                    CoverageOptions(day, 2, 30)).table.column(
                                        "status").to_pylist()
        assert trend.loc[day.isoformat()].to_dict() == {s: statuses.count(s) for s in STATUSES}


def test_sample_organisation_trend_matches_coverage(framework: Framework) -> None:
    """The sample organisation's trend, judged on its pinned date, date by date."""
    sample = REPO / "src" / "competency" / "data" / "sample-org"
    inputs = load_inputs(sample / "roles.csv", sample / "staff.csv", sample / "evidence.csv",
                         framework)
    as_of = dt.date(2026, 11, 26)
    trend = trend_counts(inputs, CoverageOptions(as_of), 24)
    days = month_ends(as_of, 24)
    assert list(trend.index) == [d.isoformat() for d in days]
    assert len(days) == 25
    seen = set()
    for day in days:
        statuses = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                                    CoverageOptions(day)).table.column("status").to_pylist()
        assert trend.loc[day.isoformat()].to_dict() == {s: statuses.count(s) for s in STATUSES}
        seen.update(statuses)
    assert seen == set(STATUSES)


def test_a_workbook_report_draws_no_pictures(inputs: CoverageInputs,
                                            framework: Framework) -> None:
    """A workbook replaces the pictures by a colour scale and a native chart."""
    options = ReportOptions(CoverageOptions(AS_OF))
    with_pictures = build_report(inputs, options, framework)
    without = build_report(inputs, options, framework, pictures=False)
    assert [s.image is not None for s in with_pictures.sections].count(True) == 2
    assert all(s.image is None for s in without.sections)
    books = [load_workbook(io.BytesIO(render_xlsx(r))) for r in (with_pictures, without)]
    assert [[ws._images for ws in book] for book in books] == [[[]] * 9] * 2
    assert [[[list(r) for r in ws.iter_rows(values_only=True)] for ws in book]
            for book in books[:1]] == [[[list(r) for r in ws.iter_rows(values_only=True)]
                                        for ws in books[1]]]


def test_heatmap_numbers_are_readable_on_every_cell_colour() -> None:
    """Each cell of the heatmap picture prints its number in black or white, whichever
    has contrast of at least 4.5:1 on the cell's colour, from 0 to 100 (and on the grey
    under a suppressed *)."""
    import math

    from competency.coverage.charts import SUPPRESSED_FILL, heat_colour
    from competency.coverage.reportfiles import MIN_CONTRAST, contrast_ratio

    colours = set()
    for tenth in range(1001):
        value = tenth / 10
        text = heatmap_text_colour(value)
        colours.add(text)
        assert contrast_ratio(text, heat_colour(value)) >= MIN_CONTRAST, value
    assert colours == {"000000", "FFFFFF"}  # white on the dark reds and greens
    assert heatmap_text_colour(math.nan) == heatmap_text_colour(None) == "000000"
    assert contrast_ratio("000000", SUPPRESSED_FILL) >= MIN_CONTRAST


def test_heatmap_table_is_the_pictures_figures() -> None:
    import pandas as pd

    shares = pd.DataFrame({"LAW-1": [75.0, None], "CUL-1": [None, 40.0]},
                          index=pd.Index(["Nurse", "Porter"], name="role")).astype("Float64")
    required = pd.DataFrame({"LAW-1": [True, True], "CUL-1": [False, True]},
                            index=shares.index)
    table = heatmap_table(shares, required)
    assert table.to_dict("records") == [
        {"role": "Nurse", "LAW-1": 75.0, "CUL-1": ""},  # blank: not required
        {"role": "Porter", "LAW-1": SUPPRESSED, "CUL-1": 40.0}]


def test_a_person_takes_their_worst_status(inputs: CoverageInputs) -> None:
    frame, _ = coverage_frame(inputs, CoverageOptions(AS_OF))
    people = person_status(frame)
    assert len(people) == 60
    mine = frame[frame["staff_id"] == "NX-000"]["status"].tolist()
    order = ["met", "expiring", "expired", "below_level", "missing"]
    assert people.loc["NX-000", "status"] == max(mine, key=order.index)


# --- Excel --------------------------------------------------------------------------------------

SAMPLE = REPO / "src" / "competency" / "data" / "sample-org"


@pytest.mark.parametrize(("as_of", "years", "window"),
                         [(AS_OF, 3, 90), (AS_OF, 1, 365), (dt.date(2025, 2, 28), 2, 0),
                          (dt.date(2026, 11, 26), 3, 90)])
@pytest.mark.parametrize("sample", [False, True])
def test_grouped_counts_are_the_coverage_rows_counted(inputs: CoverageInputs,
                                                      framework: Framework, sample: bool,
                                                      as_of: dt.date, years: int,
                                                      window: int) -> None:
    """The report's counts, from the status spans on one connection, are the coverage
    rows of compute_coverage counted: row by row, by every group and by person."""
    if sample:
        inputs = load_inputs(SAMPLE / "roles.csv", SAMPLE / "staff.csv",
                             SAMPLE / "evidence.csv", framework)
    options = CoverageOptions(as_of, years, window)
    counts = coverage_counts(inputs, options, 24, rows=True)
    frame, warnings = coverage_frame(inputs, options)
    assert counts.warnings == tuple(warnings)
    assert counts.rows is not None
    columns = ["staff_id", "competency", "status", "role", "team"]
    assert counts.rows.to_dict("records") == frame[columns].to_dict("records")
    order = list(framework.ids)
    grouped = counts.requirements.assign(competency=pd.Categorical(
        counts.requirements["competency"], categories=order))
    frame["competency"] = pd.Categorical(frame["competency"], categories=order)
    for by in ("competency", "role", "team", ["role", "competency"]):
        pd.testing.assert_frame_equal(status_counts(grouped, by), status_counts(frame, by))
    people = person_status(frame)
    for by in ("ethnic_category", "team", "role"):
        pd.testing.assert_frame_equal(status_counts(counts.people, by),
                                      status_counts(people, by))
    pd.testing.assert_frame_equal(counts.trend, trend_counts(inputs, options, 24))
    assert counts.trend.iloc[-1].to_dict() == frame["status"].value_counts().reindex(
        list(STATUSES), fill_value=0).to_dict()


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if c != "n"]
    return frame.sort_values(keys).reset_index(drop=True)


def assert_same_counts(fast: Any, slow: Any) -> None:
    """Two CoverageCounts hold the same figures (grouped rows in any order)."""
    for name in ("requirements", "people"):
        pd.testing.assert_frame_equal(sorted_frame(getattr(fast, name)),
                                      sorted_frame(getattr(slow, name)))
    pd.testing.assert_frame_equal(fast.trend, slow.trend)
    assert fast.warnings == slow.warnings
    assert (fast.rows is None) == (slow.rows is None)
    if fast.rows is not None:
        pd.testing.assert_frame_equal(fast.rows, slow.rows)
    assert sorted(fast.identifiers.to_pylist()) == sorted(slow.identifiers.to_pylist())


def messy_org(tmp_path: Path, clean_staff: bool) -> tuple[Path, Path, Path]:
    """Files every reader accepts with cells to trim: teams, ethnic categories and
    usernames (in files otherwise clean, each read in one pass); or, not clean, left to
    the general readers: an ID to trim, a blank row, competency and level names."""
    roles = write_csv(tmp_path / "roles.csv", [
        ["role", "competency", "level", "priority", "assessed_by"],
        *[[r, c, str(lv), "essential", "training"] for r, c, lv in ROLES]])
    staff = tmp_path / "staff.csv"
    lines = ["staff_id,role,team,ethnic_category,username"]
    for n in range(40):
        team = ["Ward A", " Ward A", "Ward A ", "Ward B"][n % 4]
        role = ["Nurse", "Lead ", "Porter", "Volunteer", "Nurse"][n % 5]
        lines.append(f"NX-{n:03d},{role},{team},{['A', ' H', 'A ', ''][n % 4]},"
                     f"{' ' if n % 5 == 0 else ''}user{n:03d}")
    if not clean_staff:
        lines[3] = " " + lines[3]  # an ID to trim
        lines.insert(5, "")  # a blank row
    staff.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(3)
    rows = ["staff_id,competency,level,achieved_on,source"]
    for n in range(40):
        named = not clean_staff and n % 7 == 0
        for cid in ("LAW-1", "CUL-1", "equality impact assessment" if named else "EIA-1"):
            day = AS_OF - dt.timedelta(days=rng.randint(-30, 5 * 365))
            level = "Foundation" if named else str(rng.randint(1, 3))
            rows.append(f"NX-{n:03d},{cid},{level},{day.isoformat()},test")
    rows.append("ghost,LAW-1,1,2025-01-01,test")
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return roles, staff, evidence


@pytest.mark.parametrize("identifiable", [False, True])
@pytest.mark.parametrize("case", ["org", "sample", "messy", "messy staff"])
def test_the_report_reads_its_files_as_coverage_does(framework: Framework, org: dict[str, Path],
                                                     tmp_path: Path, case: str,
                                                     identifiable: bool) -> None:
    """``competency report`` reads the files in one pass each where they are clean (else
    by the general readers): the same figures as from load_inputs."""
    as_of = AS_OF
    if case == "org":
        paths = (org["roles"], org["staff"], org["evidence"])
    elif case == "sample":
        paths = (SAMPLE / "roles.csv", SAMPLE / "staff.csv", SAMPLE / "evidence.csv")
        as_of = dt.date(2026, 11, 26)
    else:
        paths = messy_org(tmp_path, clean_staff=case == "messy")
        assert (scan_staff(paths[1]) is None) == (case == "messy staff")
    options = ReportOptions(CoverageOptions(as_of, 2, 60), identifiable=identifiable,
                            trend_months=12)
    fast = read_report_counts(*paths, options, framework)
    inputs = load_inputs(*paths, framework)
    slow = coverage_counts(inputs, options.coverage, 12, rows=identifiable)
    assert_same_counts(fast, slow)
    _, warnings = coverage_frame(inputs, options.coverage)
    assert fast.warnings == tuple(warnings)
    if case.startswith("messy"):
        assert len(fast.warnings) == 2  # unknown staff, roles without requirements
    if case.startswith("messy"):
        assert set(fast.requirements["team"]) == {"Ward A", "Ward B"}
        assert set(fast.people["ethnic_category"]) == {"A", "H", ""}
        assert "user000" in fast.identifiers.to_pylist()
    for name in ("report.html", "report.xlsx"):
        make_report(fast, options, framework, tmp_path / f"fast-{name}")
        make_report(inputs, options, framework, tmp_path / f"slow-{name}")
    assert (tmp_path / "fast-report.html").read_text("utf-8") == (
        tmp_path / "slow-report.html").read_text("utf-8")
    assert workbook_values(tmp_path / "fast-report.xlsx") == workbook_values(
        tmp_path / "slow-report.xlsx")


@pytest.mark.parametrize(("which", "text", "message"), [
    ("staff", "staff_id,role,team\nN1,Nurse,A\nN1,Nurse,B\n",
     r"staff\.csv, row 3: duplicate staff_id \(first on row 2\) \(N1\)"),
    ("staff", "staff_id,role,team,ethnic_category\nN1,Nurse,A,Q\n",
     r"staff\.csv, row 2: unknown ethnic_category"),
    ("evidence", "staff_id,competency,level,achieved_on,source\nN1,LAW-1,1,2025-01-01,x\n"
     "N1,NOPE-1,1,2025-01-01,x\n", r"evidence\.csv, row 3: unknown competency \(NOPE-1\)"),
    ("evidence", "staff_id,competency,level,achieved_on,source\nN1,LAW-1,1,2025-02-30,x\n",
     r"evidence\.csv, row 2: malformed date"),
])
def test_the_report_refuses_bad_files_as_load_inputs_does(framework: Framework,
                                                          org: dict[str, Path], tmp_path: Path,
                                                          which: str, text: str,
                                                          message: str) -> None:
    paths = dict(org)
    paths[which] = tmp_path / f"{which}.csv"
    paths[which].write_text(text, encoding="utf-8")
    files = (paths["roles"], paths["staff"], paths["evidence"])
    with pytest.raises(TableError, match=message) as general:
        load_inputs(*files, framework)
    with pytest.raises(TableError) as fast:
        read_report_counts(*files, ReportOptions(CoverageOptions(AS_OF)), framework)
    assert str(fast.value) == str(general.value)


def test_workbook_sheets_values_and_no_staff_ids(inputs: CoverageInputs, framework: Framework,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    make_report(inputs, ReportOptions(CoverageOptions(AS_OF)), framework, out)
    values = workbook_values(out)
    assert list(values) == SHEETS
    assert values["About"][0][0] == "Competency coverage report"
    assert values["About"][2][0] == AGGREGATE_NOTICE
    assert IDENTIFIABLE_NOTICE not in everything(values)
    by_team = table_of(values["Staff by team"], "team")
    assert by_team["team"][:7] == ["team", "met", "expiring", "expired", "below_level",
                                   "missing", "Total"]
    assert by_team["Tiny team"][6] == SUPPRESSED  # five people
    assert by_team["Ward A"][6] == 30
    ethnic = table_of(values["Staff by ethnic category"], "ethnic_category")
    assert ethnic["N Black or Black British - African"][6] == SUPPRESSED
    assert ethnic["A White - British"][6] == 50  # 52 rounded to the nearest 5
    assert ethnic["Total"][6] == 60
    by_comp = table_of(values["Requirements by competency"], "competency")
    assert list(by_comp)[1:] == ["LAW-1", "EIA-1", "CUL-1", "Total"]  # framework order
    rows = len(coverage_frame(inputs, CoverageOptions(AS_OF))[0])
    assert rows == 36 * 2 + 18 + 6 * 3  # nurses, porters, leads
    assert by_comp["Total"][6] == 110  # 108 rounded to the nearest 5
    trend = table_of(values["Status by month"], "date")
    assert len(trend) == 1 + 24
    assert all((isinstance(v, int) and v % 5 == 0) or v == SUPPRESSED
               for r in list(trend.values())[1:] for v in r[1:7])
    assert NO_REVIEWS in values["Training reviews"][1]
    book = load_workbook(out)
    # native Excel: coloured cells and charts instead of pictures
    heat = book["Held by role and competency"]
    assert heat._images == []
    assert [r.rules[0].type for r in heat.conditional_formatting] == ["colorScale"]
    (trend_chart,) = book["Status by month"]._charts
    assert [s.tx.v for s in trend_chart.series] == [f"{st} %" for st in STATUSES]
    assert trend_chart.series[0].val.numRef.f == "'Status by month'!$H$5:$H$28"  # 24 month ends
    (status_chart,) = book["Requirements by competency"]._charts
    assert [s.tx.v for s in status_chart.series] == list(STATUSES)
    assert status_chart.series[0].val.numRef.f == "'Requirements by competency'!$B$5:$B$7"
    for sheet in book.worksheets[1:]:
        tabular = sheet.title != "Training reviews"  # no review data: a note, no table
        assert sheet.freeze_panes == ("B5" if tabular else None)
        assert len(sheet.tables) == tabular
    text = everything(values)
    assert not [i for i in STAFF_IDS + USERNAMES if i in text]


def test_identifiable_workbook_has_people_coloured_by_status(
        inputs: CoverageInputs, framework: Framework, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    make_report(inputs, ReportOptions(CoverageOptions(AS_OF), identifiable=True), framework,
                out)
    book = load_workbook(out)
    assert book.sheetnames == [*SHEETS, "People"]
    assert book["About"]["A3"].value == IDENTIFIABLE_NOTICE
    sheet = book["People"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[3]
    assert header == ["staff_id", "team", "role", "LAW-1", "EIA-1", "CUL-1"]
    assert [r[0] for r in rows[4:]] == STAFF_IDS
    coloured = 0
    for row in sheet.iter_rows(min_row=5):
        for cell in row[3:]:
            if cell.value:
                assert cell.fill.start_color.rgb.endswith(STATUS_COLOURS[str(cell.value)])
                coloured += 1
            else:
                assert cell.fill.fill_type is None
    assert coloured == 108  # every requirement


# --- HTML ---------------------------------------------------------------------------------------

class Page(HTMLParser):
    """What the tests look at in a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self.classes: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._tag = tag
        if tag == "section":
            self.sections.append(str(found["id"]))
        if tag == "img":
            self.images.append(str(found["src"]))
        if tag in ("script", "link", "iframe") or (
                tag == "img" and not str(found["src"]).startswith("data:image/svg+xml;base64,")):
            self.external.append(tag)
        if found.get("class"):
            self.classes.append(str(found["class"]))

    def handle_data(self, data: str) -> None:
        if self._tag in ("h1", "h2"):
            self.headings.append(data)
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


def test_html_page_is_self_contained_with_every_section(
        inputs: CoverageInputs, framework: Framework, org: dict[str, Path],
        tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    status = load_review_status(org["catalogue"], org["reviews"], framework, AS_OF)
    make_report(inputs, ReportOptions(CoverageOptions(AS_OF)), framework, out, status)
    page = parse(out)
    assert page.sections == ["by-competency", "by-role", "by-team", "heatmap", "trend",
                             "reviews", "by-ethnic-category", "staff-by-team"]
    assert page.headings[0] == "Competency coverage report"
    assert "Share met by role and competency" in page.headings
    assert len(page.images) == 2
    assert page.external == []
    html_text = out.read_text("utf-8")
    assert ('alt="Line chart of the percentage of requirements in each status (met, expiring, '
            'expired, below level, missing)') in html_text  # the trend shows every status
    text = " ".join(page.text)
    assert AGGREGATE_NOTICE in text
    assert "1 of 2 courses reviewed and in date (50%)" in text
    assert "never reviewed" in text
    assert "R. Viewer" not in text
    assert NO_REVIEWS not in text
    assert not [i for i in STAFF_IDS + USERNAMES if i in out.read_text("utf-8")]


def test_identifiable_page_says_so_and_names_people(
        inputs: CoverageInputs, framework: Framework, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    make_report(inputs, ReportOptions(CoverageOptions(AS_OF), identifiable=True), framework,
                out)
    page = parse(out)
    assert page.sections[-1] == "people"
    assert "notice identifiable" in page.classes
    text = " ".join(page.text)
    assert IDENTIFIABLE_NOTICE in text
    assert AGGREGATE_NOTICE not in text
    assert all(i in text for i in STAFF_IDS)
    assert {c for c in page.classes if c.startswith("status-")} <= {
        f"status-{s}" for s in STATUS_COLOURS}


def test_suppression_can_be_turned_off(inputs: CoverageInputs, framework: Framework,
                                       tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    make_report(inputs, ReportOptions(CoverageOptions(AS_OF),
                                      rule=DisclosureRule(enabled=False)), framework, out)
    values = workbook_values(out)
    by_team = table_of(values["Staff by team"], "team")
    assert by_team["Tiny team"][6] == 5
    ethnic = table_of(values["Staff by ethnic category"], "ethnic_category")
    assert ethnic["A White - British"][6] == 52
    assert ethnic["Not recorded"][6] == 1


def test_a_report_naming_staff_is_not_written(framework: Framework, org: dict[str, Path],
                                              tmp_path: Path) -> None:
    rows = staff_rows()
    rows[1][2] = "NX-007"  # a team named like a member of staff
    staff = write_csv(tmp_path / "staff-bad.csv", rows)
    inputs = load_inputs(org["roles"], staff, org["evidence"], framework)
    out = tmp_path / "report.html"
    report = build_report(inputs, ReportOptions(CoverageOptions(AS_OF)), framework)
    with pytest.raises(DisclosureError, match=(
            rf"^{out}: an aggregated output contains a staff identifier \(NX-007\); "
            r"not written$")):
        write_report(report, out, STAFF_IDS)
    assert not out.exists()


def test_a_picture_naming_staff_is_not_written(tmp_path: Path) -> None:
    """The pictures are base64 in the page: their own text is checked for identifiers."""
    from competency.coverage.reports import SVG, Report, Section

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>NX-007</text></svg>'
    report = Report("R", (AGGREGATE_NOTICE,), False, (
        Section("heatmap", "Heat", "Heat", "n", image=svg, image_type=SVG),))
    out = tmp_path / "report.html"
    with pytest.raises(DisclosureError, match=r"a staff identifier \(NX-007\); not written$"):
        write_report(report, out, STAFF_IDS)
    assert not out.exists()
    assert "NX-007" not in render_html(report)  # only in the base64
    write_report(report, out, ["NX-008"])
    assert out.exists()


def test_unknown_report_format_is_refused(inputs: CoverageInputs, framework: Framework,
                                          tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    with pytest.raises(CompetencyError,
                       match=rf"^{out}: a report is written as \.xlsx or \.html \(\.pdf\)$"):
        make_report(inputs, ReportOptions(CoverageOptions(AS_OF)), framework, out)


# --- CLI ---------------------------------------------------------------------------------------

def test_cli_report(cli: Cli, org: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.xlsx"
    result = cli("report", "--roles", org["roles"], "--staff", org["staff"], "--evidence",
                 org["evidence"], "--as-of", "2026-06-30", "--out", out, "--catalogue",
                 org["catalogue"], "--reviews", org["reviews"])
    assert result.code == 0, result.err
    assert result.err == f"{out}: report written (aggregated)\n"
    values = workbook_values(out)
    assert values["Training reviews"][1][0].startswith("1 of 2 courses reviewed and in date")
    assert "As of 2026-06-30" in values["About"][1][0]


def test_cli_report_options(cli: Cli, org: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = cli("report", "--roles", org["roles"], "--staff", org["staff"], "--evidence",
                 org["evidence"], "--as-of", "2026-06-30", "--out", out, "--identifiable",
                 "--threshold", "3", "--round-to", "10")
    assert result.code == 0, result.err
    assert result.err == f"{out}: report written (identifiable: personal data)\n"
    text = " ".join(parse(out).text)
    assert "Counts from 1 to 3 are shown as *; other counts are rounded to the nearest 10" in text
    result = cli("report", "--roles", org["roles"], "--staff", org["staff"], "--evidence",
                 org["evidence"], "--out", out, "--no-suppress")
    assert result.code == 0, result.err
    assert "Small numbers are not suppressed" in out.read_text("utf-8")


def test_cli_report_errors(cli: Cli, org: dict[str, Path], tmp_path: Path) -> None:
    base = ["report", "--roles", org["roles"], "--staff", org["staff"], "--evidence",
            org["evidence"]]
    result = cli(*base, "--out", tmp_path / "r.txt")
    assert (result.code, result.err) == (
        2, f"{tmp_path / 'r.txt'}: a report is written as .xlsx or .html (.txt)\n")
    result = cli(*base, "--out", tmp_path / "r.html", "--round-to", "0")
    assert (result.code, result.err) == (
        2, "competency: Invalid value for '--round-to': must be a whole number, at least 1 (0)\n")


def test_sample_organisation_report(cli: Cli, tmp_path: Path) -> None:
    """The shipped sample: every staff ID stays out of the aggregated report."""
    from competency.coverage.dashboard import SAMPLE_ORG

    out = tmp_path / "sample.html"
    result = cli("report", "--config", SAMPLE_ORG / "competency.toml", "--as-of", "2026-09-30",
                 "--out", out)
    assert result.code == 0, result.err
    text = out.read_text("utf-8")
    with (SAMPLE_ORG / "staff.csv").open(encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) >= 100
    assert not [p["staff_id"] for p in people if p["staff_id"] in text]
    assert not [p["username"] for p in people if f">{p['username']}<" in text]
    assert 'id="reviews"' in text
    assert NO_REVIEWS not in text
