"""Requirements and staff counted by group, in columns: what a report's sections read.

The statuses on the as-of date come slot by slot (:mod:`competency.coverage.slots`:
one slot per member of staff and required competency, in staff_id then competency
order); each slot's group (team, role and competency; or, per member of staff,
role, team, ethnic category and worst status) is packed into one integer and
counted with ``bincount``, part by part, so that a national workforce's 13
million requirements become a few thousand grouped rows without a table of
them being built. Only an identifiable report asks for the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from competency.coverage.slots import Slots
from competency.coverage.statuses import STATUSES
from competency.hr.staff import ETHNIC_CATEGORY, ROLE, STAFF_ID, TEAM

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

STATUS = "status"
COMPETENCY = "competency"
N = "n"
"""The column of a grouped frame that counts its rows' requirements (or people)."""
PART_ROWS = 2_000_000
"""Requirements counted at a time (bounds the memory of the packed groups)."""
DENSE_GROUPS = 1 << 22
"""Groups counted in one array (``bincount``) when there are at most this many
possible; beyond, the groups present are found by sorting."""


def text_codes(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, values)`` of a text column of the staff table, cells trimmed: row ``i``
    holds ``values[codes[i]]`` (an object array of distinct values); no column: ``""``.

    The column may be plain or dictionary-encoded, trimmed or not (a clean file's
    cells come as read): values equal once trimmed share a code."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if name not in table.column_names:
        return np.zeros(table.num_rows, np.int64), np.array([""], object)
    chunks = []
    for chunk in table.column(name).chunks:
        encoded = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        chunks.append((pc.utf8_trim_whitespace(encoded.dictionary), encoded.indices))
    values = pc.unique(pa.chunked_array([d for d, _ in chunks], pa.string()))
    codes = np.zeros(table.num_rows, np.int64)
    offset = 0
    for dictionary, indices in chunks:
        remap = np.asarray(pc.index_in(dictionary, value_set=values).to_numpy(
            zero_copy_only=False), np.int64)
        codes[offset:offset + len(indices)] = remap[indices.to_numpy(zero_copy_only=False)]
        offset += len(indices)
    return codes, np.array(values.to_pylist(), object)


def _requirements(slots: Slots, part: tuple[int, int]) -> tuple[int, np.ndarray, np.ndarray]:
    """``(first slot, staff, requirement)`` of the slots of a part of :meth:`Slots.parts`:
    each slot's member of staff (row of the staff table) and requirement (index in the
    roles' requirements, each role's in competency order)."""
    import numpy as np

    first_staff, stop_staff = part
    order = slots.order[first_staff:stop_staff]
    counts = slots.counts[first_staff:stop_staff]
    starts = slots.starts[first_staff:stop_staff]
    first = int(starts[0]) if len(starts) else 0
    stop = first + int(counts.sum())
    first_requirement = np.cumsum(slots.per_role) - slots.per_role
    requirement = np.repeat(first_requirement[slots.role[order]] - starts, counts)
    requirement += np.arange(first, stop, dtype=np.int64)
    return first, np.repeat(order, counts), requirement


def _tally(codes: Iterator[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(group, count)`` of the groups (integers below ``size``) found in ``codes``,
    the groups in ascending order, none counted zero."""
    import numpy as np

    if size <= DENSE_GROUPS:
        total = np.zeros(size, np.int64)
        for part in codes:
            total += np.bincount(part, minlength=size)
        found = np.flatnonzero(total)
        return found, total[found]
    groups, counts = [], []
    for part in codes:
        found, n = np.unique(part, return_counts=True)
        groups.append(found)
        counts.append(n)
    if not groups:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    found, where = np.unique(np.concatenate(groups), return_inverse=True)
    return found, np.bincount(where, weights=np.concatenate(counts)).astype(np.int64)


def requirement_roles(slots: Slots) -> np.ndarray:
    """The role (index in ``slots.role_names``) of each requirement."""
    import numpy as np

    per_role = slots.per_role[:len(slots.role_names)]
    out: np.ndarray = np.repeat(np.arange(len(per_role)), per_role)
    return out


def requirement_counts(slots: Slots, statuses: np.ndarray, staff: pa.Table) -> pd.DataFrame:
    """Requirements (column :data:`N`) by role, team, competency and status (one of
    STATUSES, by index in ``statuses``, one per slot); groups with none left out."""
    import numpy as np
    import pandas as pd

    team, teams = text_codes(staff, TEAM)
    kinds, n_statuses = max(len(slots.requirement_competency), 1), len(STATUSES)

    def codes() -> Iterator[np.ndarray]:
        for part in slots.parts(PART_ROWS):
            first, who, requirement = _requirements(slots, part)
            yield ((team[who] * kinds + requirement) * n_statuses
                   + statuses[first:first + len(who)])

    found, n = _tally(codes(), len(teams) * kinds * n_statuses)
    requirement = found // n_statuses % kinds
    roles = np.array(slots.role_names, object)[requirement_roles(slots)[requirement]]
    competencies = np.array(slots.competencies, object)[
        slots.requirement_competency[requirement].astype(np.int64)]
    return pd.DataFrame({ROLE: roles, TEAM: teams[found // (n_statuses * kinds)],
                         COMPETENCY: competencies,
                         STATUS: np.array(STATUSES, object)[found % n_statuses], N: n})


def people_counts(slots: Slots, statuses: np.ndarray, staff: pa.Table) -> pd.DataFrame:
    """Staff with requirements (column :data:`N`) by role, team, ethnic category and
    overall status: their worst requirement's (the last in STATUSES order)."""
    import numpy as np
    import pandas as pd

    team, teams = text_codes(staff, TEAM)
    ethnic, categories = text_codes(staff, ETHNIC_CATEGORY)
    counted = slots.counts > 0
    who = slots.order[counted]
    worst = (np.maximum.reduceat(statuses, slots.starts[counted]).astype(np.int64)
             if len(who) else np.zeros(0, np.int64))
    sizes = (len(slots.role_names), len(teams), len(categories), len(STATUSES))
    code = ((slots.role[who] * sizes[1] + team[who]) * sizes[2] + ethnic[who]) * sizes[3]
    found, n = _tally(iter([code + worst]), sizes[0] * sizes[1] * sizes[2] * sizes[3])
    role, rest = np.divmod(found, sizes[1] * sizes[2] * sizes[3])
    group, status = np.divmod(rest, sizes[3])
    team_of, ethnic_of = np.divmod(group, sizes[2])
    return pd.DataFrame({ROLE: np.array(slots.role_names, object)[role],
                         TEAM: teams[team_of], ETHNIC_CATEGORY: categories[ethnic_of],
                         STATUS: np.array(STATUSES, object)[status], N: n})


def requirement_rows(slots: Slots, statuses: np.ndarray, staff: pa.Table) -> pd.DataFrame:
    """One row per requirement (staff_id, competency, status, role, team), sorted by
    staff_id then competency: the identifiable report's matrix."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    team, teams = text_codes(staff, TEAM)
    first, who, requirement = _requirements(slots, (0, len(slots.order)))
    ids = pa.DictionaryArray.from_arrays(pa.array(who), slots.staff_ids).dictionary_decode()
    return pd.DataFrame({
        STAFF_ID: ids.to_numpy(zero_copy_only=False),
        COMPETENCY: np.array(slots.competencies, object)[
            slots.requirement_competency[requirement].astype(np.int64)],
        STATUS: np.array(STATUSES, object)[statuses[first:first + len(who)]],
        ROLE: np.array(slots.role_names, object)[requirement_roles(slots)[requirement]],
        TEAM: teams[team[who]]})
