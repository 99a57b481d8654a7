"""A real uvicorn server on a free port around watchfloor's app, and staff to log in as.

Used by the API, web, leak and browser tests. The server runs in a thread of the test process
(the benchmark, benchmarks/web.py, puts the client in a second process instead).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from watchfloor.api.identity import set_password
from watchfloor.api.settings import IdentitySettings, identity_settings
from watchfloor.publish.access import POLICY_ENV_VAR, Reader, default_policy
from watchfloor.publish.readers import add_reader
from watchfloor.store.engine import transaction
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user
from watchfloor.web.app import create_app

PASSWORD = "correct horse battery staple"
# name: (roles, clearance or None for no reader record)
STAFF: dict[str, tuple[tuple[str, ...], str | None]] = {
    "ada-admin": (("admin",), "TS"),
    "ana-analyst": (("analyst",), "TS"),
    "dov-duty": (("duty_officer",), "TS"),
    "apu-approver": (("approver",), "TS"),
    "rey-reader": (("reader",), "U"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def add_staff(engine: Engine, staff: dict[str, tuple[tuple[str, ...], str | None]] = STAFF) -> None:
    policy = CasePolicy.load()
    with transaction(engine) as session:
        first = next(iter(staff))
        for name, (roles, clearance) in staff.items():
            add_user(
                session, name, list(roles), email=None, by=None if name == first else first,
                policy=policy,
            )  # fmt: skip
            set_password(session, name, PASSWORD, by=first)
            if clearance is not None:
                reader = Reader(name, clearance, nationality="USA", organization=OWN_ORG)
                add_reader(session, reader, actor=first)


def insecure(settings: IdentitySettings | None = None) -> IdentitySettings:
    """The settings with the cookie allowed over plain http (the test server has no TLS)."""
    base = settings or identity_settings()
    return base.model_copy(update={"cookie": base.cookie.model_copy(update={"secure": False})})


@contextmanager
def serving(engine: Engine, settings: IdentitySettings | None = None) -> Iterator[str]:
    """Serve watchfloor on 127.0.0.1:<free port>; yields the base URL."""
    app = create_app(engine, insecure(settings))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def login(base: str, name: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
    """A client holding `name`'s session cookie, and the session's CSRF token."""
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/api/v1/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


OWN_ORG = "Watch Floor"


def own_organization_policy(folder: Path) -> Path:
    """An access policy naming the staff's organization as the own one (TLP:AMBER readable)."""
    path = folder / "access.yaml"
    path.write_text(f"own_organization: {OWN_ORG}\n", encoding="utf-8")
    return path


@pytest.fixture
def watch_floor_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The access policy in force while the test runs (the decision caches the policy)."""
    path = own_organization_policy(tmp_path)
    monkeypatch.setenv(POLICY_ENV_VAR, str(path))
    default_policy.cache_clear()
    yield path
    default_policy.cache_clear()
