"""The store: SQLAlchemy schema and connection (SQLite or PostgreSQL).

The names of the former module ``competency.store`` are re-exported here, so
``from competency.store import ...`` keeps working.
"""

from competency.store.database import (
    KEY_BATCH,
    ImportLog,
    ImportResult,
    Store,
    make_engine,
    open_store,
    safe_url,
    utcnow,
)
from competency.store.schema import (
    SCHEMA_VERSION,
    evidence_table,
    imports_table,
    meta_table,
    metadata,
    reviews_table,
)

__all__ = [
    "KEY_BATCH",
    "SCHEMA_VERSION",
    "ImportLog",
    "ImportResult",
    "Store",
    "evidence_table",
    "imports_table",
    "make_engine",
    "meta_table",
    "metadata",
    "open_store",
    "reviews_table",
    "safe_url",
    "utcnow",
]
