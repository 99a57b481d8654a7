"""Notices over real SMTP (aiosmtpd) and real HTTP (http.server) on loopback, on both stores:
retries with backoff, a webhook that fails before it succeeds, and a sender killed between send
and record. The receivers keep one copy per idempotency key (Message-ID, delivery id), as real
mail systems and webhook consumers do; that is what makes a resend harmless."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Backend
from sqlalchemy import Engine, select
from warn_support import (
    Change,
    Endpoint,
    Mailbox,
    add_thread,
    assessment,
    free_port,
    http_server,
    smtp_server,
)

from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.models import Case, Notice
from watchfloor.warn import acks, cases
from watchfloor.warn.config import (
    CasePolicy,
    NotifyConfig,
    OutboxSettings,
    SmtpSettings,
    WebhookSettings,
)
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.sender import send_loop
from watchfloor.warn.users import add_user

POLICY = CasePolicy.load()
SECRET = "webhook-test-secret"
TOKEN = re.compile(r"watchfloor ack (\S+)")


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WATCHFLOOR_SECRET_KEY", "delivery-test-key-with-at-least-32-bytes")
    monkeypatch.setenv("WATCHFLOOR_HOME", str(tmp_path / "home"))


def warned_case(engine: Engine, email: str | None, webhook: str | None) -> int:
    """A case opened by triage and confirmed for warning: its notices are in the outbox."""
    from watchfloor.link.watchlist import Notify, Protectee, Watchlist

    a = assessment()
    people = Watchlist(
        [
            Protectee(
                id="amara-okafor", name="Amara Okafor", notify=Notify(email=email, webhook=webhook)
            )
        ]
    )
    with transaction(engine) as s:
        add_user(s, "dora", ["duty_officer"], email=None, by=None, policy=POLICY)
        thread_id = add_thread(s, a)
        [opened] = cases.triage(
            s, [Change(thread_id, None, a)], rule=ThreadRule.load(), policy=POLICY
        )
        cases.warn(s, opened.case_id, "dora", POLICY, watchlist=people)
    return opened.case_id


def config(smtp_port: int = 9, **outbox: float) -> NotifyConfig:
    settings = {"backoff_base_s": 0.2, "backoff_max_s": 1.0, "lease_s": 30.0, "poll_s": 0.1}
    settings.update(outbox)
    return NotifyConfig(
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_port, timeout_s=2.0, sender="desk@wf.test"),
        webhook=WebhookSettings(secret=SECRET, timeout_s=2.0),
        outbox=OutboxSettings(**settings),  # type: ignore[arg-type]
    )


def test_smtp_down_for_a_while_then_delivered_once(store: Engine) -> None:
    port = free_port()
    case_id = warned_case(store, "desk@example.org", None)
    mailbox = Mailbox()
    servers = []
    # Nothing listens on the port for the first second: the first attempts fail.
    starter = threading.Timer(1.0, lambda: servers.append(smtp_server(port, mailbox)))
    starter.start()
    try:
        report = send_loop(store, config(port), POLICY, until_idle=True, max_seconds=20)
    finally:
        starter.join()
        for server in servers:
            server.stop()
    assert len(report.retrying) >= 1 and len(report.sent) == 1
    assert mailbox.deliveries == 1 and len(mailbox.messages) == 1
    [message] = mailbox.messages.values()
    body = message.get_content()
    assert "Amara Okafor" in body and "[[ACK_TOKEN]]" not in body
    with transaction(store) as s:
        notice = s.scalars(select(Notice)).one()
        assert message["Message-ID"] == f"<{notice.idempotency_key}@watchfloor>"
        assert notice.status == "sent" and notice.attempts == len(report.retrying) + 1
        assert s.get(Case, case_id).state == "warning_delivered"  # type: ignore[union-attr]
        actions = [e.action for e in audit.entries_for(s, "notice", notice.id)]
        assert actions[0] == "notice.queued" and actions[-1] == "notice.sent"
        assert "notice.failed" in actions
    # The token in the message is the one the store knows (by its hash).
    [token] = TOKEN.findall(body)
    with transaction(store) as s:
        assert acks.acknowledge(s, token).notice_id == notice.id


def test_a_webhook_that_answers_500_then_200_gets_one_signed_notice(store: Engine) -> None:
    endpoint = Endpoint(SECRET, script=[500, 500, 503])
    server, url = http_server(endpoint)
    try:
        case_id = warned_case(store, None, url)
        report = send_loop(store, config(), POLICY, until_idle=True, max_seconds=20)
    finally:
        server.shutdown()
    assert endpoint.requests == 4 and endpoint.rejected == []
    assert len(endpoint.accepted) == 1 and len(report.sent) == 1
    [(delivery, payload)] = endpoint.accepted.items()
    with transaction(store) as s:
        notice = s.scalars(select(Notice)).one()
        assert delivery == notice.idempotency_key and notice.attempts == 4
        assert s.get(Case, case_id).state == "warning_delivered"  # type: ignore[union-attr]
        assert acks.acknowledge(s, payload["ack_token"]).first


def test_a_webhook_signed_with_another_secret_is_refused_and_retried(store: Engine) -> None:
    endpoint = Endpoint("the-receivers-secret")
    server, url = http_server(endpoint)
    try:
        warned_case(store, None, url)
        report = send_loop(store, config(max_attempts=2), POLICY, until_idle=True, max_seconds=20)
    finally:
        server.shutdown()
    assert endpoint.accepted == {} and len(endpoint.rejected) == 2
    assert report.sent == [] and len(report.gave_up) == 1
    with transaction(store) as s:
        assert s.scalars(select(Notice.status)).one() == "failed"


def test_a_sender_killed_between_send_and_record_leaves_one_message(
    store: Engine, backend: Backend, tmp_path: Path
) -> None:
    # The crash comes from the test side: the SMTP server kills the first sender with SIGKILL
    # once it holds the message, before the sender hears back and can record the send.
    first: subprocess.Popen[bytes] | None = None
    killed = threading.Event()

    def kill_first_sender() -> None:
        if first is not None and not killed.is_set():
            killed.set()  # first, so that the waiting loop never sees a dead sender unexplained
            os.kill(first.pid, signal.SIGKILL)

    port = free_port()
    mailbox = Mailbox(on_delivery=kill_first_sender)
    server = smtp_server(port, mailbox)
    notify = tmp_path / "notify.yaml"
    notify.write_text(
        f"smtp: {{host: 127.0.0.1, port: {port}, timeout_s: 5}}\n"
        "outbox: {lease_s: 0.5, backoff_base_s: 0.2, poll_s: 0.1}\n",
        encoding="utf-8",
    )
    env = backend.env(tmp_path / "home")
    env.update(
        WATCHFLOOR_NOTIFY_CONFIG=str(notify),
        WATCHFLOOR_SECRET_KEY="delivery-test-key-with-at-least-32-bytes",
    )
    command = [str(Path(sys.executable).parent / "watchfloor"), "outbox", "send"]
    try:
        case_id = warned_case(store, "desk@example.org", None)
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not killed.is_set():
            assert first.poll() is None, "the sender stopped before sending"
            assert time.monotonic() < deadline, "the sender never sent"
            time.sleep(0.05)
        first.wait(10)
        assert first.returncode == -signal.SIGKILL
        with transaction(store) as s:
            assert s.scalars(select(Notice.status)).one() == "queued"  # sent, not recorded
        time.sleep(0.6)  # the dead sender's lease runs out
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
    finally:
        server.stop()
    # Two SMTP deliveries of one message: the mailbox keeps one, keyed by Message-ID.
    assert mailbox.deliveries == 2 and len(mailbox.messages) == 1
    with transaction(store) as s:
        notice = s.scalars(select(Notice)).one()
        assert (notice.status, notice.attempts) == ("sent", 2)
        assert list(mailbox.messages) == [f"<{notice.idempotency_key}@watchfloor>"]
        assert s.get(Case, case_id).state == "warning_delivered"  # type: ignore[union-attr]
        assert audit.verify(s).ok


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key


def test_starttls_and_login(tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    from watchfloor.warn import mail
    from watchfloor.warn.webhooks import DeliveryError

    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    logins: list[tuple[str, bool]] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        ok = (data.login, data.password) == (b"warner", b"s3cret-pass")
        logins.append((data.login.decode(), ok))
        # handled=False: aiosmtpd answers 535 itself on a refusal.
        return AuthResult(success=ok, handled=False)

    port = free_port()
    mailbox = Mailbox()
    server = smtp_server(
        port,
        mailbox,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    monkeypatch.setenv("WATCHFLOOR_SMTP_PORT", str(port))
    monkeypatch.setenv("WATCHFLOOR_SMTP_STARTTLS", "yes")
    monkeypatch.setenv("WATCHFLOOR_SMTP_USER", "warner")
    monkeypatch.setenv("WATCHFLOOR_SMTP_CA_FILE", str(cert))
    try:
        monkeypatch.setenv("WATCHFLOOR_SMTP_PASSWORD", "wrong-pass")
        settings = NotifyConfig.load().smtp
        assert "wrong-pass" not in repr(settings)
        message = mail.build_message(
            settings, recipient="a@b.test", subject="s", body="b", idempotency_key="k1", case_id=1
        )
        with pytest.raises(DeliveryError, match="login refused") as refused:
            mail.send(settings, message)
        assert "wrong-pass" not in str(refused.value)
        monkeypatch.setenv("WATCHFLOOR_SMTP_PASSWORD", "s3cret-pass")
        mail.send(NotifyConfig.load().smtp, message)
    finally:
        server.stop()
    # smtplib tries each offered mechanism (PLAIN, LOGIN) before it gives up on a password.
    assert logins[-1] == ("warner", True)
    assert logins[:-1] and set(logins[:-1]) == {("warner", False)}
    assert list(mailbox.messages) == ["<k1@watchfloor>"]
