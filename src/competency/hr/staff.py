"""The staff table: ``staff_id,role,team`` plus any other columns.

Other columns (such as ``ethnic_category`` in the NHS codes, or ``username``,
the learner's nbgrader id where it differs from ``staff_id``) are kept for
breakdowns and matching. Staff records are personal data: aggregated outputs
must go through :mod:`competency.coverage.disclosure`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from competency.arrowtables import TextTable, read_csv_columns, read_text_table
from competency.errors import RowProblems, TableError

if TYPE_CHECKING:
    import pyarrow as pa

STAFF_ID = "staff_id"
ROLE = "role"
TEAM = "team"
USERNAME = "username"
ETHNIC_CATEGORY = "ethnic_category"
REQUIRED: tuple[str, ...] = (STAFF_ID, ROLE, TEAM)
NHS_ETHNIC_CATEGORIES: tuple[str, ...] = (
    "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99")
"""NHS ethnic category codes (Data Dictionary): A-S, Z not stated, 99 not known."""


@dataclass(frozen=True)
class Staff:
    """A validated staff table."""

    path: Path
    """Where it was read from."""
    table: pa.Table
    """All columns as text, one row per member of staff, in file order."""

    def __len__(self) -> int:
        return int(self.table.num_rows)


def load_staff(path: str | Path) -> Staff:
    """Read and check a staff table: IDs present and unique, ethnic categories valid."""
    import pyarrow as pa
    import pyarrow.compute as pc

    path = Path(path)
    text = read_text_table(path, REQUIRED)
    table = text.table
    ids = table.column(STAFF_ID)
    checks = [(pc.equal(ids, ""), "empty staff_id", ids)]
    if ETHNIC_CATEGORY in table.column_names:
        codes = table.column(ETHNIC_CATEGORY)
        bad = pc.and_(pc.invert(pc.is_in(codes, value_set=pa.array(NHS_ETHNIC_CATEGORIES))),
                      pc.not_equal(codes, ""))
        checks.append((bad, "unknown ethnic_category; use the NHS codes A-S, Z or 99", codes))
    text.report_first(checks)
    if pc.count_distinct(ids).as_py() != len(ids):
        _raise_duplicate(text, ids)
    return Staff(path, table)


@dataclass(frozen=True)
class StaffColumns:
    """The columns of a staff table that coverage needs."""

    ids: pa.Array
    """staff_id, in file order (text)."""
    roles: pa.ChunkedArray
    """role, in file order (dictionary-encoded text)."""
    order: pa.Array
    """Row numbers (from 0) in staff_id order, compared as text."""
    table: pa.Table
    """Every column as read (cells not trimmed; role and ethnic_category
    dictionary-encoded), for what else a caller needs of the staff."""


def scan_staff(path: str | Path) -> StaffColumns | None:
    """The columns coverage needs of a CSV staff table that :func:`load_staff` would
    accept as it is, read in one pass; None when the file needs :func:`load_staff` (to
    trim, refuse or report something).

    The national-scale path of ``competency coverage``: the roles come
    dictionary-encoded (and trimmed, as :func:`load_staff` trims them), the IDs
    as they are, having been checked to be present, trimmed and unique (on their
    sorted order, which coverage needs anyway).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.dictionary(pa.int32(), pa.string())
    table = read_csv_columns(path, REQUIRED,
                             lambda name: text if name in (ROLE, ETHNIC_CATEGORY) else pa.string())
    if table is None:
        return None
    ids = table.column(STAFF_ID).combine_chunks()
    if len(ids) == 0 or pc.min(pc.utf8_length(ids)).as_py() == 0:
        return None
    if not pc.all(pc.equal(pc.utf8_trim_whitespace(ids), ids)).as_py():
        return None
    if ETHNIC_CATEGORY in table.column_names:
        allowed = pa.array((*NHS_ETHNIC_CATEGORIES, ""))
        for chunk in table.column(ETHNIC_CATEGORY).chunks:
            codes = pc.utf8_trim_whitespace(chunk.dictionary)
            if not pc.all(pc.is_in(codes, value_set=allowed)).as_py():
                return None
    order = pc.sort_indices(ids)
    ordered = ids.take(order)
    if len(ids) > 1 and pc.any(pc.equal(ordered[1:], ordered[:-1])).as_py():
        return None
    roles = pa.chunked_array(
        [pa.DictionaryArray.from_arrays(chunk.indices, pc.utf8_trim_whitespace(chunk.dictionary))
         for chunk in table.column(ROLE).chunks], text)
    return StaffColumns(ids, roles, order, table)


def _raise_duplicate(text: TextTable, ids: pa.ChunkedArray) -> None:
    first: dict[str, int] = {}
    problems = RowProblems()
    for index, value in enumerate(ids.to_pylist()):
        if value in first:
            problems.found.append(TableError(
                text.path, f"duplicate staff_id (first on row {first[value]})",
                row=text.row(index), value=value))
        else:
            first[value] = text.row(index)
    problems.raise_first()
