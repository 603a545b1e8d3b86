"""Benchmark ``competency grade`` against ``nbgrader autograde`` on the same cohort.

Builds a temporary course with module 1 (``course/source/01-equality-law``), runs
``nbgrader generate_assignment``, then a seeded cohort of submissions mixing full,
partial and blank work (partial answers are right, wrong or left blank at random;
some submissions are late). Two copies of the course are graded, one by each tool,
from fresh interpreters, side by side in this one run. The scores must be identical,
per student and per cell (auto score, manual-grading flag, late penalty), or the
benchmark fails. Prints wall seconds per submission for each and the ratio.

Usage::

    python benchmarks/grading.py                  # 60 submissions
    python benchmarks/grading.py --students 120 --jobs 2 --seed 7
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

ROOT = Path(__file__).resolve().parent.parent
MODULE = "01-equality-law"
DUE = "2026-11-20 17:00:00"
ON_TIME = "2026-11-20 09:00:00.000000 UTC"
LATE = "2026-11-21 09:00:00.000000 UTC"


def run(args: list[str], cwd: Path) -> float:
    """Run a command from ``cwd``; its wall seconds (fails loudly)."""
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1",
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds


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


def main() -> None:
    """Build, grade twice, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        base = make_course(Path(tmp) / "base")
        kinds = make_cohort(base, options.students, options.seed)
        left, right = Path(tmp) / "nbgrader", Path(tmp) / "competency"
        shutil.copytree(base, left)
        shutil.copytree(base, right)
        mix = ", ".join(f"{k} {list(kinds.values()).count(k)}" for k in ("full", "partial",
                                                                         "blank"))
        print(f"cohort: {options.students} submissions of {MODULE} ({mix}), "
              f"{os.cpu_count()} CPUs, seed {options.seed}")
        slow = run([sys.executable, "-m", "nbgrader", "autograde", MODULE], left)
        fast = run([sys.executable, "-m", "competency.cli", "grade", MODULE, "--course",
                    str(right), "--jobs", str(options.jobs), "--no-progress"], ROOT)
        theirs, ours = scores(left), scores(right)
        if theirs != ours:
            wrong = sorted(s for s in theirs if theirs[s] != ours.get(s))
            raise SystemExit(f"scores differ for {len(wrong)} students, e.g. {wrong[:3]}: "
                             f"{theirs[wrong[0]]} != {ours.get(wrong[0])}")
        cells = sum(len(v["cells"]) for v in ours.values())
        late = sum(1 for v in ours.values() if v["penalty"])
        n = options.students
        print(f"scores identical: {n} students, {cells} graded cells, {late} late penalties")
        print(f"nbgrader autograde : {slow:7.1f} s  {slow / n:.3f} s/submission")
        print(f"competency grade   : {fast:7.1f} s  {fast / n:.3f} s/submission "
              f"({options.jobs} jobs)")
        print(f"speed-up           : {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
