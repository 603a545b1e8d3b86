"""Store migrations: new stores, stores from before migrations, newer stores, concurrency,
and a database shared with an nbgrader gradebook; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, make_url

import competency
from competency.errors import StoreError
from competency.evidence.records import EvidenceRecord, store_records, stored_records
from competency.store.database import open_store, safe_url
from competency.store.migrations import (
    BASELINE,
    VERSION_TABLE,
    current_revisions,
    head,
    ours,
    script_directory,
)
from competency.store.schema import metadata

A = EvidenceRecord("s1", "LAW-1", 2, dt.date(2025, 1, 10), "ext-edhr-elearning")
B = EvidenceRecord("s2", "CUL-1", 1, dt.date(2024, 2, 29), "nbgrader:02-cultural-capability")

# ------------------------------------------------ frozen copy of the schema before migrations
# (competency.store.schema as of schema version 1, with metadata.create_all; do not edit)

LEGACY = MetaData()
_ENTRY = ("communities", "languages", "areas", "skills", "capacity", "contact_role", "contact")


def _entry_columns() -> list[Column[Any]]:
    return [Column("name", Text, nullable=False),
            *(Column(f, Text, nullable=False) for f in _ENTRY),
            Column("verified_on", Date, nullable=False),
            Column("verified_by", Text, nullable=False)]


LEGACY_META = Table("competency_meta", LEGACY,
                    Column("name", String(64), primary_key=True),
                    Column("value", String(255), nullable=False))
LEGACY_IMPORTS = Table("imports", LEGACY,
                       Column("id", Integer, primary_key=True, autoincrement=True),
                       Column("imported_at", DateTime, nullable=False),
                       Column("kind", String(16), nullable=False),
                       Column("origin", Text, nullable=False),
                       Column("rows_added", Integer, nullable=False),
                       Column("rows_skipped", Integer, nullable=False),
                       Column("rows_pending", Integer, nullable=False, default=0))
LEGACY_EVIDENCE = Table("evidence", LEGACY,
                        Column("id", Integer, primary_key=True, autoincrement=True),
                        Column("staff_id", String(128), nullable=False, index=True),
                        Column("competency", String(64), nullable=False),
                        Column("level", SmallInteger, nullable=False),
                        Column("achieved_on", Date, nullable=False),
                        Column("source", Text, nullable=False),
                        Column("imported_at", DateTime, nullable=False),
                        Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
                        Column("import_key", String(64), nullable=False, unique=True))
Table("reviews", LEGACY,
      Column("id", Integer, primary_key=True, autoincrement=True),
      Column("course_id", String(128), nullable=False, index=True),
      Column("reviewed_on", Date, nullable=False),
      Column("reviewer", Text, nullable=False),
      Column("framework_version", String(64), nullable=False),
      Column("verdict", String(16), nullable=False),
      Column("competencies", Text, nullable=False),
      Column("levels", Text, nullable=False),
      Column("next_review_due", Date, nullable=False),
      Column("notes", Text, nullable=False),
      Column("recorded_at", DateTime, nullable=False),
      Column("review_key", String(64), nullable=False, unique=True))
Table("directory_entries", LEGACY,
      Column("id", Integer, primary_key=True, autoincrement=True),
      Column("name_key", String(255), nullable=False, unique=True),
      Column("version", Integer, nullable=False),
      *_entry_columns())
Table("directory_versions", LEGACY,
      Column("id", Integer, primary_key=True, autoincrement=True),
      Column("entry_id", Integer, ForeignKey("directory_entries.id"), nullable=False),
      Column("version", Integer, nullable=False),
      Column("change", String(16), nullable=False),
      Column("origin", Text, nullable=False),
      Column("recorded_at", DateTime, nullable=False),
      *_entry_columns(),
      UniqueConstraint("entry_id", "version"))
Table("directory_tags", LEGACY,
      Column("entry_id", Integer, ForeignKey("directory_entries.id"), primary_key=True),
      Column("kind", String(16), primary_key=True),
      Column("value", String(255), primary_key=True),
      Index("ix_directory_tags_kind_value", "kind", "value"))
BEFORE_DIRECTORY = ["competency_meta", "imports", "evidence", "reviews"]
"""The tables of a store made before the community directory (also schema version 1)."""


def make_legacy_store(url: str, tables: list[str] | None = None) -> None:
    """A store as the toolkit made it before migrations, with two evidence records."""
    engine = create_engine(url)
    try:
        LEGACY.create_all(engine, tables=None if tables is None
                          else [LEGACY.tables[t] for t in tables])
        with engine.begin() as con:
            con.execute(LEGACY_META.insert().values(name="schema_version", value="1"))
            now = dt.datetime(2025, 3, 1, 9, 30)
            import_id = con.execute(LEGACY_IMPORTS.insert().values(
                imported_at=now, kind="file", origin="old.csv", rows_added=2,
                rows_skipped=0, rows_pending=0)).inserted_primary_key[0]
            con.execute(LEGACY_EVIDENCE.insert(), [
                {"staff_id": r.staff_id, "competency": r.competency, "level": r.level,
                 "achieved_on": r.achieved_on, "source": r.source, "imported_at": now,
                 "import_id": import_id, "import_key": r.key} for r in (A, B)])
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------ helpers

def run(url: str, work: Callable[[Connection], Any]) -> Any:
    """``work(connection)`` on a plain engine for ``url``."""
    engine = create_engine(url)
    try:
        with engine.begin() as con:
            return work(con)
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    return set(run(url, lambda con: inspect(con).get_table_names()))


def schema_diffs(con: Connection) -> list[Any]:
    """What autogenerate would change to make the database match ``metadata``."""
    context = MigrationContext.configure(con, opts={"version_table": VERSION_TABLE,
                                                    "include_name": ours})
    return list(compare_metadata(context, metadata))


def described(con: Connection) -> dict[str, Any]:
    """Every store table as reflected: columns, keys, indexes, unique constraints."""
    found = inspect(con)

    def key(items: list[dict[str, Any]], *fields: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(str(item.get(f)) for f in fields) for item in items)

    return {name: {
        "columns": [(c["name"], str(c["type"]), c["nullable"])
                    for c in found.get_columns(name)],
        "primary key": found.get_pk_constraint(name)["constrained_columns"],
        "foreign keys": key(list(found.get_foreign_keys(name)), "constrained_columns",
                            "referred_table", "referred_columns"),
        "indexes": key(list(found.get_indexes(name)), "name", "column_names", "unique"),
        "unique": key(list(found.get_unique_constraints(name)), "column_names"),
    } for name in sorted(metadata.tables)}


def version_rows(url: str, table: str) -> list[str]:
    return [r[0] for r in run(url, lambda con: con.execute(
        text(f"SELECT version_num FROM {table}")).all())]


def kind_of(url: str) -> str:
    return make_url(url).get_backend_name()


# -------------------------------------------------------------------------------- tests

def test_a_new_store_is_migrated_to_head(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store.schema_revision() == head()
        assert store.schema_version() == 1
    assert version_rows(db_url, VERSION_TABLE) == [head()]
    assert tables(db_url) == set(metadata.tables) | {VERSION_TABLE}  # no alembic_version
    with open_store(db_url) as store:  # opening again changes nothing
        assert store.schema_revision() == head()
    assert version_rows(db_url, VERSION_TABLE) == [head()]


def test_an_in_memory_store_is_migrated_too() -> None:
    with open_store("sqlite://") as store:
        assert store.schema_revision() == head()
        assert store_records(store, [A], kind="file", origin="a.csv").added == 1
        assert stored_records(store) == [A]


def test_the_baseline_is_the_first_revision() -> None:
    revisions = list(script_directory().walk_revisions())
    assert revisions[-1].revision == BASELINE
    assert revisions[-1].down_revision is None


def test_the_migrated_schema_is_the_declared_schema(db_url: str) -> None:
    open_store(db_url).close()
    assert run(db_url, schema_diffs) == []


def test_migrations_make_what_create_all_makes(
        db_url: str, new_database: Callable[[str], str]) -> None:
    open_store(db_url).close()
    made = new_database(kind_of(db_url))
    engine = create_engine(made)
    metadata.create_all(engine)
    engine.dispose()
    assert run(db_url, described) == run(made, described)
    if kind_of(db_url) == "sqlite":  # the very same DDL, statement by statement
        ddl = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '%alembic%'"
        assert (sorted(run(db_url, lambda con: con.execute(text(ddl)).all()))
                == sorted(run(made, lambda con: con.execute(text(ddl)).all())))


def test_a_store_from_before_migrations_is_stamped_and_kept(db_url: str) -> None:
    make_legacy_store(db_url)
    assert VERSION_TABLE not in tables(db_url)
    with open_store(db_url) as store:
        assert store.schema_revision() == head()
        assert stored_records(store) == [A, B]
        assert [(e.kind, e.origin, e.added) for e in store.imports()] == [("file", "old.csv", 2)]
        assert store.schema_version() == 1
        assert store_records(store, [B], kind="file", origin="again.csv").skipped == 1
    lineage = [s.revision for s in script_directory().iterate_revisions(head(), "base")]
    assert lineage[-1] == BASELINE
    assert version_rows(db_url, VERSION_TABLE) == [head()]
    assert run(db_url, schema_diffs) == []


def test_a_store_from_before_the_directory_gains_its_tables(db_url: str) -> None:
    make_legacy_store(db_url, BEFORE_DIRECTORY)
    assert "directory_entries" not in tables(db_url)
    with open_store(db_url) as store:
        assert store.schema_revision() == head()
        assert stored_records(store) == [A, B]
    assert tables(db_url) == set(metadata.tables) | {VERSION_TABLE}
    assert run(db_url, schema_diffs) == []


def test_a_store_from_before_migrations_marked_newer_is_refused(db_url: str) -> None:
    make_legacy_store(db_url)
    run(db_url, lambda con: con.execute(LEGACY_META.update().values(value="2")))
    with pytest.raises(StoreError, match=r": the store's schema version 2 is newer than this "
                       r"toolkit's \(1\); upgrade the toolkit$"):
        open_store(db_url)
    assert VERSION_TABLE not in tables(db_url)


def test_an_unknown_revision_is_refused_naming_the_store(db_url: str) -> None:
    open_store(db_url).close()
    run(db_url, lambda con: con.execute(
        text(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff9999'")))
    url = db_url
    if kind_of(db_url) == "postgresql":  # the test server trusts loopback: any password works
        url = make_url(db_url).set(password="secret").render_as_string(hide_password=False)
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert re.fullmatch(
        re.escape(f"{safe_url(url)}: the store's schema is newer than this toolkit's; "
                  f"upgrade the toolkit (revision ffff9999, this toolkit's newest is {head()})"),
        message), message
    assert "secret" not in message
    assert version_rows(db_url, VERSION_TABLE) == ["ffff9999"]  # left alone


CHILD = """
import sys, time
from pathlib import Path
from competency.store.database import open_store
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.002)
with open_store(url) as store:
    print(store.schema_revision())
"""


def test_four_processes_open_a_new_store_at_once(db_url: str, tmp_path: Path) -> None:
    src = str(Path(competency.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    go = tmp_path / "go"
    ready = [tmp_path / f"ready{n}" for n in range(4)]
    children = [subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(r), str(go)],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for r in ready]
    try:
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            assert all(c.poll() is None for c in children), "a process ended early"
            time.sleep(0.01)
        go.touch()  # all four are imported and waiting: open the store together
        results = [c.communicate(timeout=180) for c in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert [(c.returncode, out, err) for c, (out, err) in zip(children, results, strict=True)
            ] == [(0, f"{head()}\n", "")] * 4
    assert version_rows(db_url, VERSION_TABLE) == [head()]
    assert run(db_url, lambda con: con.execute(text(
        "SELECT count(*) FROM competency_meta")).scalar_one()) == 1
    assert run(db_url, schema_diffs) == []


# ---------------------------------------------------------- sharing a database with nbgrader

def gradebook_tables(url: str) -> set[str]:
    return tables(url) - set(metadata.tables) - {VERSION_TABLE, "alembic_version"}


def test_a_gradebook_then_the_store_share_one_database(db_url: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        gb.add_student("s1", first_name="Ada")
    nbgrader_revision = version_rows(db_url, "alembic_version")
    nbgrader_tables = gradebook_tables(db_url)
    assert len(nbgrader_revision) == 1
    assert {"student", "assignment", "grade"} <= nbgrader_tables

    with open_store(db_url) as store:
        assert store.schema_revision() == head()
        store_records(store, [A], kind="file", origin="a.csv")
    assert version_rows(db_url, "alembic_version") == nbgrader_revision  # untouched
    assert version_rows(db_url, VERSION_TABLE) == [head()]
    assert gradebook_tables(db_url) == nbgrader_tables
    assert run(db_url, schema_diffs) == []  # nbgrader's tables are not ours to compare
    with Gradebook(db_url) as gb:
        assert [s.id for s in gb.students] == ["s1"]
    with open_store(db_url) as store:
        assert stored_records(store) == [A]
    assert version_rows(db_url, "alembic_version") == nbgrader_revision


def test_the_store_then_a_gradebook_share_one_database(db_url: str) -> None:
    from nbgrader.api import Gradebook

    with open_store(db_url) as store:
        store_records(store, [A], kind="file", origin="a.csv")
    assert "alembic_version" not in tables(db_url)  # the store never writes nbgrader's table

    with Gradebook(db_url) as gb:
        gb.add_student("s1", first_name="Ada")
    assert {"student", "assignment", "grade"} <= gradebook_tables(db_url)
    # nbgrader records its own revision only when it finds the database empty, so here
    # there is no alembic_version (nbgrader's behaviour; see docs/evidence-and-reviews.md)
    assert "alembic_version" not in tables(db_url)
    assert version_rows(db_url, VERSION_TABLE) == [head()]
    with open_store(db_url) as store:
        assert store.schema_revision() == head()
        assert stored_records(store) == [A]
    with Gradebook(db_url) as gb:
        assert [s.id for s in gb.students] == ["s1"]
    assert run(db_url, lambda con: current_revisions(con)) == (head(),)
