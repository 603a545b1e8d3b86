"""Reports beside coverage: what writing a report costs over computing coverage.

    python benchmarks/reports.py [--staff 1500000] [--evidence 10000000] [--seed 7] [--runs 3]

For the sample organisation (its competency.toml, ``--as-of 2026-11-26``) and for a
large seeded workforce (the generator of ``benchmarks/coverage_scale.py``: the sample's
roles, ``--staff`` staff, about ``--evidence`` evidence rows), times as separate
processes, start-up included, interleaved in the same run:

* ours: ``competency report --out report.xlsx`` and ``--out report.html``;
* the baseline: ``competency coverage --out coverage.csv`` on the same data.

Prints, per organisation and format, the median of ``--runs`` runs: the target (a
report costs at most 1.5x its coverage run), ours, the baseline and the ratio; the
report's peak memory beside the coverage run's. ``--staff 0`` skips the large
workforce.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "competency" / "data" / "sample-org"
SAMPLE_AS_OF = "2026-11-26"
LARGE_AS_OF = "2026-09-30"
TARGET = 1.5
"""A report may cost this many times its coverage run."""
CLI = [sys.executable, "-m", "competency.cli"]


def run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command to success; returns (seconds, peak RSS in GB of that process)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv[2:])} failed: {err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024 / 1024


def compare(label: str, data: list[str], folder: Path, runs: int) -> list[bool]:
    """Time coverage and both reports on ``data`` (CLI options); print a line each."""
    cases = {"coverage": [*CLI, "coverage", *data, "--out", str(folder / "coverage.csv")],
             "report .xlsx": [*CLI, "report", *data, "--out", str(folder / "report.xlsx")],
             "report .html": [*CLI, "report", *data, "--out", str(folder / "report.html")]}
    times: dict[str, list[float]] = {k: [] for k in cases}
    peaks: dict[str, float] = dict.fromkeys(cases, 0.0)
    for _ in range(runs):
        for name, argv in cases.items():
            seconds, peak = run(argv, folder)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    base = statistics.median(times["coverage"])
    oks = []
    for name in ("report .xlsx", "report .html"):
        ours = statistics.median(times[name])
        ok = ours <= TARGET * base
        oks.append(ok)
        print(f"{label:<34}{name:<14}{TARGET * base:>9.2f}s{ours:>9.2f}s{base:>9.2f}s"
              f"{ours / base:>8.2f}  {'yes' if ok else 'NO':<4}"
              f"{peaks[name]:>7.2f}{peaks['coverage']:>7.2f}", flush=True)
    return oks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1_500_000)
    parser.add_argument("--evidence", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--large-runs", type=int, default=1,
                        help="runs per command on the large workforce (median)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from coverage_scale import generate

    folder = args.workdir or Path(tempfile.mkdtemp(prefix="reports-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        print(f"target: a report takes at most {TARGET}x its coverage run (separate "
              f"processes, start-up included); load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs")
        print(f"{'organisation':<34}{'ours':<14}{'target':>10}{'ours':>10}{'coverage':>10}"
              f"{'ratio':>8}  ok  {'GB ours':>7}{' GB cov':>7}")
        sample = folder / "sample"
        sample.mkdir(exist_ok=True)
        config = ["--config", str(SAMPLE / "competency.toml"), "--as-of", SAMPLE_AS_OF]
        oks = compare(f"sample ({args.runs} runs)", config, sample, args.runs)
        if args.staff:
            large = folder / "large"
            large.mkdir(exist_ok=True)
            start = time.perf_counter()
            # in a fresh interpreter: a child forked from a parent that held the data
            # would start its peak memory from the parent's (Linux ru_maxrss)
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
                n_staff, n_evidence = ex.submit(generate, large, args.staff, args.evidence,
                                                args.seed, SAMPLE / "roles.csv").result()
            print(f"(generated {n_staff:,} staff, {n_evidence:,} evidence rows, seed "
                  f"{args.seed}, in {time.perf_counter() - start:.1f} s)", flush=True)
            data = ["--roles", str(large / "roles.csv"), "--staff", str(large / "staff.csv"),
                    "--evidence", str(large / "evidence.csv"), "--as-of", LARGE_AS_OF]
            oks += compare(f"{n_staff:,} staff ({args.large_runs} runs)", data, large,
                           args.large_runs)
    finally:
        if args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(oks) else 1


if __name__ == "__main__":
    sys.exit(main())
