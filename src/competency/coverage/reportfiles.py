"""Reports rendered as files: one self-contained HTML page or one Excel workbook.

:mod:`competency.coverage.reports` builds a :class:`Report` (its header lines and
sections, each a table and/or a PNG picture, both defined here) and writes it; this
module turns one into HTML text or XLSX bytes (openpyxl), cells written as they are,
statuses coloured where a section asks for it.

The workbook is one sheet per section, each an Excel table with filters under a
frozen header, columns fitted to their contents, printed landscape one page
wide; a heatmap section's numbers are coloured by a colour scale and a charted
section carries a native Excel chart. Colour and charts read only the published
cells: a suppressed ``*`` is text, which a colour scale leaves uncoloured and a
chart does not plot, and no number stands in for it anywhere in the workbook.

Both follow the accessibility rules their formats can express (docs/accessibility.md):
the page has a language, a title, headings in order, landmarks, tables with a caption,
column and row header cells, a text alternative for every picture, and text colours
of at least :data:`MIN_CONTRAST` against their backgrounds; the workbook has sheet names
that say what they hold, a title in its properties, every table's header row defined
as an Excel table header, no merged cells, and alt text on every chart and picture.
"""

from __future__ import annotations

import base64
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from xml.etree import ElementTree

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Chart:
    """A native Excel chart of some of a section's columns (one series each)."""

    kind: Literal["stacked_bar", "stacked_column"]
    """``stacked_bar`` (horizontal bars, one per row) or ``stacked_column`` (upright)."""
    title: str
    """The chart's title, also its accessible name."""
    series: tuple[str, ...]
    """The table's columns to plot, in order; the first column gives the categories."""
    axis_title: str
    """What the values measure."""
    skip_rows: tuple[str, ...] = ("Total",)  # TOTAL_ROW
    """Rows (by their first cell) left out of the chart."""

@dataclass(frozen=True)
class Section:
    """One part of a report: a table and/or a picture, a sheet in Excel."""

    key: str
    """Identifier: the HTML section's id."""
    sheet: str
    """Excel sheet name (at most 31 characters)."""
    title: str
    """Heading."""
    note: str
    """One paragraph under the heading."""
    table: pd.DataFrame | None = None
    """Cells as int, float or text (``*`` where suppressed); the columns are the header."""
    image: bytes | None = None
    """A PNG picture."""
    image_alt: str = ""
    """The picture's text alternative (default: the title)."""
    status_colours: bool = False
    """Colour cells holding a status (the people matrix)."""
    heat: bool = False
    """Colour the numeric cells (percentages, 0 to 100) by a red-amber-green scale; in
    Excel this replaces the picture."""
    chart: Chart | None = None
    """A native Excel chart of the table; in Excel it replaces the picture."""


@dataclass(frozen=True)
class Report:
    """A whole report, ready to render."""

    title: str
    """Title."""
    header: tuple[str, ...]
    """Lines under the title: the date and rules, whether it is identifiable."""
    identifiable: bool
    """Whether it holds personal data."""
    sections: tuple[Section, ...]
    """The parts, in order."""
    warnings: tuple[str, ...] = ()
    """Data problems found while computing coverage (for stderr, not the report)."""


IDENTIFIABLE_NOTICE = ("IDENTIFIABLE: contains personal data: for managers, handle under "
                       "your data protection policy.")
"""The header line of an identifiable report (shown as a red notice in HTML)."""
AGGREGATE_NOTICE = "Not identifiable: aggregated figures only, no names or staff IDs."
"""The header line of a report that is not identifiable (shown as a notice)."""
STATUS_COLOURS: dict[str, str] = {"met": "C6EFCE", "expiring": "FFEB9C", "expired": "F4B183",
                                  "below_level": "FFD966", "missing": "FFC7CE"}
"""Fill colour (RGB hex) of a cell holding each status, in both formats."""


# --------------------------------------------------------------------------- cells

def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _cells(table: pd.DataFrame) -> list[list[Any]]:
    values: list[list[Any]] = table.astype(object).where(table.notna(), "").to_numpy(
    ).tolist()
    return values


MIN_CONTRAST = 4.5
"""The least contrast ratio of text against its background (WCAG 2.2 AA, 1.4.3)."""
TEXT_COLOUR = "222222"
"""Body text."""
NOTICE_COLOUR = "A00000"
"""The identifiable notice's text (dark red)."""
LINK_COLOUR = "0A4690"
"""Links and the focus outline (dark blue)."""
HEADER_FILL = "F2F2F2"
"""The background of header cells."""
PAGE_COLOUR = "FFFFFF"
"""The page's background."""
BORDER_COLOUR = "949494"
"""Table cell borders (at least 3:1 against the page, WCAG 1.4.11)."""


def relative_luminance(colour: str) -> float:
    """The relative luminance (WCAG 2.2) of an RGB colour written ``RRGGBB``, ``#RRGGBB``
    or ``#RGB``: 0 for black to 1 for white."""
    value = colour.removeprefix("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        raise ValueError(f"not an RGB colour ({colour})")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                        for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)),
                         reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white (``000000``/``FFFFFF``), whichever contrasts more with ``background``
    (always at least 4.58:1)."""
    on_black = contrast_ratio(background, "000000")
    return "000000" if on_black >= contrast_ratio(background, "FFFFFF") else "FFFFFF"


CSS = f"""body{{font-family:system-ui,Arial,sans-serif;margin:2em auto;padding:0 1em;
max-width:80em;color:#{TEXT_COLOUR};background:#{PAGE_COLOUR};line-height:1.4}}
h1,h2,p{{overflow-wrap:anywhere}}
a{{color:#{LINK_COLOUR}}}
:focus-visible{{outline:3px solid #{LINK_COLOUR};outline-offset:2px}}
img{{max-width:100%;height:auto}}
.table-wrap{{max-width:100%;overflow-x:auto;margin:.5em 0 1.5em}}
table{{border-collapse:collapse;font-size:90%}}
caption{{text-align:left;font-weight:bold;padding:.2em 0}}
th,td{{border:1px solid #{BORDER_COLOUR};padding:.2em .5em;text-align:left;vertical-align:top}}
thead th{{background:#{HEADER_FILL};white-space:nowrap}}
tbody th{{font-weight:normal}}
.num{{text-align:right;font-variant-numeric:tabular-nums}}
.notice{{font-weight:bold}}.identifiable{{color:#{NOTICE_COLOUR}}}
nav a{{display:inline-block;padding:.25em 0}}
@media (max-width:40em){{body{{margin:1em auto;padding:0 .5em}}}}
""" + "".join(f".status-{s}{{background:#{c}}}" for s, c in STATUS_COLOURS.items())
"""The page's style sheet: every text colour it sets has a contrast of at least
:data:`MIN_CONTRAST` on every background it sets (tests/coverage/test_reportfiles.py)."""


def is_number(value: Any) -> bool:
    """Whether a cell holds a figure: a number, or ``*`` where one is suppressed."""
    return (isinstance(value, int | float) and not isinstance(value, bool)) or value == "*"


def table_html(table: pd.DataFrame, status_colours: bool = False, caption: str = "") -> str:
    """One table as HTML: its caption, a header cell per column and the first cell of each
    row a row header (cells escaped; figures right-aligned, text left-aligned; status cells
    coloured when asked, the status word in them), in a box that scrolls sideways on a
    narrow screen and can be focused to scroll it with the keyboard."""
    esc = html.escape
    rows = _cells(table)
    numeric = [any(is_number(r[i]) for r in rows) and all(is_number(r[i]) or r[i] == ""
                                                           for r in rows)
               for i in range(len(table.columns))]
    num = ' class="num"'
    # a named region when captioned (the caption is its name), focusable either way
    name = f' role="region" aria-label="{esc(caption)}"' if caption else ""
    out = [f'<div class="table-wrap"{name} tabindex="0"><table>'
           + (f"<caption>{esc(caption)}</caption>" if caption else "") + "<thead><tr>"
           + "".join(f'<th scope="col"{num if numeric[i] else ""}>{esc(str(c))}</th>'
                     for i, c in enumerate(table.columns)) + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = _text(value)
            classes = ([f"status-{text}"] if status_colours and text in STATUS_COLOURS
                       else ["num"] if is_number(value) else [])
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f'<th scope="row"{cls}>{esc(text)}</th>' if i == 0
                         else f"<td{cls}>{esc(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def figure_html(png: bytes, alt: str, caption: str = "") -> str:
    """A PNG picture as an HTML figure, inlined as base64, with its alt text and (when
    given) a visible caption: how a notebook or widget shows a chart with a text
    alternative (JupyterLab gives an image output no alt text)."""
    data = base64.b64encode(png).decode("ascii")
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img alt="{html.escape(alt)}" style="max-width:100%;height:auto" '
            f'src="data:image/png;base64,{data}">{text}</figure>')


def table_caption(section: Section) -> str:
    """A section table's caption: its title, and that it holds a picture's figures."""
    if section.image is not None:
        return f"{section.title}: the figures in the picture above"
    return section.title


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (pictures inlined as base64)."""
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body>",
           f"<header><h1>{esc(report.title)}</h1>"]
    for line in report.header:
        cls = "notice identifiable" if line == IDENTIFIABLE_NOTICE else "notice" if (
            line == AGGREGATE_NOTICE) else "rule"
        out.append(f'<p class="{cls}">{esc(line)}</p>')
    out.append('<nav aria-label="Contents"><ul>' + "".join(
        f'<li><a href="#{s.key}">{esc(s.title)}</a></li>' for s in report.sections)
        + "</ul></nav></header><main>")
    for s in report.sections:
        out.append(f'<section id="{s.key}"><h2>{esc(s.title)}</h2><p>{esc(s.note)}</p>')
        if s.image is not None:
            data = base64.b64encode(s.image).decode("ascii")
            out.append(f'<img alt="{esc(s.image_alt or s.title)}" '
                       f'src="data:image/png;base64,{data}">')
        if s.table is not None:
            out.append(table_html(s.table, s.status_colours, table_caption(s)))
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


HEADER_ROW = 4
TOTAL_ROW = "Total"
"""The first cell of a table's total row."""
"""The row of a section sheet's table header (title, note and a blank row above it)."""
HEAT_COLOURS = ("F8696B", "FFEB84", "63BE7B")
"""The colour scale of a heatmap's cells: 0, 50 and 100 (red, amber, green)."""
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Bounds of a fitted column width, in characters."""


def _fit_columns(sheet: Worksheet, first_row: int) -> None:
    """Widen each column to its longest cell from ``first_row`` down (within bounds)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), len(_text(cell.value)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _print_setup(sheet: Worksheet, title_rows: str | None = None) -> None:
    """Landscape, one page wide (as many pages long as it takes), header repeated."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _table_name(key: str, used: set[str]) -> str:
    """An Excel table name from a section key: letters, digits and underscores, unique."""
    base = "T_" + (re.sub(r"\W", "_", key) or "table")
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name.lower())
    return name


def _define_table(sheet: Worksheet, name: str, header_row: int, last_row: int,
                  columns: int) -> None:
    """Rows ``header_row`` to ``last_row`` as an Excel table whose first row is its header
    row (what screen readers announce as column headers), with filters and row stripes."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ref = f"A{header_row}:{get_column_letter(columns)}{last_row}"
    table = Table(displayName=name, ref=ref, headerRowCount=1)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)


def _add_table(sheet: Worksheet, section: Section, last_row: int, used: set[str]) -> None:
    """The header row and data rows as an Excel table with filters (header names must be
    distinct, non-empty text)."""
    assert section.table is not None
    names = [str(c) for c in section.table.columns]
    if last_row <= HEADER_ROW or "" in names or len(set(names)) < len(names):
        return
    if str(section.table.iloc[-1, 0]) == TOTAL_ROW and last_row > HEADER_ROW + 1:
        last_row -= 1  # the total stays below the table, out of its sorting and filters
    _define_table(sheet, _table_name(section.key, used), HEADER_ROW, last_row, len(names))


def _heat(sheet: Worksheet, columns: int, last_row: int) -> None:
    """A red-amber-green colour scale over the figures (text such as ``*`` and blanks
    are not coloured by a colour scale)."""
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    if columns < 2 or last_row <= HEADER_ROW:
        return
    low, mid, high = HEAT_COLOURS
    sheet.conditional_formatting.add(
        f"B{HEADER_ROW + 1}:{get_column_letter(columns)}{last_row}",
        ColorScaleRule(start_type="num", start_value=0, start_color=low,
                       mid_type="num", mid_value=50, mid_color=mid,
                       end_type="num", end_value=100, end_color=high))


def _chart(sheet: Worksheet, section: Section, spec: Chart) -> Any:
    """A native chart reading the section's published cells (rows in ``skip_rows`` left
    out), or None when there is nothing to plot."""
    from openpyxl.chart import BarChart, Reference, Series

    assert section.table is not None
    names = [str(c) for c in section.table.columns]
    first = [str(v) for v in section.table.iloc[:, 0]]
    rows = [HEADER_ROW + 1 + i for i, v in enumerate(first) if v not in spec.skip_rows]
    series = [names.index(c) + 1 for c in spec.series if c in names]
    if not rows or not series or rows != list(range(rows[0], rows[-1] + 1)):
        return None  # only one block of consecutive rows can be charted
    chart = BarChart()
    chart.type = "bar" if spec.kind == "stacked_bar" else "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = spec.title
    chart.y_axis.title = spec.axis_title
    chart.x_axis.title = names[0]
    chart.legend.position = "b"
    if spec.kind == "stacked_bar":
        chart.x_axis.scaling.orientation = "maxMin"  # rows top to bottom, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for column in series:
        values = Reference(sheet, min_col=column, min_row=rows[0], max_row=rows[-1])
        chart.series.append(Series(values, title=names[column - 1]))
    chart.set_categories(Reference(sheet, min_col=1, max_col=1, min_row=rows[0],
                                   max_row=rows[-1]))
    for plotted, column in zip(chart.series, series, strict=True):
        status = names[column - 1].removesuffix(" %")
        if status in STATUS_COLOURS:
            plotted.graphicalProperties.solidFill = STATUS_COLOURS[status]
            plotted.graphicalProperties.line.solidFill = "808080"
    chart.width = 24
    chart.height = max(8.0, min(20.0, 0.6 * len(rows) + 4))
    return chart


def chart_alt_text(spec: Chart) -> str:
    """A native chart's alt text: what it shows and where its figures are."""
    kind = "Stacked bar chart" if spec.kind == "stacked_bar" else "Stacked column chart"
    return (f"{kind}: {spec.title} ({', '.join(spec.series)}). The same figures are in the "
            "table above.")


def render_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: an About sheet, then one sheet per section.

    The workbook's title is the report's; the About sheet's list of sheets and every
    section's table are Excel tables with a header row; every chart and picture carries
    alt text (openpyxl writes none for charts and ``Picture`` for pictures, so the saved
    drawings are given theirs by :func:`describe_drawings`).
    """
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.properties.title = report.title
    book.properties.language = LANGUAGE
    about = book.active
    assert about is not None
    about.title = ABOUT_SHEET
    about.append([report.title])
    about["A1"].font = Font(bold=True, size=14)
    for line in report.header:
        about.append([line])
    about.append([])
    about.append(["Sheet", "Contents"])
    header = about.max_row
    for cell in about[header]:
        cell.font = Font(bold=True)
    for s in report.sections:
        about.append([s.sheet[:31], s.title])
    _fit_columns(about, header)
    _print_setup(about)
    used: set[str] = {"t_about"}
    if report.sections:
        _define_table(about, "T_about", header, about.max_row, 2)
    fills = {s: PatternFill("solid", start_color=c) for s, c in STATUS_COLOURS.items()}
    alt_texts: dict[str, list[str]] = {}
    for s in report.sections:
        sheet = book.create_sheet(s.sheet[:31])
        described = alt_texts.setdefault(sheet.title, [])
        sheet.append([s.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([s.note])
        native = s.heat or s.chart is not None
        if s.table is not None:
            sheet.append([])
            sheet.append([str(c) for c in s.table.columns])
            for cell in sheet[HEADER_ROW]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in _cells(s.table):
                sheet.append(row)
                for cell in sheet[sheet.max_row]:
                    if is_number(cell.value):
                        cell.alignment = Alignment(horizontal="right")
                    if s.status_colours and cell.value in fills:
                        cell.fill = fills[str(cell.value)]
            last = sheet.max_row
            _fit_columns(sheet, HEADER_ROW)
            sheet.freeze_panes = f"B{HEADER_ROW + 1}"
            _add_table(sheet, s, last, used)
            if s.heat:
                _heat(sheet, len(s.table.columns), last)
            chart = _chart(sheet, s, s.chart) if s.chart is not None else None
            if chart is not None:
                sheet.add_chart(chart, f"A{last + 3}")
                assert s.chart is not None
                described.append(chart_alt_text(s.chart))
        _print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}" if s.table is not None else None)
        if s.image is not None and not native:
            sheet.add_image(Image(io.BytesIO(s.image)), f"A{sheet.max_row + 2}")
            described.append(s.image_alt or s.title)
    buffer = io.BytesIO()
    book.save(buffer)
    return describe_drawings(buffer.getvalue(), alt_texts)


ABOUT_SHEET = "About"
"""The workbook's first sheet: the title, the header lines and the list of sheets."""
LANGUAGE = "en-GB"
"""The language of the reports' text."""
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWN = re.compile(r'<((?:\w+:)?cNvPr)\s([^>]*?)(/?)>')
"""A drawn object's properties in a drawing part (openpyxl names a sheet's charts, then
its pictures, ``Chart 1``, ``Chart 2``, ``Image 3``... in the order they were added)."""


def _describe(drawing: str, texts: list[str]) -> str:
    """A drawing part's XML with ``texts`` as the ``descr`` of its objects, in order
    (its other bytes untouched)."""

    def one(match: re.Match[str]) -> str:
        tag, attributes, end = match.groups()
        name = re.search(r'\bname="(?:Chart|Image) (\d+)"', attributes)
        if name is None or int(name.group(1)) > len(texts):
            return match.group(0)
        attributes = re.sub(r'\s*\bdescr="[^"]*"', "", attributes)
        text = html.escape(texts[int(name.group(1)) - 1], quote=True)
        return f'<{tag} {attributes} descr="{text}"{end}>'

    return DRAWN.sub(one, drawing)


def _part(source: str, target: str) -> str:
    """A relationship's target as a path inside the package."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relations(archive: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part)."""
    rels = posixpath.join(posixpath.dirname(source), "_rels",
                          posixpath.basename(source) + ".rels")
    if rels not in archive.namelist():
        return {}
    root = ElementTree.fromstring(archive.read(rels))
    return {str(r.get("Id")): (str(r.get("Type")), _part(source, str(r.get("Target"))))
            for r in root.iter(f"{{{PACKAGE_RELS}}}Relationship")}


def sheet_drawings(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's drawing part in a workbook package (sheet name -> part), for the sheets
    that have charts or pictures."""
    book = "xl/workbook.xml"
    sheets = _relations(archive, book)
    found: dict[str, str] = {}
    for sheet in ElementTree.fromstring(archive.read(book)).iter(f"{{{SHEET_MAIN}}}sheet"):
        part = sheets[str(sheet.get(f"{{{OFFICE_RELS}}}id"))][1]
        for kind, target in _relations(archive, part).values():
            if kind.endswith("/drawing"):
                found[str(sheet.get("name"))] = target
    return found


def describe_drawings(data: bytes, alt_texts: dict[str, list[str]]) -> bytes:
    """The workbook ``data`` with alt text (``descr``) on its drawn objects: on each sheet
    named in ``alt_texts``, its charts then its pictures, in the order they were added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    drawings = {part: alt_texts[name] for name, part in sheet_drawings(source).items()
                if alt_texts.get(name)}
    if not drawings:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in drawings:
                content = _describe(content.decode("utf-8"), drawings[info.filename]
                                    ).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def workbook_texts(data: bytes) -> list[str]:
    """The text of each sheet of a workbook, then the sheet names (to look for identifiers)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    texts = [" ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row
                      if v is not None) for sheet in book.worksheets]
    texts.extend(book.sheetnames)
    book.close()
    return texts
