from __future__ import annotations

import io
import re
import struct
import zlib

import pandas as pd
from openpyxl import load_workbook

from competency.coverage.reportfiles import (
    AGGREGATE_NOTICE,
    IDENTIFIABLE_NOTICE,
    STATUS_COLOURS,
    Report,
    Section,
    render_html,
    render_xlsx,
    table_html,
    workbook_texts,
)


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
    assert "<tr><td>South</td><td>*</td><td></td></tr>" in page  # missing value: blank
    assert f'<p class="notice">{AGGREGATE_NOTICE}</p>' in page
    assert '<p class="rule">As of 2024-05-01</p>' in page
    assert re.findall(r'<section id="(\w+)">', page) == ["summary", "people", "trend"]
    assert '<a href="#people">' in page
    assert 'src="data:image/png;base64,' in page
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


def test_workbook_texts_lists_each_sheet_then_the_names() -> None:
    texts = workbook_texts(render_xlsx(report()))
    assert len(texts) == 8
    assert "S1" in texts[2]
    assert "S2" in texts[2]
    assert texts[4:] == ["About", "By team", "A" * 31, "Trend"]
