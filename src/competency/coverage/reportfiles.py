"""Reports rendered as files: one self-contained HTML page or one Excel workbook.

:mod:`competency.coverage.reports` builds a :class:`Report` (its header lines and
sections, each a table and/or a picture (PNG or SVG), both defined here) and writes
it; this module turns one into HTML text or XLSX bytes (written by
:mod:`competency.coverage.spreadsheet`), cells written as they are, statuses coloured
where a section asks for it.

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
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from competency.coverage.spreadsheet import (
    PLAIN,
    BarChart,
    CellStyle,
    Picture,
    Sheet,
    Table,
    Workbook,
    column_letter,
    quote_sheet,
    sheet_texts,
)

if TYPE_CHECKING:
    import pandas as pd


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
    """A picture: PNG or SVG bytes (:attr:`image_type`)."""
    image_type: str = "image/png"
    """The picture's media type: :data:`PNG` or :data:`SVG` (a workbook embeds only PNG;
    an SVG section must be :attr:`heat` or carry a :attr:`chart` to be shown there)."""
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


PNG = "image/png"
"""The media type of a PNG picture."""
SVG = "image/svg+xml"
"""The media type of an SVG picture (what the HTML report's charts are)."""
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


def data_uri(image: bytes, image_type: str = PNG) -> str:
    """A picture as a ``data:`` URI, base64: how a page inlines a PNG or SVG picture."""
    return f"data:{image_type};base64,{base64.b64encode(image).decode('ascii')}"


def figure_html(image: bytes, alt: str, caption: str = "", image_type: str = PNG) -> str:
    """A picture (PNG, or SVG with ``image_type`` :data:`SVG`) as an HTML figure, inlined
    by :func:`data_uri`, with its alt text and (when given) a visible caption: how a
    notebook or widget shows a chart with a text alternative (JupyterLab gives an image
    output no alt text)."""
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img alt="{html.escape(alt)}" style="max-width:100%;height:auto" '
            f'src="{data_uri(image, image_type)}">{text}</figure>')


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
            out.append(f'<img alt="{esc(s.image_alt or s.title)}" '
                       f'src="{data_uri(s.image, s.image_type)}">')
        if s.table is not None:
            out.append(table_html(s.table, s.status_colours, table_caption(s)))
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


HEADER_ROW = 4
"""The row of a section sheet's table header (title, note and a blank row above it)."""
TOTAL_ROW = "Total"
"""The first cell of a table's total row."""
HEAT_COLOURS = ("F8696B", "FFEB84", "63BE7B")
"""The colour scale of a heatmap's cells: 0, 50 and 100 (red, amber, green)."""
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Bounds of a fitted column width, in characters."""
TITLE = CellStyle(bold=True, size=14)
SHEET_TITLE = CellStyle(bold=True, size=12)
BOLD = CellStyle(bold=True)
HEADER = CellStyle(bold=True, wrap_top=True)
FIGURE = CellStyle(right=True)
STATUS_FILLS = {s: CellStyle(fill=c) for s, c in STATUS_COLOURS.items()}


def _fit_columns(sheet: Sheet, first_row: int) -> None:
    """Widen each column to its longest cell from ``first_row`` down (within bounds)."""
    widths: dict[int, int] = {}
    for cells in sheet.rows[first_row - 1:]:
        for column, (value, _) in enumerate(cells, 1):
            if value is not None:
                widths[column] = max(widths.get(column, 0), len(_text(value)))
    for column, width in widths.items():
        sheet.widths[column] = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _table_name(key: str, used: set[str]) -> str:
    """An Excel table name from a section key: letters, digits and underscores, unique."""
    base = "T_" + (re.sub(r"\W", "_", key) or "table")
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name.lower())
    return name


def _add_table(sheet: Sheet, section: Section, last_row: int, used: set[str]) -> None:
    """The header row and data rows as an Excel table with filters (header names must be
    distinct, non-empty text): what screen readers announce as column headers."""
    assert section.table is not None
    names = [str(c) for c in section.table.columns]
    if last_row <= HEADER_ROW or "" in names or len(set(names)) < len(names):
        return
    if str(section.table.iloc[-1, 0]) == TOTAL_ROW and last_row > HEADER_ROW + 1:
        last_row -= 1  # the total stays below the table, out of its sorting and filters
    sheet.tables.append(Table(_table_name(section.key, used), HEADER_ROW, last_row,
                              tuple(names)))


def _chart(sheet: Sheet, section: Section, spec: Chart, row: int) -> BarChart | None:
    """A native chart reading the section's published cells (rows in ``skip_rows`` left
    out), or None when there is nothing to plot."""
    assert section.table is not None
    names = [str(c) for c in section.table.columns]
    first = [str(v) for v in section.table.iloc[:, 0]]
    rows = [HEADER_ROW + 1 + i for i, v in enumerate(first) if v not in spec.skip_rows]
    series = [names.index(c) + 1 for c in spec.series if c in names]
    if not rows or not series or rows != list(range(rows[0], rows[-1] + 1)):
        return None  # only one block of consecutive rows can be charted
    where = quote_sheet(sheet.name)

    def cells(column: int) -> str:
        letter = column_letter(column)
        return f"{where}!${letter}${rows[0]}:${letter}${rows[-1]}"

    plotted = tuple((names[c - 1], cells(c), STATUS_COLOURS.get(names[c - 1].removesuffix(" %")))
                    for c in series)
    return BarChart(spec.kind == "stacked_bar", spec.title, names[0], spec.axis_title,
                    cells(1), plotted, 24, max(8.0, min(20.0, 0.6 * len(rows) + 4)), row,
                    chart_alt_text(spec))


def chart_alt_text(spec: Chart) -> str:
    """A native chart's alt text: what it shows and where its figures are."""
    kind = "Stacked bar chart" if spec.kind == "stacked_bar" else "Stacked column chart"
    return (f"{kind}: {spec.title} ({', '.join(spec.series)}). The same figures are in the "
            "table above.")


def render_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: an About sheet, then one sheet per section.

    The workbook's title is the report's; the About sheet's list of sheets and every
    section's table are Excel tables with a header row; every chart and picture carries
    alt text. Written by :mod:`competency.coverage.spreadsheet` (no spreadsheet library).
    """
    book = Workbook(report.title, LANGUAGE)
    about = Sheet(ABOUT_SHEET)
    book.sheets.append(about)
    about.append([report.title], [TITLE])
    for line in report.header:
        about.append([line])
    about.append([])
    header = about.append(["Sheet", "Contents"], [BOLD, BOLD])
    for s in report.sections:
        about.append([s.sheet[:31], s.title])
    _fit_columns(about, header)
    used: set[str] = {"t_about"}
    if report.sections:
        about.tables.append(Table("T_about", header, len(about.rows), ("Sheet", "Contents")))
    for s in report.sections:
        sheet = Sheet(s.sheet[:31])
        book.sheets.append(sheet)
        sheet.append([s.title], [SHEET_TITLE])
        sheet.append([s.note])
        native = s.heat or s.chart is not None
        if s.table is not None:
            sheet.append([])
            columns = [str(c) for c in s.table.columns]
            sheet.append(list(columns), [HEADER] * len(columns))
            for row in _cells(s.table):
                sheet.append(row, [FIGURE if is_number(v) else STATUS_FILLS.get(str(v), PLAIN)
                                   if s.status_colours else PLAIN for v in row])
            last = len(sheet.rows)
            _fit_columns(sheet, HEADER_ROW)
            sheet.freeze = (1, HEADER_ROW)
            _add_table(sheet, s, last, used)
            if s.heat and len(columns) >= 2 and last > HEADER_ROW:
                sheet.colour_scales.append(
                    (f"B{HEADER_ROW + 1}:{column_letter(len(columns))}{last}", HEAT_COLOURS))
            chart = _chart(sheet, s, s.chart, last + 3) if s.chart is not None else None
            if chart is not None:
                sheet.charts.append(chart)
            sheet.title_rows = (HEADER_ROW, HEADER_ROW)
        if s.image is not None and not native:
            if s.image_type != PNG:
                raise ValueError(f"{s.sheet}: a workbook embeds PNG pictures only "
                                 f"({s.image_type})")
            sheet.pictures.append(Picture(s.image, len(sheet.rows) + 2, s.image_alt or s.title))
    return book.save()


ABOUT_SHEET = "About"
"""The workbook's first sheet: the title, the header lines and the list of sheets."""
LANGUAGE = "en-GB"
"""The language of the reports' text."""


def workbook_texts(data: bytes) -> list[str]:
    """The text of each sheet of a workbook, then the sheet names (to look for identifiers),
    read from the package's XML (:func:`competency.coverage.spreadsheet.sheet_texts`)."""
    return sheet_texts(data)
