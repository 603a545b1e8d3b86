from __future__ import annotations

import io
import os
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from competency.coverage.reportfiles import (
    AGGREGATE_NOTICE,
    IDENTIFIABLE_NOTICE,
    STATUS_COLOURS,
    Chart,
    Report,
    Section,
    render_html,
    render_xlsx,
    table_html,
    workbook_texts,
)
from conftest import REPO, CliResult

Cli = Callable[..., CliResult]
CHROMIUM = Path(os.environ.get("CCT_CHROMIUM", "/usr/bin/chromium"))
SAMPLE_CONFIG = REPO / "src" / "competency" / "data" / "sample-org" / "competency.toml"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def report(identifiable: bool = False) -> Report:
    summary = pd.DataFrame({"team": ["North <A&E>", "South"], "met": [12, "*"],
                            "share": [0.5, None]})
    people = pd.DataFrame({"staff_id": ["S1", "S2"], "LAW-1": ["met", "missing"]})
    return Report(
        title="Coverage & gaps",
        header=("As of 2024-05-01", IDENTIFIABLE_NOTICE if identifiable else AGGREGATE_NOTICE),
        identifiable=identifiable,
        sections=(Section("summary", "By team", "By team", "Counts by team.", table=summary),
                  Section("people", "A" * 40, "People", "One row per person.", table=people,
                          status_colours=True),
                  Section("trend", "Trend", "Trend", "A picture.", image=tiny_png())),
    )


def test_render_html_is_one_escaped_self_contained_page() -> None:
    page = render_html(report())
    assert page.startswith("<!DOCTYPE html>")
    assert page.endswith("</html>\n")
    assert "<title>Coverage &amp; gaps</title>" in page
    assert "<td>North &lt;A&amp;E&gt;</td>" in page
    # missing value: blank; figures (and * for a suppressed one) right-aligned, text left
    assert '<tr><td>South</td><td class="num">*</td><td></td></tr>' in page
    assert ('<th scope="col">team</th><th scope="col" class="num">met</th>'
            '<th scope="col" class="num">share</th>') in page
    assert f'<p class="notice">{AGGREGATE_NOTICE}</p>' in page
    assert '<p class="rule">As of 2024-05-01</p>' in page
    assert re.findall(r'<section id="(\w+)">', page) == ["summary", "people", "trend"]
    assert '<a href="#people">' in page
    assert '<img alt="Trend" src="data:image/png;base64,' in page
    assert "img{max-width:100%;height:auto}" in page  # a wide picture shrinks to the page
    assert '<td class="status-met">met</td>' in page
    assert '<td class="status-missing">missing</td>' in page
    assert "http" not in page.split("<body>")[0]  # nothing fetched from elsewhere


def test_identifiable_reports_carry_a_red_notice() -> None:
    page = render_html(report(identifiable=True))
    assert f'<p class="notice identifiable">{IDENTIFIABLE_NOTICE}</p>' in page


def test_table_html_colours_statuses_only_when_asked() -> None:
    table = pd.DataFrame({"x": ["met"]})
    assert "status-met" not in table_html(table)
    assert '<td class="status-met">met</td>' in table_html(table, status_colours=True)


def test_table_html_aligns_figures_right_and_text_left() -> None:
    table = pd.DataFrame({"role": ["Nurse", "Porter"], "n": [10, "*"], "mixed": ["a", 1]})
    text = table_html(table)
    assert text.startswith('<div class="table-wrap"><table>')  # scrolls inside its box
    assert ('<th scope="col">role</th><th scope="col" class="num">n</th>'
            '<th scope="col">mixed</th>') in text
    assert '<tr><td>Nurse</td><td class="num">10</td><td>a</td></tr>' in text
    assert '<tr><td>Porter</td><td class="num">*</td><td class="num">1</td></tr>' in text


def test_render_xlsx_reads_back_sheet_by_sheet() -> None:
    data = render_xlsx(report())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["About", "By team", "A" * 31, "Trend"]
    about = list(book["About"].iter_rows(values_only=True))
    assert about[0][0] == "Coverage & gaps"
    assert about[1][0] == "As of 2024-05-01"
    assert ("By team", "By team") in [r[:2] for r in about]
    rows = list(book["By team"].iter_rows(values_only=True))
    assert rows[0][0] == "By team"
    assert rows[1][0] == "Counts by team."
    assert rows[3] == ("team", "met", "share")
    assert rows[4] == ("North <A&E>", 12, 0.5)
    assert rows[5][:2] == ("South", "*")
    people = book["A" * 31]
    fills = {c.value: c.fill.start_color.rgb for row in people.iter_rows(min_row=5)
             for c in row}
    assert fills["met"].endswith(STATUS_COLOURS["met"])
    assert fills["missing"].endswith(STATUS_COLOURS["missing"])
    assert len(book["Trend"]._images) == 1


def native_report() -> Report:
    counts = pd.DataFrame({"competency": ["LAW-1", "CUL-1", "EIA-1", "Total"],
                           "met": [40, "*", 20, 70], "missing": [10, 15, "*", 30],
                           "Total": [50, 20, 25, 100]})
    heat = pd.DataFrame({"role": ["Nurse", "Porter"], "LAW-1": [75.0, "*"],
                         "CUL-1": [40.0, ""]})
    return Report(
        title="Native", header=("As of 2024-05-01",), identifiable=False,
        sections=(
            Section("by-competency", "Requirements by competency", "By competency", "n",
                    table=counts, image=tiny_png(),
                    chart=Chart("stacked_bar", "Requirements by competency and status",
                                ("met", "missing"), "Requirements")),
            Section("heatmap", "Held by role and competency", "Held", "n", table=heat,
                    image=tiny_png(), heat=True),
            Section("notes", "Notes", "Notes", "No table here.")))


def test_xlsx_tables_frozen_panes_widths_and_print_setup() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(native_report())))
    sheet = book["Requirements by competency"]
    assert sheet.freeze_panes == "B5"
    assert [c.value for c in sheet[4]] == ["competency", "met", "missing", "Total"]
    assert all(c.font.bold for c in sheet[4])
    (table,) = sheet.tables.values()
    assert table.ref == "A4:D7"  # the header and data rows; the total row stays below
    assert table.autoFilter is not None
    assert [c.name for c in table.tableColumns] == ["competency", "met", "missing", "Total"]
    assert sheet.column_dimensions["A"].width == len("competency") + 2
    assert sheet.column_dimensions["B"].width == 8  # at least MIN_WIDTH
    assert sheet["B5"].alignment.horizontal == "right"
    for name in book.sheetnames:
        setup = book[name]
        assert setup.page_setup.orientation == "landscape"
        assert (setup.page_setup.fitToWidth, setup.page_setup.fitToHeight) == (1, 0)
        assert setup.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"  # the header repeats on every page
    assert not sheet.merged_cells.ranges
    assert book["Notes"].tables == {}
    assert not [n for n in book.sheetnames if book[n].sheet_state != "visible"]


def test_xlsx_chart_reads_the_published_cells() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(native_report())))
    sheet = book["Requirements by competency"]
    (chart,) = sheet._charts
    assert sheet._images == []  # the native chart replaces the picture
    assert (chart.type, chart.grouping, chart.overlap) == ("bar", "stacked", 100)
    title = "".join(r.t for p in chart.title.tx.rich.p for r in p.r)
    assert title == "Requirements by competency and status"
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == ["'Requirements by competency'!$B$5:$B$7",
                    "'Requirements by competency'!$C$5:$C$7"]  # not the Total row
    assert [s.tx.v for s in chart.series] == ["met", "missing"]
    assert chart.series[0].cat.numRef.f == "'Requirements by competency'!$A$5:$A$7"
    assert chart.series[0].graphicalProperties.solidFill.srgbClr == STATUS_COLOURS["met"]
    # what it plots: the published cells, where a suppressed figure is the text *
    assert [sheet[f"B{r}"].value for r in range(5, 8)] == [40, "*", 20]


def test_xlsx_heatmap_colours_figures_only() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(native_report())))
    sheet = book["Held by role and competency"]
    assert sheet._images == []  # the coloured cells replace the picture
    (rules,) = list(sheet.conditional_formatting)
    assert str(rules.sqref) == "B5:C6"
    (rule,) = rules.rules
    assert rule.type == "colorScale"  # colours numbers only: text (*) and blanks stay plain
    assert [v.val for v in rule.colorScale.cfvo] == [0, 50, 100]
    assert [sheet[c].value for c in ("B5", "C5", "B6", "C6")] == [75, 40, "*", None]
    assert all(sheet[c].fill.fill_type is None for c in ("B5", "C5", "B6", "C6"))


def test_xlsx_never_puts_a_number_where_a_figure_is_suppressed() -> None:
    """Every cell of every sheet (hidden or not) that the tables publish as * is * in the
    workbook, and no chart refers to a cell outside the published tables."""
    data = render_xlsx(native_report())
    book = load_workbook(io.BytesIO(data))
    assert book["Requirements by competency"]["B6"].value == "*"
    assert book["Requirements by competency"]["C7"].value == "*"
    assert book["Held by role and competency"]["B6"].value == "*"
    for sheet in book.worksheets:
        for chart in sheet._charts:
            for series in chart.series:
                assert series.val.numRef.numCache is None  # no cached copy of the figures
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert not [n for n in names if "externalLink" in n or "pivotCache" in n]
        charts = [archive.read(n).decode() for n in names if n.startswith("xl/charts/")]
    assert charts
    assert not [c for c in charts if "numCache" in c or "strCache" in c]  # no copied figures


def test_workbook_texts_lists_each_sheet_then_the_names() -> None:
    texts = workbook_texts(render_xlsx(report()))
    assert len(texts) == 8
    assert "S1" in texts[2]
    assert "S2" in texts[2]
    assert texts[4:] == ["About", "By team", "A" * 31, "Trend"]


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_report_page_never_scrolls_sideways(cli: Cli, tmp_path: Path, width: int) -> None:
    """The sample organisation's report in Chromium: no horizontal page scroll on a laptop or
    a phone; the pictures fit (the heatmap's colour bar is not cut off); wide tables scroll
    in their own box. Screenshots are kept in tmp_path."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's (`. .ci/browser.sh`)")
    out = tmp_path / "report.html"
    done = cli("report", "--config", SAMPLE_CONFIG, "--out", out)
    assert done.code == 0, done.err
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(out.as_uri())
            page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner
            edges = page.evaluate("[...document.images].map(i => [i.naturalWidth > 0, "
                                  "i.getBoundingClientRect().right])")
            assert len(edges) == 2  # the heatmap and the trend
            assert all(loaded and right <= inner for loaded, right in edges)
            aligned = page.evaluate(
                "[...document.querySelectorAll('#by-role tbody tr:first-child td')]"
                ".map(td => getComputedStyle(td).textAlign)")
            assert aligned[0] in ("left", "start")  # the role
            assert set(aligned[1:]) == {"right"}  # the figures
        finally:
            browser.close()
