"""The store's schema migrations (Alembic), run by :func:`~competency.store.database.open_store`.

This folder is an Alembic environment (``env.py``, ``script.py.mako``, ``versions/``)
run without ``alembic.ini``; developers reach it with the ``alembic`` command from the
repository root, configured by ``[tool.alembic]`` in ``pyproject.toml`` (see
docs/evidence-and-reviews.md). The revision reached is recorded in the table
:data:`VERSION_TABLE`, named for the toolkit so that a database shared with an
nbgrader gradebook keeps nbgrader's ``alembic_version`` apart.

:func:`upgrade_store` brings any store to the newest revision (``head``):

* a new database gets every table from the migrations;
* a store made before migrations (``competency_meta.schema_version`` = 1, no version
  table) is adopted by the baseline revision, which creates only the tables such a
  store lacks, leaving its rows as they are: the store ends up stamped at
  :data:`BASELINE` and is then upgraded like any other;
* a store whose revision this toolkit does not know (written by a newer toolkit) is
  refused.

One process migrates at a time: on SQLite the work runs in a ``BEGIN IMMEDIATE``
transaction (the others wait for the write lock), on PostgreSQL under a
transaction-scoped advisory lock, and every step, from reading the version to the
last ``CREATE``, is one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from competency.errors import StoreError
from competency.store.schema import SCHEMA_VERSION, meta_table, metadata

VERSION_TABLE = "competency_alembic_version"
"""Where Alembic records the store's revision (nbgrader's gradebook uses ``alembic_version``)."""
BASELINE = "0001"
"""The first revision: the schema of the toolkits from before migrations (schema version 1)."""
MIGRATIONS = Path(__file__).resolve().parent
"""The Alembic environment: ``env.py``, ``script.py.mako``, ``versions/``."""
LOCK_WAIT_SECONDS = 120
"""How long a process waits for another one's migration (SQLite busy timeout)."""
_PG_LOCK_KEY = 0x636F6D70  # "comp": the advisory lock taken while migrating


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the store's migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    """The store's revisions."""
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this toolkit knows."""
    found = script_directory().get_current_head()
    assert found is not None, "the store has no migrations"
    return found


def ours(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    """Whether Alembic should look at a database object: only the store's own tables.

    (``include_name`` hook: nbgrader's tables in a shared database are not ours to
    compare or drop.)
    """
    return kind != "table" or name in metadata.tables


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The revisions recorded in the store's version table (none before migrations)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads())


def upgrade_store(engine: Engine, where: str) -> None:
    """Migrate the store behind ``engine`` to :func:`head`; ``where`` names it in errors.

    A file-backed SQLite store is migrated through an engine of its own, whose
    transactions begin with ``BEGIN IMMEDIATE``; an in-memory one, which only this
    engine can see, through ``engine`` itself.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        _upgrade(engine, where)
        return
    migrator = create_engine(url, poolclass=NullPool)
    _immediate_transactions(migrator)
    try:
        _upgrade(migrator, where)
    finally:
        migrator.dispose()


def _upgrade(engine: Engine, where: str) -> None:
    with engine.begin() as con:
        if engine.dialect.name == "postgresql":
            con.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        tables = set(inspect(con).get_table_names())
        if VERSION_TABLE in tables:
            _check_known(current_revisions(con), where)
        if meta_table.name in tables:
            _check_schema_version(con, where)
        # A store from before migrations has no version table: the baseline adopts it
        # (creating only what it lacks) and records its revision, i.e. stamps it.
        command.upgrade(alembic_config(con), "head")
        found = con.execute(select(meta_table.c.value).where(
            meta_table.c.name == "schema_version")).scalar_one_or_none()
        if found is None:
            con.execute(meta_table.insert().values(name="schema_version",
                                                   value=str(SCHEMA_VERSION)))


def _check_known(revisions: tuple[str, ...], where: str) -> None:
    script = script_directory()
    for revision in revisions:
        try:
            known = script.get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            raise StoreError(f"{where}: the store's schema is newer than this toolkit's; "
                             f"upgrade the toolkit (revision {revision}, this toolkit's "
                             f"newest is {head()})")


def _check_schema_version(con: Connection, where: str) -> None:
    """Refuse a store marked newer in ``competency_meta`` (as toolkits before migrations do)."""
    found = con.execute(select(meta_table.c.value).where(
        meta_table.c.name == "schema_version")).scalar_one_or_none()
    if found is not None and int(found) > SCHEMA_VERSION:
        raise StoreError(f"{where}: the store's schema version {found} is newer "
                         f"than this toolkit's ({SCHEMA_VERSION}); upgrade the toolkit")


def _immediate_transactions(engine: Engine) -> None:
    """SQLite: take the write lock when a transaction begins, and wait for it.

    pysqlite would otherwise begin transactions lazily (and not at all for DDL), so two
    processes could both find a new store empty and both create its tables.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves
        dbapi_connection.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")

    @event.listens_for(engine, "begin")
    def _begin(con: Connection) -> None:
        con.exec_driver_sql("BEGIN IMMEDIATE")
