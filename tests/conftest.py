"""Fixtures shared across the suite: the ../shared folder beside the checkout, the seed, and
the store on each backend.

Store tests run once on SQLite (a file in tmp_path) and once on PostgreSQL (a schema of their
own, dropped afterwards). PostgreSQL comes from WATCHFLOOR_TEST_DATABASE_URL, by default the
local server at 127.0.0.1:5432; the PostgreSQL half is skipped, saying so, only when none answers
and never in CI.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from watchfloor.store.engine import make_engine
from watchfloor.store.migrate import upgrade

# Keys live outside the store (store.keys); the suite keeps its own in a folder of its own,
# which subprocesses inherit. Tests that exercise key handling set their own.
os.environ.setdefault("WATCHFLOOR_KEY_DIR", tempfile.mkdtemp(prefix="watchfloor-test-keys-"))
# The suite's feeds and pages are served on 127.0.0.1, which the fetch guard refuses by default;
# tests of the guard itself remove this.
os.environ.setdefault("WATCHFLOOR_ALLOW_PRIVATE_FETCH", "1")

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


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
        return
    base = _postgres_base()
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:
        admin.dispose()
        message = (
            f"PostgreSQL half skipped: no server answers at "
            f"{make_url(base).render_as_string(hide_password=True)} ({type(exc).__name__}); "
            "start one or set WATCHFLOOR_TEST_DATABASE_URL"
        )
        # CI must run the PostgreSQL half: there a missing server is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"wf_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield Backend("postgresql", url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(backend: Backend) -> Iterator[Engine]:
    """A freshly migrated, empty store on the backend."""
    engine = make_engine(backend.url)
    upgrade(engine)
    yield engine
    engine.dispose()
