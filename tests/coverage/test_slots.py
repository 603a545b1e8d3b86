"""The columnar judge: calendar arithmetic and the output cut into parts."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa
import pytest

from competency.coverage.slots import MAX_LEVEL, Slots, expiries
from competency.dates import EPOCH, add_years
from competency.errors import CompetencyError
from competency.evidence.records import EvidenceCodes
from competency.hr.roles import Requirement, Roles


@pytest.mark.parametrize("years", [1, 3, 4, 100])
def test_expiries_are_add_years(years: int) -> None:
    days = [dt.date(2024, 2, 29), dt.date(2024, 2, 28), dt.date(2023, 3, 1),
            dt.date(1, 1, 1), dt.date(2019, 12, 31), dt.date(1969, 7, 20)]
    numbers = np.array([(d - EPOCH).days for d in days], np.int64)
    got = [EPOCH + dt.timedelta(days=int(n)) for n in expiries(numbers, years)]
    assert got == [add_years(d, years) for d in days]
    assert got[0] == dt.date(2024 + years, 2, 28 if years % 4 else 29)


def slots(staff: int) -> Slots:
    roles = Roles((Requirement("Nurse", "LAW-1", 2, "essential", ("training",)),
                   Requirement("Nurse", "CUL-1", 1, "desirable", ("training",)),
                   Requirement("Porter", "LAW-2", 1, "essential", ("training",))))
    ids = pa.array([f"s{i:03d}" for i in reversed(range(staff))])
    kinds = pa.chunked_array([pa.array(["Nurse", "Porter", "Clerk"] * (staff // 3))])
    return Slots(roles, ids, kinds, ["LAW-1"], dt.date(2026, 6, 30), 3, 90)


def test_parts_cover_every_row_once_in_order() -> None:
    judged = slots(300)
    day = (dt.date(2025, 1, 1) - EPOCH).days
    staff = np.arange(300, dtype=np.int64)
    judged.add(EvidenceCodes(staff=staff, competency=np.full(300, 2, np.int64),
                             level=np.full(300, 2, np.int64), day=np.full(300, day),
                             unknown=pa.array([], pa.string())))
    whole = judged.table(encoded=False)
    assert whole.num_rows == 300  # 100 nurses x 2, 100 porters x 1, clerks none
    parts = judged.parts(7)
    assert parts[0][0] == 0
    assert parts[-1][1] == 300
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    pieces = [judged.table(encoded=False, part=p) for p in parts]
    assert pa.concat_tables(pieces).equals(whole)
    assert whole.column("staff_id").to_pylist() == sorted(whole.column("staff_id").to_pylist())
    assert judged.roles_without_requirements() == [("Clerk", 100)]


def test_levels_beyond_the_packing_are_refused() -> None:
    judged = slots(3)
    with pytest.raises(CompetencyError, match="evidence levels must be 0 to 63"):
        judged.add(EvidenceCodes(staff=np.array([0]), competency=np.array([1]),
                                 level=np.array([MAX_LEVEL + 1]), day=np.array([20000]),
                                 unknown=pa.array([], pa.string())))
