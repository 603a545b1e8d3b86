"""The evidence store on SQLite and PostgreSQL: tables, append-only imports, the schema version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, update

from competency.errors import StoreError
from competency.evidence.records import EvidenceRecord, store_records, stored_records
from competency.store.database import open_store, safe_url
from competency.store.schema import SCHEMA_VERSION, meta_table

A = EvidenceRecord("s1", "LAW-1", 2, dt.date(2025, 1, 10), "ext-edhr-elearning")
B = EvidenceRecord("s2", "CUL-1", 1, dt.date(2024, 2, 29), "nbgrader:02-cultural-capability")


def test_first_use_creates_the_tables_and_records_the_schema_version(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert stored_records(store) == []
        assert store.imports() == []
    engine = create_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"competency_meta", "evidence", "imports", "reviews"} <= tables


def test_importing_the_same_records_twice_adds_nothing(db_url: str) -> None:
    with open_store(db_url) as store:
        first = store_records(store, [A, B, A], kind="file", origin="a.csv")
        second = store_records(store, [B, A], kind="file", origin="a.csv")
        assert (first.added, first.skipped) == (2, 1)
        assert (second.added, second.skipped) == (0, 2)
        assert stored_records(store) == [A, B]
    with open_store(db_url) as store:  # reopening keeps everything
        log = store.imports()
        assert [(e.id, e.kind, e.origin, e.added, e.skipped, e.pending) for e in log] == [
            (first.import_id, "file", "a.csv", 2, 1, 0),
            (second.import_id, "file", "a.csv", 0, 2, 0)]
        assert all(isinstance(e.imported_at, dt.datetime) for e in log)


def test_a_different_source_is_a_different_record(db_url: str) -> None:
    other = EvidenceRecord(A.staff_id, A.competency, A.level, A.achieved_on, "another course")
    assert other.key != A.key
    with open_store(db_url) as store:
        assert store_records(store, [A, other], kind="file", origin="x").added == 2


def test_a_newer_schema_is_refused(db_url: str) -> None:
    with open_store(db_url):
        pass
    engine = create_engine(db_url)
    with engine.begin() as con:
        con.execute(update(meta_table).values(value=str(SCHEMA_VERSION + 1)))
    engine.dispose()
    with pytest.raises(StoreError, match=rf": the store's schema version {SCHEMA_VERSION + 1} "
                       rf"is newer than this toolkit's \({SCHEMA_VERSION}\); upgrade the "
                       "toolkit$"):
        open_store(db_url)


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'competency.db'}"
    with open_store(url) as store:
        store_records(store, [A], kind="file", origin="a.csv")
    assert (tmp_path / "new" / "folder" / "competency.db").is_file()


@pytest.mark.parametrize(("url", "message"), [
    ("not a url", r"^not a url: not a database URL \(e\.g\. sqlite:///competency\.db or "
                  r"postgresql\+psycopg://user@host/db\)$"),
    ("nosuchdb://x/y", r"^nosuchdb://x/y: unknown database driver \(nosuchdb\)$"),
    ("postgresql+psycopg://someone:secret@127.0.0.1:1/none",
     r"^postgresql\+psycopg://someone:\*\*\*@127\.0\.0\.1:1/none: cannot open the store "
     r"\(.*\)$"),
])
def test_bad_urls_are_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        open_store(url)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_safe_url_hides_the_password() -> None:
    assert safe_url("postgresql+psycopg://u:pw@h:5432/d") == "postgresql+psycopg://u:***@h:5432/d"
    assert safe_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
