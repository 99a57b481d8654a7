"""Fixtures shared across the suite: the ../shared folder beside the checkout, the seed, and
the store on each backend.

Store tests run once on SQLite (a file in tmp_path) and once on PostgreSQL (a schema of their
own, dropped afterwards). PostgreSQL comes from WATCHFLOOR_TEST_DATABASE_URL, by default the
local server at 127.0.0.1:5432; the PostgreSQL half is skipped, saying so, only when none answers
and never in CI.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from watchfloor.store.engine import make_engine, private_file
from watchfloor.store.migrate import upgrade

# Keys live outside the store (store.keys); the suite keeps its own in a folder of its own,
# which subprocesses inherit. Tests that exercise key handling set their own.
os.environ.setdefault("WATCHFLOOR_KEY_DIR", tempfile.mkdtemp(prefix="watchfloor-test-keys-"))
# An xdist worker starts with COLUMNS=80 (and LINES) in its environment, which a one-process run
# does not have; Rich would freeze the CLI's console at 80 columns when the test modules import
# it, and in-process commands would then ignore the COLUMNS their test sets. Drop them here,
# before any test module imports the CLI.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
# The suite's feeds and pages are served on 127.0.0.1, which the fetch guard refuses by default;
# tests of the guard itself remove this.
os.environ.setdefault("WATCHFLOOR_ALLOW_PRIVATE_FETCH", "1")

# How busy the machine is must not fail a property test: the suite runs on every core at once
# (make unit), beside whatever else the machine runs, so no per-example deadline and no
# too-slow health check. Loaded before the test modules, whose @settings inherit it.
settings.register_profile("watchfloor", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("watchfloor")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_90c7e3912a3a1d27.txt"


def need_shared(path: Path) -> Path:
    """Return `path`, or skip with a clear message when ../shared is not beside the checkout.

    CI always has ../shared, so there a missing path fails instead of skipping silently.
    """
    if path.exists():
        return path
    message = f"needs {path} (the ../shared folder beside the checkout); not present here"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return need_shared(SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return need_shared(SEED)


PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Backend:
    name: str
    url: str

    def env(self, home: Path) -> dict[str, str]:
        """Environment for a `watchfloor` subprocess that should use this store."""
        env = dict(os.environ)
        env["WATCHFLOOR_HOME"] = str(home)
        env["WATCHFLOOR_DATABASE_URL"] = self.url
        env["COLUMNS"] = "200"  # Rich tables wide enough that cells are not folded
        return env


def _postgres_base() -> str:
    return os.environ.get("WATCHFLOOR_TEST_DATABASE_URL") or PG_DEFAULT


@contextmanager
def postgres_schema(skipped: str, prefix: str = "wf_test") -> Iterator[str]:
    """The URL of a throw-away schema on the test PostgreSQL server, dropped afterwards. With no
    server answering, the test is skipped with `skipped` leading the message; in CI, where the
    PostgreSQL half must run, it fails instead."""
    base = _postgres_base()
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:
        admin.dispose()
        message = (
            f"{skipped}: no PostgreSQL server answers at "
            f"{make_url(base).render_as_string(hide_password=True)} ({type(exc).__name__}); "
            "start one or set WATCHFLOOR_TEST_DATABASE_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
        return
    with postgres_schema("PostgreSQL half skipped") as url:
        yield Backend("postgresql", url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store migrated once per test process; `store` copies it (migrating
    takes about a second, a copy a few milliseconds). The template is itself a real migration,
    and tests/test_store_backends.py and `watchfloor init` in the CLI tests migrate their own."""
    path = tmp_path_factory.mktemp("store-template") / "watchfloor.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL: the file alone is the store
    return path


# What migrating an empty PostgreSQL schema sent to the server (statement, parameters,
# executemany), recorded on the process's first PostgreSQL store and replayed into the next ones.
_PG_MIGRATION: list[tuple[str, Any, bool]] = []


def _migrate_postgres(engine: Engine) -> None:
    """Migrate the empty schema: the first time really (recording), after that by replaying
    the same statements in one transaction, which leaves the same tables, indexes, search column
    and revision at a fraction of the cost. The schema is the test's own, so the SQL (which
    names no schema) lands there."""
    if _PG_MIGRATION:
        with engine.begin() as connection:
            cursor = connection.connection.cursor()
            for statement, parameters, many in _PG_MIGRATION:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
        return
    recorded: list[tuple[str, Any, bool]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, _x: Any, many: bool) -> None:
        recorded.append((statement, parameters, many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    _PG_MIGRATION.extend(recorded)


@pytest.fixture
def store(backend: Backend, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A freshly migrated, empty store on the backend."""
    if backend.name == "sqlite":
        database = make_url(backend.url).database
        assert database is not None
        # Into the file make_engine would create (0600 in a 0700 folder), byte for byte.
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, private_file(Path(database)))
    engine = make_engine(backend.url)
    if backend.name == "postgresql":
        _migrate_postgres(engine)
    upgrade(engine)  # on a copy or a replay only the check that it is current
    yield engine
    engine.dispose()
