"""Reports rendered as files: one self-contained HTML page or one Excel workbook.

:mod:`competency.coverage.reports` builds a :class:`Report` (its header lines and
sections, each a table and/or a PNG picture, both defined here) and writes it; this
module turns one into HTML text or XLSX bytes (openpyxl), cells written as they are,
statuses coloured where a section asks for it.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

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
    status_colours: bool = False
    """Colour cells holding a status (the people matrix)."""


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


CSS = """body{font-family:system-ui,Arial,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:90%}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}
.notice{font-weight:bold}.identifiable{color:#a00000}
""" + "".join(f".status-{s}{{background:#{c}}}" for s, c in STATUS_COLOURS.items())


def table_html(table: pd.DataFrame, status_colours: bool = False) -> str:
    """One table as HTML (cells escaped; status cells coloured when asked)."""
    esc = html.escape
    out = ["<table><thead><tr>" + "".join(f"<th>{esc(str(c))}</th>" for c in table.columns)
           + "</tr></thead><tbody>"]
    for row in _cells(table):
        tds = []
        for value in row:
            text = _text(value)
            cls = f' class="status-{text}"' if status_colours and text in STATUS_COLOURS else ""
            tds.append(f"<td{cls}>{esc(text)}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (pictures inlined as base64)."""
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body>",
           f"<header><h1>{esc(report.title)}</h1>"]
    for line in report.header:
        cls = "notice identifiable" if line == IDENTIFIABLE_NOTICE else "notice" if (
            line == AGGREGATE_NOTICE) else "rule"
        out.append(f'<p class="{cls}">{esc(line)}</p>')
    out.append("<nav><ul>" + "".join(f'<li><a href="#{s.key}">{esc(s.title)}</a></li>'
                                     for s in report.sections) + "</ul></nav></header>")
    for s in report.sections:
        out.append(f'<section id="{s.key}"><h2>{esc(s.title)}</h2><p>{esc(s.note)}</p>')
        if s.image is not None:
            data = base64.b64encode(s.image).decode("ascii")
            out.append(f'<img alt="{esc(s.title)}" src="data:image/png;base64,{data}">')
        if s.table is not None:
            out.append(table_html(s.table, s.status_colours))
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: an About sheet, then one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "About"
    about.append([report.title])
    about["A1"].font = Font(bold=True, size=14)
    for line in report.header:
        about.append([line])
    about.append([])
    about.append(["Sheet", "Contents"])
    for s in report.sections:
        about.append([s.sheet, s.title])
    fills = {s: PatternFill("solid", start_color=c) for s, c in STATUS_COLOURS.items()}
    for s in report.sections:
        sheet = book.create_sheet(s.sheet[:31])
        sheet.append([s.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([s.note])
        if s.table is not None:
            sheet.append([])
            sheet.append([str(c) for c in s.table.columns])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            for row in _cells(s.table):
                sheet.append(row)
                if s.status_colours:
                    for cell in sheet[sheet.max_row]:
                        if cell.value in fills:
                            cell.fill = fills[str(cell.value)]
        if s.image is not None:
            sheet.add_image(Image(io.BytesIO(s.image)), f"A{sheet.max_row + 2}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_texts(data: bytes) -> list[str]:
    """The text of each sheet of a workbook, then the sheet names (to look for identifiers)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    texts = [" ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row
                      if v is not None) for sheet in book.worksheets]
    texts.extend(book.sheetnames)
    book.close()
    return texts
