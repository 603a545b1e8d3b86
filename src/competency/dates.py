"""One way to read and move dates: strict YYYY-MM-DD, spelled formats, calendar arithmetic.

* :func:`parse_iso` is the one rule for a date given as text: exactly
  ``YYYY-MM-DD`` (ASCII digits, no spaces, no time), a real calendar date
  from year 1. Command-line options use it through :func:`parse_date`.
* A table cell is also accepted as ``YYYY-MM-DD 00:00:00`` (or with ``T``),
  which is how a spreadsheet's date cell reads as text (:func:`parse_cell`).
* ``evidence import --date-format`` spells other layouts (``dd/mm/yyyy`` or
  ``%d/%m/%Y``): :func:`date_format` and :func:`parse_cell`.
* :func:`add_months` and :func:`add_years` follow the contract: a day missing
  from the target month becomes its last day, so 29 February becomes
  28 February when the target year has none.

The vectorised reader (:mod:`competency.arrowtables`) uses Arrow's strict cast
guarded by :data:`ISO_DATE_LENGTH` and :data:`MIN_DATE` and falls back on
:func:`parse_cell`, so both paths accept exactly the same strings.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from competency.errors import DateError

ISO_DATE = "YYYY-MM-DD"
"""How the toolkit spells a date, in messages."""
ISO_FORMAT = "%Y-%m-%d"
"""The strptime/strftime format of :data:`ISO_DATE`."""
ISO_DATE_REGEX = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
"""The shape of an ISO date (RE2 and Python syntax; anchor it yourself)."""
CELL_DATE_REGEX = rf"({ISO_DATE_REGEX})([ T]00:00:00)?"
"""An ISO date as a table cell: optionally a spreadsheet's midnight time."""
ISO_DATE_LENGTH = 10
"""Characters in an ISO date."""
MIN_DATE = dt.date.min
"""The first date (``0000-01-01`` is not a date)."""
EPOCH = dt.date(1970, 1, 1)
"""Day 0 of Arrow's date32."""

_ISO = re.compile(ISO_DATE_REGEX)
_CELL = re.compile(CELL_DATE_REGEX)
_FRIENDLY = (("yyyy", "%Y"), ("yy", "%y"), ("dd", "%d"), ("mm", "%m"))


def parse_iso(text: str) -> dt.date | None:
    """The date ``text`` spells as exactly ``YYYY-MM-DD``, or None."""
    if not _ISO.fullmatch(text):
        return None
    try:
        return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:  # month 13, 30 February, year 0
        return None


def parse_date(text: str, where: str) -> dt.date:
    """A strict ISO date, or :class:`DateError` ``WHERE: malformed date; use YYYY-MM-DD (TEXT)``."""
    day = parse_iso(text)
    if day is None:
        raise DateError(f"{where}: malformed date; use {ISO_DATE} ({text or 'empty'})")
    return day


def date_format(spelling: str | None) -> str:
    """A strptime format from ``%d/%m/%Y`` or the friendlier ``dd/mm/yyyy`` (default ISO)."""
    if not spelling:
        return ISO_FORMAT
    if "%" in spelling:
        return spelling
    out = spelling.lower()
    for friendly, directive in _FRIENDLY:
        out = out.replace(friendly, directive)
    return out


def parse_cell(text: str, fmt: str = ISO_FORMAT) -> dt.date | None:
    """The date in a table cell, or None.

    A spreadsheet's date cell (``YYYY-MM-DD 00:00:00``) is read by
    :func:`parse_iso` whatever ``fmt`` says; otherwise the ISO format (the
    default) means :func:`parse_iso`, and other formats go through strptime.
    """
    cell = _CELL.fullmatch(text)
    if cell and (fmt == ISO_FORMAT or cell.group(2)):
        return parse_iso(cell.group(1))
    if fmt == ISO_FORMAT:
        return None
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months; a day the target month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus calendar years: 29 February becomes 28 February when the year has none."""
    return add_months(day, 12 * years)
