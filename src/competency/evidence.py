"""Evidence that a member of staff holds a competency at a level from a date.

The evidence table has the columns ``staff_id,competency,level,achieved_on,source``
(``achieved_on`` as YYYY-MM-DD). Evidence comes from CSV/XLSX files (external
training) and from the course's nbgrader gradebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from competency.arrowtables import parse_dates, read_text_table, report_first
from competency.framework import Framework

if TYPE_CHECKING:
    import pyarrow as pa

STAFF_ID = "staff_id"
COMPETENCY = "competency"
LEVEL = "level"
ACHIEVED_ON = "achieved_on"
SOURCE = "source"
COLUMNS: tuple[str, ...] = (STAFF_ID, COMPETENCY, LEVEL, ACHIEVED_ON, SOURCE)


@dataclass(frozen=True)
class EvidenceTable:
    """Validated evidence: typed columns, in file order."""

    path: Path
    """Where it was read from."""
    table: pa.Table
    """Columns staff_id (text), competency (text), level (int8), achieved_on (date32),
    source (text)."""

    def __len__(self) -> int:
        return int(self.table.num_rows)


def load_evidence(path: str | Path, framework: Framework) -> EvidenceTable:
    """Read and check an evidence table against the framework's IDs and levels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    path = Path(path)
    raw = read_text_table(path, COLUMNS)
    competency = raw.column(COMPETENCY)
    level = raw.column(LEVEL)
    achieved = raw.column(ACHIEVED_ON)
    dates, bad_dates = parse_dates(achieved)
    level_names = pa.array([str(n) for n in framework.level_numbers])
    report_first(path, [
        (pc.invert(pc.is_in(competency, value_set=pa.array(list(framework.ids)))),
         "unknown competency", competency),
        (pc.invert(pc.is_in(level, value_set=level_names)), "unknown level", level),
        (bad_dates, "malformed date; use YYYY-MM-DD", achieved),
    ])
    table = pa.table({
        STAFF_ID: raw.column(STAFF_ID),
        COMPETENCY: competency,
        LEVEL: pc.cast(level, pa.int8()),
        ACHIEVED_ON: dates,
        SOURCE: raw.column(SOURCE),
    })
    return EvidenceTable(path, table)
