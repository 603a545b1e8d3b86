"""Statistical disclosure control: small numbers are never published.

Every aggregated table the toolkit publishes (reports, the dashboard) goes
through :func:`protect`, which applies NHS Digital's rule by default:

* **primary suppression**: counts from 1 to 7 are shown as ``*``;
* **rounding**: every other count is rounded to the nearest 5 (half up);
* **totals** (a ``Total`` column, and a ``Total`` row unless turned off) are
  computed from the unrounded counts and published by the same rule;
* **secondary suppression**: a row or column (the totals row and column
  included) with exactly one suppressed cell would give that cell away by
  subtraction, so its smallest other non-zero cell is suppressed too, until
  no line has exactly one; then an *audit* plays the attacker: it bounds
  every suppressed cell from the row and column sums, treating rounded
  values as the intervals they stand for, and suppresses more wherever a
  suppressed cell could be pinned down more tightly than a rounded count
  (to fewer values than :attr:`DisclosureRule.protection`);
* **percentages** are computed from the published figures and suppressed
  wherever their count or denominator is.

Zeros are published as 0 and are never chosen for secondary suppression, so
a ``*`` always stands for at least 1. Linked tables (the same people in two
sections of a report) are protected one table at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competency.errors import CompetencyError, DisclosureError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    import pyarrow as pa

    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

SUPPRESSED = "*"
"""What a suppressed cell shows."""
TOTAL = "Total"
"""Label of the totals row and column."""
DEFAULT_THRESHOLD = 7
DEFAULT_ROUNDING = 5
UNBOUNDED = 10**12
"""An upper bound no count reaches (the attacker's prior for a suppressed cell)."""
MAX_PASSES = 1000
"""Passes of bound tightening at most (each pass is sound, so stopping early is safe)."""
IDENTIFYING_COLUMNS: tuple[str, ...] = (
    "staff_id", "username", "name", "full_name", "first_name", "last_name", "surname",
    "email")
"""Staff-table columns whose values must never appear in an aggregated output."""


@dataclass(frozen=True)
class DisclosureRule:
    """How small numbers are protected (NHS Digital's rule by default)."""

    enabled: bool = True
    """Apply the rule at all; off publishes exact counts (for identifiable outputs only)."""
    threshold: int = DEFAULT_THRESHOLD
    """Counts from 1 to this are suppressed (shown as ``*``)."""
    rounding: int = DEFAULT_ROUNDING
    """Other counts are rounded to the nearest multiple of this (1: no rounding)."""

    def __post_init__(self) -> None:
        if self.threshold < 0:
            raise CompetencyError(f"suppression threshold must not be negative "
                                  f"({self.threshold})")
        if self.rounding < 1:
            raise CompetencyError(f"rounding base must be at least 1 ({self.rounding})")

    @property
    def protection(self) -> int:
        """How many values a suppressed cell must keep open to an attacker.

        As many as a rounded count stands for (the rounding base), but never
        more than the threshold (a small number has only that many values)
        and at least two (never determined exactly).
        """
        return max(2, min(self.rounding, self.threshold))

    @property
    def exact(self) -> bool:
        """Whether published counts are the true counts."""
        return not self.enabled or self.rounding == 1

    def describe(self) -> str:
        """One sentence for a report's header."""
        if not self.enabled:
            return "Small numbers are not suppressed: exact counts are shown."
        parts = [f"Counts from 1 to {self.threshold} are shown as {SUPPRESSED}"]
        if self.rounding > 1:
            parts.append(f"other counts are rounded to the nearest {self.rounding}")
        parts.append("further cells are suppressed (also shown as *) where they would let a "
                     "suppressed count be worked out from the totals; percentages are "
                     "computed from the published counts")
        return "; ".join(parts) + "."

    def round(self, counts: IntArray) -> IntArray:
        """Counts rounded half up to the nearest multiple of ``rounding``."""
        if not self.enabled or self.rounding == 1:
            return counts
        base = self.rounding
        result: IntArray = ((counts + base // 2) // base) * base
        return result

    def is_primary(self, counts: IntArray) -> BoolArray:
        """Which counts are small enough to suppress."""
        import numpy as np

        if not self.enabled:
            return np.zeros(counts.shape, dtype=bool)
        result: BoolArray = (counts >= 1) & (counts <= self.threshold)
        return result

    def intervals(self, shown: IntArray) -> tuple[IntArray, IntArray]:
        """The true counts a published (rounded) count can stand for, as [low, high]."""
        import numpy as np

        if not self.enabled or self.rounding == 1:
            return shown.copy(), shown.copy()
        base = self.rounding
        low = np.maximum(shown - base // 2, 0)
        high = shown + (base - base // 2 - 1)
        # a published non-zero count is never one of the suppressed small numbers
        low = np.where((shown > 0) & (low <= self.threshold),
                       np.minimum(self.threshold + 1, high), low)
        high = np.where((shown == 0) & (high > 0) & (high <= self.threshold), 0, high)
        return low, high


def attack(shown: IntArray, suppressed: BoolArray, rule: DisclosureRule, *,
           column_totals: bool = True) -> tuple[IntArray, IntArray]:
    """Bounds an attacker can derive for every cell of a published table.

    ``shown`` is the published table with its totals (last column; last row
    when ``column_totals``), ``suppressed`` marks the ``*`` cells. Each line's
    cells must sum to its total; the bounds are tightened until stable.
    """
    import numpy as np

    low, high = rule.intervals(shown)
    low = np.where(suppressed, 1, low)
    high = np.where(suppressed, UNBOUNDED, high)
    for _ in range(MAX_PASSES):
        before_low, before_high = low.copy(), high.copy()
        _tighten(low, high)
        if column_totals:
            _tighten(low.T, high.T)
        if np.array_equal(low, before_low) and np.array_equal(high, before_high):
            break
    return low, high


def _tighten(low: IntArray, high: IntArray) -> None:
    """One pass over the rows: each row's cells sum to its last cell (in place)."""
    import numpy as np

    parts_low, parts_high = low[:, :-1], high[:, :-1]
    sum_low = parts_low.sum(axis=1)
    sum_high = parts_high.sum(axis=1)  # no overflow below 9 million cells a line
    low[:, -1] = np.maximum(low[:, -1], sum_low)
    high[:, -1] = np.minimum(high[:, -1], sum_high)
    others_high = sum_high[:, None] - parts_high
    others_low = sum_low[:, None] - parts_low
    np.maximum(parts_low, low[:, -1:] - others_high, out=parts_low)
    np.minimum(parts_high, high[:, -1:] - others_low, out=parts_high)


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts with totals, as published under a :class:`DisclosureRule`."""

    counts: pd.DataFrame
    """Published counts (rounded), nullable integers, ``<NA>`` where suppressed; the last
    column (and the last row when there are column totals) is ``Total``."""
    primary: pd.DataFrame
    """Cells suppressed because they are small numbers."""
    suppressed: pd.DataFrame
    """All suppressed cells (primary and secondary)."""
    rule: DisclosureRule
    """The rule applied."""

    def display(self) -> pd.DataFrame:
        """The table as text: counts, ``*`` where suppressed."""
        text: pd.DataFrame = self.counts.astype("string").fillna(SUPPRESSED)
        return text

    def shares(self, decimals: int | None = None) -> pd.DataFrame:
        """Each cell as a percentage of its row's published total (``<NA>`` where suppressed).

        ``decimals`` defaults to 1 for exact counts and 0 for rounded ones.
        """
        if decimals is None:
            decimals = 1 if self.rule.exact else 0
        counts = self.counts.astype("Float64")
        total = counts[TOTAL].where(counts[TOTAL] > 0)
        shares: pd.DataFrame = (counts.drop(columns=TOTAL).div(total, axis=0) * 100)
        return shares.round(decimals)


def protect(counts: pd.DataFrame, rule: DisclosureRule | None = None, *,
            column_totals: bool = True) -> ProtectedTable:
    """Publish a table of non-negative counts under ``rule`` (see the module docstring).

    ``counts`` has groups as its index and categories as its columns. The
    result adds a ``Total`` column (row sums) and, with ``column_totals``, a
    ``Total`` row (column sums), both from the unrounded counts.
    """
    import numpy as np
    import pandas as pd

    rule = rule or DisclosureRule()
    exact = counts.fillna(0).to_numpy(dtype=np.int64)
    if (exact < 0).any():
        raise DisclosureError("counts must not be negative")
    full = np.column_stack([exact, exact.sum(axis=1)])
    if column_totals:
        full = np.vstack([full, full.sum(axis=0, keepdims=True)])
    primary = rule.is_primary(full)
    suppressed = _secondary(full, primary, rule, column_totals) if rule.enabled else primary
    shown = rule.round(full)
    index = list(counts.index) + ([TOTAL] if column_totals else [])
    columns = [*counts.columns, TOTAL]
    published = pd.DataFrame(shown, index=index, columns=columns).astype("Int64")
    published = published.mask(pd.DataFrame(suppressed, index=index, columns=columns))
    if isinstance(counts.index, pd.MultiIndex):
        published.index = pd.Index(index, tupleize_cols=False)
    return ProtectedTable(
        counts=published,
        primary=pd.DataFrame(primary, index=published.index, columns=columns),
        suppressed=pd.DataFrame(suppressed, index=published.index, columns=columns),
        rule=rule)


def _secondary(full: IntArray, primary: BoolArray, rule: DisclosureRule,
               column_totals: bool) -> BoolArray:
    """Primary suppression extended until no suppressed cell can be recovered."""
    suppressed = primary.copy()
    shown = rule.round(full)
    need = rule.protection
    while True:
        while _fix_single_lines(full, suppressed, column_totals):
            pass
        low, high = attack(shown, suppressed, rule, column_totals=column_totals)
        weak = suppressed & (high - low + 1 < need)
        if not weak.any():
            return suppressed
        i, j = (int(x) for x in next(zip(*weak.nonzero(), strict=True)))
        lines = [("row", i)] + ([("column", j)] if column_totals else [])
        if not _suppress_smallest(full, suppressed, lines):
            return suppressed  # everything around it is suppressed already


def _fix_single_lines(full: IntArray, suppressed: BoolArray, column_totals: bool) -> bool:
    """Suppress one more cell in every line with exactly one suppressed; whether any changed."""
    changed = False
    for i in (suppressed.sum(axis=1) == 1).nonzero()[0]:
        changed |= _suppress_smallest(full, suppressed, [("row", int(i))])
    if column_totals:
        for j in (suppressed.sum(axis=0) == 1).nonzero()[0]:
            changed |= _suppress_smallest(full, suppressed, [("column", int(j))])
    return changed


def _suppress_smallest(full: IntArray, suppressed: BoolArray,
                       lines: Sequence[tuple[str, int]]) -> bool:
    """Suppress the smallest non-zero unsuppressed cell among ``lines``; whether one was."""
    import numpy as np

    best: tuple[int, int, int] | None = None
    for kind, index in lines:
        values, hidden = ((full[index], suppressed[index]) if kind == "row"
                          else (full[:, index], suppressed[:, index]))
        free = (~hidden) & (values > 0)
        if not free.any():
            continue
        k = int(np.argmin(np.where(free, values, np.iinfo(np.int64).max)))
        cell = (index, k) if kind == "row" else (k, index)
        value = int(values[k])
        if best is None or value < best[0]:
            best = (value, cell[0], cell[1])
    if best is None:
        return False
    suppressed[best[1], best[2]] = True
    return True


def find_identifiers(texts: Iterable[str], identifiers: Iterable[str] | pa.Array) -> list[str]:
    """The ``identifiers`` that occur in ``texts`` as whole words (sorted).

    Embedded images (``data:...;base64,...``) are skipped. Purely numeric
    identifiers shorter than five digits are skipped too: they cannot be told
    apart from counts. ``identifiers`` may be an Arrow array of text (such as
    :func:`identifiers_of` gives): a national staff table's millions are then
    matched against the texts' words in one pass, not one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = (identifiers if isinstance(identifiers, pa.Array | pa.ChunkedArray)
              else pa.array(list(identifiers), pa.string()))
    texts = [_DATA_URI.sub(" ", text) for text in texts]
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text), _PLAIN_WORD.findall(text))
    # an identifier that is one word is found among the words (each of them is one)
    among = pc.is_in(wanted, value_set=pa.array(sorted(words), pa.string()))
    found = {str(i) for i in wanted.filter(among).to_pylist()
             if not (i.isdigit() and len(i) < 5)}
    # the others are searched for (the few staff tables holding names); plain letters
    # and digits make one word, so only identifiers with anything else can be others
    other = pc.match_substring_regex(wanted, "[^0-9A-Za-z]")
    multi = {str(i) for i in wanted.filter(other).to_pylist()
             if i and not i.isalnum() and not _WORD.fullmatch(i)}
    found.update(m for m in multi if any(
        re.search(rf"(?<![\w@.-]){re.escape(m)}(?![\w@-])", text) for text in texts))
    return sorted(found)


_WORD = re.compile(r"[\w@.\-]*\w")
_PLAIN_WORD = re.compile(r"\w+")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*")


def ensure_no_identifiers(where: str, texts: Iterable[str],
                          identifiers: Iterable[str] | pa.Array) -> None:
    """Raise :class:`DisclosureError` if an aggregated output names a member of staff."""
    found = find_identifiers(texts, identifiers)
    if found:
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise DisclosureError(f"{where}: an aggregated output contains a staff identifier "
                              f"({found[0]}{more}); not written")


def identifiers_of(table: Any) -> pa.Array:
    """Every value of the identifying columns (:data:`IDENTIFYING_COLUMNS`) of a staff
    table, trimmed (a clean file's cells come as read), empty ones left out: an Arrow
    array of text for :func:`find_identifiers`.

    ``table`` is a pyarrow table (such as :attr:`competency.hr.staff.Staff.table`).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks: list[pa.Array] = []
    for name in IDENTIFYING_COLUMNS:
        if name in table.column_names:
            column = pc.utf8_trim_whitespace(table.column(name).cast(pa.string()))
            chunks.extend(column.chunks)
    values = pa.chunked_array(chunks, pa.string())
    return values.filter(pc.not_equal(values, ""))
