"""Excel workbooks written directly as Office Open XML: what a report's workbook needs.

:mod:`competency.coverage.reportfiles` describes a workbook with the classes here (sheets
of styled cells, Excel tables, colour scales, native bar charts and PNG pictures with
alt text, print settings) and :meth:`Workbook.save` writes the package with the standard
library's ``zipfile``. Nothing is imported beyond it: writing a report's workbook costs
no spreadsheet library's start-up (openpyxl takes about 0.1 s to import and as long again
to write the sample organisation's report), and the package holds exactly what a report
puts in it.

What it writes follows the SpreadsheetML schema's element order (which Excel enforces):
strings inline in their cells, one style per distinct look, a table part per Excel
table, a drawing per sheet with charts or pictures, each object with its alt text
(``descr``) written where Excel's accessibility checker reads it.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field

CellValue = str | int | float | bool | None
"""What a cell holds: text, a number, a truth value or nothing."""

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DOCUMENT = "application/vnd.openxmlformats-officedocument"
EMU_PER_CM = 360000
EMU_PER_PIXEL = 9525
ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
"""Characters XML 1.0 cannot hold."""


@dataclass(frozen=True)
class CellStyle:
    """How a cell looks (the default: Calibri 11, no fill, aligned by type)."""

    bold: bool = False
    """Bold text."""
    size: float | None = None
    """Font size in points (None: 11)."""
    wrap_top: bool = False
    """Wrap the text, aligned to the top."""
    right: bool = False
    """Aligned right."""
    fill: str | None = None
    """Solid fill colour, ``RRGGBB``."""


PLAIN = CellStyle()


@dataclass(frozen=True)
class BarChart:
    """A native stacked bar (or column) chart of cells of its sheet."""

    horizontal: bool
    """Bars (rows top to bottom, as in the table) rather than columns."""
    title: str
    """The chart's title."""
    category_title: str
    """The category axis's title."""
    value_title: str
    """The value axis's title."""
    categories: str
    """The category labels' range (a formula such as ``'Sheet'!$A$5:$A$9``)."""
    series: tuple[tuple[str, str, str | None], ...]
    """Each series: its name, its values' range and its fill colour (``RRGGBB`` or None)."""
    width_cm: float
    """Width on the sheet."""
    height_cm: float
    """Height on the sheet."""
    row: int
    """The row (1-based) of its top-left corner, in column A."""
    alt_text: str
    """Its alt text."""


@dataclass(frozen=True)
class Picture:
    """A PNG picture on a sheet."""

    png: bytes
    """The PNG file."""
    row: int
    """The row (1-based) of its top-left corner, in column A."""
    alt_text: str
    """Its alt text."""


@dataclass(frozen=True)
class Table:
    """An Excel table: a header row, then data rows, with filters and row stripes."""

    name: str
    """Its name (letters, digits and underscores), unique in the workbook."""
    first_row: int
    """Its header row (1-based)."""
    last_row: int
    """Its last data row."""
    columns: tuple[str, ...]
    """The header's names, from column A."""


@dataclass
class Sheet:
    """A worksheet: rows of styled cells and what lies on them."""

    name: str
    """Its name (at most 31 characters)."""
    rows: list[list[tuple[CellValue, CellStyle]]] = field(default_factory=list)
    """Each row's cells, from column A; row 1 first."""
    widths: dict[int, float] = field(default_factory=dict)
    """Column widths in characters, by column number (1 for A)."""
    freeze: tuple[int, int] | None = None
    """Frozen columns and rows (left of and above the scrolling part)."""
    title_rows: tuple[int, int] | None = None
    """Rows repeated at the top of every printed page."""
    tables: list[Table] = field(default_factory=list)
    """Its Excel tables."""
    colour_scales: list[tuple[str, tuple[str, str, str]]] = field(default_factory=list)
    """Three-colour scales from 0 through 50 to 100: the range and the colours."""
    charts: list[BarChart] = field(default_factory=list)
    """Its native charts."""
    pictures: list[Picture] = field(default_factory=list)
    """Its pictures (drawn after its charts)."""

    def append(self, values: list[CellValue], styles: list[CellStyle] | None = None) -> int:
        """Add a row below the last; returns its number."""
        looks = styles or [PLAIN] * len(values)
        self.rows.append(list(zip(values, looks, strict=True)))
        return len(self.rows)


@dataclass
class Workbook:
    """Sheets, and the document's title and language."""

    title: str
    """The document title (its properties)."""
    language: str
    """The document language, such as ``en-GB``."""
    sheets: list[Sheet] = field(default_factory=list)
    """The sheets in order (the first is active)."""

    def save(self) -> bytes:
        """The workbook as an .xlsx package."""
        return _Package(self).write()


# --------------------------------------------------------------------------- helpers

def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def column_letter(number: int) -> str:
    """A column's letters: 1 is A, 27 is AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def quote_sheet(name: str) -> str:
    """A sheet name as it stands in a formula: quoted, its quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def number_text(value: int | float | bool) -> str:
    """A number as it is stored in a cell (up to 16 significant digits)."""
    return f"{value:.16g}"


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG picture's width and height in pixels (from its header)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG picture")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _cell(ref: str, value: CellValue, style: int, where: str) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return f'<c r="{ref}"{s}/>' if style else ""
        return f'<c r="{ref}"{s} t="n"><v>{number_text(value)}</v></c>'
    text = str(value)
    if ILLEGAL.search(text):
        raise ValueError(f"{where}, cell {ref}: a control character Excel cannot hold "
                         f"({text!r})")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_esc(text)}</t></is></c>'


def _rich(text: str) -> str:
    """A chart or axis title."""
    return (f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr><a:r>'
            f"<a:t>{_esc(text)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/>"
            "</c:title>")


def _rels(targets: list[tuple[str, str]]) -> str:
    return (f'<Relationships xmlns="{PACKAGE_RELS}">' + "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, 1)) + "</Relationships>")


class _Styles:
    """The fonts, fills and cell formats the cells use, one format per distinct look."""

    def __init__(self) -> None:
        self.fonts: list[tuple[bool, float | None]] = [(False, None)]
        self.fills: list[str | None] = [None, None]  # none, gray125 (required by Excel)
        self.formats: list[CellStyle] = [PLAIN]
        self.index: dict[CellStyle, int] = {PLAIN: 0}

    def of(self, style: CellStyle) -> int:
        found = self.index.get(style)
        if found is None:
            found = self.index[style] = len(self.formats)
            self.formats.append(style)
            if (style.bold, style.size) not in self.fonts:
                self.fonts.append((style.bold, style.size))
            if style.fill is not None and style.fill not in self.fills:
                self.fills.append(style.fill)
        return found

    def xml(self) -> str:
        fonts = "".join(
            "<font>" + ('<b val="1"/>' if bold else "") + f'<sz val="{size or 11:g}"/>'
            '<name val="Calibri"/><family val="2"/></font>' for bold, size in self.fonts)
        fills = ('<fill><patternFill patternType="none"/></fill>'
                 '<fill><patternFill patternType="gray125"/></fill>' + "".join(
                     f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/>'
                     f'<bgColor rgb="FF{c}"/></patternFill></fill>' for c in self.fills[2:]))
        xfs = []
        for style in self.formats:
            font = self.fonts.index((style.bold, style.size))
            fill = self.fills.index(style.fill) if style.fill else 0
            align = ('<alignment vertical="top" wrapText="1"/>' if style.wrap_top
                     else '<alignment horizontal="right"/>' if style.right else "")
            xfs.append(f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="0" '
                       f'xfId="0"' + (' applyFont="1"' if font else "")
                       + (' applyFill="1"' if fill else "")
                       + (f' applyAlignment="1">{align}</xf>' if align else "/>"))
        return (f'<styleSheet xmlns="{MAIN}"><fonts count="{len(self.fonts)}">{fonts}</fonts>'
                f'<fills count="{len(self.fills)}">{fills}</fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
                'fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                "</cellStyles></styleSheet>")


class _Package:
    """One workbook being written: its parts, named and numbered as Excel names them."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.styles = _Styles()
        self.parts: dict[str, str | bytes] = {}
        self.overrides: list[tuple[str, str]] = []
        self.tables = self.drawings = self.charts = self.images = 0

    def add(self, name: str, content: str | bytes, kind: str | None = None) -> None:
        self.parts[name] = content
        if kind is not None:
            self.overrides.append((name, kind))

    def write(self) -> bytes:
        book = self.book
        defined = []
        for i, sheet in enumerate(book.sheets, 1):
            self.add(f"xl/worksheets/sheet{i}.xml", self.sheet(sheet, i),
                     f"{DOCUMENT}.spreadsheetml.worksheet+xml")
            if sheet.title_rows is not None:
                first, last = sheet.title_rows
                defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i - 1}">'
                               f"{_esc(quote_sheet(sheet.name))}!${first}:${last}"
                               "</definedName>")
        sheets = "".join(f'<sheet name="{_esc(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(book.sheets, 1))
        names = f"<definedNames>{''.join(defined)}</definedNames>" if defined else ""
        self.add("xl/workbook.xml",
                 f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView '
                 f'activeTab="0"/></bookViews><sheets>{sheets}</sheets>{names}'
                 '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>',
                 f"{DOCUMENT}.spreadsheetml.sheet.main+xml")
        self.add("xl/_rels/workbook.xml.rels", _rels(
            [(f"{RELS}/worksheet", f"worksheets/sheet{i}.xml")
             for i in range(1, len(book.sheets) + 1)] + [(f"{RELS}/styles", "styles.xml")]))
        self.add("xl/styles.xml", self.styles.xml(), f"{DOCUMENT}.spreadsheetml.styles+xml")
        self.add("docProps/core.xml",
                 '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                 'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                 f"<dc:title>{_esc(book.title)}</dc:title>"
                 f"<dc:language>{_esc(book.language)}</dc:language></cp:coreProperties>",
                 "application/vnd.openxmlformats-package.core-properties+xml")
        self.add("_rels/.rels", _rels([(f"{RELS}/officeDocument", "xl/workbook.xml"),
                                       (f"{PACKAGE_RELS}/metadata/core-properties",
                                        "docProps/core.xml")]))
        types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                 'package.relationships+xml"/><Default Extension="xml" '
                 'ContentType="application/xml"/><Default Extension="png" '
                 'ContentType="image/png"/>' + "".join(
                     f'<Override PartName="/{name}" ContentType="{kind}"/>'
                     for name, kind in self.overrides) + "</Types>")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", types)
            for name, content in self.parts.items():
                archive.writestr(name, content)
        return out.getvalue()

    def sheet(self, sheet: Sheet, number: int) -> str:
        """A worksheet part, and the parts it refers to."""
        rels: list[tuple[str, str]] = []
        rows = []
        width = 0
        for r, cells in enumerate(sheet.rows, 1):
            xml = "".join(_cell(f"{column_letter(c)}{r}", value, self.styles.of(style),
                                sheet.name) for c, (value, style) in enumerate(cells, 1))
            if xml:
                rows.append(f'<row r="{r}">{xml}</row>')
            width = max(width, len(cells))
        dimension = f"A1:{column_letter(max(width, 1))}{max(len(sheet.rows), 1)}"
        view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if number == 1 else "")
        if sheet.freeze is not None:
            columns, frozen_rows = sheet.freeze
            corner = f"{column_letter(columns + 1)}{frozen_rows + 1}"
            view += (f'><pane xSplit="{columns}" ySplit="{frozen_rows}" topLeftCell="{corner}" '
                     'activePane="bottomRight" state="frozen"/><selection pane="topRight"/>'
                     '<selection pane="bottomLeft"/><selection pane="bottomRight" '
                     f'activeCell="{corner}" sqref="{corner}"/></sheetView>')
        else:
            view += "/>"
        cols = "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                       for c, w in sorted(sheet.widths.items()))
        scales = "".join(
            f'<conditionalFormatting sqref="{ref}"><cfRule type="colorScale" priority="{k}">'
            '<colorScale><cfvo type="num" val="0"/><cfvo type="num" val="50"/>'
            '<cfvo type="num" val="100"/>' + "".join(f'<color rgb="FF{c}"/>' for c in colours)
            + "</colorScale></cfRule></conditionalFormatting>"
            for k, (ref, colours) in enumerate(sheet.colour_scales, 1))
        drawing = ""
        if sheet.charts or sheet.pictures:
            self.drawings += 1
            rels.append((f"{RELS}/drawing", f"../drawings/drawing{self.drawings}.xml"))
            drawing = f'<drawing r:id="rId{len(rels)}"/>'
            self.drawing(sheet)
        parts = []
        for table in sheet.tables:
            self.tables += 1
            rels.append((f"{RELS}/table", f"../tables/table{self.tables}.xml"))
            parts.append(f'<tablePart r:id="rId{len(rels)}"/>')
            self.table(table)
        if rels:
            self.add(f"xl/worksheets/_rels/sheet{number}.xml.rels", _rels(rels))
        table_parts = f'<tableParts count="{len(parts)}">{"".join(parts)}</tableParts>' if (
            parts) else ""
        return (f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetPr><pageSetUpPr '
                f'fitToPage="1"/></sheetPr><dimension ref="{dimension}"/><sheetViews>{view}'
                '</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + f"<sheetData>{''.join(rows)}</sheetData>{scales}"
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                'footer="0.5"/><pageSetup orientation="landscape" fitToWidth="1" '
                f'fitToHeight="0"/>{drawing}{table_parts}</worksheet>')

    def table(self, table: Table) -> None:
        ref = (f"A{table.first_row}:{column_letter(len(table.columns))}{table.last_row}")
        columns = "".join(f'<tableColumn id="{i}" name="{_esc(name)}"/>'
                          for i, name in enumerate(table.columns, 1))
        self.add(f"xl/tables/table{self.tables}.xml",
                 f'<table xmlns="{MAIN}" id="{self.tables}" name="{table.name}" '
                 f'displayName="{table.name}" ref="{ref}" headerRowCount="1">'
                 f'<autoFilter ref="{ref}"/><tableColumns count="{len(table.columns)}">'
                 f'{columns}</tableColumns><tableStyleInfo name="TableStyleLight1" '
                 'showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
                 'showColumnStripes="0"/></table>',
                 f"{DOCUMENT}.spreadsheetml.table+xml")

    def drawing(self, sheet: Sheet) -> None:
        """A sheet's drawing part: its charts, then its pictures, each with alt text."""
        anchors = []
        rels: list[tuple[str, str]] = []
        objects = 0
        for chart in sheet.charts:
            self.charts += 1
            objects += 1
            rels.append((f"{RELS}/chart", f"../charts/chart{self.charts}.xml"))
            self.chart(chart)
            anchors.append(
                self.anchor(chart.row, int(chart.width_cm * EMU_PER_CM),
                            int(chart.height_cm * EMU_PER_CM),
                            '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
                            f'<xdr:cNvPr id="{objects}" name="Chart {objects}" '
                            f'descr="{_esc(chart.alt_text)}"/><xdr:cNvGraphicFramePr/>'
                            '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
                            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
                            f'uri="{CHART}"><c:chart xmlns:c="{CHART}" r:id="rId{len(rels)}"/>'
                            "</a:graphicData></a:graphic></xdr:graphicFrame>"))
        for picture in sheet.pictures:
            self.images += 1
            objects += 1
            name = f"xl/media/image{self.images}.png"
            self.add(name, picture.png)
            rels.append((f"{RELS}/image", f"../media/image{self.images}.png"))
            width, height = png_size(picture.png)
            anchors.append(
                self.anchor(picture.row, width * EMU_PER_PIXEL, height * EMU_PER_PIXEL,
                            f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{objects}" '
                            f'name="Image {objects}" descr="{_esc(picture.alt_text)}"/>'
                            '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr>'
                            f'</xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId{len(rels)}"/>'
                            "<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr>"
                            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
                            "</xdr:pic>"))
        self.add(f"xl/drawings/drawing{self.drawings}.xml",
                 f'<xdr:wsDr xmlns:xdr="{DRAWING}" xmlns:a="{DRAWING_MAIN}" '
                 f'xmlns:r="{RELS}">{"".join(anchors)}</xdr:wsDr>',
                 f"{DOCUMENT}.drawing+xml")
        self.add(f"xl/drawings/_rels/drawing{self.drawings}.xml.rels", _rels(rels))

    @staticmethod
    def anchor(row: int, cx: int, cy: int, body: str) -> str:
        return (f"<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
                f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
                f'<xdr:ext cx="{cx}" cy="{cy}"/>{body}<xdr:clientData/></xdr:oneCellAnchor>')

    def chart(self, chart: BarChart) -> None:
        series = []
        for k, (name, values, fill) in enumerate(chart.series):
            look = ("" if fill is None else
                    f'<c:spPr><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill><a:ln>'
                    '<a:solidFill><a:srgbClr val="808080"/></a:solidFill></a:ln></c:spPr>')
            series.append(f'<c:ser><c:idx val="{k}"/><c:order val="{k}"/><c:tx><c:v>'
                          f"{_esc(name)}</c:v></c:tx>{look}"
                          '<c:invertIfNegative val="0"/>'
                          f"<c:cat><c:numRef><c:f>{_esc(chart.categories)}</c:f></c:numRef>"
                          f"</c:cat><c:val><c:numRef><c:f>{_esc(values)}</c:f></c:numRef>"
                          "</c:val></c:ser>")
        category_side, value_side = ("l", "b") if chart.horizontal else ("b", "l")
        order = "maxMin" if chart.horizontal else "minMax"
        self.add(f"xl/charts/chart{self.charts}.xml",
                 f'<c:chartSpace xmlns:c="{CHART}" xmlns:a="{DRAWING_MAIN}" xmlns:r="{RELS}">'
                 f'<c:roundedCorners val="0"/><c:chart>{_rich(chart.title)}'
                 '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/><c:barChart>'
                 f'<c:barDir val="{"bar" if chart.horizontal else "col"}"/>'
                 '<c:grouping val="stacked"/><c:varyColors val="0"/>'
                 f'{"".join(series)}<c:gapWidth val="150"/><c:overlap val="100"/>'
                 '<c:axId val="10"/><c:axId val="100"/></c:barChart>'
                 f'<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="{order}"/>'
                 f'</c:scaling><c:delete val="0"/><c:axPos val="{category_side}"/>'
                 f'{_rich(chart.category_title)}<c:majorTickMark val="none"/>'
                 '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
                 '<c:crossAx val="100"/><c:crosses val="autoZero"/><c:auto val="1"/>'
                 '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/>'
                 '</c:catAx><c:valAx><c:axId val="100"/><c:scaling><c:orientation '
                 f'val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="{value_side}"/>'
                 f'<c:majorGridlines/>{_rich(chart.value_title)}<c:numFmt formatCode="General" '
                 'sourceLinked="1"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
                 '<c:tickLblPos val="nextTo"/><c:crossAx val="10"/><c:crosses val="autoZero"/>'
                 '<c:crossBetween val="between"/></c:valAx></c:plotArea><c:legend>'
                 '<c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
                 '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
                 "</c:chartSpace>",
                 f"{DOCUMENT}.drawingml.chart+xml")


# --------------------------------------------------------------------------- reading

def sheet_texts(data: bytes) -> list[str]:
    """The text of each sheet of an .xlsx package (its cells' values, strings and numbers,
    joined by spaces), then the sheet names: read from the XML, with no spreadsheet
    library. Shared strings are resolved, so a package from any writer reads."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t"))
                      for si in root.iter(f"{{{MAIN}}}si")]
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): str(r.get("Target")) for r in rels}
        sheets = [(str(s.get("name")), targets[s.get(f"{{{RELS}}}id")])
                  for s in book.iter(f"{{{MAIN}}}sheet")]
        texts = []
        for _, target in sheets:
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            root = ElementTree.fromstring(archive.read(part))
            values = []
            for cell in root.iter(f"{{{MAIN}}}c"):
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    values.append("".join(t.text or "" for t in cell.iter(f"{{{MAIN}}}t")))
                    continue
                found = cell.find(f"{{{MAIN}}}v")
                if found is None or found.text is None:
                    continue
                values.append(shared[int(found.text)] if kind == "s" else found.text)
            texts.append(" ".join(v for v in values if v != ""))
    return [*texts, *(name for name, _ in sheets)]


