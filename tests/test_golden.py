"""Golden outputs: every CLI command, run as users run it, prints and writes what it did before.

Each test runs the installed ``competency`` script in a subprocess, in a private copy
(under tmp_path) of the bundled sample organisation and the course, with a fixed
``--as-of 2026-11-26`` wherever a command takes a date, and compares what the command
printed (stdout, stderr, exit code) and the files it wrote with ``tests/golden/``,
byte for byte after a few masks. Only genuinely unstable text is masked, each mask
says why where it is used:

* the tmp_path root, which differs every run (``<TMP>``);
* wall-clock timestamps that commands stamp on what they record (``<NOW>``);
* the grading run's timings (``<SECONDS>``), and its line on the sandbox, which
  depends on the host (``<HOST-DEPENDENT>``).

The HTML report's pictures are SVG that the package writes: each is recorded decoded, as
its own golden file (``report-heatmap.svg``, ``report-trend.svg``), which its base64 in
``report.html`` stands for.

Nothing here imports the package: the tests stay valid while modules move.
``pytest tests/test_golden.py --update-goldens`` rewrites the recorded files instead of
comparing (then review ``git diff tests/golden``). Only success paths are recorded:
error wording may change.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_ORG = REPO / "src" / "competency" / "data" / "sample-org"
COURSE = REPO / "course"
JDS = Path(__file__).resolve().parent / "data" / "jds"
AS_OF = "2026-11-26"
MODULE = "01-equality-law"

Mask = tuple[str, str]
"""(regular expression, replacement) applied to a command's output before comparing."""

# `competency jd decide` stamps each decision with the time it was recorded (UTC,
# to the second): it is the wall clock, so it differs every run.
RECORDED_AT: Mask = (r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b", "<NOW>")
# `competency directory history` shows when each version was added to the store
# (the wall clock of the import, to the minute).
ADDED_AT: Mask = (r"(version \d+: added )\d{4}-\d\d-\d\d \d\d:\d\d UTC", r"\1<NOW>")
# `competency grade` prints how long each notebook and the whole run took (the
# per-student column is right-aligned, so its padding goes with it) ...
GRADE_TIMES: tuple[Mask, ...] = ((r" *\b\d+\.\d+s\b", " <SECONDS>"),
                                 (r"\b\d+(?:\.\d+)? s\b", "<SECONDS> s"))
# ... and writes it in the report's seventh column, `seconds`.
REPORT_SECONDS: Mask = (r"(?m)^((?:[^,\n]*,){6})\d+\.\d+(?=,)", r"\1<SECONDS>")
# Its `isolation:` line lists what the sandbox could apply on this host: it depends on
# the kernel (Landlock ABI, cgroup delegation), on where Python is installed, and the
# uid is derived from the process id; tests/test_grading.py tests the isolation itself.
ISOLATION: Mask = (r"(?m)^isolation: .*$", "isolation: <HOST-DEPENDENT>")
# An SVG picture inlined as base64 in the HTML report (recorded decoded beside it).
SVG_DATA = re.compile(r"(data:image/svg\+xml;base64,)([A-Za-z0-9+/=]+)")


def competency_script() -> str:
    """The ``competency`` console script of this environment (what users run)."""
    beside = Path(sys.executable).with_name("competency")
    if beside.exists():
        return str(beside)
    found = shutil.which("competency")
    assert found, "the competency script is not installed in this environment"
    return found


class Golden:
    """Compares texts with tests/golden/NAME, or rewrites them under --update-goldens."""

    def __init__(self, update: bool, tmp_path: Path) -> None:
        self.update = update
        self.tmp_path = tmp_path
        self.failures: list[str] = []
        self.checked: list[str] = []
        self.verified = False

    def unmask_tmp(self, text: str) -> str:
        # tmp_path differs every run; commands print absolute paths (store URLs, the
        # config file, files they resolved from the config) under it.
        for root in sorted({str(self.tmp_path), os.path.realpath(self.tmp_path)},
                           key=len, reverse=True):
            text = text.replace(root, "<TMP>")
        return text

    def check(self, name: str, text: str, masks: tuple[Mask, ...] = ()) -> None:
        text = self.unmask_tmp(text)
        for pattern, replacement in masks:
            text = re.sub(pattern, replacement, text)
        self.checked.append(name)
        path = GOLDEN / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            return
        if not path.exists():
            self.failures.append(f"{name}: no golden file (run with --update-goldens)")
            return
        expected = path.read_bytes().decode("utf-8")
        if text != expected:
            diff = difflib.unified_diff(expected.splitlines(keepends=True),
                                        text.splitlines(keepends=True),
                                        f"golden/{name}", "now", n=2)
            self.failures.append("".join(list(diff)[:60]))

    def file(self, name: str, path: Path, masks: tuple[Mask, ...] = ()) -> None:
        """Compare a file a command wrote (text: CSV, JSON, Markdown, YAML, HTML)."""
        self.check(name, path.read_bytes().decode("utf-8"), masks)

    def verify(self) -> None:
        """Fail the test, listing every golden output that changed (call it last)."""
        self.verified = True
        if self.failures:
            pytest.fail(f"{len(self.failures)} of {len(self.checked)} golden output(s) "
                        "changed:\n\n" + "\n\n".join(self.failures), pytrace=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest, tmp_path: Path) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens")), tmp_path)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """A private copy of the sample organisation, with the course and the test JDs in it."""
    work = tmp_path / "org"
    shutil.copytree(SAMPLE_ORG, work, ignore=shutil.ignore_patterns("*.db", "__pycache__"))
    (work / "course").mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", work / "course")
    shutil.copytree(COURSE / "source", work / "course" / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    (work / "jds").mkdir()
    for jd in sorted(JDS.glob("*.txt")):
        shutil.copy(jd, work / "jds")
    return work


class Runner:
    """``run(NAME, *ARGS)``: run ``competency ARGS`` in the copy, record it as NAME.txt.

    The transcript holds the command line, exit code, stdout and stderr, as bytes
    decoded from UTF-8 (no newline translation). Commands must succeed (exit 0).
    ``run.many(...)`` runs independent read-only commands at once, to save time.
    """

    def __init__(self, org: Path, golden: Golden) -> None:
        self.org = org
        self.golden = golden
        self.script = competency_script()
        self.env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable),
                                                          os.environ.get("PATH", "")]))

    def execute(self, args: tuple[str, ...]) -> tuple[int, str, str]:
        done = subprocess.run([self.script, *args], cwd=self.org, env=self.env,
                              capture_output=True, timeout=300, check=False)
        return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")

    def record(self, name: str, args: tuple[str, ...], masks: tuple[Mask, ...],
               result: tuple[int, str, str]) -> str:
        code, stdout, stderr = result
        assert code == 0, f"competency {shlex.join(args)} exited {code}:\n{stderr[-3000:]}"
        transcript = (f"$ competency {shlex.join(args)}\nexit code {code}\n"
                      f"--- stdout\n{stdout}--- stderr\n{stderr}")
        self.golden.check(f"{name}.txt", transcript, masks)
        return stdout

    def __call__(self, name: str, *args: str, masks: tuple[Mask, ...] = ()) -> str:
        """Run one command; returns its stdout (unmasked)."""
        return self.record(name, args, masks, self.execute(args))

    def many(self, *calls: tuple[str, ...]) -> None:
        """Run ``(NAME, *ARGS)`` commands that do not write, concurrently."""
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda call: self.execute(call[1:]), calls))
        for call, result in zip(calls, results, strict=True):
            self.record(call[0], call[1:], (), result)


@pytest.fixture
def run(org: Path, golden: Golden) -> Iterator[Runner]:
    yield Runner(org, golden)
    if not golden.verified:  # a test that forgot golden.verify() still fails (at teardown)
        golden.verify()


# ----------------------------------------------------------------------- readers


def cell_text(value: Any) -> str:
    """One spreadsheet cell: JSON for strings (so 53 and "53" differ), blank for empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return f"{type(value).__name__}({value.isoformat()})"
    return repr(value)


def xlsx_text(path: Path) -> str:
    """Every sheet's cell values, one tab-separated block per sheet, after a line of its
    tables, frozen panes and colour scales and one per chart; images counted only."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    blocks = []
    for sheet in book.worksheets:
        # openpyxl exposes a sheet's images only as the private _images list
        lines = [f"== sheet {sheet.title!r} ({sheet.dimensions}; "
                 f"{len(sheet._images)} image(s))"]
        # what makes it an Excel report: tables, frozen header, colour scales, charts
        tables = ", ".join(f"{t.displayName} {t.ref}" for t in sheet.tables.values())
        scales = ", ".join(str(r.sqref) for r in sheet.conditional_formatting)
        lines.append(f"tables: {tables or '-'}; frozen at {sheet.freeze_panes or '-'}; "
                     f"colour scale: {scales or '-'}")
        lines.extend(f"chart: {chart.type} {chart.grouping}: "
                     + ", ".join(f"{s.tx.v} {s.val.numRef.f}" for s in chart.series)
                     for chart in sheet._charts)
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join(cell_text(v) for v in row).rstrip("\t"))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


# ------------------------------------------------------------------------- tests


def test_version_course_map_and_config(run: Runner, golden: Golden) -> None:
    run.many(("version", "version"),
             ("course-map", "course", "map", "course"),
             ("course-map-json", "course", "map", "course", "--json"),
             ("config-show", "config", "show"))
    golden.verify()


def test_coverage(run: Runner, golden: Golden, org: Path) -> None:
    run("coverage", "coverage", "--out", "coverage.csv", "--as-of", AS_OF)
    golden.file("coverage.csv", org / "coverage.csv")
    golden.verify()


def test_reports(run: Runner, golden: Golden, org: Path) -> None:
    # each writes its own file and reads only the organisation's tables
    run.many(("report-xlsx", "report", "--out", "report.xlsx", "--as-of", AS_OF),
             ("report-identifiable-xlsx", "report", "--out", "identifiable.xlsx",
              "--as-of", AS_OF, "--identifiable"),
             ("report-html", "report", "--out", "report.html", "--as-of", AS_OF))
    golden.check("report.xlsx.txt", xlsx_text(org / "report.xlsx"))
    golden.check("report-identifiable.xlsx.txt", xlsx_text(org / "identifiable.xlsx"))
    page = (org / "report.html").read_text("utf-8")
    pictures = iter(("report-heatmap.svg", "report-trend.svg"))

    def recorded(found: re.Match[str]) -> str:
        name = next(pictures)
        golden.check(name, base64.b64decode(found.group(2)).decode("utf-8"))
        return f"{found.group(1)}<{name}>"

    golden.check("report.html", SVG_DATA.sub(recorded, page))
    assert next(pictures, None) is None  # both pictures are there
    golden.verify()


def test_suggest(run: Runner, golden: Golden, org: Path) -> None:
    jds = sorted(str(p.relative_to(org)) for folder in ("job-descriptions", "jds")
                 for p in (org / folder).iterdir())
    assert len(jds) == 24 + 45
    stdout = run("suggest-json", "suggest", *jds, "--json")
    assert len(json.loads(stdout)) == len(jds)
    run("suggest-text", "suggest", "job-descriptions/community-nurse.docx",
        "job-descriptions/receptionist.txt")
    golden.verify()


def test_personspec(run: Runner, golden: Golden, org: Path) -> None:
    roles = {"receptionist": "Receptionist", "community-nurse": "Community nurse",
             "equality-and-diversity-lead": "Equality and diversity lead",
             "non-executive-director": "Non-executive director"}
    run.many(*((f"personspec-{slug}", "personspec", role, "--roles", "roles.csv",
                "--out", f"{slug}.md") for slug, role in roles.items()))
    for slug in roles:
        golden.file(f"personspec-{slug}.md", org / f"{slug}.md")
    golden.verify()


def test_framework(run: Runner, golden: Golden, org: Path) -> None:
    run.many(("framework-show", "framework", "show"),
             ("framework-show-CUL-2", "framework", "show", "--competency", "CUL-2"),
             ("framework-export-yaml", "framework", "export", "--format", "yaml"))
    csv_text = run("framework-export-moodle-csv", "framework", "export",
                   "--format", "moodle-csv")
    (org / "framework.csv").write_bytes(csv_text.encode("utf-8"))
    run("framework-import", "framework", "import", "framework.csv", "--out", "imported.yaml")
    golden.file("framework-imported.yaml", org / "imported.yaml")
    run("framework-validate", "framework", "validate", "imported.yaml")
    golden.verify()


def test_roles(run: Runner, golden: Golden) -> None:
    run.many(("roles-show", "roles", "show", "roles.csv"),
             ("roles-show-community-nurse", "roles", "show", "roles.csv",
              "--role", "Community nurse"),
             ("roles-validate", "roles", "validate", "roles.csv"))
    golden.verify()


def test_reviews(run: Runner, golden: Golden, org: Path) -> None:
    run.many(("reviews-status", "reviews", "status", "--as-of", AS_OF),
             ("reviews-status-json", "reviews", "status", "--as-of", AS_OF, "--json"),
             ("reviews-catalogue", "reviews", "catalogue"))
    run("reviews-add", "reviews", "add", "ext-council-hate-crime", "--reviewer", "A. Okafor",
        "--verdict", "meets", "--on", AS_OF)
    golden.file("reviews-after-add.csv", org / "reviews.csv")
    run("reviews-status-after-add", "reviews", "status", "--as-of", AS_OF)
    golden.verify()


def test_evidence(run: Runner, golden: Golden, org: Path) -> None:
    run("evidence-import", "evidence", "import", "evidence.csv")
    run("evidence-import-again", "evidence", "import", "evidence.csv")
    run("evidence-export", "evidence", "export", "--out", "exported.csv")
    golden.file("evidence-exported.csv", org / "exported.csv")
    golden.verify()


def test_directory(run: Runner, golden: Golden, org: Path) -> None:
    run("directory-import", "directory", "import", "community-directory.csv")
    run.many(("directory-search-farsi-advocacy-kelham", "directory", "search",
              "--language", "Farsi", "--skill", "advocacy", "--area", "Kelham Haven"),
             ("directory-search-polish", "directory", "search", "--language", "Polish"),
             ("directory-search-traveller", "directory", "search", "--community", "Traveller"),
             ("directory-search-interpreting-moorhead", "directory", "search",
              "--skill", "interpreting-support", "--area", "Moorhead"),
             ("directory-stale", "directory", "stale", "--as-of", AS_OF),
             ("directory-skills", "directory", "skills"),
             ("directory-languages", "directory", "languages"),
             ("directory-languages-farsi", "directory", "languages", "Farsi"),
             ("directory-export", "directory", "export", "exported-directory.csv"))
    golden.file("directory-exported.csv", org / "exported-directory.csv")
    run("directory-history", "directory", "history", "Moorhead Community Hub",
        masks=(ADDED_AT,))
    golden.verify()


def test_jd_decisions(run: Runner, golden: Golden, org: Path) -> None:
    run("jd-decide", "jd", "decide", "job-descriptions/receptionist.docx",
        "--role", "Receptionist", "--accept", "CUL-2:1", "--accept", "PART-1:2:desirable",
        "--reject", "COMM-1", "--by", "A. Patel", "--log", "decisions.csv")
    golden.file("jd-decisions.csv", org / "decisions.csv", masks=(RECORDED_AT,))
    run("jd-status", "jd", "status", "--log", "decisions.csv", "--roles", "roles.csv",
        "--jds", "job-descriptions", masks=(RECORDED_AT,))
    run("jd-apply", "jd", "apply", "--log", "decisions.csv", "--roles", "roles.csv",
        "--out", "roles-applied.csv", "--replace")
    golden.file("jd-roles-applied.csv", org / "roles-applied.csv")
    golden.verify()


# ------------------------------------------------------------------ grading (nbgrader)


def nbgrader(course: Path, *args: str) -> None:
    # nbgrader runs `alembic` by name: put this environment's bin first on PATH
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PATH=path)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def gradebook_scores(course: Path) -> dict[str, Any]:
    """Per student: total and per-cell scores and manual-grading flags (no timings)."""
    from nbgrader.api import Gradebook

    out: dict[str, Any] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in sorted(s.id for s in gb.students):
            sub = gb.find_submission(MODULE, student)
            cells = {}
            for notebook in sorted(sub.notebooks, key=lambda n: n.name):
                for grade in sorted(notebook.grades, key=lambda g: g.name):
                    cells[f"{notebook.name}/{grade.name}"] = {
                        "auto_score": grade.auto_score, "manual_score": grade.manual_score,
                        "max_score": grade.max_score,
                        "needs_manual_grade": grade.needs_manual_grade}
            out[student] = {"score": sub.score, "max_score": sub.max_score,
                            "code_score": sub.code_score, "written_score": sub.written_score,
                            "needs_manual_grade": sub.needs_manual_grade,
                            "late_submission_penalty": sub.late_submission_penalty,
                            "cells": cells}
    return out


def partial(solution: dict[str, Any]) -> dict[str, Any]:
    """The full solution with two single-choice answers wrong (q2 and q12)."""
    wrong = {"q2_answer": ('"B"', '"A"'), "q12_answer": ('"B"', '"C"')}
    for cell in solution["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in wrong:
            right, bad = wrong[grade_id]
            source = "".join(cell["source"])
            assert right in source
            cell["source"] = source.replace(right, bad)
    return solution


@pytest.mark.nbgrader
def test_grading_scores(run: Runner, golden: Golden, org: Path) -> None:
    """A cohort of three staff (full, partial, blank) for module 1, graded by competency."""
    course = org / "course"
    nbgrader(course, "generate_assignment", MODULE, "--force")
    source_nb = course / "source" / MODULE / f"{MODULE}.ipynb"
    release_nb = course / "release" / MODULE / f"{MODULE}.ipynb"
    solution = json.loads(source_nb.read_text("utf-8"))
    submissions = {"u00001": source_nb.read_text("utf-8"),  # full solution
                   "u00002": json.dumps(partial(solution)),
                   "u00003": release_nb.read_text("utf-8")}  # blank release copy
    for student, text in submissions.items():
        target = course / "submitted" / student / MODULE
        shutil.copytree(course / "release" / MODULE, target)
        (target / f"{MODULE}.ipynb").write_text(text, "utf-8")
        (target / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
    run("grade", "grade", MODULE, "--course", "course", "--jobs", "2", "--no-progress",
        masks=(*GRADE_TIMES, ISOLATION))
    golden.check("grade-scores.json",
                 json.dumps(gradebook_scores(course), indent=2, sort_keys=True) + "\n")
    golden.file("grade-report.csv", course / "autograded" / f"{MODULE}-grading-report.csv",
                masks=(REPORT_SECONDS,))
    run("feedback", "feedback", MODULE, "--course", "course", "--hide-hidden-tests")
    # the feedback pages are nbconvert's HTML (styles, timestamps); record their scores
    scores = []
    for page in sorted((course / "feedback").glob(f"*/{MODULE}/*.html")):
        text = page.read_text("utf-8")
        scores.append(f"{page.relative_to(course)}:\n"
                      + "".join(f"  {score}\n"
                                for score in re.findall(r"Score: [\d.]+ / [\d.]+", text)))
    golden.check("feedback-scores.txt", "".join(scores))
    run("evidence-gradebook", "evidence", "gradebook", "--course", "course")
    run("evidence-gradebook-export", "evidence", "export", "--out", "from-gradebook.csv")
    golden.file("evidence-from-gradebook.csv", org / "from-gradebook.csv")
    golden.verify()
