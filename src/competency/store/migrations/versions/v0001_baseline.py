"""Baseline: the store's schema as the toolkits from before migrations made it.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

The same tables, indexes and constraints as ``metadata.create_all`` made with schema
version 1 (written out here, not taken from :mod:`competency.store.schema`, so that
later changes to the schema do not change this revision).

A store made before migrations is adopted by this revision too: it creates only the
tables that are missing (those of the community directory, in a store from before the
directory existed) and leaves the others, and their rows, as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTRY_TEXT = ("communities", "languages", "areas", "skills", "capacity", "contact_role",
              "contact")


def _entry_columns() -> list[sa.Column[Any]]:
    return [sa.Column("name", sa.Text(), nullable=False),
            *(sa.Column(field, sa.Text(), nullable=False) for field in ENTRY_TEXT),
            sa.Column("verified_on", sa.Date(), nullable=False),
            sa.Column("verified_by", sa.Text(), nullable=False)]


def competency_meta() -> None:
    op.create_table(
        "competency_meta",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def imports() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_pending", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def evidence() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("competency", sa.String(length=64), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_key"),
    )
    op.create_index("ix_evidence_staff_id", "evidence", ["staff_id"], unique=False)


def reviews() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.String(length=128), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("framework_version", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("competencies", sa.Text(), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("next_review_due", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("review_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_key"),
    )
    op.create_index("ix_reviews_course_id", "reviews", ["course_id"], unique=False)


def directory_entries() -> None:
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_entry_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )


def directory_versions() -> None:
    op.create_table(
        "directory_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        *_entry_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "version"),
        sa.ForeignKeyConstraint(["entry_id"], ["directory_entries.id"]),
    )


def directory_tags() -> None:
    op.create_table(
        "directory_tags",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["directory_entries.id"]),
        sa.PrimaryKeyConstraint("entry_id", "kind", "value"),
    )
    op.create_index("ix_directory_tags_kind_value", "directory_tags", ["kind", "value"],
                    unique=False)


TABLES: dict[str, Callable[[], None]] = {
    "competency_meta": competency_meta,
    "imports": imports,
    "evidence": evidence,
    "reviews": reviews,
    "directory_entries": directory_entries,
    "directory_versions": directory_versions,
    "directory_tags": directory_tags,
}
"""Each table and what creates it, in an order that respects the foreign keys."""


def upgrade() -> None:
    """Create the tables the store lacks (all of them in a new database)."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()


def downgrade() -> None:
    """Drop every table of the baseline (and its rows)."""
    for name in reversed(TABLES):
        op.drop_table(name)
