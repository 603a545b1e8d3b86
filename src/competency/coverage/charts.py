"""The HTML report's pictures as SVG, written directly: no plotting library to import.

Two charts, each a small self-contained SVG document (UTF-8 bytes) that a page shows
as an ``<img>`` with alt text beside a table of the same figures:

* :func:`heatmap_svg`, the share of requirements held by role and competency: a cell
  per role and competency coloured on the red-yellow-green scale of :func:`heat_colour`
  (matplotlib's ``RdYlGn``, the colours the PNG had), its number printed in black or white
  by contrast (:func:`heatmap_text_colour`), ``*`` on grey where suppressed, blank where
  the role does not require the competency, and a colour bar;
* :func:`trend_svg`, the share of requirements in every status at each date: a line per
  status, told apart by marker shape as well as colour, a gap where a figure is
  suppressed.

Text is laid out with :func:`text_width`, an estimate from DejaVu Sans (the widest of the
fonts the page names), so labels are never clipped by a narrower font. Everything here
takes plain Python values; :mod:`competency.coverage.reports` turns its frames into them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from competency.coverage.disclosure import SUPPRESSED
from competency.coverage.reportfiles import text_colour_on

FONT = "DejaVu Sans,Verdana,Arial,Helvetica,sans-serif"
"""The charts' font stack (DejaVu Sans first: the font matplotlib drew the PNGs in)."""
GRID_COLOUR = "#e6e6e6"
"""Light grid lines behind the trend."""
AXIS_COLOUR = "#000000"
"""Axes, ticks and the heatmap's frame."""
SUPPRESSED_FILL = "#dddddd"
"""The grey under a suppressed heatmap cell."""
RDYLGN = ("a50026", "d73027", "f46d43", "fdae61", "fee08b", "ffffbf", "d9ef8b", "a6d96a",
          "66bd63", "1a9850", "006837")
"""ColorBrewer's RdYlGn, the 11 colours matplotlib's ``RdYlGn`` interpolates, 0 to 1."""
LEVELS = 256
"""The colours a colour scale is cut into (matplotlib's lookup table)."""
TREND_COLOURS: dict[str, str] = {"met": "#1a9850", "expiring": "#d9a400",
                                 "expired": "#d73027", "below_level": "#7b3294",
                                 "missing": "#636363"}
"""Line colour of each status in the trend picture (told apart by marker too)."""
TREND_MARKERS: dict[str, str] = {"met": "circle", "expiring": "square", "expired": "triangle",
                                 "below_level": "diamond", "missing": "cross"}
"""Marker shape of each status in the trend picture."""


# --------------------------------------------------------------------------- colours

def _channels(colour: str) -> tuple[float, float, float]:
    return (int(colour[0:2], 16) / 255, int(colour[2:4], 16) / 255,
            int(colour[4:6], 16) / 255)


def _lookup_table() -> list[str]:
    """RdYlGn cut into :data:`LEVELS` colours (``rrggbb``), as matplotlib cuts it: level i
    is the linear blend of the two anchors around i / (LEVELS - 1)."""
    anchors = [_channels(c) for c in RDYLGN]
    step = 1 / (len(anchors) - 1)
    table = []
    for i in range(LEVELS):
        x = i * (1 / (LEVELS - 1))
        k = min(len(anchors) - 2, int(x / step))
        while k > 0 and x <= k * step:  # the anchor at or above x is k + 1 (left side)
            k -= 1
        low, high = anchors[k], anchors[k + 1]
        t = (x - k * step) / step
        blended = [min(1.0, max(0.0, a + (b - a) * t)) for a, b in zip(low, high, strict=True)]
        table.append("".join(f"{round(c * 255):02x}" for c in blended))
    return table


HEAT_TABLE = _lookup_table()
"""The heatmap's colours, lowest share first."""


def heat_colour(value: float) -> str:
    """The heatmap colour (``rrggbb``) of a share from 0 to 100 (clipped)."""
    x = min(1.0, max(0.0, value / 100))
    return HEAT_TABLE[min(LEVELS - 1, int(x * LEVELS))]


def heatmap_text_colour(value: float | None) -> str:
    """The colour (``RRGGBB``) of a heatmap cell's number: black or white, whichever
    contrasts more with the cell's colour (on the grey under ``*``: black)."""
    if value is None or math.isnan(value):
        return "000000"
    return text_colour_on(heat_colour(value))


# --------------------------------------------------------------------------- text

NARROW = frozenset("iljI|.,:;'!` ")
MIDDLE = frozenset("frt()[]{}-/\\\"")
WIDE = frozenset("mwMW%")


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is in DejaVu Sans at ``size`` px (an overestimate for
    Arial and Helvetica)."""
    ems = 0.0
    for char in text:
        if char in NARROW:
            ems += 0.32
        elif char in MIDDLE:
            ems += 0.42
        elif char in WIDE:
            ems += 0.98
        elif char.isupper():
            ems += 0.74
        else:
            ems += 0.64
    return ems * size


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _num(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _svg(width: float, height: float, title: str, body: list[str]) -> bytes:
    """A standalone SVG document: its size, its title (the picture's name) and white
    background under ``body``."""
    w, h = _num(math.ceil(width)), _num(math.ceil(height))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" font-family="{FONT}">'
            f"<title>{_esc(title)}</title>"
            f'<rect width="{w}" height="{h}" fill="#ffffff"/>')
    return "\n".join([head, *body, "</svg>"]).encode("utf-8") + b"\n"


def _text(x: float, y: float, text: str, size: float, anchor: str = "start",
          fill: str = "#000000", rotate: float = 0, extra: str = "") -> str:
    """A text element whose baseline is at y (``dominant-baseline`` is not used: some
    renderers ignore it inside an ``<img>``)."""
    turn = f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"' if rotate else ""
    colour = "" if fill == "#000000" else f' fill="{fill}"'
    end = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{end}{colour}'
            f"{turn}{extra}>{_esc(text)}</text>")


# --------------------------------------------------------------------------- heatmap

CELL_WIDTH, CELL_HEIGHT = 62.0, 34.0
LABEL_SIZE, CELL_SIZE, TITLE_SIZE = 13.0, 11.0, 14.0
PAD = 10.0


def heatmap_svg(rows: Sequence[str], columns: Sequence[str],
                values: Sequence[Sequence[float | None]],
                required: Sequence[Sequence[bool]] | None = None,
                title: str = "Share of requirements met (incl. expiring), %") -> bytes:
    """The role x competency heatmap: a row per role, a column per competency; a cell's
    share (0 to 100, None where suppressed) coloured by :func:`heat_colour` with its
    number on it, ``*`` on grey where suppressed, blank where ``required`` is false."""
    n_rows, n_cols = len(rows), len(columns)
    needed = required if required is not None else [[True] * n_cols for _ in rows]
    left = PAD + max([text_width(r, LABEL_SIZE) for r in rows] or [0]) + 8
    top = PAD + TITLE_SIZE + 12
    grid_w, grid_h = n_cols * CELL_WIDTH, n_rows * CELL_HEIGHT
    # competency labels at 45 degrees under the grid, ending at their tick
    label_drop = max([text_width(c, LABEL_SIZE) for c in columns] or [0]) * math.sqrt(0.5)
    bar_x = left + grid_w + 24
    bar_w = 18.0
    width = max(bar_x + bar_w + 8 + text_width("100", LABEL_SIZE) + PAD,
                left + text_width(title, TITLE_SIZE) / 2 + grid_w / 2 + PAD)
    height = top + grid_h + 8 + label_drop + LABEL_SIZE + PAD
    body = [_text(left + grid_w / 2, PAD + TITLE_SIZE, title, TITLE_SIZE, "middle")]
    cells: list[str] = []
    numbers: list[str] = []
    for i, row in enumerate(values):
        y = top + i * CELL_HEIGHT
        for j, value in enumerate(row):
            if not needed[i][j]:
                continue
            x = left + j * CELL_WIDTH
            suppressed = value is None or math.isnan(value)
            fill = SUPPRESSED_FILL if suppressed else "#" + heat_colour(float(value or 0))
            cells.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(CELL_WIDTH)}" '
                         f'height="{_num(CELL_HEIGHT)}" fill="{fill}"/>')
            text = SUPPRESSED if suppressed else f"{value:.0f}"
            colour = "#" + heatmap_text_colour(None if suppressed else value)
            numbers.append(_text(x + CELL_WIDTH / 2, y + CELL_HEIGHT / 2 + CELL_SIZE * 0.36,
                                 text, CELL_SIZE, "middle", colour.lower()))
    body.extend(cells)
    body.extend(numbers)
    body.append(f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(grid_w)}" '
                f'height="{_num(grid_h)}" fill="none" stroke="{AXIS_COLOUR}"/>')
    for i, row_label in enumerate(rows):
        y = top + (i + 0.5) * CELL_HEIGHT
        body.append(f'<path d="M{_num(left - 4)} {_num(y)}H{_num(left)}" '
                    f'stroke="{AXIS_COLOUR}"/>')
        body.append(_text(left - 7, y + LABEL_SIZE * 0.36, row_label, LABEL_SIZE, "end"))
    bottom = top + grid_h
    for j, column in enumerate(columns):
        x = left + (j + 0.5) * CELL_WIDTH
        body.append(f'<path d="M{_num(x)} {_num(bottom)}V{_num(bottom + 4)}" '
                    f'stroke="{AXIS_COLOUR}"/>')
        body.append(_text(x + 4, bottom + 8 + LABEL_SIZE * 0.7, column, LABEL_SIZE, "end",
                          rotate=-45))
    body.extend(_colour_bar(bar_x, top, bar_w, grid_h))
    return _svg(width, height, title, body)


def _colour_bar(x: float, top: float, width: float, height: float) -> list[str]:
    """The heatmap's scale: 0 at the bottom to 100 at the top, ticks every 20."""
    stops = "".join(f'<stop offset="{_num(k / (len(RDYLGN) - 1))}" stop-color="#{c}"/>'
                    for k, c in enumerate(RDYLGN))
    out = [f'<defs><linearGradient id="heat-scale" x1="0" y1="1" x2="0" y2="0">{stops}'
           "</linearGradient></defs>",
           f'<rect x="{_num(x)}" y="{_num(top)}" width="{_num(width)}" height="{_num(height)}" '
           f'fill="url(#heat-scale)" stroke="{AXIS_COLOUR}"/>']
    for tick in range(0, 101, 20):
        y = top + height * (1 - tick / 100)
        out.append(f'<path d="M{_num(x + width)} {_num(y)}h4" stroke="{AXIS_COLOUR}"/>')
        out.append(_text(x + width + 7, y + LABEL_SIZE * 0.36, str(tick), LABEL_SIZE))
    return out


# --------------------------------------------------------------------------- trend

PLOT_WIDTH, PLOT_HEIGHT = 640.0, 300.0
TICK_SIZE, LEGEND_SIZE = 10.0, 12.0
MARKER = 3.5


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """A data point's marker, centred on (x, y)."""
    r = MARKER
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{colour}"/>'
    if shape == "square":
        return (f'<rect x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" '
                f'height="{_num(2 * r)}" fill="{colour}"/>')
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x - r * 1.1, y + r * 0.8), (x + r * 1.1, y + r * 0.8)]
    elif shape == "diamond":
        points = [(x, y - r * 1.3), (x + r, y), (x, y + r * 1.3), (x - r, y)]
    else:  # a cross, drawn as two strokes
        return (f'<path d="M{_num(x - r)} {_num(y - r)}L{_num(x + r)} {_num(y + r)}'
                f'M{_num(x - r)} {_num(y + r)}L{_num(x + r)} {_num(y - r)}" '
                f'stroke="{colour}" stroke-width="1.8"/>')
    return ('<polygon points="' + " ".join(f"{_num(a)},{_num(b)}" for a, b in points)
            + f'" fill="{colour}"/>')


def trend_svg(dates: Sequence[str], shares: Mapping[str, Sequence[float | None]],
              axis_title: str = "% of requirements",
              title: str = "Share of requirements in each status") -> bytes:
    """The share of requirements in every status (``shares``: status -> a share from 0 to
    100 per date, None where suppressed) over ``dates``: a line and markers per status, a
    gap where a figure is suppressed, a legend on the right."""
    n = len(dates)
    left = PAD + LEGEND_SIZE + 8 + text_width("100", LEGEND_SIZE) + 10
    top = PAD + 8
    step = PLOT_WIDTH / max(n, 1)
    label_drop = max([text_width(d, TICK_SIZE) for d in dates] or [0]) * math.sin(
        math.radians(60))
    legend_x = left + PLOT_WIDTH + 16
    legend_w = 30 + max([text_width(s, LEGEND_SIZE) for s in shares] or [0]) + 12
    width = legend_x + legend_w + PAD
    height = top + PLOT_HEIGHT + 10 + label_drop + TICK_SIZE + PAD
    bottom = top + PLOT_HEIGHT

    def x_of(k: int) -> float:
        return left + (k + 0.5) * step

    def y_of(value: float) -> float:
        return bottom - PLOT_HEIGHT * min(100.0, max(0.0, value)) / 100

    body = []
    for tick in range(0, 101, 20):
        y = y_of(tick)
        body.append(f'<path d="M{_num(left)} {_num(y)}h{_num(PLOT_WIDTH)}" '
                    f'stroke="{GRID_COLOUR}"/>')
        body.append(f'<path d="M{_num(left - 4)} {_num(y)}h4" stroke="{AXIS_COLOUR}"/>')
        body.append(_text(left - 7, y + LEGEND_SIZE * 0.36, str(tick), LEGEND_SIZE, "end"))
    for k, day in enumerate(dates):
        x = x_of(k)
        body.append(f'<path d="M{_num(x)} {_num(top)}v{_num(PLOT_HEIGHT)}" '
                    f'stroke="{GRID_COLOUR}"/>')
        body.append(f'<path d="M{_num(x)} {_num(bottom)}v4" stroke="{AXIS_COLOUR}"/>')
        body.append(_text(x + 3, bottom + 8 + TICK_SIZE * 0.5, day, TICK_SIZE, "end",
                          rotate=-60))
    middle = top + PLOT_HEIGHT / 2
    body.append(_text(PAD + LEGEND_SIZE, middle, axis_title, LEGEND_SIZE, "middle",
                      rotate=-90))
    for status, values in shares.items():
        colour = TREND_COLOURS.get(status, AXIS_COLOUR)
        shape = TREND_MARKERS.get(status, "circle")
        path: list[str] = []
        pen_up = True
        points: list[tuple[float, float]] = []
        for k, value in enumerate(values):
            if value is None or math.isnan(value):
                pen_up = True  # a gap where the figure is suppressed
                continue
            x, y = x_of(k), y_of(value)
            path.append(f"{'M' if pen_up else 'L'}{_num(x)} {_num(y)}")
            points.append((x, y))
            pen_up = False
        if path:
            body.append(f'<path d="{"".join(path)}" fill="none" stroke="{colour}" '
                        'stroke-width="2" stroke-linejoin="round"/>')
        body.extend(_marker(shape, x, y, colour) for x, y in points)
    body.append(f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(PLOT_WIDTH)}" '
                f'height="{_num(PLOT_HEIGHT)}" fill="none" stroke="{AXIS_COLOUR}"/>')
    body.append(f'<rect x="{_num(legend_x)}" y="{_num(top)}" width="{_num(legend_w)}" '
                f'height="{_num(10 + 20 * len(shares))}" fill="#ffffff" stroke="#cccccc" '
                'rx="3"/>')
    for k, status in enumerate(shares):
        y = top + 15 + 20 * k
        colour = TREND_COLOURS.get(status, AXIS_COLOUR)
        body.append(f'<path d="M{_num(legend_x + 6)} {_num(y)}h20" stroke="{colour}" '
                    'stroke-width="2"/>')
        body.append(_marker(TREND_MARKERS.get(status, "circle"), legend_x + 16, y, colour))
        body.append(_text(legend_x + 32, y + LEGEND_SIZE * 0.36, status, LEGEND_SIZE))
    return _svg(width, height, title, body)
