"""The workbook writer: packages that are well formed, complete and in schema order, and
read back by openpyxl (as Excel reads them) cell for cell."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from competency.coverage.spreadsheet import (
    PLAIN,
    BarChart,
    CellStyle,
    Picture,
    Sheet,
    Table,
    Workbook,
    column_letter,
    png_size,
    quote_sheet,
    sheet_texts,
)

WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
    "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
    "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
    "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
    "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
    "extLst"]
"""The children of a worksheet in the order of the SpreadsheetML schema (ECMA-376)."""


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def sample() -> Workbook:
    book = Workbook("Tëst & <book>", "en-GB")
    data = Sheet("It's data")
    data.append(["Title"], [CellStyle(bold=True, size=14)])
    data.append([])
    data.append(["name", "n", "share"], [CellStyle(bold=True, wrap_top=True)] * 3)
    data.append(["A & <B>", 3, 0.25], [PLAIN, CellStyle(right=True), CellStyle(right=True)])
    data.append([" padded ", True, None])
    data.append(["met", "", float("nan")], [CellStyle(fill="C6EFCE"), PLAIN, PLAIN])
    data.widths.update({1: 12, 2: 8.5})
    data.freeze = (1, 3)
    data.title_rows = (3, 3)
    data.tables.append(Table("T_data", 3, 6, ("name", "n", "share")))
    data.colour_scales.append(("B4:C6", ("F8696B", "FFEB84", "63BE7B")))
    where = quote_sheet(data.name)
    data.charts.append(BarChart(True, "Counts", "name", "n", f"{where}!$A$4:$A$6",
                                (("n", f"{where}!$B$4:$B$6", "C6EFCE"),), 24, 8, 9,
                                "Bar chart: counts."))
    data.pictures.append(Picture(png(3, 2), 30, 'A "picture"'))
    plain = Sheet("Plain")
    plain.append([1234567890123, -1.5e-7])
    book.sheets.extend([data, plain])
    return book


def test_column_letters_and_quoted_names() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert quote_sheet("It's data") == "'It''s data'"
    assert png_size(png(3, 2)) == (3, 2)
    with pytest.raises(ValueError, match="not a PNG picture"):
        png_size(b"GIF89a" + bytes(30))


def test_package_is_well_formed_complete_and_in_schema_order() -> None:
    data = sample().save()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        defaults = {t.get("Extension") for t in types if t.tag.endswith("Default")}
        overrides = {str(t.get("PartName")).lstrip("/") for t in types
                     if t.tag.endswith("Override")}
        assert overrides <= names
        for name in names:
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # well formed
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
            if "/_rels/" in name or name.startswith("_rels/"):
                base = name.replace("_rels/", "").removesuffix(".rels")
                folder = base.rsplit("/", 1)[0] if "/" in base else ""
                for rel in ElementTree.fromstring(archive.read(name)):
                    target = str(rel.get("Target"))
                    parts = (folder.split("/") if folder else []) + target.split("/")
                    resolved: list[str] = []
                    for part in parts:
                        if part == "..":
                            resolved.pop()
                        else:
                            resolved.append(part)
                    assert "/".join(resolved) in names, (name, target)
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        order = [re.sub(r"\{.*\}", "", child.tag) for child in sheet]
        assert order == sorted(order, key=WORKSHEET_ORDER.index)
        assert {"conditionalFormatting", "drawing", "tableParts", "cols"} <= set(order)
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
        assert 'name="Chart 1" descr="Bar chart: counts."' in drawing
        assert 'name="Image 2" descr="A &quot;picture&quot;"' in drawing
        assert "xl/media/image1.png" in names


def test_openpyxl_reads_every_cell_style_and_object_back() -> None:
    book = load_workbook(io.BytesIO(sample().save()))
    assert book.sheetnames == ["It's data", "Plain"]
    assert book.properties.title == "Tëst & <book>"
    assert book.properties.language == "en-GB"
    sheet = book["It's data"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [["Title", None, None], [None, None, None], ["name", "n", "share"],
                    ["A & <B>", 3, 0.25], [" padded ", True, None], ["met", None, None]]
    assert (sheet["A1"].font.bold, sheet["A1"].font.size) == (True, 14)
    assert (sheet["A3"].alignment.wrap_text, sheet["A3"].alignment.vertical) == (True, "top")
    assert sheet["B4"].alignment.horizontal == "right"
    assert sheet["A6"].fill.fill_type == "solid"
    assert sheet["A6"].fill.start_color.rgb.endswith("C6EFCE")
    assert sheet["A4"].fill.fill_type is None
    assert sheet.column_dimensions["A"].width == 12
    assert sheet.column_dimensions["B"].width == 8.5
    assert sheet.freeze_panes == "B4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    (table,) = sheet.tables.values()
    assert (table.displayName, table.ref) == ("T_data", "A3:C6")
    assert [c.name for c in table.tableColumns] == ["name", "n", "share"]
    (scale,) = list(sheet.conditional_formatting)
    assert str(scale.sqref) == "B4:C6"
    (chart,) = sheet._charts
    assert (chart.type, chart.grouping, chart.overlap) == ("bar", "stacked", 100)
    assert [s.val.numRef.f for s in chart.series] == ["'It''s data'!$B$4:$B$6"]
    assert len(sheet._images) == 1
    plain = book["Plain"]
    assert [c.value for c in plain[1]] == [1234567890123, -1.5e-7]
    assert plain.freeze_panes is None


def test_control_characters_are_refused() -> None:
    book = Workbook("T", "en-GB")
    sheet = Sheet("S")
    sheet.append(["ok", "bell\x07"])
    book.sheets.append(sheet)
    with pytest.raises(ValueError, match=r"^S, cell B1: a control character Excel cannot "
                                         r"hold \('bell\\x07'\)$"):
        book.save()


def test_sheet_texts_reads_inline_and_shared_strings() -> None:
    texts = sheet_texts(sample().save())
    assert texts == ["Title name n share A & <B> 3 0.25  padded  1 met",
                     "1234567890123 -1.5e-07", "It's data", "Plain"]
    # a package whose strings are shared (as Excel itself writes them)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rels}">'
                         '<sheets><sheet name="One" sheetId="1" r:id="rId1"/></sheets>'
                         "</workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships"><Relationship '
                         'Id="rId1" Type="x" Target="/xl/worksheets/one.xml"/></Relationships>')
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}"><si><t>NX-007</t></si>'
                         "<si><r><t>rich </t></r><r><t>text</t></r></si></sst>")
        archive.writestr("xl/worksheets/one.xml", f'<worksheet xmlns="{main}"><sheetData>'
                         '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>0</v></c>'
                         '<c r="C1"><v>7</v></c></row></sheetData></worksheet>')
    assert sheet_texts(out.getvalue()) == ["rich text NX-007 7", "One"]
