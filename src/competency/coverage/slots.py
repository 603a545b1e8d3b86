"""The current statuses computed in columns: one slot per member of staff and required
competency, laid out in the output's order.

This is how ``competency coverage`` judges a national workforce (1.5 million staff,
10 million evidence rows) in a few seconds and under 2 GB: no join and no sort of
the requirement rows. Each member of staff gets a block of slots, one per
requirement of their role, the blocks in staff_id order and each block in
competency order (both as text, that is by code point, which UTF-8 keeps). A piece
of evidence goes straight to its slot (its staff row, then its role's position of
the competency); the slot keeps the maximum of an integer that packs the contract's
choice: the class (``met``/``expiring`` > ``expired`` > ``below_level``) and, within
it, the tie-break keys in order, so that a plain maximum picks the evidence the
status rests on. The rules are those of :mod:`competency.coverage.statuses`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from competency.errors import CompetencyError
from competency.evidence.records import EvidenceCodes
from competency.hr.roles import Roles

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

STATUS_NAMES: tuple[str, ...] = ("met", "expiring", "expired", "below_level", "missing")
"""Statuses, in :data:`competency.coverage.statuses.STATUSES` order."""
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal() - 1
"""Days from 0001-01-01 to 1970-01-01: added to a day number so it is never negative."""
DAY_BITS = 24
"""Bits of a packed day number (days from 0001-01-01: dates up to year 45 000)."""
LEVEL_BITS = 8
"""Bits of a packed level, where it comes first."""
LOW_LEVEL_BITS = 6
"""Bits of a packed level after a date: levels up to 63."""
MAX_LEVEL = (1 << LOW_LEVEL_BITS) - 1
"""The highest level the packing holds (a framework's are 1 to 4)."""
CLASS_SHIFT = 62
"""Where the class sits in a packed key (unsigned 64 bits)."""
HIGH_DAY_SHIFT = DAY_BITS + LOW_LEVEL_BITS
"""Where the second day number of a key sits: the expiry (met, below) or achieved_on
(expired); the lowest bits always hold achieved_on."""
MET, EXPIRED, BELOW = 3, 2, 1
"""Classes of a piece of evidence for a requirement (0: expired and below: no use).

Keys, high bits to low: met ``class, expires, level, achieved``; expired ``class,
achieved, level, achieved``; below ``class, level, expires, achieved``. The
maximum key per slot is the evidence the contract's rules choose."""
STATUS_BY_CLASS = (4, 4, 3, 3, 2, 2, 0, 1)
"""Status index by ``2 * class + expiring``."""


def expiries(days: np.ndarray, years: int) -> np.ndarray:
    """``days`` (since 1970-01-01) plus calendar ``years``, 29 February becoming
    28 February when the year has none (:func:`competency.dates.add_years`)."""
    import numpy as np

    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    within = day - month.astype("datetime64[D]")
    target = month + np.timedelta64(12 * years, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    out: np.ndarray = np.minimum(target.astype("datetime64[D]") + within, last).astype(np.int64)
    return out


def expiry_table(days: np.ndarray, years: int) -> tuple[int, np.ndarray]:
    """``(first, table)`` with ``table[d - first]`` the expiry of day ``d`` for every day
    of ``days``' range: one look-up per row instead of calendar arithmetic."""
    import numpy as np

    first, last = int(days.min()), int(days.max())
    return first, expiries(np.arange(first, last + 1, dtype=np.int64), years)


class Slots:
    """The output's rows for a staff table and a roles table, and the evidence judged
    into them."""

    def __init__(self, roles: Roles, staff_ids: pa.Array, staff_roles: pa.ChunkedArray,
                 competencies: Sequence[str], as_of: dt.date, years: int,
                 expiring_days: int, order: pa.Array | None = None) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        self.competencies = tuple(sorted(set(competencies) | {r.competency for r in roles}))
        index = {c: i for i, c in enumerate(self.competencies)}
        self.role_names = roles.names
        roles_index = {name: i for i, name in enumerate(self.role_names)}
        self.priorities = tuple(sorted({r.priority for r in roles}))
        n_roles, n_comp = len(self.role_names), len(self.competencies)
        # one more row for staff whose role has no requirements
        self.required = np.zeros((n_roles + 1, n_comp), np.int64)
        self.position = np.full((n_roles + 1, n_comp), -1, np.int64)
        for r, name in enumerate(self.role_names):
            for p, req in enumerate(sorted(roles.for_role(name), key=lambda q: q.competency)):
                c = index[req.competency]
                self.required[r, c] = req.level
                self.position[r, c] = p
        per_role = (self.required > 0).sum(axis=1)
        self.per_role = per_role
        flat = [(index[q.competency], q.level, self.priorities.index(q.priority))
                for name in self.role_names
                for q in sorted(roles.for_role(name), key=lambda q: q.competency)]
        self.requirement_competency = np.array([f[0] for f in flat] or [0], np.int8)
        self.requirement_level = np.array([f[1] for f in flat] or [0], np.int8)
        self.requirement_priority = np.array([f[2] for f in flat] or [0], np.int8)

        self.staff_ids = staff_ids
        self._staff_roles = staff_roles
        self.role = np.full(len(staff_ids), n_roles, np.int64)
        encoded = pc.dictionary_encode(staff_roles)
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        offset = 0
        for chunk in chunks:
            codes = np.array([roles_index.get(v, n_roles) for v in chunk.dictionary.to_pylist()]
                             + [n_roles], np.int64)
            indices = pc.fill_null(chunk.indices, len(chunk.dictionary)).to_numpy()
            self.role[offset:offset + len(chunk)] = codes[indices]
            offset += len(chunk)
        if order is None:
            order = pc.sort_indices(staff_ids)
        self.order = order.to_numpy().astype(np.int64)
        self.counts = per_role[self.role[self.order]]
        self.starts = np.cumsum(self.counts) - self.counts
        self.start = np.empty(len(staff_ids), np.int64)
        self.start[self.order] = self.starts
        self.total = int(self.counts.sum())

        self.as_of = (as_of - dt.date(1970, 1, 1)).days
        self.years = years
        self.expiring_days = expiring_days
        self.best = np.zeros(self.total, np.uint64)
        self.held = np.full(self.total, -1, np.int8)
        self._unknown: list[pa.Array] = []

    def unknown_staff(self, examples: int) -> tuple[int, int, list[str]]:
        """``(rows, staff, first)``: how many evidence rows added name a staff_id not in
        the staff table, how many such staff_id there are, and the first ``examples`` of
        them, sorted as text."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self._unknown:
            return 0, 0, []
        names = pa.chunked_array(self._unknown, pa.string())
        distinct = pc.unique(names)
        first = pc.take(distinct, pc.sort_indices(distinct)[:examples])
        return len(names), len(distinct), [str(v) for v in first.to_pylist()]

    def roles_without_requirements(self) -> list[tuple[str, int]]:
        """``(role, staff)`` for the staff's roles that have no requirements, most staff
        first, then by role."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        lacking = np.flatnonzero(self.role == len(self.role_names))
        if not len(lacking):
            return []
        names = pc.take(self._staff_roles, pa.array(lacking))
        if isinstance(names, pa.ChunkedArray):
            names = names.combine_chunks()
        if pa.types.is_dictionary(names.type):
            names = names.dictionary_decode()
        counts = [(str(v["values"]), int(v["counts"])) for v in pc.value_counts(names).to_pylist()]
        return sorted(counts, key=lambda item: (-item[1], item[0]))

    def route(self, batch: EvidenceCodes) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray]:
        """``(slot, level, required level, day)`` of the batch's evidence that bears on a
        requirement (its member of staff's role requires its competency) and is dated on
        or before the as-of date; rows for staff not in the staff table are counted for
        :meth:`unknown_staff`, and otherwise ignored."""
        if len(batch.unknown):
            self._unknown.append(batch.unknown)

        staff = batch.staff
        keep = (staff >= 0) & (batch.day <= self.as_of)
        staff, comp = staff[keep], batch.competency[keep]
        level, day = batch.level[keep], batch.day[keep]
        role = self.role[staff]
        needed = self.required[role, comp]
        keep = needed > 0
        if not keep.all():
            staff, comp, level, day = staff[keep], comp[keep], level[keep], day[keep]
            role, needed = role[keep], needed[keep]
        slot = self.start[staff] + self.position[role, comp]
        return slot, level, needed, day

    def add(self, batch: EvidenceCodes) -> None:
        """Judge a batch of evidence into the slots (see :meth:`route`)."""
        import numpy as np

        slot, level, needed, day = self.route(batch)
        if not len(slot):
            return
        if int(level.max()) > MAX_LEVEL or int(level.min()) < 0:
            raise CompetencyError(f"evidence levels must be 0 to {MAX_LEVEL} "
                                  f"({int(level.max())})")
        first, table = expiry_table(day, self.years)
        expires = table[day - first]
        valid = expires > self.as_of
        enough = level >= needed
        level = level.astype(np.uint64)
        achieved = (day + EPOCH_ORDINAL).astype(np.uint64)
        ends = (expires + EPOCH_ORDINAL).astype(np.uint64)
        met = ((ends << np.uint64(HIGH_DAY_SHIFT)) | (level << np.uint64(DAY_BITS))
               | achieved | np.uint64(MET << CLASS_SHIFT))
        below = ((level << np.uint64(HIGH_DAY_SHIFT + DAY_BITS))
                 | (ends << np.uint64(HIGH_DAY_SHIFT)) | achieved
                 | np.uint64(BELOW << CLASS_SHIFT))
        expired = ((achieved << np.uint64(HIGH_DAY_SHIFT)) | (level << np.uint64(DAY_BITS))
                   | achieved | np.uint64(EXPIRED << CLASS_SHIFT))
        key = np.where(valid, np.where(enough, met, below),
                       np.where(enough, expired, np.uint64(0)))
        np.maximum.at(self.best, slot, key)
        np.maximum.at(self.held, slot[valid], level[valid].astype(np.int8))

    def parts(self, rows: int) -> list[tuple[int, int]]:
        """The rows cut into ``(first, stop)`` ranges of staff (in output order) of
        about ``rows`` rows each, for writing in parallel."""
        import numpy as np

        cuts = np.unique(np.searchsorted(self.starts, np.arange(0, self.total, max(rows, 1))))
        bounds = [int(c) for c in cuts if 0 < c < len(self.order)]
        edges = [0, *bounds, len(self.order)]
        return list(itertools.pairwise(edges))

    def table(self, *, encoded: bool, part: tuple[int, int] | None = None) -> pa.Table:
        """The coverage rows in the contract's columns and order (only those of the staff
        ``part`` of :meth:`parts` when given); text columns dictionary-encoded when
        ``encoded`` (for writing), else plain."""
        import numpy as np
        import pyarrow as pa

        first_staff, stop_staff = part or (0, len(self.order))
        order = self.order[first_staff:stop_staff]
        counts = self.counts[first_staff:stop_staff]
        starts = self.starts[first_staff:stop_staff]
        first = int(starts[0]) if len(starts) else 0
        stop = first + int(counts.sum())
        key = self.best[first:stop]
        held = self.held[first:stop]
        day_mask = np.uint64((1 << DAY_BITS) - 1)
        kind = (key >> np.uint64(CLASS_SHIFT)).astype(np.int8)
        achieved = (key & day_mask).astype(np.int32) - np.int32(EPOCH_ORDINAL)
        expires = ((key >> np.uint64(HIGH_DAY_SHIFT)) & day_mask).astype(np.int32)
        expires -= np.int32(EPOCH_ORDINAL)
        lapsed = np.flatnonzero(kind == EXPIRED)
        if len(lapsed):
            earliest, table = expiry_table(achieved[lapsed], self.years)
            expires[lapsed] = table[achieved[lapsed] - earliest]
        soon = (expires - np.int32(self.as_of)) <= self.expiring_days
        status = np.array(STATUS_BY_CLASS, np.int8)[kind * 2 + soon]
        none = kind == 0

        staff = np.repeat(order.astype(np.int32), counts)
        first_requirement = np.cumsum(self.per_role) - self.per_role
        requirement = np.repeat(first_requirement[self.role[order]] - starts, counts)
        requirement += np.arange(first, stop, dtype=np.int64)
        comp = self.requirement_competency[requirement]
        columns: dict[str, pa.Array] = {
            "staff_id": pa.DictionaryArray.from_arrays(pa.array(staff), self.staff_ids),
            "competency": pa.DictionaryArray.from_arrays(
                pa.array(comp), pa.array(self.competencies, pa.string())),
            "required_level": pa.array(self.requirement_level[requirement]),
            "priority": pa.DictionaryArray.from_arrays(
                pa.array(self.requirement_priority[requirement]),
                pa.array(self.priorities, pa.string())),
            "held_level": pa.array(held, mask=held < 0),
            "achieved_on": pa.array(achieved, mask=none).view(pa.date32()),
            "expires_on": pa.array(expires, mask=none).view(pa.date32()),
            "status": pa.DictionaryArray.from_arrays(pa.array(status),
                                                     pa.array(STATUS_NAMES, pa.string())),
        }
        if not encoded:
            columns = {name: (column.dictionary_decode()
                              if isinstance(column, pa.DictionaryArray)
                              else column.cast(pa.int32()) if pa.types.is_int8(column.type)
                              else column)
                       for name, column in columns.items()}
        return pa.table(columns)
