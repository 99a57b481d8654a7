"""Issue 14, forgery 6-10 and 15: a keyed, anchored audit chain; tokens that expire under a key
of proper length kept outside the store; Standard Webhooks signatures with a persistent replay
store; no SMTP login in clear; an owner-only store; no fetching from the watch floor's own
network and no symbolic link out of an ingested folder."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from warn_support import Change, add_thread, assessment, free_port

from watchfloor.errors import ConfigError, InputError
from watchfloor.ingest.feeds import fetch_url, new_client
from watchfloor.ingest.folders import iter_paths
from watchfloor.ingest.guard import NonPublicAddress, public_only
from watchfloor.store import audit
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import AuditEntry
from watchfloor.warn import acks, cases, mail, webhooks
from watchfloor.warn.config import CasePolicy, SmtpSettings, WebhookSettings
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.users import add_user

POLICY = CasePolicy.load()


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "keys"
    monkeypatch.setenv("WATCHFLOOR_KEY_DIR", str(folder))
    monkeypatch.setenv("WATCHFLOOR_HOME", str(tmp_path / "home"))
    for variable in ("WATCHFLOOR_AUDIT_KEY", "WATCHFLOOR_SECRET_KEY"):
        monkeypatch.delenv(variable, raising=False)
    return folder


@pytest.fixture
def db(tmp_path: Path, keys: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'watchfloor.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _entries(engine: Engine, count: int) -> None:
    with transaction(engine) as s:
        for i in range(count):
            audit.append(s, actor="ana", action="test.step", subject_type="t", subject_id=i)


def _rehash(engine: Engine, start: int, digest: object) -> None:
    """What someone with write access to the database does: edit an entry, then recompute
    every hash after it so that the chain links up again."""
    with transaction(engine) as s:
        rows = list(s.query(AuditEntry).order_by(AuditEntry.id))
        prev = rows[start - 2].hash if start > 1 else audit.GENESIS
        for row in rows[start - 1 :]:
            body = audit.canonical(
                {
                    "id": row.id,
                    "at": row.at.isoformat(timespec="microseconds"),
                    "actor": row.actor,
                    "action": row.action,
                    "subject_type": row.subject_type,
                    "subject_id": row.subject_id,
                    "details": row.details,
                }
            )
            row.prev_hash = prev
            row.hash = digest(prev, body)  # type: ignore[operator]
            prev = row.hash


# --- 6: a keyed MAC chain and an anchor ---------------------------------------------------


@pytest.mark.parametrize(
    "digest",
    [
        lambda prev, body: hashlib.sha256((prev + body).encode()).hexdigest(),
        lambda prev, body: (
            __import__("hmac")
            .new(b"a guessed key of thirty-two bytes!", (prev + body).encode(), "sha256")
            .hexdigest()
        ),
    ],
    ids=["unkeyed", "wrong-key"],
)
def test_an_edit_with_every_later_hash_recomputed_is_caught(db: Engine, digest: object) -> None:
    _entries(db, 5)
    with db.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 3"))
    _rehash(db, 3, digest)
    with transaction(db) as s:
        result = audit.verify(s)
    assert not result.ok and result.broken_at == 3 and "MAC" in (result.problem or "")


def _sha256(prev: str, body: str) -> str:
    return hashlib.sha256((prev + body).encode()).hexdigest()


def test_entries_from_before_the_key_are_accepted_only_at_the_start(db: Engine) -> None:
    _entries(db, 3)
    _rehash(db, 1, _sha256)  # a log written by the code before the audit key
    _entries(db, 2)  # keyed entries after it
    with transaction(db) as s:
        result = audit.verify(s)
    assert result.ok and result.entries == 5 and result.unkeyed == 3
    _rehash(db, 5, _sha256)  # an unkeyed entry after a keyed one is a forgery
    with transaction(db) as s:
        forged = audit.verify(s)
    assert not forged.ok and forged.broken_at == 5


def test_cutting_the_newest_entries_is_caught_against_the_anchor(
    db: Engine, tmp_path: Path
) -> None:
    _entries(db, 5)
    with transaction(db) as s:
        head = audit.anchor(s)
    _entries(db, 2)
    with db.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id > 3"))
    with transaction(db) as s:
        assert audit.verify(s).ok  # the shorter chain still links up ...
        cut = audit.verify(s, anchor=head)  # ... but not against the anchor
    assert not cut.ok and "deleted" in (cut.problem or "")


def test_a_forged_anchor_is_refused(db: Engine) -> None:
    _entries(db, 3)
    with transaction(db) as s:
        head = audit.anchor(s)
    forged = audit.Anchor(2, head.head, head.at, head.mac)
    with transaction(db) as s, pytest.raises(audit.WatchfloorError, match="MAC"):
        audit.verify(s, anchor=forged)


def test_audit_anchor_and_verify_on_the_command_line(db: Engine, tmp_path: Path) -> None:
    _entries(db, 4)
    env = dict(os.environ)
    env["WATCHFLOOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'home' / 'watchfloor.db'}"
    anchors = tmp_path / "anchors.jsonl"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "watchfloor.cli", "audit", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = run("anchor", "--append", str(anchors))
    assert made.returncode == 0, made.stderr
    assert json.loads(anchors.read_text().splitlines()[-1])["count"] == 4
    assert run("verify", "--anchor", str(anchors)).returncode == 0
    with db.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 4"))
    broken = run("verify", "--anchor", str(anchors))
    assert broken.returncode == 1 and "deleted" in broken.stderr


def test_an_anchor_can_be_sent_signed_to_a_webhook(db: Engine, tmp_path: Path) -> None:
    from warn_support import Endpoint, http_server

    _entries(db, 2)
    endpoint = Endpoint(secret="anchor-receiver-secret-of-some-length")
    server, url = http_server(endpoint)
    try:
        env = dict(os.environ)
        env["WATCHFLOOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'home' / 'watchfloor.db'}"
        env["WATCHFLOOR_WEBHOOK_SECRET"] = endpoint.secret
        result = subprocess.run(
            [sys.executable, "-m", "watchfloor.cli", "audit", "anchor", "--webhook", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    [received] = endpoint.accepted.values()
    assert received["count"] == 2
    with transaction(db) as s:
        assert audit.verify(s, anchor=audit.Anchor.parse(json.dumps(received))).ok


def test_the_audit_key_may_not_live_in_the_store(
    tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "home" / "audit.key"
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_text("k" * 64)
    monkeypatch.setenv("WATCHFLOOR_AUDIT_KEY_FILE", str(inside))
    with pytest.raises(ConfigError, match="outside"):
        audit.audit_key()


# --- 7: tokens: key length, key outside the store, expiry, keys not printed -----------------


def test_a_short_token_key_is_refused(monkeypatch: pytest.MonkeyPatch, keys: Path) -> None:
    monkeypatch.setenv("WATCHFLOOR_SECRET_KEY", "a")
    with pytest.raises(ConfigError, match="at least 32"):
        acks.installation_key()


def test_the_token_key_is_made_outside_the_store(tmp_path: Path, keys: Path) -> None:
    key = acks.installation_key()
    assert len(key) >= 32
    assert not (tmp_path / "home" / "secret.key").exists()
    made = keys / "ack.key"
    assert made.read_bytes().strip() == key
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


@pytest.fixture
def notice(db: Engine) -> Iterator[tuple[Engine, int, str]]:
    a = assessment()
    with transaction(db) as s:
        add_user(s, "dora", ["duty_officer"], email=None, by=None, policy=POLICY)
        thread_id = add_thread(s, a)
        [opened] = cases.triage(
            s, [Change(thread_id, None, a)], rule=ThreadRule.load(), policy=POLICY
        )
        from watchfloor.link.watchlist import Notify, Protectee, Watchlist

        people = Watchlist(
            [Protectee(id="amara-okafor", name="Amara Okafor", notify=Notify(email="d@x.org"))]
        )
        [queued] = cases.warn(s, opened.case_id, "dora", POLICY, watchlist=people)
        token = acks.token_for(queued)
    yield db, queued.id, token


def test_a_token_expires(notice: tuple[Engine, int, str]) -> None:
    engine, _, token = notice
    with transaction(engine) as s:
        from watchfloor.store.models import Notice

        queued = s.query(Notice).one()
        late = queued.created_at + acks.TOKEN_LIFETIME + timedelta(minutes=1)
        with pytest.raises(acks.AckError, match="expired"):
            acks.acknowledge(s, token, now=late)
    with transaction(engine) as s:
        assert acks.acknowledge(s, token).first


def test_the_outbox_listing_prints_no_idempotency_key(
    notice: tuple[Engine, int, str], tmp_path: Path
) -> None:
    env = dict(os.environ)
    env["WATCHFLOOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'home' / 'watchfloor.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", "outbox", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert "idempotency_key" not in row
    engine = notice[0]
    with transaction(engine) as s:
        from watchfloor.store.models import Notice

        key = s.query(Notice).one().idempotency_key
    assert key not in result.stdout


# --- 8: Standard Webhooks ---------------------------------------------------------------------

SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
BODY = b'{"case": 1}'
NOW = 1_800_000_000.0


def test_the_signature_covers_the_delivery_id() -> None:
    sent = webhooks.signed_headers(SECRET, "delivery-1", BODY, now=NOW)
    assert sent[webhooks.SIGNATURE_HEADER].startswith("v1,")
    assert webhooks.verify(SECRET, sent, BODY, now=NOW, guard=webhooks.ReplayGuard())
    renamed = {**sent, webhooks.DELIVERY_HEADER: "delivery-2"}
    with pytest.raises(webhooks.WebhookRejected, match="signature"):
        webhooks.verify(SECRET, renamed, BODY, now=NOW, guard=webhooks.ReplayGuard())


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("signature", "v1,é∂ƒ"),
        ("signature", "v1,not base64!"),
        ("id", "ünicode"),
        ("id", ""),
        ("timestamp", "١٧٠٠٠٠٠٠٠٠"),  # Arabic-Indic digits: int() reads them, we do not
    ],
)
def test_malformed_headers_are_refused_not_crashed_on(header: str, value: str) -> None:
    sent = webhooks.signed_headers(SECRET, "delivery-1", BODY, now=NOW)
    name = {
        "signature": webhooks.SIGNATURE_HEADER,
        "id": webhooks.DELIVERY_HEADER,
        "timestamp": webhooks.TIMESTAMP_HEADER,
    }[header]
    with pytest.raises(webhooks.WebhookRejected):
        webhooks.verify(SECRET, {**sent, name: value}, BODY, now=NOW, guard=webhooks.ReplayGuard())


def test_an_empty_secret_neither_signs_nor_verifies() -> None:
    sent = webhooks.signed_headers(SECRET, "delivery-1", BODY, now=NOW)
    with pytest.raises(webhooks.WebhookRejected, match="empty"):
        webhooks.verify("", sent, BODY, now=NOW, guard=webhooks.ReplayGuard())
    with pytest.raises(webhooks.DeliveryError, match="secret"):
        webhooks.deliver("http://127.0.0.1:9/", {}, "d", WebhookSettings(secret="  "))


def test_the_replay_store_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    sent = webhooks.signed_headers(SECRET, "delivery-1", BODY, now=NOW)
    webhooks.verify(SECRET, sent, BODY, now=NOW, guard=webhooks.ReplayStore(path))
    restarted = webhooks.ReplayStore(path)
    with pytest.raises(webhooks.WebhookReplay):
        webhooks.verify(SECRET, sent, BODY, now=NOW + 5, guard=restarted)


# --- 9: no SMTP login without TLS -------------------------------------------------------------


def test_smtp_login_without_tls_is_refused_before_connecting() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), username="desk", password="pw")
    message = mail.build_message(
        settings, recipient="a@b.org", subject="s", body="b", idempotency_key="k", case_id=1
    )
    with pytest.raises(webhooks.DeliveryError, match="needs TLS"):
        mail.send(settings, message)


# --- 10: the store is owner-only ----------------------------------------------------------


def test_a_new_store_is_created_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    engine = make_engine(f"sqlite:///{home / 'watchfloor.db'}")
    upgrade(engine)
    engine.dispose()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "watchfloor.db").stat().st_mode) == 0o600


# --- 15: no fetching from the watch floor's own network, no links out of a folder ------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/admin",
        "http://localhost/",
        "http://10.1.2.3/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.0.1/",
    ],
)
def test_non_public_addresses_are_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHFLOOR_ALLOW_PRIVATE_FETCH", raising=False)
    with pytest.raises(NonPublicAddress):
        public_only(url)


def test_fetching_and_every_client_request_are_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHFLOOR_ALLOW_PRIVATE_FETCH", raising=False)
    port = free_port()
    with new_client(timeout=2.0) as client:
        with pytest.raises(InputError, match="non-public"):
            fetch_url(client, f"http://127.0.0.1:{port}/page.html")
        # The hook runs on every request the client sends, redirects included.
        with pytest.raises(NonPublicAddress):
            client.get(f"http://127.0.0.1:{port}/")
    with httpx.Client() as plain, pytest.raises(InputError, match="non-public"):
        fetch_url(plain, f"http://127.0.0.1:{port}/page.html")


def test_folder_ingest_does_not_follow_links_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for ingest")
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a report")
    (folder / "sub" / "b.txt").write_text("another")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-dir").symlink_to(outside)
    (folder / "inner.txt").symlink_to(folder / "a.txt")  # a link within the folder is fine
    found = {p.relative_to(folder).as_posix() for p in iter_paths([folder])}
    assert found == {"a.txt", "sub/b.txt", "inner.txt"}
