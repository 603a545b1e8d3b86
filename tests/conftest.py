"""Shared fixtures: the default framework, a CLI runner, notebook builders, course copies.

Every wait in the tests (server starts, Playwright, polling loops, subprocess and
grading time limits that honest work must stay under) is ``wait(seconds)``: seconds on
an idle machine, times COMPETENCY_TEST_TIMEOUT_SCALE (default 1; ``make test-loaded``
sets 4) on a busy one.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from competency.cli import main
from competency.framework.model import Framework, load_framework

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
DATA = Path(__file__).resolve().parent / "data"
TIMEOUT_SCALE_ENV = "COMPETENCY_TEST_TIMEOUT_SCALE"


# ------------------------------------------------------------------------------ waits


@functools.cache
def timeout_scale() -> float:
    """COMPETENCY_TEST_TIMEOUT_SCALE as a number (1 when unset): how much slower than idle."""
    raw = os.environ.get(TIMEOUT_SCALE_ENV, "").strip()
    try:
        scale = float(raw) if raw else 1.0
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise pytest.UsageError(f"{TIMEOUT_SCALE_ENV} must be a positive number ({raw})")
    return scale


def wait(seconds: float) -> float:
    """How long to wait for what takes well under ``seconds`` on an idle machine."""
    return seconds * timeout_scale()


def wait_ms(seconds: float) -> float:
    """:func:`wait` in milliseconds (Playwright's unit)."""
    return wait(seconds) * 1000


def pytest_configure(config: pytest.Config) -> None:
    timeout_scale()  # a bad value stops the run before any test


@pytest.fixture(scope="session", autouse=True)
def _suggest_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``competency suggest``'s disk cache (COMPETENCY_CACHE_DIR) in a temporary folder,
    for this process and the commands it starts, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("competency-cache")
    before = os.environ.get("COMPETENCY_CACHE_DIR")
    os.environ["COMPETENCY_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("COMPETENCY_CACHE_DIR", None)
    else:
        os.environ["COMPETENCY_CACHE_DIR"] = before


# ---------------------------------------------------------------------- parallel runs
# ``make test`` runs pytest in 2 processes (pytest-xdist: -n 2 --dist loadgroup
# --no-loadscope-reorder). A test runs in either, unless it shares a set-up with others;
# those go to one process together, as an ``xdist_group`` (marked here, at collection).

SLOW_FIRST = (("hub", "browser"), ("nbgrader",), ("notebooks", "stress"))
"""Markers in the order their tests are handed out to the processes (then the rest), so
that the long ones start early and the short ones fill in at the end."""


def xdist_group(item: pytest.Item) -> str | None:
    """What ``item`` must share a process with, or None when it can run in any:

    * a notebook's cells (nbval): they run in order in one kernel; the notebook;
    * a test that uses a module- or session-scoped fixture defined in its own module (a
      server, a browser, a course built or graded once): the module, and with the
      parameters of those fixtures (one course per parameter), the module and them.
      The test modules' other tests, and conftest's session fixtures (cheap, made once
      per process), do not tie tests together.
    """
    if not isinstance(item, pytest.Function):
        return item.nodeid.split("::")[0]
    module = item.getparent(pytest.Module)
    if module is None:
        return None
    shared = sorted(
        name for name, defs in item._fixtureinfo.name2fixturedefs.items()
        if defs and defs[-1].scope != "function" and defs[-1].baseid.startswith(module.nodeid))
    if not shared:
        return None
    params = getattr(item, "callspec", None)
    values = [f"{name}={params.params[name]}" for name in shared
              if params is not None and name in params.params]
    return "::".join([module.nodeid, *values])


def slowness(item: pytest.Item) -> int:
    """The rank of ``item`` in :data:`SLOW_FIRST` (notebook cells count as notebooks)."""
    names = {mark.name for mark in item.iter_markers()}
    if not isinstance(item, pytest.Function):
        names.add("notebooks")
    return next((rank for rank, marks in enumerate(SLOW_FIRST) if names & set(marks)),
                len(SLOW_FIRST))


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config,
                                  items: list[pytest.Item]) -> Iterator[None]:
    """Groups marked before the other plugins see the tests; in an xdist worker, each
    group written into its tests' ids (what xdist schedules by) and the slow work moved
    first (the order the worker reports is the order xdist hands the work out in)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = xdist_group(item)
            if group is not None:
                item.add_marker(pytest.mark.xdist_group(group))
    yield
    if getattr(config, "workerinput", None) is None:
        return
    if config.getvalue("loadgroup"):
        for item in items:
            name_group(item)
    rank: dict[str, int] = {}
    for item in items:
        unit = unit_of(item)
        rank[unit] = min(rank.get(unit, len(SLOW_FIRST)), slowness(item))
    items.sort(key=lambda item: rank[unit_of(item)])


def unit_of(item: pytest.Item) -> str:
    """What xdist hands out as one piece of work: ``@GROUP`` for a test in a group
    (xdist's own reading of the ``xdist_group`` marks), else the test alone."""
    names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
             for mark in item.iter_markers("xdist_group")}
    return "@" + "_".join(sorted(names)) if names else item.nodeid


def name_group(item: pytest.Item) -> None:
    """``ID@GROUP`` as ``item``'s id, which xdist's --dist loadgroup schedules by.

    xdist (3.8) writes it into the id field pytest used before 9.2, which 9.2's
    structured ids no longer read, so its groups are silently ignored (pytest-xdist
    issue 1386): each test is sent anywhere, a notebook's cells to two kernels. Here
    the id is written where this pytest keeps it, when xdist has not done it already.
    """
    unit = unit_of(item)
    if not unit.startswith("@") or item.nodeid.endswith(unit):
        return
    node_id = getattr(item, "_id", None)
    if node_id is not None:
        item._id = type(node_id).parse(item.nodeid + unit)
    if not item.nodeid.endswith(unit):
        raise pytest.UsageError(f"cannot name the xdist group of {item.nodeid} ({unit}): "
                                "run with --dist loadfile instead of loadgroup")


def pytest_report_header(config: pytest.Config) -> str:
    return f"waits scaled by {timeout_scale():g} ({TIMEOUT_SCALE_ENV})"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="tests/test_golden.py: rewrite tests/golden/ instead of comparing")


@dataclass
class CliResult:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``competency ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The shipped default framework."""
    return load_framework()


@pytest.fixture
def course_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the committed course's nbgrader folder (source and config only)."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def make_cell(source: str, *, kind: str = "code", tags: list[str] | None = None,
              grade: bool = False, solution: bool = False, points: float | None = None,
              grade_id: str | None = None) -> Any:
    """One notebook cell with nbgrader metadata when it is graded or a solution."""
    cell = (nbformat.v4.new_code_cell(source) if kind == "code"
            else nbformat.v4.new_markdown_cell(source))
    if tags:
        cell.metadata["tags"] = tags
    if grade or solution or grade_id:
        meta: dict[str, Any] = {"grade": grade, "solution": solution, "locked": not solution,
                                "grade_id": grade_id or f"cell-{id(cell)}",
                                "schema_version": 3}
        if points is not None:
            meta["points"] = points
        cell.metadata["nbgrader"] = meta
    return cell


@pytest.fixture
def write_course(tmp_path: Path) -> Callable[[dict[str, list[Any]]], Path]:
    """Write ``{module: [cells]}`` as a course directory with one notebook per module."""

    def write(modules: dict[str, list[Any]]) -> Path:
        root = tmp_path / "course"
        for module, cells in modules.items():
            folder = root / "source" / module
            folder.mkdir(parents=True)
            nb = nbformat.v4.new_notebook(cells=cells)
            nbformat.write(nb, folder / f"{module}.ipynb")
        return root

    return write


# --------------------------------------------------------------------------- databases

POSTGRES_ENV = "COMPETENCY_TEST_POSTGRES_URL"
DATABASES = [pytest.param("sqlite", id="sqlite"),
             pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]
"""Parameters for tests that run against both SQLite and PostgreSQL."""


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """``new_database(kind)`` -> the URL of a fresh, empty database ("sqlite"/"postgresql").

    PostgreSQL databases are created on the server named by COMPETENCY_TEST_POSTGRES_URL
    (``.ci/postgres.sh`` starts one) and dropped at the end of the session. Without it the
    PostgreSQL cases fail: deselect them explicitly with ``-m "not postgres"``.
    """
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    created: list[str] = []
    base = os.environ.get(POSTGRES_ENV, "")

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        if not base:
            ci = " (CI=true: PostgreSQL is required)" if os.environ.get("CI") == "true" else ""
            pytest.fail(f"{POSTGRES_ENV} is not set{ci}: run the tests through .ci/run, or "
                        "source .ci/postgres.sh first; to leave PostgreSQL out, deselect "
                        "with -m 'not postgres'", pytrace=False)
        name = f"competency_{uuid.uuid4().hex[:12]}"
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        created.append(name)
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    yield make
    if created:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as con:
            for name in created:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, new_database: Callable[[str], str]) -> str:
    """A fresh empty database, once SQLite and once PostgreSQL."""
    url: str = new_database(request.param)
    return url

collect_ignore = ["fixtures"]  # nbgrader's test notebooks, data for tests/grading/test_parity.py
