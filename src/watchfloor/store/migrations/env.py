"""Alembic environment: runs on the connection that watchfloor.store.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from watchfloor.store.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite can alter only a few things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "watchfloor migrations run through `watchfloor init` (watchfloor.store.migrate), "
        "not the alembic command line"
    )
run(connection)
