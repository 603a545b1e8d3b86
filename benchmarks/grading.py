"""Benchmark ``competency grade`` against ``nbgrader autograde`` on the same cohort.

Builds a temporary course with module 1 (``course/source/01-equality-law``), runs
``nbgrader generate_assignment``, then for each cohort size a seeded cohort of
submissions mixing full, partial and blank work (partial answers are right, wrong or
left blank at random; some submissions are late). Two copies of the course are
graded, one by each tool, each a fresh process (start-up included), side by side in
this one run. The scores must be identical, per student and per cell (auto score,
manual-grading flag, late penalty), or the benchmark fails; ``competency grade``
may exit 1 (some submission failed) only if the scores still match.

The limit is the learners' own cell time, so each size also measures the *cell-time
floor*: every submission's code cells (those nbgrader ran) run back to back in one
warm process, each notebook in a fresh fork of it, the modules the workers preload
already imported, outputs captured as the grader does; only the cells are timed (no
start-up, sandbox, fork, gradebook or files). Printed: its sum, per submission, and
per submission over the ``--jobs`` cores; and how far ours is above that last figure.

Usage::

    python benchmarks/grading.py                  # 30 and 120 submissions, seed 2026
    python benchmarks/grading.py --students 60 --jobs 2 --seed 7
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

TARGET = 15.0
"""The speed-up over nbgrader autograde to reach (issue 16)."""
ROOT = Path(__file__).resolve().parent.parent
MODULE = "01-equality-law"
DUE = "2026-11-20 17:00:00"
ON_TIME = "2026-11-20 09:00:00.000000 UTC"
LATE = "2026-11-21 09:00:00.000000 UTC"


def run(args: list[str], cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Run a command from ``cwd``; its wall seconds and exit code (fails loudly otherwise)."""
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1",
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in allowed:
        raise SystemExit(f"{' '.join(args)} failed (exit {done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    return seconds, done.returncode


def make_course(where: Path) -> Path:
    """A course with module 1 and its release, the due date set (for late penalties)."""
    course = where / "course"
    course.mkdir(parents=True)
    config = (ROOT / "course" / "nbgrader_config.py").read_text("utf-8")
    config += '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
    (course / "nbgrader_config.py").write_text(config, "utf-8")
    shutil.copytree(ROOT / "course" / "source" / MODULE, course / "source" / MODULE,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    run([sys.executable, "-m", "nbgrader", "db", "assignment", "add", MODULE,
         f"--duedate={DUE}"], course)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", MODULE, "--force"], course)
    return course


def _solution(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def _wrong(qid: str, bank: dict[str, Any], rng: random.Random) -> str:
    spec = bank[qid]
    options = list(spec["options"])  # a list of labels, or the keys of a mapping
    if spec.get("kind") == "multi":
        picked = rng.sample(options, spec.get("choose") or 2)
        return f'{qid} = answer("{qid}", ' + ", ".join(f'"{o}"' for o in picked) + ")"
    return f'{qid} = answer("{qid}", "{rng.choice(options)}")'


def make_cohort(course: Path, count: int, seed: int) -> dict[str, str]:
    """Submissions under ``submitted/``; returns ``{student: kind}``."""
    rng = random.Random(seed)
    source = json.loads((course / "source" / MODULE / f"{MODULE}.ipynb").read_text("utf-8"))
    release = json.loads((course / "release" / MODULE / f"{MODULE}.ipynb").read_text("utf-8"))
    bank = yaml.safe_load((course / "source" / MODULE / "questions.yaml").read_text("utf-8"))
    kinds = {}
    for n in range(count):
        student = f"learner{n:04d}"
        kind = rng.choice(["full", "partial", "partial", "blank"])
        kinds[student] = kind
        nb = json.loads(json.dumps(release))
        for index, (src, cell) in enumerate(zip(source["cells"], nb["cells"], strict=True)):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("solution"):
                continue
            choice = kind if kind != "partial" else rng.choice(["full", "blank", "wrong"])
            qid = meta["grade_id"].removesuffix("_answer")
            if choice == "full":
                cell["source"] = _solution("".join(src["source"]))
            elif choice == "wrong" and cell["cell_type"] == "code" and qid in bank:
                cell["source"] = _wrong(qid, bank, rng)
            nb["cells"][index] = cell
        folder = course / "submitted" / student / MODULE
        folder.mkdir(parents=True)
        (folder / f"{MODULE}.ipynb").write_text(json.dumps(nb, indent=1), "utf-8")
        (folder / "timestamp.txt").write_text(LATE if rng.random() < 0.1 else ON_TIME)
    return kinds


def scores(course: Path) -> dict[str, dict[str, Any]]:
    """Per student: total, late penalty and per cell (auto score, needs manual grading)."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, Any]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            sub = gb.find_submission(MODULE, student.id)
            cells = {}
            for notebook in sub.notebooks:
                for grade in notebook.grades:
                    cells[f"{notebook.name}/{grade.name}"] = (grade.auto_score,
                                                              grade.needs_manual_grade)
            out[student.id] = {"score": sub.score, "penalty": sub.late_submission_penalty,
                               "cells": cells}
    return out


def _cell_seconds(shellrun: Any, cells: list[tuple[int, str]]) -> float:
    """Run ``cells`` as a grading child does; the seconds spent inside them."""
    spent, started = 0.0, 0.0

    def emit(message: Any) -> None:
        nonlocal spent, started
        if type(message).__name__ == "CellStarted":
            started = time.perf_counter()
        elif type(message).__name__ == "CellDone":
            spent += time.perf_counter() - started

    shellrun.run_cells(shellrun.GradingShell.instance(), cells, emit, 1_000_000)
    return spent


def cell_floor(course: Path) -> tuple[float, int]:
    """The cell-time floor of the graded cohort in ``course`` (see the module docstring).

    Run in a fresh interpreter (``--floor-of``): the cells nbgrader ran are read from its
    autograded notebooks, run where they ran (the autograded folder, a copy of the
    submission and the assignment's files). Returns (seconds in cells, notebooks).
    """
    from competency.grading.grader import notebook_imports
    from competency.grading.worker import DEFAULT_PRELOAD

    for module in [*DEFAULT_PRELOAD, *notebook_imports(course, MODULE)]:
        __import__(module)
    from competency.grading import shellrun

    shellrun.warm_up(shellrun.make_shell())
    total, count = 0.0, 0
    for notebook in sorted((course / "autograded").glob(f"*/{MODULE}/*.ipynb")):
        nb = json.loads(notebook.read_text("utf-8"))
        cells = [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"])
                 if c["cell_type"] == "code" and "".join(c["source"]).strip()
                 and "skip-execution" not in c.get("metadata", {}).get("tags", [])]
        with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
            work = Path(tmp) / MODULE
            shutil.copytree(notebook.parent, work, ignore=shutil.ignore_patterns("*.ipynb"))
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the notebook's own fork of the warm process
                os.close(read)
                os.chdir(work)
                os.write(write, repr(_cell_seconds(shellrun, cells)).encode())
                os._exit(0)
            os.close(write)
            with os.fdopen(read, "rb") as pipe:
                answer = pipe.read()
            os.waitpid(pid, 0)
        total += float(answer)
        count += 1
    return total, count


def bench(base: Path, tmp: Path, count: int, seed: int, jobs: int) -> None:
    """One cohort size: grade it with both tools, compare the scores, print the figures."""
    sized = tmp / f"base-{count}"
    shutil.copytree(base, sized)
    kinds = make_cohort(sized, count, seed)
    left, right = tmp / f"nbgrader-{count}", tmp / f"competency-{count}"
    shutil.copytree(sized, left)
    shutil.copytree(sized, right)
    mix = ", ".join(f"{k} {list(kinds.values()).count(k)}" for k in ("full", "partial",
                                                                     "blank"))
    print(f"cohort: {count} submissions of {MODULE} ({mix}), seed {seed}, "
          f"{os.cpu_count()} CPUs", flush=True)
    slow, _ = run([sys.executable, "-m", "nbgrader", "autograde", MODULE], left)
    fast, code = run([sys.executable, "-m", "competency.cli", "grade", MODULE, "--course",
                      str(right), "--jobs", str(jobs), "--no-progress"], ROOT, allowed=(0, 1))
    theirs, ours = scores(left), scores(right)
    if theirs != ours:
        wrong = sorted(s for s in theirs if theirs[s] != ours.get(s))
        raise SystemExit(f"scores differ for {len(wrong)} students, e.g. {wrong[:3]}: "
                         f"{theirs[wrong[0]]} != {ours.get(wrong[0])}")
    floor_run = subprocess.run([sys.executable, __file__, "--floor-of", str(left)], cwd=ROOT,
                               capture_output=True, text=True, check=False)
    if floor_run.returncode != 0:
        raise SystemExit(f"cell-time floor failed:\n{floor_run.stderr[-3000:]}")
    floor, ran = json.loads(floor_run.stdout.strip().splitlines()[-1])
    cells = sum(len(v["cells"]) for v in ours.values())
    late = sum(1 for v in ours.values() if v["penalty"])
    n = count
    print(f"scores identical: {n} students, {cells} graded cells, {late} late penalties"
          + (" (competency grade exited 1: a submission failed in both)" if code else ""))
    print(f"target             : {TARGET:.0f}x nbgrader autograde, start-up included")
    print(f"nbgrader autograde : {slow:7.1f} s  {slow / n:.3f} s/submission")
    print(f"competency grade   : {fast:7.1f} s  {fast / n:.3f} s/submission ({jobs} jobs)")
    print(f"ratio              : {slow / fast:.1f}x ({'met' if slow / fast >= TARGET else 'missed'}"
          f"; {TARGET:.0f}x needs {slow / TARGET / n:.3f} s/submission)")
    per_core = floor / n / jobs
    print(f"cell-time floor    : {floor:7.1f} s  {floor / n:.3f} s/submission in the learners' "
          f"cells ({ran} notebooks), {per_core:.3f} s/submission over {jobs} cores; "
          f"competency grade is {fast / n / per_core:.1f}x that floor, "
          f"{fast / n - per_core:.3f} s/submission above it", flush=True)


def main() -> None:
    """Build, grade twice per cohort size, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default="30,120",
                        help="cohort sizes, comma-separated (default 30,120)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.floor_of is not None:
        print(json.dumps(cell_floor(options.floor_of)))
        return
    sizes = [int(n) for n in str(options.students).split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        base = make_course(Path(tmp) / "base")
        for count in sizes:
            bench(base, Path(tmp), count, options.seed, options.jobs)


if __name__ == "__main__":
    main()
