"""The report's SVG charts: read back as XML, the way a browser gets them."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

import pytest

from competency.coverage.charts import (
    HEAT_TABLE,
    SUPPRESSED_FILL,
    TREND_COLOURS,
    heat_colour,
    heatmap_svg,
    heatmap_text_colour,
    text_width,
    trend_svg,
)
from competency.coverage.reportfiles import MIN_CONTRAST, contrast_ratio

NS = "{http://www.w3.org/2000/svg}"


def parse(data: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(data)
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ElementTree.Element) -> list[ElementTree.Element]:
    return list(root.iter(f"{NS}text"))


def test_heat_colours_are_matplotlibs_rdylgn() -> None:
    """The colours the PNG heatmap had: matplotlib's RdYlGn, cut into 256 levels."""
    matplotlib = pytest.importorskip("matplotlib")
    from matplotlib.colors import to_hex

    cmap = matplotlib.colormaps["RdYlGn"]
    assert [to_hex(cmap(i))[1:] for i in range(256)] == HEAT_TABLE
    for tenth in range(-5, 1006):
        assert heat_colour(tenth / 10) == to_hex(cmap(tenth / 1000))[1:], tenth
    assert (heat_colour(0), heat_colour(50), heat_colour(100)) == ("a50026", "feffbe",
                                                                     "006837")


def test_heatmap_cells_numbers_and_blanks() -> None:
    data = heatmap_svg(["Nurse", "Lead <A&B>"], ["LAW-1", "CUL-1", "EIA-1"],
                       [[0.0, None, 100.0], [55.0, 33.0, math.nan]],
                       [[True, True, True], [True, False, True]], title="Held, %")
    root = parse(data)
    assert root.find(f"{NS}title").text == "Held, %"  # type: ignore[union-attr]
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"
    cells = [r for r in root.iter(f"{NS}rect") if r.get("width") == "62"]
    assert [c.get("fill") for c in cells] == ["#a50026", SUPPRESSED_FILL, "#006837",
                                              "#ecf7a6", SUPPRESSED_FILL]
    words = [t.text for t in texts(root)]
    assert words[:6] == ["Held, %", "0", "*", "100", "55", "*"]  # title, then the cells
    assert "33" not in words  # the role does not require it: blank
    assert "Lead <A&B>" in words  # escaped in the XML, itself when read
    assert b"Lead &lt;A&amp;B&gt;" in data
    assert {"LAW-1", "CUL-1", "EIA-1", "0", "20", "40", "60", "80", "100"} <= set(words)
    # every number on its cell in black or white, at least 4.5:1
    numbers = [t for t in texts(root) if t.text in ("0", "*", "100", "55")
               and t.get("font-size") == "11"]
    assert len(numbers) == len(cells)
    for cell, number in zip(cells, numbers, strict=True):
        colour = number.get("fill", "#000000")
        assert colour in ("#000000", "#ffffff")
        assert contrast_ratio(colour, str(cell.get("fill"))) >= MIN_CONTRAST
    assert numbers[0].get("fill") == "#ffffff"  # white on the dark red of 0
    assert heatmap_svg(["Nurse"], ["LAW-1"], [[50.0]]) == heatmap_svg(["Nurse"], ["LAW-1"],
                                                                     [[50.0]])


def test_heatmap_labels_fit_inside_the_picture() -> None:
    long = "Community development worker and then some"
    root = parse(heatmap_svg([long, "A"], ["LAW-1", "COMMUNITY-LONG-ID"],
                             [[10.0, 90.0], [None, 40.0]]))
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    for text in texts(root):
        x, y, size = (float(text.get(k, 0)) for k in ("x", "y", "font-size"))
        span = text_width(text.text or "", size)
        anchor = text.get("text-anchor", "start")
        start = x - span if anchor == "end" else x - span / 2 if anchor == "middle" else x
        turn = re.fullmatch(r"rotate\((-?\d+)[^)]*\)", text.get("transform", "rotate(0)"))
        assert turn is not None
        angle = math.radians(float(turn.group(1)))
        if angle:  # a label turned about its end: how far it reaches left and down
            assert x - span * math.cos(angle) >= 0
            assert y - span * math.sin(angle) <= height
        else:
            assert start >= 0, text.text
            assert start + span <= width, text.text
            assert y <= height


def test_heatmap_text_colour_is_black_on_suppressed_grey() -> None:
    assert heatmap_text_colour(None) == heatmap_text_colour(math.nan) == "000000"
    assert contrast_ratio("000000", SUPPRESSED_FILL) >= MIN_CONTRAST
    assert heatmap_text_colour(0) == "FFFFFF"
    assert heatmap_text_colour(50) == "000000"


def test_trend_lines_markers_and_gaps() -> None:
    dates = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    root = parse(trend_svg(dates, {"met": [40.0, None, 60.0, 70.0],
                                   "missing": [60.0, 55.0, 40.0, 30.0]}))
    lines = [p for p in root.iter(f"{NS}path") if p.get("stroke-width") == "2"
             and p.get("fill") == "none"]
    assert [p.get("stroke") for p in lines] == [TREND_COLOURS["met"], TREND_COLOURS["missing"]]
    met, missing = (str(p.get("d")) for p in lines)
    assert met.count("M") == 2  # a gap where the figure is suppressed
    assert (met.count("L"), missing.count("M"), missing.count("L")) == (1, 1, 3)
    # markers: circles for met (3 points and the legend's), crosses for missing
    assert len([c for c in root.iter(f"{NS}circle")
                if c.get("fill") == TREND_COLOURS["met"]]) == 4
    words = [t.text for t in texts(root)]
    assert (words.count("met"), words.count("missing")) == (1, 1)  # the legend
    assert set(dates) <= set(words)
    assert "% of requirements" in words
    # 0 at the bottom of the plot, 100 at the top: the y of met's 40, 60 and 70 rise
    ys = [float(v) for v in re.findall(r"[ML][\d.]+ ([\d.]+)", met)]
    assert ys[0] > ys[1] > ys[2]


def test_text_width_overestimates_a_narrow_font() -> None:
    assert text_width("", 12) == 0
    assert text_width("mmm", 10) > text_width("iii", 10)
    assert text_width("Community nurse", 13) == pytest.approx(text_width(
        "Community nurse", 26) / 2)
