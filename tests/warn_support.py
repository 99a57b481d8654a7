"""Helpers for the warn tests: thread assessments built by hand, thread rows, and real local
receivers (an aiosmtpd SMTP server and an http.server webhook endpoint) that keep one copy per
idempotency key, as real mail systems (Message-ID) and webhook consumers (delivery id) do."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from watchfloor.assess.records import Specificity, ThreadAssessment, Trend
from watchfloor.store.models import Thread
from watchfloor.warn import webhooks


def assessment(
    key: str = "al-Shabaab→amara-okafor",
    *,
    protectee: str | None = "amara-okafor",
    target: str = "Amara Okafor",
    actor: str | None = "al-Shabaab",
    harm: str = "kill",
    status: str = "planned",
    credibility: int = 2,
    specificity: float = 0.6,
    imminence: str = "near",
    target_identified: bool = True,
) -> ThreadAssessment:
    return ThreadAssessment(
        key=key,
        actor=actor,
        actor_lineage=(actor,) if actor else (),
        target=target,
        protectee=protectee,
        first_seen=date(2026, 3, 2),
        last_seen=date(2026, 3, 5),
        statements=2,
        documents=2,
        clusters=2,
        independent_origins=2,
        reliability="B",
        credibility=credibility,
        credibility_overridden=False,
        specificity=Specificity(
            target_identified, True, True, specificity > 0.5, False, specificity
        ),
        harm=harm,
        status=status,
        severity=8,
        imminence=imminence,
        imminence_days=7 if imminence == "near" else None,
        behaviours=(),
        trend=Trend("escalating", "more specific", ()),
        likelihood="likely",
        likelihood_range=(55, 80),
        confidence="moderate",
        priority=9.0,
        rationale=(),
        duty_to_warn_statements=2,
    )


def sharper(a: ThreadAssessment, **changes: Any) -> ThreadAssessment:
    spec = changes.pop("specificity", None)
    if spec is not None:
        changes["specificity"] = replace(a.specificity, score=spec, time=True)
    return replace(a, **changes)


def add_thread(session: Session, a: ThreadAssessment) -> int:
    thread = Thread(
        key=a.key,
        actor_entity=a.actor,
        actor_lineage="|".join(a.actor_lineage),
        target_key=a.protectee or a.target,
        target_label=a.target,
        protectee=a.protectee,
        statements=a.statements,
        harm=a.harm,
        credibility=a.credibility,
        priority=a.priority,
        assessment=json.dumps(a.to_json()),
        version=1,
        standing=a.standing,
        imminence=a.imminence,
        specificity=a.specificity.score,
    )
    session.add(thread)
    session.flush()
    return thread.id


@dataclass(frozen=True)
class Change:
    thread_id: int
    before: ThreadAssessment | None
    after: ThreadAssessment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- SMTP ---------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """Messages received, one per Message-ID; `deliveries` counts every DATA, duplicates too."""

    messages: dict[str, EmailMessage] = field(default_factory=dict)
    deliveries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Called after a message is kept and before the server answers: a test can crash the
    # sender there, with the message delivered and the sender not yet told.
    on_delivery: Callable[[], None] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.deliveries += 1
            self.messages.setdefault(str(message["Message-ID"]), message)
        if self.on_delivery is not None:
            self.on_delivery()
        return "250 OK"


def smtp_server(port: int, mailbox: Mailbox, **kwargs: Any) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller


# -- webhooks -------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    """A webhook receiver: answers `script` statuses in turn (then 200), verifies every request
    it accepts, and keeps one payload per delivery id."""

    secret: str
    script: list[int] = field(default_factory=list)
    requests: int = 0
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    guard: webhooks.ReplayGuard = field(default_factory=webhooks.ReplayGuard)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests += 1
            if self.script:
                return self.script.pop(0)
            try:
                delivery = webhooks.verify(self.secret, headers, body, guard=self.guard)
            except webhooks.WebhookReplay:
                return 200  # already have it: acknowledge, keep one copy
            except webhooks.WebhookRejected as exc:
                self.rejected.append(str(exc))
                return 401
            self.accepted[delivery] = json.loads(body)
            return 200


def http_server(endpoint: Endpoint) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = endpoint.handle(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hook"
