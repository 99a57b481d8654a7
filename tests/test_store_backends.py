"""The store's backends: where it lives, its connection settings, its schema revisions.

The `backend` and `store` fixtures every store test uses live in conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PG_DEFAULT, Backend
from sqlalchemy import Engine, text

from watchfloor.store.engine import StoreError, database_url, make_engine
from watchfloor.store.migrate import head_revision, require_current, schema_state, upgrade

# --- tests ----------------------------------------------------------------------------------


def test_default_store_is_sqlite_in_var_and_home_moves_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("WATCHFLOOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("WATCHFLOOR_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / 'var' / 'watchfloor.db'}"
    monkeypatch.setenv("WATCHFLOOR_HOME", str(tmp_path / "elsewhere"))
    assert database_url() == f"sqlite:///{tmp_path / 'elsewhere' / 'watchfloor.db'}"
    monkeypatch.setenv("WATCHFLOOR_DATABASE_URL", PG_DEFAULT)
    assert database_url() == PG_DEFAULT


def test_unsupported_or_malformed_url_is_refused_with_the_fix() -> None:
    with pytest.raises(StoreError, match="only SQLite and PostgreSQL"):
        make_engine("mysql://someone@localhost/db")
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("not a url")


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'w.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "deep" / "folder" / "w.db").exists()


def test_upgrade_creates_the_schema_and_is_idempotent(backend: Backend) -> None:
    engine = make_engine(backend.url)
    assert schema_state(engine).current is None
    with pytest.raises(StoreError, match="watchfloor init"):
        require_current(engine)
    before = upgrade(engine)
    assert before.current is None
    assert schema_state(engine).current == head_revision()
    again = upgrade(engine)
    assert again.up_to_date
    require_current(engine)
    engine.dispose()


def test_a_store_newer_than_the_code_is_refused(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfacef00d'"))
    for attempt in (lambda: require_current(store), lambda: upgrade(store)):
        with pytest.raises(StoreError, match="newer watchfloor") as caught:
            attempt()
        assert "f00dfacef00d" in str(caught.value)


def test_full_text_index_exists_for_the_backend(store: Engine) -> None:
    with store.connect() as connection:
        if store.dialect.name == "sqlite":
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'documents_fts%'"
            ).scalars()
            assert "documents_fts" in set(names)
        else:
            kind = connection.execute(
                text(
                    "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am am ON am.oid = c.relam "
                    "WHERE c.relname = 'ix_documents_search_vector' "
                    "AND c.relnamespace = current_schema()::regnamespace"
                )
            ).scalar()
            assert kind == "gin"
