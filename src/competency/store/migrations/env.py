"""Alembic's environment for the store: run by :func:`competency.store.migrations.upgrade_store`.

The toolkit passes an open connection, already inside the transaction that holds the
migration lock, in ``config.attributes["connection"]``. Run from the ``alembic``
command (a developer writing a migration), the database comes from ``-x url=URL``.
Only the store's own tables are compared and migrated, so a database shared with an
nbgrader gradebook is left alone; the version table is ``competency_alembic_version``,
not nbgrader's ``alembic_version``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from competency.store.migrations import VERSION_TABLE, ours
from competency.store.schema import metadata


def run(connection: Connection) -> None:
    """Run the migrations Alembic was asked for on ``connection``."""
    options: dict[str, Any] = {"connection": connection, "target_metadata": metadata,
                               "version_table": VERSION_TABLE, "include_name": ours,
                               "render_as_batch": connection.dialect.name == "sqlite"}
    context.configure(**options)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    """Use the toolkit's connection, else the ``-x url=URL`` of the ``alembic`` command."""
    given = context.config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("name the database: alembic -x url=sqlite:///dev.db ...")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()


main()
