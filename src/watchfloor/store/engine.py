"""Where the store lives and how to connect to it.

SQLite in `$WATCHFLOOR_HOME/watchfloor.db` (default `./var`) unless `WATCHFLOOR_DATABASE_URL`
names another database (PostgreSQL in production). Every SQLite connection gets the same
pragmas, and write transactions take the write lock up front (BEGIN IMMEDIATE) so that two
processes writing at once wait for each other instead of failing half way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from watchfloor.errors import StoreError
from watchfloor.settings import setting

HOME_VAR = "WATCHFLOOR_HOME"
URL_VAR = "WATCHFLOOR_DATABASE_URL"
DEFAULT_HOME = Path("var")
DB_FILE = "watchfloor.db"
# Seconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 60


def home() -> Path:
    """The folder for local state: `$WATCHFLOOR_HOME`, else `./var`."""
    return Path(setting(HOME_VAR) or DEFAULT_HOME)


def private_dir(path: Path) -> Path:
    """Create the missing folders of `path` readable by their owner only (0700). Folders that
    already exist are left as they are: they may be shared ones such as /tmp."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is cut by the umask
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty and owner-only (0600) if missing, its missing folders 0700. SQLite
    gives its journal and WAL files the database file's permissions."""
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        path.chmod(0o600)
    return path


def database_url(url: str | None = None) -> str:
    """The database to use: the argument, else `$WATCHFLOOR_DATABASE_URL`, else SQLite in home()."""
    chosen = url or setting(URL_VAR)
    if chosen:
        return chosen
    return f"sqlite:///{(home() / DB_FILE).resolve()}"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not parseable: hide whatever sits between "//user:" and "@".
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


def make_engine(url: str | None = None, *, immediate: bool = True) -> Engine:
    """An engine for `url` (see database_url). `immediate=False` for read-only SQLite use."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise StoreError(
            f"{URL_VAR}={describe(resolved)!r} is not a database URL ({exc}); use e.g. "
            "postgresql+psycopg://user@host:5432/dbname or sqlite:////path/to/watchfloor.db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(resolved, parsed.database, immediate)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(
            f"{describe(resolved)}: only SQLite and PostgreSQL are supported; "
            "use a sqlite:/// or postgresql+psycopg:// URL"
        )
    return create_engine(resolved, pool_pre_ping=True)


def _sqlite_engine(url: str, database: str | None, immediate: bool) -> Engine:
    if database and database != ":memory:":
        try:
            private_file(Path(database))
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for {database}: {exc}; "
                f"set {HOME_VAR} to a writable folder"
            ) from exc
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    # pysqlite starts transactions lazily and on its own terms; take them over so that a
    # transaction is really one transaction (the recipe in SQLAlchemy's SQLite dialect docs).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One session, one transaction: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
