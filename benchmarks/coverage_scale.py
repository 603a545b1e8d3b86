"""Coverage at the scale of the NHS in England, side by side with plain DuckDB SQL.

    python benchmarks/coverage_scale.py [--staff 1500000] [--evidence 10000000] [--seed 7]

1. Generates a seeded workforce (staff.csv, evidence.csv; the sample
   organisation's roles.csv) in a work folder.
2. Times ``competency coverage`` end to end as a separate process (start-up,
   reading, validating, computing and writing included) and measures its peak
   memory (the child's maximum resident set size, from ``wait4``).
3. Times the baseline: an independent DuckDB SQL formulation of the contract's
   rules (window ranking instead of our aggregation) reading the same CSV files
   and writing CSV, also as a separate process.
4. Checks both outputs hold the same rows, and prints seconds, peak memory and
   the ratio. Targets: ratio <= 1.5, peak memory < 6 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ROOT / "src" / "competency" / "data" / "sample-org" / "roles.csv"
AS_OF = "2026-09-30"

BASELINE = r"""
import sys, duckdb
folder, as_of, years, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
con.execute(f'''
COPY (
WITH staff AS (SELECT staff_id, role
               FROM read_csv('{folder}/staff.csv', all_varchar=true, header=true)),
roles AS (SELECT role, competency, CAST(level AS INTEGER) AS lvl, priority
          FROM read_csv('{folder}/roles.csv', all_varchar=true, header=true)),
ev AS (SELECT staff_id, competency, CAST(level AS INTEGER) AS lvl, CAST(achieved_on AS DATE) AS a
       FROM read_csv('{folder}/evidence.csv', all_varchar=true, header=true)),
req AS (SELECT s.staff_id, r.competency, r.lvl AS req_lvl, r.priority
        FROM staff s JOIN roles r ON s.role = r.role),
e2 AS (SELECT *, CAST(a + INTERVAL ({years}) YEAR AS DATE) AS x FROM ev WHERE a <= DATE '{as_of}'),
j AS (SELECT q.staff_id, q.competency, q.req_lvl, e.lvl, e.a, e.x,
        CASE WHEN e.x > DATE '{as_of}' AND e.lvl >= q.req_lvl THEN 1
             WHEN e.x <= DATE '{as_of}' AND e.lvl >= q.req_lvl THEN 2
             WHEN e.x > DATE '{as_of}' THEN 3 END AS cls
      FROM req q JOIN e2 e ON e.staff_id = q.staff_id AND e.competency = q.competency),
ranked AS (SELECT *, row_number() OVER (PARTITION BY staff_id, competency ORDER BY cls,
        CASE WHEN cls = 1 THEN x END DESC, CASE WHEN cls = 1 THEN lvl END DESC,
        CASE WHEN cls = 1 THEN a END DESC, CASE WHEN cls = 2 THEN a END DESC,
        CASE WHEN cls = 2 THEN lvl END DESC, CASE WHEN cls = 3 THEN lvl END DESC,
        CASE WHEN cls = 3 THEN x END DESC, CASE WHEN cls = 3 THEN a END DESC) AS rn
      FROM j WHERE cls IS NOT NULL),
held AS (SELECT staff_id, competency, max(lvl) AS held FROM e2 WHERE x > DATE '{as_of}'
         GROUP BY staff_id, competency)
SELECT q.staff_id, q.competency, q.req_lvl AS required_level, q.priority,
       h.held AS held_level, r.a AS achieved_on, r.x AS expires_on,
       CASE r.cls
           WHEN 1 THEN CASE WHEN r.x - DATE '{as_of}' <= {days} THEN 'expiring' ELSE 'met' END
                  WHEN 2 THEN 'expired' WHEN 3 THEN 'below_level' ELSE 'missing' END AS status
FROM req q
LEFT JOIN (SELECT * FROM ranked WHERE rn = 1) r
    ON r.staff_id = q.staff_id AND r.competency = q.competency
LEFT JOIN held h ON h.staff_id = q.staff_id AND h.competency = q.competency
ORDER BY q.staff_id, q.competency
) TO '{folder}/baseline.csv' (FORMAT csv, HEADER true)
''')
"""


def run(argv: list[str], label: str) -> tuple[float, float]:
    """Run a command; returns (seconds, peak RSS in GB of that process)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{label} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024 / 1024


def generate(folder: Path, staff: int, evidence: int, seed: int,
             roles_file: Path) -> tuple[int, int]:
    from competency.evidence.synthetic import WorkforceSpec, generate_workforce, write_csv
    from competency.framework.model import load_framework
    from competency.hr.roles import load_roles

    framework = load_framework()
    roles = load_roles(roles_file, framework)
    mean_reqs = len(roles) / len(roles.names)
    coverage = 0.8
    extra = max(0.0, evidence / staff - coverage * mean_reqs)
    spec = WorkforceSpec(staff=staff, seed=seed, coverage=coverage, extra_evidence=extra,
                         teams_per_role=40)
    staff_table, evidence_table = generate_workforce(spec, roles, framework.ids)
    write_csv(staff_table, str(folder / "staff.csv"))
    write_csv(evidence_table, str(folder / "evidence.csv"))
    shutil.copy(roles_file, folder / "roles.csv")
    return staff_table.num_rows, evidence_table.num_rows


def same_rows(a: Path, b: Path) -> tuple[int, int, int]:
    import duckdb

    con = duckdb.connect()
    read = "read_csv('{}', all_varchar=true, header=true)"
    rows = con.execute(f"SELECT count(*) FROM {read.format(a)}").fetchall()[0][0]
    only_a = con.execute(f"SELECT count(*) FROM (SELECT * FROM {read.format(a)} EXCEPT ALL "
                         f"SELECT * FROM {read.format(b)})").fetchall()[0][0]
    only_b = con.execute(f"SELECT count(*) FROM (SELECT * FROM {read.format(b)} EXCEPT ALL "
                         f"SELECT * FROM {read.format(a)})").fetchall()[0][0]
    return int(rows), int(only_a), int(only_b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1_500_000)
    parser.add_argument("--evidence", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--roles", type=Path, default=ROLES, help="roles table to use")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="coverage-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        n_staff, n_evidence = generate(folder, args.staff, args.evidence, args.seed,
                                       args.roles)
        print(f"generated {n_staff:,} staff and {n_evidence:,} evidence rows "
              f"in {time.perf_counter() - start:.1f} s ({folder})", flush=True)
        ours, ours_mem = run([sys.executable, "-m", "competency.cli", "coverage",
                              "--roles", str(folder / "roles.csv"),
                              "--staff", str(folder / "staff.csv"),
                              "--evidence", str(folder / "evidence.csv"),
                              "--as-of", AS_OF, "--out", str(folder / "ours.csv")],
                             "competency coverage")
        base, base_mem = run([sys.executable, "-c", BASELINE, str(folder), AS_OF, "3", "90"],
                             "DuckDB baseline")
        rows, only_ours, only_base = same_rows(folder / "ours.csv", folder / "baseline.csv")
        print(f"{'':24}{'seconds':>10}{'peak GB':>10}")
        print(f"{'competency coverage':24}{ours:10.2f}{ours_mem:10.2f}")
        print(f"{'DuckDB SQL baseline':24}{base:10.2f}{base_mem:10.2f}")
        print(f"ratio (ours / DuckDB): {ours / base:.2f}  (target <= 1.5)")
        print(f"rows: {rows:,}; only in ours: {only_ours}; only in baseline: {only_base} "
              f"-> {'SAME ROWS' if only_ours == only_base == 0 else 'DIFFERENT'}")
        if only_ours or only_base:
            sys.exit(1)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
