"""store: documents, statements, failures and feed state in SQLite or PostgreSQL.

- engine: where the store is (`WATCHFLOOR_HOME`, `WATCHFLOOR_DATABASE_URL`) and how to connect.
- migrate: create, upgrade and check the schema (Alembic migrations shipped in migrations/).
- models: the tables. repository: the functions the CLI, API and web UI call.

The store is the ground floor: it imports the stages' `records` modules (the vocabulary it
persists) and no stage logic. Ingestion and the feed loop live in `ingest/`, the stored
watchlist in `link/`.
"""

# The login tables live in a module of their own (models.py is full); importing it here puts
# them in Base.metadata wherever the models are.
from watchfloor.store import logins as logins
from watchfloor.store.engine import StoreError, database_url, make_engine, transaction
from watchfloor.store.migrate import require_current, upgrade

__all__ = [
    "StoreError",
    "database_url",
    "make_engine",
    "require_current",
    "transaction",
    "upgrade",
]
