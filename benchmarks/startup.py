"""Benchmark the command line's start-up: light commands against ``python -c pass``.

Times, as wall clock from a fresh interpreter (process start-up included), the median
of ``--runs`` runs of

* ``competency --help``
* ``competency version``
* ``competency framework show``
* ``competency roles validate src/competency/data/sample-org/roles.csv``
* ``python -c "import competency.exercises"``

each beside ``python -c pass`` timed in the same run (interleaved, so that both see the
same machine load), and prints for each: the target (within 0.3 s of the baseline), ours,
the baseline and the difference, then the median CPU seconds (user + system) of both,
which a busy machine inflates much less than wall time. The command line runs as
``python -m competency.cli``, which is what the ``competency`` console script does.

Usage::

    python benchmarks/startup.py             # 15 runs each
    python benchmarks/startup.py --runs 31
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ROLES = REPO / "src" / "competency" / "data" / "sample-org" / "roles.csv"
TARGET = 0.3
"""Seconds a light command may take beyond ``python -c pass``."""
CLI = [sys.executable, "-m", "competency.cli"]
CASES: dict[str, list[str]] = {
    "competency --help": [*CLI, "--help"],
    "competency version": [*CLI, "version"],
    "competency framework show": [*CLI, "framework", "show"],
    "competency roles validate roles.csv": [*CLI, "roles", "validate", str(SAMPLE_ROLES)],
    "import competency.exercises": [sys.executable, "-c", "import competency.exercises"],
}
BASELINE = [sys.executable, "-c", "pass"]


def wall(argv: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Seconds one run of ``argv`` takes, start-up to exit (it must succeed); its CPU
    seconds (user + system) are appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="Runs per command (median).")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    print(f"median of {args.runs} runs, wall clock, process start-up included; "
          f"target: within {TARGET:.1f} s of python -c pass")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall times grow with the load; CPU seconds much less)")
    print(f"{'command':<38} {'target':>8} {'ours':>8} {'baseline':>9} {'diff':>8}  ok"
          f"  {'cpu ours':>9} {'cpu base':>9}")
    failed = 0
    for name, argv in CASES.items():
        wall(argv, env)  # warm the file cache and .pyc files
        ours: list[float] = []
        base: list[float] = []
        cpu_ours: list[float] = []
        cpu_base: list[float] = []
        for _ in range(args.runs):
            base.append(wall(BASELINE, env, cpu_base))
            ours.append(wall(argv, env, cpu_ours))
        mine, pass_ = statistics.median(ours), statistics.median(base)
        diff = mine - pass_
        ok = diff <= TARGET
        failed += not ok
        print(f"{name:<38} {pass_ + TARGET:>7.3f}s {mine:>7.3f}s {pass_:>8.3f}s "
              f"{diff:>+7.3f}s  {'yes' if ok else 'NO ':<3}"
              f"  {statistics.median(cpu_ours):>8.3f}s {statistics.median(cpu_base):>8.3f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
