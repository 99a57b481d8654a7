"""Logins on a real server (uvicorn on a free port, httpx as the client), on SQLite and
PostgreSQL: lock-out after 20 wrong passwords (audited), logout kills the cookie, scoped and
revocable tokens, CSRF on every cookie-borne POST, problem details and ETags."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, select
from web_support import PASSWORD, add_staff, login, serving

from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.models import AuditEntry


@pytest.fixture
def server(store: Engine) -> Iterator[str]:
    add_staff(store)
    with serving(store) as base:
        yield base


def test_twenty_wrong_passwords_lock_the_account_and_are_audited(
    server: str, store: Engine
) -> None:
    client = httpx.Client(base_url=server, timeout=60)
    for _ in range(20):
        wrong = client.post("/api/v1/login", json={"name": "ana-analyst", "password": "nope"})
        assert wrong.status_code == 401
        assert wrong.headers["content-type"].startswith("application/problem+json")
    # Locked: even the right password is refused now, with the same answer.
    right = client.post("/api/v1/login", json={"name": "ana-analyst", "password": PASSWORD})
    assert right.status_code == 401
    assert "ana-analyst" not in right.cookies.values()
    with transaction(store) as session:
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == "ana-analyst"))
        )
        assert audit.verify(session).ok
    assert actions.count("login.failed") == 20
    assert actions.count("login.locked") == 1
    assert "login.refused_locked" in actions
    # Another account is not affected.
    login(server, "dov-duty")


def test_a_stolen_cookie_stops_working_after_logout(server: str) -> None:
    client, csrf = login(server, "ana-analyst")
    cookie = dict(client.cookies)
    assert client.get("/api/v1/me").json()["name"] == "ana-analyst"
    assert client.post("/api/v1/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    thief = httpx.Client(base_url=server, cookies=cookie, timeout=30)
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/api/v1/threads").status_code == 401
    # The page redirects to the login form rather than showing anything.
    page = thief.get("/board")
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_cookie_is_httponly_and_samesite(server: str) -> None:
    response = httpx.post(
        f"{server}/api/v1/login", json={"name": "ana-analyst", "password": PASSWORD}
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header


def test_a_post_without_the_csrf_token_is_refused(server: str) -> None:
    client, csrf = login(server, "ada-admin")
    refused = client.post("/api/v1/tokens", json={"label": "x", "scopes": ["read"]})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = client.post(
        "/api/v1/tokens", json={"label": "x", "scopes": ["read"]}, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    form = client.post("/logout", data={"csrf_token": "forged"})
    assert form.status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still logged in: the forgery did nothing
    ok = client.post(
        "/api/v1/tokens", json={"label": "x", "scopes": ["read"]}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 201


def _token(server: str, name: str, scopes: list[str]) -> str:
    client, csrf = login(server, name)
    response = client.post(
        "/api/v1/tokens",
        json={"label": "machine", "scopes": scopes},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_a_token_without_the_scope_gets_403_and_a_revoked_one_401(
    server: str, store: Engine
) -> None:
    token = _token(server, "ada-admin", ["read"])
    bearer = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert bearer.get("/api/v1/threads").status_code == 200
    # The admin may read the audit log, but this token was not given that scope.
    denied = bearer.get("/api/v1/audit")
    assert denied.status_code == 403
    assert denied.json()["status"] == 403
    # A bearer token needs no CSRF token (no browser sends it on its own).
    listed = bearer.get("/api/v1/tokens").json()["items"]
    token_id = listed[0]["id"]
    assert bearer.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert bearer.get("/api/v1/threads").status_code == 401
    with transaction(store) as session:
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "token.issue").limit(1))
        assert row is not None and token not in row.details  # the secret is never logged


def test_a_readers_role_cannot_act_on_cases(server: str) -> None:
    client, csrf = login(server, "rey-reader")
    response = client.post(
        "/api/v1/cases/1/waiver",
        json={"code": "ALREADY_AWARE", "reason": "r"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403


def test_etag_and_bad_cursor(server: str) -> None:
    client, _ = login(server, "ana-analyst")
    first = client.get("/api/v1/threads")
    assert first.status_code == 200 and first.headers["etag"]
    again = client.get("/api/v1/threads", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    bad = client.get("/api/v1/threads", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.json()["title"] == "Bad request"


def test_missing_items_answer_a_problem_to_the_api_and_a_page_to_a_person(server: str) -> None:
    client, _ = login(server, "ana-analyst")
    api = client.get("/api/v1/threads/999")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == "thread 999 not found"
    page = client.get("/threads/999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "thread 999 not found" in page.text
    too_big = client.get("/api/v1/threads/99999999999")
    assert too_big.status_code == 422
