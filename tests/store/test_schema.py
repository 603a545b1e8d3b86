from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from competency.store.schema import (
    DIRECTORY_TEXT_FIELDS,
    SCHEMA_VERSION,
    entries_table,
    evidence_table,
    imports_table,
    meta_table,
    metadata,
    versions_table,
)


def test_the_schema_creates_every_table_on_an_empty_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    metadata.create_all(engine)
    names = set(inspect(engine).get_table_names())
    assert names == {"competency_meta", "imports", "evidence", "reviews",
                     "directory_entries", "directory_versions", "directory_tags"}
    assert SCHEMA_VERSION >= 1
    engine.dispose()


def test_entry_and_version_tables_share_the_directory_text_columns() -> None:
    for table in (entries_table, versions_table):
        assert set(DIRECTORY_TEXT_FIELDS) <= set(table.c.keys())
        assert {"name", "verified_on", "verified_by"} <= set(table.c.keys())


def test_evidence_import_key_is_unique(tmp_path: Path) -> None:
    import datetime

    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    metadata.create_all(engine)
    now = datetime.datetime(2024, 5, 1, 12, 0)
    row = {"staff_id": "S1", "competency": "LAW-1", "level": 1,
           "achieved_on": datetime.date(2024, 4, 30), "source": "test", "imported_at": now,
           "import_id": 1, "import_key": "k1"}
    with engine.begin() as con:
        con.execute(insert(meta_table).values(name="schema_version", value=str(SCHEMA_VERSION)))
        con.execute(insert(imports_table).values(imported_at=now, kind="evidence", origin="t",
                                                 rows_added=1, rows_skipped=0))
        con.execute(insert(evidence_table).values(**row))
    with pytest.raises(IntegrityError), engine.begin() as con:
        con.execute(insert(evidence_table).values(**row))
    with engine.connect() as con:
        assert con.execute(select(evidence_table.c.staff_id)).scalars().all() == ["S1"]
        assert con.execute(select(imports_table.c.rows_pending)).scalar_one() == 0
    engine.dispose()
