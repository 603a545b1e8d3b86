"""The trend: requirements in each status on many dates, from one pass over the evidence.

Judging coverage afresh on every date repeats the same work once per date. The
rules of :mod:`competency.coverage.statuses` make every requirement's status a
step function of the date instead, whose steps fall on evidence dates, expiry
dates and the start of each expiring window. Evidence expires a fixed number of
years after it was achieved, so of two pieces of evidence the later one never
expires sooner; on a date ``d``, for a requirement of level L:

* if evidence of level >= L was achieved on or before ``d``, the latest such
  (achieved ``a``, expiring ``x``) decides: it expires last of them, so ``met``
  while ``d < x - expiring_days``, ``expiring`` while ``d < x``, then
  ``expired``;
* otherwise ``below_level`` while the latest lower evidence achieved on or
  before ``d`` is still valid (``d < x``), else ``missing``.

So each piece of evidence that bears on a requirement holds it in a status over a
few date intervals (its *spans*), up to the next piece of evidence of its kind (at
or above L, or below it) and, for lower evidence, the first at or above L; on any
date at most one span of a requirement holds, and none means ``missing``.

The work is done in columns, in the layout of :mod:`competency.coverage.slots`
(one slot per member of staff and required competency, in the output's order):
each piece of evidence goes straight to its requirement's slot, as one 64-bit key
packing the slot, its kind (at the level or below it) and the day it was
achieved. One sort of the keys puts each requirement's evidence of each kind in
date order, so the next piece of the same kind is the next key and the first at
the level starts the requirement's next run of keys. The spans are never built
as rows: their ends are turned into positions among the dates (one look-up) and
counted with ``bincount`` as +1/-1 changes per status, summed up to each date;
``missing`` is what is left of the requirements. The statuses on one date, slot
by slot (the report's figures on its as-of date), come from the same keys. The
work is one pass over the evidence and one sort, whatever the number of dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from competency.coverage.slots import DAY_BITS, EPOCH_ORDINAL, Slots, expiry_table
from competency.coverage.statuses import (
    STATUSES,
    CoverageOptions,
    evidence_slots,
)
from competency.evidence.records import EvidenceCodes, EvidenceTable
from competency.hr.roles import Roles
from competency.hr.staff import Staff

if TYPE_CHECKING:
    import numpy as np

KIND_SHIFT = DAY_BITS
"""Where a key's kind sits (1: at the required level or above, 0: below it)."""
SLOT_SHIFT = DAY_BITS + 1
"""Where a key's slot sits, above its kind and day (slots up to 2**39)."""
MET, EXPIRING, EXPIRED, BELOW, MISSING = range(len(STATUSES))
"""Status indexes, in :data:`~competency.coverage.statuses.STATUSES` order."""


DENSE_CODES = 1 << 22
"""Pieces of evidence are counted by their code in one array (``bincount``) when there
are at most this many possible codes; beyond (hundreds of dates), by sorting."""


@dataclass(frozen=True)
class Evidence:
    """The evidence that bears on requirements, one entry per piece, sorted by slot, kind
    (below, then at the level) and day achieved; what each piece's spans are made of."""

    slot: np.ndarray
    """The requirement's slot."""
    high: np.ndarray
    """At the required level or above (bool)."""
    achieved: np.ndarray
    """Day achieved (days since 1970-01-01, int32)."""
    upto: np.ndarray
    """Day it stops deciding the status (int32): the next piece of its kind was
    achieved, or (for lower evidence) the first at the level; the day after the last
    date when never."""


class Timeline:
    """Evidence judged into every requirement's statuses on a set of dates, in columns."""

    def __init__(self, slots: Slots, dates: Sequence[dt.date]) -> None:
        """``slots``: the layout, its as-of date the last of ``dates`` (sorted, unique),
        its refresher period and expiring window the rules'."""
        import numpy as np

        self.slots = slots
        self.dates = tuple(dates)
        self.days = np.array([(d - dt.date(1970, 1, 1)).days for d in dates], np.int64)
        if (not dates or list(dates) != sorted(set(dates))
                or int(self.days[-1]) != slots.as_of):
            raise ValueError("dates must be sorted, unique and end on the slots' as-of date")
        self._keys: list[np.ndarray] = []
        self._evidence: Evidence | None = None

    def add(self, batch: EvidenceCodes) -> None:
        """Take a batch of evidence (see :meth:`Slots.route`)."""
        import numpy as np

        if self._evidence is not None:
            raise ValueError("evidence added after the timeline was judged")
        slot, level, needed, day = self.slots.route(batch)
        if not len(slot):
            return
        key = ((slot.astype(np.uint64) << np.uint64(SLOT_SHIFT))
               | ((level >= needed).astype(np.uint64) << np.uint64(KIND_SHIFT))
               | (day + EPOCH_ORDINAL).astype(np.uint64))
        self._keys.append(key)

    def evidence(self) -> Evidence:
        """The evidence taken, sorted, with the ends of its spans."""
        import numpy as np

        if self._evidence is not None:
            return self._evidence
        keys = np.sort(np.concatenate(self._keys)) if self._keys else np.zeros(0, np.uint64)
        self._keys = []
        n = len(keys)
        group = keys >> np.uint64(KIND_SHIFT)  # slot and kind
        slot = (group >> np.uint64(1)).astype(np.int64 if self.slots.total >> 31 else np.int32)
        high = (group & np.uint64(1)).astype(bool)
        # runs of the same slot and kind: where each starts, and each piece's run
        boundary = np.empty(n, bool)
        boundary[:1] = True
        np.not_equal(group[1:], group[:-1], out=boundary[1:])
        del group
        starts = np.flatnonzero(boundary)
        run = np.cumsum(boundary, dtype=np.int64 if n >> 31 else np.int32)
        del boundary
        achieved = (keys & np.uint64((1 << DAY_BITS) - 1)).astype(np.int32)
        achieved -= np.int32(EPOCH_ORDINAL)
        del keys
        never = np.int32(self.days[-1] + 1)
        upto = np.full(n, never, np.int32)
        same = run[1:] == run[:-1]
        upto[:-1][same] = achieved[1:][same]
        del same
        # lower evidence counts until the first at the level: the slot's next run
        low = np.flatnonzero(~high)
        after = np.append(starts, n)[run[low]]  # run numbers count from 1
        del run, starts
        follows = np.zeros(len(low), bool)
        inside = after < n
        follows[inside] = slot[after[inside]] == slot[low[inside]]
        later = np.full(len(low), never, np.int32)
        later[follows] = achieved[after[follows]]
        upto[low] = np.minimum(upto[low], later)
        self._evidence = Evidence(slot, high, achieved, upto)
        return self._evidence

    def _before(self, values: np.ndarray) -> np.ndarray:
        """How many of the dates fall before each day of ``values``: the span ``[s, u)``
        holds on the dates from ``before(s)`` to ``before(u)``. Monotone, so it commutes
        with min and max."""
        import numpy as np

        first, stop = int(self.days[0]), int(self.days[-1]) + 1
        table = np.searchsorted(self.days, np.arange(first, stop + 1)).astype(np.int32)
        out: np.ndarray = table[np.clip(values - first, 0, stop - first)]
        return out

    def _by_day(self, achieved: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
        """``(first, days, expires)``: every day from the first to the last of
        ``achieved`` and the day evidence achieved on it expires."""
        import numpy as np

        first = int(achieved.min()) if len(achieved) else 0
        last = int(achieved.max()) if len(achieved) else 0
        days = np.arange(first, last + 1, dtype=np.int64)
        _, expires = expiry_table(days, self.slots.years)
        return first, days, expires

    def counts(self) -> dict[dt.date, dict[str, int]]:
        """Requirements in each status (every one of STATUSES) on each date.

        A piece of evidence's spans depend on its kind, the dates before the day it
        was achieved, before its expiring window and before its expiry (the last two
        follow from the first) and before the day it stops deciding: packed into one
        code, the pieces are counted by code, and each code's spans added once."""
        import numpy as np

        ev = self.evidence()
        width = len(self.days) + 1  # a position among the dates: 0 to len(days)
        first, days, expires = self._by_day(ev.achieved)
        by_day = ((self._before(days) * width + self._before(expires - self.slots.expiring_days))
                  * width + self._before(expires)).astype(np.int64)
        size = width ** 4 * 2
        code = by_day[ev.achieved - first]
        code *= width
        code += self._before(ev.upto)
        code *= 2
        code += ev.high
        if size <= DENSE_CODES:
            pieces = np.bincount(code, minlength=size)
            found = np.flatnonzero(pieces)
            pieces = pieces[found]
        else:
            found, pieces = np.unique(code, return_counts=True)
        del code
        rest, high = np.divmod(found, 2)
        rest, u = np.divmod(rest, width)
        rest, x = np.divmod(rest, width)
        a, w = np.divmod(rest, width)
        high = high.astype(bool)
        spans = [(MET, high, a, np.minimum(w, u)),
                 (EXPIRING, high, np.maximum(a, w), np.minimum(x, u)),
                 (EXPIRED, high, x, u),
                 (BELOW, ~high, a, np.minimum(x, u))]
        changes = np.zeros((len(STATUSES), width), np.int64)
        for status, kind, since, until in spans:
            held = kind & (since < until)
            changes[status] += np.bincount(since[held], pieces[held], minlength=width).astype(
                np.int64)
            changes[status] -= np.bincount(until[held], pieces[held], minlength=width).astype(
                np.int64)
        held_on = np.cumsum(changes, axis=1)[:, :len(self.days)]
        total = self.slots.total
        out: dict[dt.date, dict[str, int]] = {}
        for k, day in enumerate(self.dates):
            counts = {s: int(held_on[i, k]) for i, s in enumerate(STATUSES)}
            counts["missing"] = total - sum(counts.values())
            out[day] = counts
        return out

    def statuses_on(self, day: dt.date) -> np.ndarray:
        """The status (index in STATUSES, int8) of every slot on ``day``, one of the
        dates or any day from the first to the last."""
        import numpy as np

        if not self.dates[0] <= day <= self.dates[-1]:
            raise ValueError(f"{day} is outside the timeline's dates")
        ev = self.evidence()
        d = (day - dt.date(1970, 1, 1)).days
        first, _, expires = self._by_day(ev.achieved)
        # the status a piece of each kind achieved on each day gives while it decides
        valid = d < expires
        below = np.where(valid, BELOW, MISSING)
        high = np.where(d < expires - self.slots.expiring_days, MET,
                        np.where(valid, EXPIRING, EXPIRED))
        by_day = np.stack([below, high], axis=1).astype(np.int8).ravel()
        index = (ev.achieved - first).astype(np.int64)
        index *= 2
        index += ev.high
        code = by_day[index]
        del index
        holds = (ev.achieved <= d) & (d < ev.upto) & (code != MISSING)
        status = np.full(self.slots.total, MISSING, np.int8)
        status[ev.slot[holds]] = code[holds]
        return status


def timeline(roles: Roles, staff: Staff, evidence: EvidenceTable, options: CoverageOptions,
             dates: Sequence[dt.date]) -> Timeline:
    """The :class:`Timeline` of checked tables on ``dates`` (sorted, unique, at least one)
    with the refresher period and expiring window of ``options`` (its ``as_of`` is not
    used)."""
    return evidence_slots(roles, staff, evidence,
                          CoverageOptions(dates[-1], options.refresher_years,
                                          options.expiring_days),
                          lambda slots: Timeline(slots, dates))


def status_counts_by_date(roles: Roles, staff: Staff, evidence: EvidenceTable,
                          options: CoverageOptions, dates: Sequence[dt.date]
                          ) -> dict[dt.date, dict[str, int]]:
    """Requirements in each status (every one of STATUSES, 0 when none) on each of
    ``dates``, as :func:`~competency.coverage.statuses.compute_coverage` judges them on
    that date with the refresher period and expiring window of ``options`` (its
    ``as_of`` is not used), from one pass over the evidence (see the module's docstring).
    """
    days = sorted(set(dates))
    if not days:
        return {}
    return timeline(roles, staff, evidence, options, days).counts()
