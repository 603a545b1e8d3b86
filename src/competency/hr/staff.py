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

from competency.arrowtables import TextTable, read_text_table
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
