"""The seeded synthetic workforce: deterministic, valid, and what the sample organisation holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from competency.coverage.statuses import CoverageOptions, compute_coverage, load_inputs
from competency.evidence.synthetic import WorkforceSpec, generate_workforce, write_csv
from competency.framework.model import Framework
from competency.hr.roles import load_roles
from conftest import REPO

SAMPLE = REPO / "src" / "competency" / "data" / "sample-org"


def test_same_seed_same_tables(framework: Framework) -> None:
    roles = load_roles(SAMPLE / "roles.csv", framework)
    spec = WorkforceSpec(staff=500, seed=3)
    first = generate_workforce(spec, roles, framework.ids)
    second = generate_workforce(spec, roles, framework.ids)
    assert first[0].equals(second[0])
    assert first[1].equals(second[1])
    other = generate_workforce(WorkforceSpec(staff=500, seed=4), roles, framework.ids)
    assert not first[1].equals(other[1])


def test_generated_files_pass_validation(tmp_path: Path, framework: Framework) -> None:
    roles = load_roles(SAMPLE / "roles.csv", framework)
    staff, evidence = generate_workforce(WorkforceSpec(staff=2000, seed=1), roles,
                                         framework.ids)
    write_csv(staff, str(tmp_path / "staff.csv"))
    write_csv(evidence, str(tmp_path / "evidence.csv"))
    inputs = load_inputs(SAMPLE / "roles.csv", tmp_path / "staff.csv",
                         tmp_path / "evidence.csv", framework)
    assert len(inputs.staff) == 2000
    assert len(inputs.evidence) == evidence.num_rows


def test_committed_sample_organisation_is_reproducible(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "roles.csv", tmp_path / "roles.csv")
    subprocess.run([sys.executable, str(REPO / "tools" / "make_sample_org.py"),
                    "--folder", str(tmp_path)], check=True, capture_output=True)
    for name in ("staff.csv", "evidence.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_sample_organisation_coverage_has_every_status(framework: Framework) -> None:
    inputs = load_inputs(SAMPLE / "roles.csv", SAMPLE / "staff.csv", SAMPLE / "evidence.csv",
                         framework)
    import datetime as dt

    result = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                              CoverageOptions(dt.date(2026, 11, 26)))
    assert result.warnings == []
    statuses = set(result.table.column("status").to_pylist())
    assert statuses == {"met", "expiring", "expired", "below_level", "missing"}
    assert len(inputs.staff) == 300
