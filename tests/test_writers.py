"""Many writers, sudden death: every append-only log and store write, under stress.

For each writer (the review log, the decision log, the community directory, the
evidence store, the grading report):

* **at once**: :data:`PROCESSES` processes, released together, each write their own
  record; every record is there exactly once;
* **kill -9**: a child writes records in a loop and is SIGKILLed after a random short
  delay (``random.Random(SEED)``), :data:`KILLS` times. Before each write the child
  says ``begin N`` and after it returns ``ok N`` on a pipe (``ok`` = reported saved).
  Afterwards the file or store parses, every ``ok`` record is there exactly once, and
  the only others are records a kill interrupted between the write and its ``ok``
  (at most one per kill): a write that completed but was not yet acknowledged.

Children are forked from the test process (imports already done), so a kill costs
milliseconds. The store writers run on SQLite and on PostgreSQL (``db_url``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import random
import select
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from competency.directory.entries import (
    organisations,
    parse_organisation,
    save_organisations,
)
from competency.evidence.records import (
    EvidenceRecord,
    import_evidence_file,
    store_records,
    stored_records,
)
from competency.framework.model import Framework
from competency.grading.grader import REPORT_COLUMNS, StudentResult, write_report
from competency.hr.decisions import append_decisions, load_decisions, make_decisions
from competency.store.database import open_store
from competency.training.reviews import Review, ReviewLog
from conftest import wait

pytestmark = pytest.mark.stress

PROCESSES = 12
KILLS = 50
SEED = 13
TIMEOUT = wait(60.0)
"""Generous bound (seconds, scaled by COMPETENCY_TEST_TIMEOUT_SCALE) for one batch of
writers to finish or one pipe to answer; every wait derives from it."""
FILE_DELAY = 0.12
"""Longest random wait before a kill (seconds) for the file writers."""
STORE_DELAY = 0.4
"""The same for the store writers (each write opens the store, as a command does)."""

Write = Callable[[str], None]
"""Write the record named by the argument; return once it is saved."""
Read = Callable[[], list[str]]
"""The names of every record there, in any order, with repeats."""


# --------------------------------------------------------------------------- processes

def _child(run: Callable[[], None]) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in the child
        code = 1
        try:
            run()
            code = 0
        finally:
            os._exit(code)
    return pid


def _wait(pid: int) -> int:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"writer {pid} did not finish within {TIMEOUT} s")


def at_once(write: Write, names: list[str]) -> None:
    """One process per name, released together; each must report success."""
    go_read, go_write = os.pipe()

    def run(name: str) -> Callable[[], None]:
        def body() -> None:
            os.close(go_write)
            os.read(go_read, 1)  # blocks until the parent closes its end: all start at once
            write(name)
        return body

    pids = [_child(run(name)) for name in names]
    os.close(go_read)
    time.sleep(0.2)
    os.close(go_write)
    codes = [_wait(pid) for pid in pids]
    assert codes == [0] * len(names)


@dataclass
class KillFigures:
    """What the kill loop saw."""

    acknowledged: set[str] = field(default_factory=set)
    in_flight: set[str] = field(default_factory=set)
    kills: int = 0


def _read_messages(fd: int) -> str:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], TIMEOUT)
        if not ready:
            raise AssertionError("a killed writer's pipe stayed open")
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks).decode()
        chunks.append(chunk)


def kill_loop(write: Write, delay: float = FILE_DELAY, kills: int = KILLS,
              seed: int = SEED) -> KillFigures:
    """Run ``write`` in a loop in a child, SIGKILL it after a random delay, ``kills`` times."""
    rng = random.Random(seed)
    figures = KillFigures()
    for kill in range(kills):
        out_read, out_write = os.pipe()

        def body(kill: int = kill, out_read: int = out_read, out_write: int = out_write) -> None:
            os.close(out_read)
            for n in range(10_000):
                name = f"k{kill}-{n}"
                os.write(out_write, f"begin {name}\n".encode())
                write(name)
                os.write(out_write, f"ok {name}\n".encode())

        pid = _child(body)
        os.close(out_write)
        time.sleep(rng.uniform(0.0, delay))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"the writer failed before the kill (status {status})"
        figures.kills += 1
        begun: list[str] = []
        for line in _read_messages(out_read).splitlines():
            what, _, name = line.partition(" ")
            if what == "ok":
                figures.acknowledged.add(name)
            elif what == "begin":
                begun.append(name)
        os.close(out_read)
        figures.in_flight.update(n for n in begun[-1:] if n not in figures.acknowledged)
    return figures


def check_after_kills(figures: KillFigures, found: list[str]) -> None:
    counts = Counter(found)
    doubled = sorted(n for n, c in counts.items() if c > 1)
    lost = sorted(figures.acknowledged - set(counts))
    unexpected = sorted(set(counts) - figures.acknowledged - figures.in_flight)
    print(f"kills={figures.kills} acknowledged={len(figures.acknowledged)} "
          f"present={len(counts)} lost={len(lost)} doubled={len(doubled)} "
          f"written-not-yet-acknowledged={len(set(counts) & figures.in_flight)}")
    assert figures.kills >= KILLS
    assert figures.acknowledged, "no write finished before a kill: raise the delay"
    assert (lost, doubled, unexpected) == ([], [], [])


def check_at_once(names: list[str], found: list[str]) -> None:
    assert sorted(found) == sorted(names)  # each exactly once


def names_for(count: int = PROCESSES) -> list[str]:
    return [f"p{n}" for n in range(count)]


# --------------------------------------------------------------------------- writers

def review_writer(path: Path, framework: Framework) -> tuple[Write, Read]:
    log = ReviewLog(path=path)

    def write(name: str) -> None:
        review = Review(name, dt.date(2026, 1, 5), "A. Reviewer", framework.version, "meets",
                        (("LAW-1", 1),), dt.date(2027, 1, 5), "")
        assert log.append(review, framework) is True

    def read() -> list[str]:
        return [r.course_id for r in log.read(framework)]

    return write, read


def decision_writer(path: Path, framework: Framework) -> tuple[Write, Read]:
    def write(name: str) -> None:
        append_decisions(path, make_decisions(f"{name}.docx", "Receptionist",
                                              accept=["LAW-1"], decided_by="HR",
                                              framework=framework))

    def read() -> list[str]:
        return [d.jd.removesuffix(".docx") for d in load_decisions(path, framework)]

    return write, read


def directory_writer(url: str) -> tuple[Write, Read]:
    template = parse_organisation({"name": "Club", "languages": "pl", "areas": "Brackenfleet",
                                   "skills": "peer-support", "verified_on": "2026-01-05",
                                   "verified_by": "cdw"}, today=dt.date(2026, 10, 1))

    def write(name: str) -> None:
        org = dataclasses.replace(template, name=f"Club {name}")
        with open_store(url) as store:
            assert save_organisations(store, [org], origin="test").added == 1

    def read() -> list[str]:
        with open_store(url) as store:
            return [o.name.removeprefix("Club ") for o in organisations(store)]

    return write, read


def evidence_writer(url: str) -> tuple[Write, Read]:
    def write(name: str) -> None:
        record = EvidenceRecord(name, "LAW-1", 1, dt.date(2025, 1, 1), "test")
        with open_store(url) as store:
            assert store_records(store, [record], kind="file", origin=name).added == 1

    def read() -> list[str]:
        with open_store(url) as store:
            return [r.staff_id for r in stored_records(store)]

    return write, read


def report_writer(path: Path) -> tuple[Write, Read]:
    def write(name: str) -> None:
        write_report(path, [StudentResult(name, "graded", "", 1.0, 2.0, 0.0, 0.5)])

    def read() -> list[str]:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == REPORT_COLUMNS
        assert all(len(r) == len(REPORT_COLUMNS) for r in rows)
        return [r[0] for r in rows[1:]]

    return write, read


@contextmanager
def new_store(url: str) -> Iterator[str]:
    with open_store(url):  # create the schema before the writers race
        pass
    yield url


# --------------------------------------------------------------------------- the tests

def test_review_log(tmp_path: Path, framework: Framework) -> None:
    write, read = review_writer(tmp_path / "reviews.csv", framework)
    at_once(write, names_for())
    check_at_once(names_for(), read())
    write, read = review_writer(tmp_path / "killed.csv", framework)
    check_after_kills(kill_loop(write), read())


def test_a_review_recorded_by_twelve_at_once_is_there_once(tmp_path: Path,
                                                            framework: Framework) -> None:
    log = ReviewLog(path=tmp_path / "reviews.csv")
    review = Review("same", dt.date(2026, 1, 5), "A", framework.version, "meets",
                    (("LAW-1", 1),), dt.date(2027, 1, 5), "")
    at_once(lambda _: log.append(review, framework) and None, names_for())
    assert log.read(framework) == [review]


def test_decision_log(tmp_path: Path, framework: Framework) -> None:
    write, read = decision_writer(tmp_path / "decisions.csv", framework)
    at_once(write, names_for())
    check_at_once(names_for(), read())
    write, read = decision_writer(tmp_path / "killed.csv", framework)
    check_after_kills(kill_loop(write), read())


def test_grading_report(tmp_path: Path) -> None:
    write, read = report_writer(tmp_path / "report.csv")
    at_once(write, names_for())
    check_at_once(names_for(), read())
    write, read = report_writer(tmp_path / "killed.csv")
    figures = kill_loop(write)
    check_after_kills(figures, read())
    write("after")  # clears what killed writers left
    assert not list(tmp_path.glob(".killed.csv.*.tmp"))
    assert sorted(read()) == sorted({*read()})


def test_directory(db_url: str) -> None:
    with new_store(db_url) as url:
        write, read = directory_writer(url)
        at_once(write, names_for())
        check_at_once(names_for(), read())
        check_after_kills(kill_loop(lambda name: write(f"x{name}"), STORE_DELAY),
                          [n.removeprefix("x") for n in read() if n.startswith("x")])


def test_evidence_store(db_url: str) -> None:
    with new_store(db_url) as url:
        write, read = evidence_writer(url)
        at_once(write, names_for())
        check_at_once(names_for(), read())
        check_after_kills(kill_loop(lambda name: write(f"x{name}"), STORE_DELAY),
                          [n.removeprefix("x") for n in read() if n.startswith("x")])


def test_twelve_imports_of_one_file_store_each_record_once(db_url: str, tmp_path: Path,
                                                          framework: Framework) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("staff_id,competency,level,achieved_on,source\n" + "".join(
        f"s{n},LAW-1,1,2025-01-0{1 + n % 9},test\n" for n in range(40)), encoding="utf-8")
    with new_store(db_url) as url:
        def run(_: str) -> None:
            with open_store(url) as store:
                import_evidence_file(store, path, framework)

        at_once(run, names_for())
        with open_store(url) as store:
            assert sorted(r.staff_id for r in stored_records(store)) == sorted(
                f"s{n}" for n in range(40))
            logged = store.imports()
    assert len(logged) == PROCESSES
    assert sum(i.added for i in logged) == 40  # the records went in once, counted once
    assert all(i.added + i.skipped == 40 for i in logged)
