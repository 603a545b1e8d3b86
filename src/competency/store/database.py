"""The evidence store: SQLAlchemy persistence, SQLite by default, PostgreSQL by URL.

Tables (created on first use and migrated by :mod:`competency.store.migrations`; the
Alembic revision is kept in ``competency_alembic_version``, the pre-migration schema
version in ``competency_meta``):

* ``evidence``: append-only evidence records. ``import_key`` is a hash of the
  record's content and source and is unique, so importing the same records
  twice adds nothing: rows go in with INSERT ... ON CONFLICT (import_key) DO
  NOTHING, so concurrent imports of the same file neither fail nor double a record.
* ``imports``: one row per import (when, what kind, from where, rows added,
  skipped and pending).
* ``reviews``: the training review log when it is kept in the store
  (see :mod:`competency.training.reviews`), append-only with a unique ``review_key``.

URLs are SQLAlchemy's: ``sqlite:////abs/path/competency.db`` or
``postgresql+psycopg://user:password@host:5432/db`` (``pip install
"psycopg[binary]"``). Times are stored as naive UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    create_engine,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from competency.errors import StoreError
from competency.store.migrations import LOCK_WAIT_SECONDS, current_revisions, upgrade_store
from competency.store.schema import imports_table, meta_table

KEY_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    import_id: int
    """Row of the ``imports`` log."""
    added: int
    """Records newly stored."""
    skipped: int
    """Records already in the store (same content and source), not stored again."""
    pending: int = 0
    """Results not yet decided (awaiting manual grading), not stored."""
    warnings: tuple[str, ...] = ()
    """Problems that did not stop the import (e.g. staff ids not in the staff table)."""


@dataclass(frozen=True)
class ImportLog:
    """One row of the ``imports`` log."""

    id: int
    """Row number, in import order."""
    imported_at: dt.datetime
    """When (UTC)."""
    kind: str
    """``file`` or ``gradebook``."""
    origin: str
    """The file imported or the gradebook URL (without password)."""
    added: int
    """Records added."""
    skipped: int
    """Records skipped as already stored."""
    pending: int
    """Results awaiting manual grading."""


def utcnow() -> dt.datetime:
    """The current time in UTC, naive (as stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Store:
    """An open evidence store. Use :func:`open_store` (or as a context manager)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        """The URL it was opened with."""
        self.engine = engine
        """The SQLAlchemy engine."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    @property
    def where(self) -> str:
        """The URL without password, for messages."""
        return safe_url(self.url)

    def schema_version(self) -> int:
        """The pre-migration schema version recorded in ``competency_meta`` (see
        :data:`~competency.store.schema.SCHEMA_VERSION`)."""
        with self.engine.connect() as con:
            value = con.execute(select(meta_table.c.value).where(
                meta_table.c.name == "schema_version")).scalar_one()
        return int(value)

    def schema_revision(self) -> str | None:
        """The Alembic revision of the store's schema (see :mod:`competency.store.migrations`)."""
        with self._connect() as con:
            found = current_revisions(con)
        return found[0] if found else None

    def imports(self) -> list[ImportLog]:
        """The import log, oldest first."""
        t = imports_table.c
        with self._connect() as con:
            rows = con.execute(select(imports_table).order_by(t.id)).all()
        return [ImportLog(r.id, r.imported_at, r.kind, r.origin, r.rows_added, r.rows_skipped,
                          r.rows_pending) for r in rows]

    # ------------------------------------------------------------------ generic append

    def append_rows(self, table: Table, key_column: str, rows: Sequence[Mapping[str, Any]]
                    ) -> tuple[int, int]:
        """Insert rows whose key is new; ``(added, skipped)``. One transaction."""
        with self._begin() as con:
            return self._insert_new(con, table, key_column, rows)

    def rows(self, table: Table, *order: str) -> list[dict[str, Any]]:
        """Every row of a table as dicts, ordered by the named columns."""
        with self._connect() as con:
            result = con.execute(select(table).order_by(*(table.c[o] for o in order)))
            return [dict(r._mapping) for r in result]

    def append_logged(self, table: Table, key_column: str, rows: list[dict[str, Any]], *,
                      kind: str, origin: str, pending: int = 0) -> ImportResult:
        """Insert rows whose key is new and log the import in ``imports``; one transaction."""
        now = utcnow()
        with self._begin() as con:
            import_id = int(con.execute(imports_table.insert().values(
                imported_at=now, kind=kind, origin=origin, rows_added=0, rows_skipped=0,
                rows_pending=pending)).inserted_primary_key[0])
            for row in rows:
                row["imported_at"] = now
                row["import_id"] = import_id
            added, skipped = self._insert_new(con, table, key_column, rows)
            con.execute(imports_table.update().where(imports_table.c.id == import_id)
                        .values(rows_added=added, rows_skipped=skipped))
        return ImportResult(import_id, added, skipped, pending)

    def _insert_new(self, con: Connection, table: Table, key_column: str,
                    rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
        """Insert-on-conflict-do-nothing on the unique ``key_column``: ``(added, skipped)``.

        The database decides which keys are new, in the same statement that stores
        them, so concurrent imports of the same records neither fail nor double them;
        the rows the statement returns are the ones added.
        """
        fresh: dict[str, Mapping[str, Any]] = {}
        for row in rows:
            fresh.setdefault(row[key_column], row)
        values = list(fresh.values())
        key = table.c[key_column]
        added = 0
        for start in range(0, len(values), KEY_BATCH):
            batch = values[start:start + KEY_BATCH]
            statement = _insert(con, table).on_conflict_do_nothing(
                index_elements=[key]).returning(key)
            added += len(con.execute(statement, batch).all())
        return added, len(rows) - added

    def _connect(self) -> Any:
        try:
            return self.engine.connect()
        except OperationalError as exc:
            raise _connect_error(self.url, exc) from exc

    def _begin(self) -> Any:
        return self.write()

    @contextmanager
    def write(self, lock: Sequence[Table] = ()) -> Iterator[Connection]:
        """A write transaction: committed at the end, rolled back on an error.

        On SQLite it starts with ``BEGIN IMMEDIATE``, so concurrent writers take turns
        (waiting up to :data:`~competency.store.migrations.LOCK_WAIT_SECONDS`) instead
        of failing when a transaction that has read wants to write. On PostgreSQL the
        tables in ``lock`` are locked against other writers (readers go on), for
        transactions that read before they write; inserts on a unique key need no lock.
        """
        with self._connect() as con:
            try:
                if con.dialect.name == "sqlite":
                    con.exec_driver_sql("BEGIN IMMEDIATE")  # the driver sees it and commits
                elif con.dialect.name == "postgresql":
                    for table in lock:
                        con.exec_driver_sql(f'LOCK TABLE "{table.name}" IN SHARE ROW '
                                            "EXCLUSIVE MODE")
            except OperationalError as exc:
                con.rollback()
                raise _connect_error(self.url, exc) from exc
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()


def _connect_error(url: str, exc: Exception) -> StoreError:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    return StoreError(f"{safe_url(url)}: cannot open the store ({detail[0] if detail else exc})")


def _check_exists(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # make_engine says what is wrong with it
    database = parsed.database
    if (parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
            and not Path(str(database)).is_file()):
        raise StoreError(f"{safe_url(url)}: no store there ({database} does not exist)")


def _insert(con: Connection, table: Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``."""
    if con.dialect.name == "postgresql":
        return postgresql_insert(table)
    if con.dialect.name == "sqlite":
        return sqlite_insert(table)
    raise StoreError(f"unsupported database ({con.dialect.name}); use SQLite or PostgreSQL")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (an SQLite file's folder is created when missing)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url}: not a database URL (e.g. sqlite:///competency.db or "
                         "postgresql+psycopg://user@host/db)") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            return create_engine(parsed, connect_args={"timeout": LOCK_WAIT_SECONDS})
        return create_engine(parsed)
    except NoSuchModuleError as exc:
        raise StoreError(f"{safe_url(url)}: unknown database driver "
                         f"({parsed.drivername})") from exc
    except ModuleNotFoundError as exc:
        raise StoreError(f"{safe_url(url)}: the driver is not installed ({exc.name}); for "
                         'PostgreSQL: pip install "psycopg[binary]"') from exc


def open_store(url: str, *, create: bool = True) -> Store:
    """Open the store at ``url``, creating it or migrating its schema to this toolkit's.

    A new database gets every table; an older store is upgraded (see
    :mod:`competency.store.migrations`); a store written by a newer toolkit is refused.
    With ``create=False`` (commands that only read) an SQLite file that does not
    exist is a :class:`StoreError` rather than a new, empty store.
    """
    if not create:
        _check_exists(url)
    engine = make_engine(url)
    try:
        upgrade_store(engine, safe_url(url))
    except OperationalError as exc:
        engine.dispose()
        raise _connect_error(url, exc) from exc
    except BaseException:
        engine.dispose()
        raise
    return Store(url, engine)
