"""The store's schema: every table the toolkit keeps, on one :data:`metadata`.

The tables belong to their areas (evidence, training reviews, the community
directory) but are declared here, so that opening a store never has to import
an area to know what to create, and so that migrations see one schema.
"""

from __future__ import annotations

from typing import Any

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
)

SCHEMA_VERSION = 1
"""The ``schema_version`` kept in ``competency_meta`` for toolkits from before migrations,
which refuse a store with a higher one. Changes to the tables below are Alembic revisions
(:mod:`competency.store.migrations`); raise this only for a change such toolkits could
no longer read safely."""
metadata = MetaData()

meta_table = Table(
    "competency_meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

imports_table = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", DateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("origin", Text, nullable=False),
    Column("rows_added", Integer, nullable=False),
    Column("rows_skipped", Integer, nullable=False),
    Column("rows_pending", Integer, nullable=False, default=0),
)

evidence_table = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff_id", String(128), nullable=False, index=True),
    Column("competency", String(64), nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("achieved_on", Date, nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    Column("import_key", String(64), nullable=False, unique=True),
)

reviews_table = Table(
    "reviews", metadata,
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
    Column("review_key", String(64), nullable=False, unique=True),
)


# --------------------------------------------------------------- community directory

DIRECTORY_TEXT_FIELDS = ("communities", "languages", "areas", "skills", "capacity",
                         "contact_role", "contact")
"""Directory entry columns kept as text (lists joined by the vocabulary's separator)."""


def _entry_columns() -> list[Column[Any]]:
    return [Column("name", Text, nullable=False),
            *(Column(f, Text, nullable=False) for f in DIRECTORY_TEXT_FIELDS),
            Column("verified_on", Date, nullable=False),
            Column("verified_by", Text, nullable=False)]


entries_table = Table(
    "directory_entries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_key", String(255), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    *_entry_columns(),
)
versions_table = Table(
    "directory_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", Integer, ForeignKey("directory_entries.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("change", String(16), nullable=False),
    Column("origin", Text, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    *_entry_columns(),
    UniqueConstraint("entry_id", "version"),
)
tags_table = Table(
    "directory_tags", metadata,
    Column("entry_id", Integer, ForeignKey("directory_entries.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("value", String(255), primary_key=True),
    Index("ix_directory_tags_kind_value", "kind", "value"),
)
