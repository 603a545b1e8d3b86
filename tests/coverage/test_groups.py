"""Grouped counts in columns: the same groups whether counted densely or sparsely, part by
part or at once, and text cells trimmed into one group."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from competency.coverage import groups
from competency.coverage.groups import people_counts, requirement_counts, text_codes
from competency.coverage.statuses import CoverageOptions, compute_coverage, load_inputs
from competency.coverage.trend import timeline
from competency.framework.model import Framework

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "competency" / "data" / "sample-org"


def test_text_codes_trim_and_share_codes() -> None:
    plain = pa.table({"team": pa.chunked_array([["A", " A", "B "], ["B", "A  ", "C"]])})
    codes, values = text_codes(plain, "team")
    assert [values[c] for c in codes] == ["A", "A", "B", "B", "A", "C"]
    assert sorted(values) == ["A", "B", "C"]
    encoded = pa.table({"team": plain.column("team").dictionary_encode()})
    codes, values = text_codes(encoded, "team")
    assert [values[c] for c in codes] == ["A", "A", "B", "B", "A", "C"]
    codes, values = text_codes(plain, "ethnic_category")
    assert codes.tolist() == [0] * 6
    assert values.tolist() == [""]


def frames(framework: Framework) -> tuple[pd.DataFrame, pd.DataFrame]:
    inputs = load_inputs(SAMPLE / "roles.csv", SAMPLE / "staff.csv", SAMPLE / "evidence.csv",
                         framework)
    day = dt.date(2026, 11, 26)
    judged = timeline(inputs.roles, inputs.staff, inputs.evidence, CoverageOptions(day), [day])
    statuses = judged.statuses_on(day)
    return (requirement_counts(judged.slots, statuses, inputs.staff.table),
            people_counts(judged.slots, statuses, inputs.staff.table))


def test_sparse_counts_part_by_part_are_the_dense_ones(framework: Framework,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    dense = frames(framework)
    monkeypatch.setattr(groups, "DENSE_GROUPS", 0)
    monkeypatch.setattr(groups, "PART_ROWS", 7)
    sparse = frames(framework)
    for a, b in zip(dense, sparse, strict=True):
        assert len(a) > 20
        assert a["n"].min() > 0
        pd.testing.assert_frame_equal(a, b)
    requirements, people = dense
    inputs = load_inputs(SAMPLE / "roles.csv", SAMPLE / "staff.csv", SAMPLE / "evidence.csv",
                         framework)
    rows = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                            CoverageOptions(dt.date(2026, 11, 26))).table
    assert requirements["n"].sum() == rows.num_rows
    assert people["n"].sum() == len(set(rows.column("staff_id").to_pylist()))


def test_no_evidence_counts_every_requirement_missing(framework: Framework,
                                                      tmp_path: Path) -> None:
    rng = random.Random(1)
    staff = tmp_path / "staff.csv"
    staff.write_text("staff_id,role,team\n" + "".join(
        f"S{n},{rng.choice(['Nurse', 'Clerk'])},T{n % 3}\n" for n in range(30)), "utf-8")
    roles = tmp_path / "roles.csv"
    roles.write_text("role,competency,level,priority,assessed_by\n"
                     "Nurse,LAW-1,1,essential,training\nNurse,CUL-1,2,essential,training\n",
                     "utf-8")
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("staff_id,competency,level,achieved_on,source\n", "utf-8")
    inputs = load_inputs(roles, staff, evidence, framework)
    day = dt.date(2026, 1, 31)
    judged = timeline(inputs.roles, inputs.staff, inputs.evidence, CoverageOptions(day), [day])
    statuses = judged.statuses_on(day)
    requirements = requirement_counts(judged.slots, statuses, inputs.staff.table)
    nurses = sum(1 for r in inputs.staff.table.column("role").to_pylist() if r == "Nurse")
    assert set(requirements["status"]) == {"missing"}
    assert requirements["n"].sum() == 2 * nurses
    people = people_counts(judged.slots, statuses, inputs.staff.table)
    assert people["n"].sum() == nurses
    assert set(people["role"]) == {"Nurse"}
