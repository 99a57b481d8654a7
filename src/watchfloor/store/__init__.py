"""store: documents, statements, failures and feed state in SQLite or PostgreSQL.

- engine: where the store is (`WATCHFLOOR_HOME`, `WATCHFLOOR_DATABASE_URL`) and how to connect.
- migrate: create, upgrade and check the schema (Alembic migrations shipped in migrations/).
- models: the tables. repository: the functions the CLI, API and web UI call.

The store is the ground floor: it imports the stages' `records` modules (the vocabulary it
persists) and no stage logic. Ingestion and the feed loop live in `ingest/`, the stored
watchlist in `link/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.lazy import lazy_attribute

# The login and shared-objects tables live in modules of their own (models.py is at its size
# limit); importing them here puts them in Base.metadata wherever the models are.
from watchfloor.store import logins as logins
from watchfloor.store import sharing as sharing
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

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.store.audit import Anchor as Anchor
    from watchfloor.store.audit import anchor as audit_anchor  # noqa: F401
    from watchfloor.store.audit import append as append_audit  # noqa: F401
    from watchfloor.store.audit import verify as verify_audit  # noqa: F401
    from watchfloor.store.engine import describe as describe
    from watchfloor.store.models import AuditEntry as AuditEntry
    from watchfloor.store.models import Document as Document
    from watchfloor.store.models import Statement as Statement
    from watchfloor.store.models import User as User
    from watchfloor.store.repository import HIT_END as HIT_END
    from watchfloor.store.repository import HIT_START as HIT_START
    from watchfloor.store.repository import Filters as Filters
    from watchfloor.store.repository import find_documents as find_documents
    from watchfloor.store.repository import find_statements as find_statements
    from watchfloor.store.repository import list_failures as list_failures
    from watchfloor.store.repository import search as search

_LAZY = {
    "Anchor": "audit",
    "AuditEntry": "models",
    "Document": "models",
    "Filters": "repository",
    "HIT_END": "repository",
    "HIT_START": "repository",
    "Statement": "models",
    "User": "models",
    "append_audit": "audit:append",
    "audit_anchor": "audit:anchor",
    "describe": "engine",
    "find_documents": "repository",
    "find_statements": "repository",
    "list_failures": "repository",
    "search": "repository",
    "verify_audit": "audit:verify",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
