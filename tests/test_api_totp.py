"""Optional TOTP as a second factor: the maths against the RFCs' own test vectors, then on a
real server (uvicorn, httpx as the client) on SQLite and PostgreSQL: enrolment and
confirmation, a login that needs the code, wrong codes refused, audited and counted toward the
lock-out, replays refused, turning it off with a code, an admin's reset, roles that require it,
the web login's code page, and API tokens that never need a code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import Backend
from sqlalchemy import Engine, select
from web_support import PASSWORD, add_staff, login, serving

from watchfloor.api import totp
from watchfloor.api.settings import identity_settings
from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.logins import TotpFactor
from watchfloor.store.models import AuditEntry

# RFC 6238 Appendix B: the SHA-1 column, 8 digits, for the ASCII seed "12345678901234567890".
RFC6238_SHA1 = [
    (59, 0x1, "94287082"),
    (1111111109, 0x23523EC, "07081804"),
    (1111111111, 0x23523ED, "14050471"),
    (1234567890, 0x273EF07, "89005924"),
    (2000000000, 0x3F940AA, "69279037"),
    (20000000000, 0x27BC86AA, "65353130"),
]
# RFC 4226 Appendix D: HOTP values for counts 0 to 9 with the same seed, 6 digits.
RFC4226 = ["755224", "287082", "359152", "969429", "338314",
           "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
SEED = b"12345678901234567890"


@pytest.mark.parametrize(("when", "step", "code"), RFC6238_SHA1)
def test_rfc6238_appendix_b_sha1_vectors(when: int, step: int, code: str) -> None:
    assert totp.step_at(when) == step
    assert totp.totp(SEED, when, digits=8) == code
    # The 6-digit code an app shows is the last 6 of the same truncation.
    assert totp.totp(SEED, when) == code[-6:]


def test_rfc4226_appendix_d_hotp_values() -> None:
    assert [totp.hotp(SEED, count) for count in range(10)] == RFC4226


def test_match_takes_one_step_either_side_and_never_a_step_again() -> None:
    key, now = totp.new_secret(), 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        assert totp.match(key, totp.hotp(key, step + offset), after_step=None, when=now) == (
            step + offset
        )
    assert totp.match(key, totp.hotp(key, step + 2), after_step=None, when=now) is None
    assert totp.match(key, totp.hotp(key, step - 2), after_step=None, when=now) is None
    # The replay guard: the step last accepted, and any earlier one, is refused.
    assert totp.match(key, totp.hotp(key, step), after_step=step, when=now) is None
    assert totp.match(key, totp.hotp(key, step - 1), after_step=step, when=now) is None
    assert totp.match(key, totp.hotp(key, step + 1), after_step=step, when=now) == step + 1
    assert totp.match(key, "12345", after_step=None, when=now) is None
    assert totp.match(key, "١٢٣٤٥٦", after_step=None, when=now) is None  # not ASCII digits


def test_the_secret_is_sealed_to_its_key_and_user() -> None:
    key, other = b"k" * 32, b"o" * 32
    secret = totp.new_secret()
    sealed = totp.seal(key, secret, "7")
    assert totp.to_base32(secret) not in sealed and secret.hex() not in sealed
    assert totp.unseal(key, sealed, "7") == secret
    for wrong_key, context in ((other, "7"), (key, "8")):
        with pytest.raises(totp.SealBroken):
            totp.unseal(wrong_key, sealed, context)
    assert totp.seal(key, secret, "7") != sealed  # a fresh nonce each time
    uri = totp.otpauth_uri(SEED, "ana analyst", "watchfloor")
    assert uri.startswith("otpauth://totp/watchfloor%3Aana%20analyst?secret=")
    assert "digits=6" in uri and "period=30" in uri and "algorithm=SHA1" in uri


# -- on a real server ----------------------------------------------------------------------------


@pytest.fixture
def server(store: Engine) -> Iterator[str]:
    add_staff(store)
    with serving(store) as base:
        yield base


def _code(secret: str, step: int) -> str:
    return totp.hotp(totp.from_base32(secret), step)


def _enrol(client: httpx.Client, csrf: str) -> tuple[str, int]:
    """TOTP on for the client's user: (the base32 secret, the step of the confirming code)."""
    started = client.post("/api/v1/me/totp", headers={"X-CSRF-Token": csrf})
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/") and body["digits"] == 6
    step = totp.step_at(time.time())
    confirmed = client.post(
        "/api/v1/me/totp/confirm",
        json={"code": _code(body["secret"], step)},
        headers={"X-CSRF-Token": csrf},
    )
    assert confirmed.status_code == 200, confirmed.text
    return body["secret"], step


def _wrong(secret: str, step: int) -> str:
    """A code of six digits that no step near `step` has."""
    near = {_code(secret, s) for s in range(step - 2, step + 4)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def _login(server: str, name: str, code: str | None = None) -> httpx.Response:
    body = {"name": name, "password": PASSWORD} | ({"code": code} if code is not None else {})
    return httpx.post(f"{server}/api/v1/login", json=body, timeout=60)


def _actions(store: Engine, name: str) -> list[str]:
    with transaction(store) as session:
        assert audit.verify(session).ok
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.subject_id == name)
                .order_by(AuditEntry.id)
            )
        )


def test_a_confirmed_totp_makes_login_need_the_code_once(server: str, store: Engine) -> None:
    client, csrf = login(server, "ana-analyst")
    assert client.get("/api/v1/me").json()["totp"] == "off"
    secret, step = _enrol(client, csrf)
    assert client.get("/api/v1/me").json()["totp"] == "on"
    # Enrolment again while on is a conflict, and never shows the secret a second time.
    again = client.post("/api/v1/me/totp", headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409 and secret not in again.text

    missing = _login(server, "ana-analyst")
    assert missing.status_code == 401 and "code" in missing.json()["detail"]
    assert "set-cookie" not in missing.headers
    wrong = _login(server, "ana-analyst", _wrong(secret, step))
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    ok = _login(server, "ana-analyst", _code(secret, step + 1))
    assert ok.status_code == 200, ok.text
    assert ok.cookies.get("watchfloor_session")
    # Replays: the code just used, and the earlier one that confirmed, are both refused now.
    assert _login(server, "ana-analyst", _code(secret, step + 1)).status_code == 401
    assert _login(server, "ana-analyst", _code(secret, step)).status_code == 401

    actions = _actions(store, "ana-analyst")
    assert actions.count("totp.enrol") == 1 and actions.count("totp.confirm") == 1
    assert actions.count("totp.failed") == 3  # the wrong code and the two replays
    with transaction(store) as session:
        details = " ".join(str(d) for d in session.scalars(select(AuditEntry.details)))
        sealed = session.scalars(select(TotpFactor.sealed_secret)).one()
    assert secret not in details and secret not in sealed  # neither logged nor kept in clear


def test_logins_racing_with_one_code_let_one_in(server: str) -> None:
    client, csrf = login(server, "rey-reader")
    secret, step = _enrol(client, csrf)
    code = _code(secret, step + 1)
    start = threading.Barrier(4)

    def attempt(_: int) -> int:
        start.wait()
        return _login(server, "rey-reader", code).status_code

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(attempt, range(4)))
    assert answers == [200, 401, 401, 401]


def test_wrong_codes_count_toward_the_lock_out(server: str, store: Engine) -> None:
    client, csrf = login(server, "dov-duty")
    secret, step = _enrol(client, csrf)
    bad = _wrong(secret, step)
    lockout = identity_settings().lockout_failures
    for _ in range(lockout):  # the right password each time: it does not clear the count
        assert _login(server, "dov-duty", bad).status_code == 401
    locked = _login(server, "dov-duty", _code(secret, step + 1))
    assert locked.status_code == 401
    actions = _actions(store, "dov-duty")
    assert actions.count("totp.failed") == lockout
    assert actions.count("login.locked") == 1
    assert "login.refused_locked" in actions  # locked: refused before the code is looked at


def test_turning_totp_off_needs_a_current_code(server: str, store: Engine) -> None:
    client, csrf = login(server, "apu-approver")
    secret, step = _enrol(client, csrf)
    headers = {"X-CSRF-Token": csrf}
    assert client.request("DELETE", "/api/v1/me/totp", headers=headers).status_code == 422
    for code in (
        "000001" if _code(secret, step + 1) != "000001" else "000002",
        _code(secret, step),
    ):
        refused = client.request("DELETE", "/api/v1/me/totp", json={"code": code}, headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/me").json()["totp"] == "on"
    off = client.request(
        "DELETE", "/api/v1/me/totp", json={"code": _code(secret, step + 1)}, headers=headers
    )
    assert off.status_code == 204, off.text
    assert _login(server, "apu-approver").status_code == 200  # no code needed any more
    actions = _actions(store, "apu-approver")
    assert actions.count("totp.failed") == 2 and "totp.disable" in actions


def test_an_admin_resets_someones_totp_and_their_sessions_end(server: str, store: Engine) -> None:
    ana, ana_csrf = login(server, "ana-analyst")
    _enrol(ana, ana_csrf)
    dov, dov_csrf = login(server, "dov-duty")
    refused = dov.delete("/api/v1/users/ana-analyst/totp", headers={"X-CSRF-Token": dov_csrf})
    assert refused.status_code == 403
    admin, admin_csrf = login(server, "ada-admin")
    unknown = admin.delete("/api/v1/users/nobody/totp", headers={"X-CSRF-Token": admin_csrf})
    assert unknown.status_code == 404
    reset = admin.delete("/api/v1/users/ana-analyst/totp", headers={"X-CSRF-Token": admin_csrf})
    assert reset.status_code == 204
    assert ana.get("/api/v1/me").status_code == 401  # the session on the lost device is over
    assert _login(server, "ana-analyst").status_code == 200  # password alone, until re-enrolled
    with transaction(store) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "totp.reset")).one()
        assert entry.actor == "ada-admin" and entry.subject_id == "ana-analyst"


def test_the_cli_resets_totp_for_a_local_operator(
    server: str, store: Engine, backend: Backend, tmp_path: Path
) -> None:
    client, csrf = login(server, "dov-duty")
    _enrol(client, csrf)
    env = backend.env(tmp_path / "home")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    run = [sys.executable, "-m", "watchfloor.cli", "users", "totp-reset"]
    done = subprocess.run(
        [*run, "dov-duty", "--as", "ops"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "TOTP reset for dov-duty" in done.stdout
    unknown = subprocess.run(
        [*run, "nobody", "--as", "ops"], env=env, capture_output=True, text=True, timeout=120
    )
    assert unknown.returncode != 0 and "'nobody' is unknown" in unknown.stderr
    assert client.get("/api/v1/me").status_code == 401
    assert _login(server, "dov-duty").status_code == 200
    with transaction(store) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "totp.reset")).one()
    assert entry.actor == "ops" and json.loads(entry.details)["was"] == "on"


def test_api_tokens_never_need_a_code_and_cannot_enrol(server: str) -> None:
    client, csrf = login(server, "ada-admin")
    issued = client.post(
        "/api/v1/tokens",
        json={"label": "machine", "scopes": ["read"]},
        headers={"X-CSRF-Token": csrf},
    )
    token = issued.json()["token"]
    _enrol(client, csrf)
    bearer = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert bearer.get("/api/v1/threads").status_code == 200
    assert bearer.post("/api/v1/me/totp").status_code == 403


def test_a_role_that_requires_totp_may_only_enrol_until_it_is_on(store: Engine) -> None:
    add_staff(store)
    settings = identity_settings().model_copy(update={"require_totp_for": ("admin",)})
    with serving(store, settings) as server:
        assert _login(server, "ana-analyst").status_code == 200  # analysts: optional still
        client, csrf = login(server, "ada-admin")
        me = client.get("/api/v1/me").json()
        assert me["must_enrol_totp"] is True and me["permissions"] == []
        blocked = client.get("/api/v1/threads")
        assert blocked.status_code == 403 and "TOTP" in blocked.json()["detail"]
        token = client.post(
            "/api/v1/tokens",
            json={"label": "x", "scopes": ["read"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert token.status_code == 403  # no way round it through a token
        page = client.get("/board")
        assert page.status_code == 303 and page.headers["location"] == "/account"
        secret, step = _enrol(client, csrf)
        assert client.get("/api/v1/threads").status_code == 200  # the same session, now whole
        keep = client.request(
            "DELETE",
            "/api/v1/me/totp",
            json={"code": _code(secret, step + 1)},
            headers={"X-CSRF-Token": csrf},
        )
        assert keep.status_code == 403 and "requires" in keep.json()["detail"]
        assert _login(server, "ada-admin").status_code == 401  # the code is needed from now on


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _web_login(client: httpx.Client) -> httpx.Response:
    token = _form_token(client.get("/login").text)
    data = {"name": "ana-analyst", "password": PASSWORD, "csrf_token": token}
    return client.post("/login", data=data)


def test_the_web_login_asks_for_the_code_on_a_page_of_its_own(server: str, store: Engine) -> None:
    web = httpx.Client(base_url=server, timeout=60)
    assert web.get("/login").status_code == 200
    _web_login(web)
    account = web.get("/account")
    assert account.status_code == 200 and "Set up one-time codes" in account.text
    started = web.post("/account/totp", data={"csrf_token": _form_token(account.text)})
    found = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', started.text)
    assert started.status_code == 200 and found and 'id="totp-uri"' in started.text
    secret = found.group(1).replace(" ", "")
    assert secret not in web.get("/account").text  # shown once, not on a reload
    no_csrf = web.post("/account/totp/confirm", data={"code": "123456"})
    assert no_csrf.status_code == 403
    step = totp.step_at(time.time())
    confirmed = web.post(
        "/account/totp/confirm",
        data={"code": _code(secret, step), "csrf_token": _form_token(account.text)},
    )
    assert confirmed.status_code == 303 and "done=" in confirmed.headers["location"]

    fresh = httpx.Client(base_url=server, timeout=60)
    first = _web_login(fresh)
    assert first.status_code == 303 and first.headers["location"] == "/login/code"
    assert "watchfloor_session" not in fresh.cookies  # half logged in: no session yet
    assert fresh.get("/board").status_code == 303
    page = fresh.get("/login/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    wrong = fresh.post("/login/code", data={"code": "abcdef", "csrf_token": _form_token(page.text)})
    assert wrong.status_code == 303 and "error=" in wrong.headers["location"]
    assert "watchfloor_session" not in fresh.cookies
    page = fresh.get("/login/code")
    done = fresh.post(
        "/login/code", data={"code": _code(secret, step + 1), "csrf_token": _form_token(page.text)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/board"
    assert fresh.get("/board").status_code == 200
    assert "totp.failed" in _actions(store, "ana-analyst")
    stranger = httpx.Client(base_url=server, timeout=60)
    assert stranger.get("/login/code").headers.get("location") == "/login"
