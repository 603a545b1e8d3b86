from __future__ import annotations

import base64
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import load_workbook

from competency.coverage.reportfiles import (
    AGGREGATE_NOTICE,
    CSS,
    HEAT_COLOURS,
    IDENTIFIABLE_NOTICE,
    MIN_CONTRAST,
    STATUS_COLOURS,
    SVG,
    Chart,
    Report,
    Section,
    contrast_ratio,
    figure_html,
    relative_luminance,
    render_html,
    render_xlsx,
    table_html,
    text_colour_on,
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
    assert '<th scope="row">North &lt;A&amp;E&gt;</th>' in page  # each row's label
    # missing value: blank; figures (and * for a suppressed one) right-aligned, text left
    assert '<tr><th scope="row">South</th><td class="num">*</td><td></td></tr>' in page
    assert "<caption>By team</caption>" in page
    assert "<caption>Trend</caption>" not in page  # a picture without a table
    assert ('<th scope="col">team</th><th scope="col" class="num">met</th>'
            '<th scope="col" class="num">share</th>') in page
    assert f'<p class="notice">{AGGREGATE_NOTICE}</p>' in page
    assert '<p class="rule">As of 2024-05-01</p>' in page
    assert re.findall(r'<section id="(\w+)">', page) == ["summary", "people", "trend"]
    assert '<a href="#people">' in page
    assert '<img alt="Trend" src="data:image/png;base64,' in page
    assert '<html lang="en-GB">' in page
    assert "img{max-width:100%;height:auto}" in page  # a wide picture shrinks to the page
    assert '<td class="status-met">met</td>' in page
    assert '<td class="status-missing">missing</td>' in page
    assert "http" not in page.split("<body>")[0]  # nothing fetched from elsewhere


def test_identifiable_reports_carry_a_red_notice() -> None:
    page = render_html(report(identifiable=True))
    assert f'<p class="notice identifiable">{IDENTIFIABLE_NOTICE}</p>' in page


def test_table_html_colours_statuses_only_when_asked() -> None:
    table = pd.DataFrame({"who": ["S1"], "x": ["met"]})
    assert "status-met" not in table_html(table)
    # the colour, and the status word in the cell
    assert '<td class="status-met">met</td>' in table_html(table, status_colours=True)


def test_table_html_aligns_figures_right_and_text_left() -> None:
    table = pd.DataFrame({"role": ["Nurse", "Porter"], "n": [10, "*"], "mixed": ["a", 1]})
    text = table_html(table)
    # scrolls inside its box, which takes the keyboard focus to scroll it
    assert text.startswith('<div class="table-wrap" tabindex="0"><table>')
    assert ('<th scope="col">role</th><th scope="col" class="num">n</th>'
            '<th scope="col">mixed</th>') in text
    assert '<tr><th scope="row">Nurse</th><td class="num">10</td><td>a</td></tr>' in text
    assert ('<tr><th scope="row">Porter</th><td class="num">*</td><td class="num">1</td>'
            "</tr>") in text
    captioned = table_html(table, caption='Staff by "role"')
    assert captioned.startswith('<div class="table-wrap" role="region" aria-label="Staff by '
                                '&quot;role&quot;" tabindex="0"><table><caption>Staff by '
                                "&quot;role&quot;</caption><thead>")


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


# --- accessibility: what a screen reader, a magnifier or a keyboard needs -------------------


class Outline(HTMLParser):
    """What assistive technology navigates a page by: its language and title, landmarks,
    headings, tables (caption, header cells) and pictures (alt text)."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.landmarks: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict[str, Any]] = []
        self.scrollers: list[dict[str, str | None]] = []
        self.images: list[str | None] = []
        self._text: list[str] | None = None
        self._in_head_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(tag)
        elif tag == "div" and "table-wrap" in str(found.get("class")):
            self.scrollers.append(found)
        elif tag == "table":
            self.tables.append({"caption": None, "head": [], "rows": []})
        elif tag == "thead":
            self._in_head_row = True
        elif tag == "tbody":
            self._in_head_row = False
        elif tag == "tr" and not self._in_head_row:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td"):
            cell = (tag, found.get("scope"))
            if self._in_head_row:
                self.tables[-1]["head"].append(cell)
            else:
                self.tables[-1]["rows"][-1].append(cell)
        elif tag == "img":
            self.images.append(found.get("alt"))
        if tag in ("title", "caption", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        text = "".join(self._text).strip()
        if tag == "title":
            self.title = text
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), text))
        else:
            return
        self._text = None


def outline(page: str) -> Outline:
    parsed = Outline()
    parsed.feed(page)
    return parsed


def assert_accessible_page(page: str) -> Outline:
    """WCAG 2.2 AA as far as the markup shows it: 3.1.1 language, 2.4.2 title, 1.3.1
    landmarks, headings in order, tables with a caption and scoped header cells (a column
    header per column, a row header per row), 1.1.1 alt text, 2.1.1 scrolling boxes that
    take the keyboard focus."""
    found = outline(page)
    assert found.lang == "en-GB"
    assert found.title
    assert {"header", "nav", "main"} <= set(found.landmarks)
    levels = [level for level, _ in found.headings]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert all(text for _, text in found.headings)
    assert found.tables
    for table in found.tables:
        assert table["caption"], table
        assert table["head"]
        assert set(table["head"]) == {("th", "col")}
        for row in table["rows"]:
            assert row[0] == ("th", "row")
            assert all(cell == ("td", None) for cell in row[1:])
            assert len(row) == len(table["head"])
    assert all(alt and alt.strip() for alt in found.images), found.images
    assert len(found.scrollers) == len(found.tables)
    for box in found.scrollers:
        assert (box.get("role"), box.get("tabindex")) == ("region", "0")
        assert box.get("aria-label")
    return found


def test_report_pages_have_structure_for_assistive_technology() -> None:
    for made in (report(), report(identifiable=True), native_report()):
        found = assert_accessible_page(render_html(made))
        assert found.title == made.title
        assert found.headings == [(1, made.title), *((2, s.title) for s in made.sections)]
    found = outline(render_html(native_report()))
    # a table that holds a picture's figures says so: the picture's text alternative
    assert [t["caption"] for t in found.tables] == [
        "By competency: the figures in the picture above",
        "Held: the figures in the picture above"]


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio("000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#777", "FFFFFF") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast_ratio("767676", "FFFFFF") == pytest.approx(4.54, abs=0.01)  # just passes
    assert contrast_ratio("a00000", "ffffff") == contrast_ratio("FFFFFF", "A00000")
    assert relative_luminance("808080") == pytest.approx(0.2159, abs=1e-4)
    with pytest.raises(ValueError, match=r"not an RGB colour \(red\)"):
        relative_luminance("red")
    assert text_colour_on("FFFFFF") == "000000"
    assert text_colour_on("000080") == "FFFFFF"
    for grey in range(256):  # whichever of black and white is better always passes
        colour = f"{grey:02X}" * 3
        assert contrast_ratio(colour, text_colour_on(colour)) >= MIN_CONTRAST


def test_page_text_colours_pass_contrast_on_every_background() -> None:
    """Every text colour the style sheet sets, on every background it sets (the page,
    header cells, status cells): at least 4.5:1 (1.4.3); borders and the focus outline
    at least 3:1 against the page (1.4.11)."""
    texts = re.findall(r"(?<![\w-])color:#([0-9A-Fa-f]{6})", CSS)
    backgrounds = re.findall(r"(?<![\w-])background:#([0-9A-Fa-f]{6})", CSS)
    assert len(texts) == 3  # body text, links, the identifiable notice
    assert len(backgrounds) == 2 + len(STATUS_COLOURS)  # page, header cells, statuses
    ratios = {(t, b): contrast_ratio(t, b) for t in texts for b in backgrounds}
    assert min(ratios.values()) >= MIN_CONTRAST, min(ratios.items(), key=lambda i: i[1])
    lines = re.findall(r"solid #([0-9A-Fa-f]{6})", CSS)
    assert len(lines) == 2
    assert all(contrast_ratio(c, "FFFFFF") >= 3 for c in lines)


def test_workbook_text_passes_contrast_on_its_fills() -> None:
    """Excel's black text on the status fills and anywhere on the heatmap's colour scale
    (sampled every 2 points, as Excel blends the three colours)."""
    for fill in STATUS_COLOURS.values():
        assert contrast_ratio("000000", fill) >= MIN_CONTRAST, fill
    low, mid, high = ([int(c[i:i + 2], 16) for i in (0, 2, 4)] for c in HEAT_COLOURS)
    for value in range(0, 101, 2):
        start, end, t = (low, mid, value / 50) if value <= 50 else (mid, high, value / 50 - 1)
        colour = "".join(f"{round(a + (b - a) * t):02X}" for a, b in zip(start, end,
                                                                          strict=True))
        assert contrast_ratio("000000", colour) >= MIN_CONTRAST, (value, colour)


def drawn_objects(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Each drawing part's objects (charts, pictures) and their properties, read from the
    package's XML as Excel reads it."""
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: [dict(props.attrib) for props in
                       ElementTree.fromstring(archive.read(name)).iter(f"{ns}cNvPr")]
                for name in archive.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml",
                                                                 name)}


def assert_accessible_workbook(data: bytes, title: str) -> Any:
    """Microsoft's accessibility checker rules that a workbook written by openpyxl can
    break: a document title; sheet names that say what they hold (no Sheet1); every data
    table an Excel table whose first row is its header row, named after its columns; no
    merged cells; alt text on every chart and picture."""
    book = load_workbook(io.BytesIO(data))
    assert book.properties.title == title
    assert book.properties.language == "en-GB"
    assert not [n for n in book.sheetnames if re.fullmatch(r"(?i)sheet\s*\d*", n)]
    assert len(set(book.sheetnames)) == len(book.sheetnames)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/tables/")]
        for part in parts:  # headerRowCount: absent means 1, 0 means no header row
            root = ElementTree.fromstring(archive.read(part))
            assert root.get("headerRowCount", "1") == "1", part
    assert len(parts) == sum(len(sheet.tables) for sheet in book.worksheets)
    for sheet in book.worksheets:
        assert not sheet.merged_cells.ranges, sheet.title
        for table in sheet.tables.values():
            first = sheet[table.ref.split(":")[0]]
            header = [c.value for c in sheet[first.row]][:len(table.tableColumns)]
            assert header == [c.name for c in table.tableColumns], sheet.title
            assert all(isinstance(v, str) and v for v in header)
            assert all(c.font.bold for c in sheet[first.row] if c.value is not None)
    objects = [o for found in drawn_objects(data).values() for o in found]
    assert len(objects) == sum(len(s._charts) + len(s._images) for s in book.worksheets)
    for props in objects:  # alt text, and not a file name (an error in Office's checker)
        assert props.get("descr", "").strip() not in ("", "Picture"), props
        assert not re.search(r"\.(png|jpe?g|gif|bmp|emf)\b", props["descr"], re.I), props
    return book


def test_workbook_follows_the_accessibility_checker() -> None:
    book = assert_accessible_workbook(render_xlsx(report()), "Coverage & gaps")
    assert book["About"].tables["T_about"].ref == "A5:B8"  # the list of sheets
    assert [c.value for c in book["About"][5]] == ["Sheet", "Contents"]
    assert book["By team"].tables["T_summary"].ref == "A4:C6"
    ((descr,),) = ([o["descr"] for o in v] for v in drawn_objects(render_xlsx(report())
                                                                  ).values())
    assert descr == "Trend"  # a picture's alt text (its title when it has none)
    data = render_xlsx(native_report())
    assert_accessible_workbook(data, "Native")
    ((chart,),) = ([o["descr"] for o in v] for v in drawn_objects(data).values())
    assert chart == ("Stacked bar chart: Requirements by competency and status (met, "
                     "missing). The same figures are in the table above.")


def test_alt_text_is_escaped_and_each_object_gets_its_own() -> None:
    two = Report("Pictures", (), False, (
        Section("a", "First", "First", "n", image=tiny_png(), image_alt='A "quoted" <alt> & co'),
        Section("b", "Second", "Second", "n", image=tiny_png(), image_alt="Second picture")))
    data = render_xlsx(two)
    found = sorted(o["descr"] for v in drawn_objects(data).values() for o in v)
    assert found == ['A "quoted" <alt> & co', "Second picture"]
    book = load_workbook(io.BytesIO(data))  # still a workbook openpyxl (and Excel) reads
    assert [len(book[n]._images) for n in ("First", "Second")] == [1, 1]


def test_svg_pictures_are_inlined_with_their_media_type() -> None:
    """An SVG picture is an <img> of an SVG data URL with its alt text; a workbook shows
    it only through a native replacement (a colour scale or chart), never as a picture."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'
    drawn = Section("heat", "Heat", "Heat", "n", table=pd.DataFrame({"role": ["A"], "X": [50]}),
                    image=svg, image_type=SVG, image_alt="Heat", heat=True)
    page = render_html(Report("R", (), False, (drawn,)))
    assert f'<img alt="Heat" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">' \
        in page
    book = load_workbook(io.BytesIO(render_xlsx(Report("R", (), False, (drawn,)))))
    assert book["Heat"]._images == []
    alone = Section("pic", "Pic", "Pic", "n", image=svg, image_type=SVG)
    with pytest.raises(ValueError, match=r"^Pic: a workbook embeds PNG pictures only "
                                         r"\(image/svg\+xml\)$"):
        render_xlsx(Report("R", (), False, (alone,)))


def test_figure_html_gives_a_picture_alt_text_and_a_caption() -> None:
    text = figure_html(tiny_png(), 'Heat "map"', "Numbers <in> cells")
    assert text.startswith('<figure><img alt="Heat &quot;map&quot;" ')
    assert 'src="data:image/png;base64,iVBORw0KGgo' in text
    assert text.endswith("<figcaption>Numbers &lt;in&gt; cells</figcaption></figure>")
    assert "<figcaption>" not in figure_html(tiny_png(), "alt")


def test_figure_html_inlines_an_svg_as_the_report_does() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><text>*</text></svg>'
    text = figure_html(svg, "Heatmap", "Cells", SVG)
    encoded = base64.b64encode(svg).decode("ascii")
    assert f'src="data:image/svg+xml;base64,{encoded}"' in text
    assert text.startswith('<figure><img alt="Heatmap" ')
    assert text.endswith("<figcaption>Cells</figcaption></figure>")
    section = Section("heat", "Heat", "Heat", "n", image=svg, image_type=SVG)
    page = render_html(Report("R", (), False, (section,)))
    assert f'src="data:image/svg+xml;base64,{encoded}"' in page  # one way of inlining


def test_sample_organisation_report_is_accessible_in_both_formats(cli: Cli,
                                                                 tmp_path: Path) -> None:
    for name in ("report.html", "report.xlsx"):
        done = cli("report", "--config", SAMPLE_CONFIG, "--out", tmp_path / name)
        assert done.code == 0, done.err
    found = assert_accessible_page((tmp_path / "report.html").read_text("utf-8"))
    assert len(found.images) == 2  # the heatmap and the trend, each with its table
    assert "Share met by role and competency: the figures in the picture above" in [
        t["caption"] for t in found.tables]
    book = assert_accessible_workbook((tmp_path / "report.xlsx").read_bytes(),
                                      "Competency coverage report")
    assert all(book[n].tables for n in book.sheetnames)  # every sheet holds a data table
    (chart_sheet,) = [n for n in book.sheetnames if book[n]._charts][:1]
    assert chart_sheet == "Requirements by competency"


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
                "[...document.querySelectorAll('#by-role tbody tr:first-child :is(th, td)')]"
                ".map(td => getComputedStyle(td).textAlign)")
            assert aligned[0] in ("left", "start")  # the role
            assert set(aligned[1:]) == {"right"}  # the figures
        finally:
            browser.close()
