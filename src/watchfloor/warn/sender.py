"""The outbox sender: delivers queued notices with retries and exponential backoff.

For each notice: claim it (a short transaction that counts the attempt and leases the notice so
no other sender takes it meanwhile), send it outside any transaction, then record the result
(another transaction). A sender that dies between send and record leaves the notice queued;
when the lease expires it is sent again with the same idempotency key (email Message-ID,
webhook delivery id), which the receiving side uses to keep one copy. So notices are delivered
at least once, and received once by any receiver that deduplicates on that key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.models import Case, CaseEvent, Notice, utcnow
from watchfloor.warn import acks, cases, mail, webhooks
from watchfloor.warn.config import SYSTEM_ACTOR, CasePolicy, NotifyConfig
from watchfloor.warn.drafting import ACK_PLACEHOLDER
from watchfloor.warn.webhooks import DeliveryError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: int
    case_id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    attempts: int
    token: str = ""  # the acknowledgement token, already in the body


Transport = Callable[[Claimed, NotifyConfig], None]


def send_email(notice: Claimed, config: NotifyConfig) -> None:
    message = mail.build_message(
        config.smtp,
        recipient=notice.recipient,
        subject=notice.subject,
        body=notice.body,
        idempotency_key=notice.idempotency_key,
        case_id=notice.case_id,
    )
    mail.send(config.smtp, message)


def send_webhook(notice: Claimed, config: NotifyConfig) -> None:
    payload = {
        "delivery": notice.idempotency_key,
        "case": notice.case_id,
        "kind": notice.kind,
        "subject": notice.subject,
        "text": notice.body,
        "ack_token": notice.token,
    }
    webhooks.deliver(notice.recipient, payload, notice.idempotency_key, config.webhook)


# The channels watchfloor delivers on; another channel is one more entry here.
TRANSPORTS: dict[str, Transport] = {"email": send_email, "webhook": send_webhook}


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.gave_up)} failed "
            f"for good, {len(self.escalated)} cases escalated for a missed deadline"
        )


def backoff(attempts: int, config: NotifyConfig) -> float:
    o = config.outbox
    return float(min(o.backoff_max_s, o.backoff_base_s * 2 ** max(attempts - 1, 0)))


def _claim(engine: Engine, config: NotifyConfig, now: datetime) -> Claimed | None:
    with transaction(engine) as session:
        query = (
            select(Notice)
            .where(Notice.status == "queued", Notice.next_attempt_at <= now)
            .order_by(Notice.next_attempt_at, Notice.id)
            .limit(1)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        notice = session.scalar(query)
        if notice is None:
            return None
        notice.attempts += 1
        notice.next_attempt_at = now + timedelta(seconds=config.outbox.lease_s)
        token = acks.token_for(notice)
        return Claimed(
            notice.id,
            notice.case_id,
            notice.kind,
            notice.channel,
            notice.recipient,
            notice.subject,
            notice.body.replace(ACK_PLACEHOLDER, token),
            notice.idempotency_key,
            notice.attempts,
            token,
        )


def _record(
    engine: Engine,
    claimed: Claimed,
    error: str | None,
    config: NotifyConfig,
    policy: CasePolicy,
    report: SendReport,
) -> None:
    with transaction(engine) as session:
        notice = session.get(Notice, claimed.id)
        if notice is None or notice.status != "queued":
            return  # another sender recorded it first
        now = utcnow()
        details: dict[str, Any]
        if error is None:
            notice.status = "sent"
            notice.sent_at = now
            notice.last_error = None
            action, details = "notice.sent", {"attempt": claimed.attempts}
            report.sent.append(notice.id)
        elif claimed.attempts >= config.outbox.max_attempts:
            notice.status = "failed"
            notice.last_error = error
            action, details = (
                "notice.failed",
                {"attempt": claimed.attempts, "error": error, "final": True},
            )
            report.gave_up.append(notice.id)
        else:
            retry_at = now + timedelta(seconds=backoff(claimed.attempts, config))
            notice.next_attempt_at = retry_at
            notice.last_error = error
            action = "notice.failed"
            details = {"attempt": claimed.attempts, "error": error, "retry_at": retry_at}
            report.retrying.append(notice.id)
        audit.append(
            session,
            actor=SYSTEM_ACTOR,
            action=action,
            subject_type="notice",
            subject_id=notice.id,
            details={"case": notice.case_id, "channel": notice.channel, **details},
        )
        if error is None or notice.status == "failed":
            session.add(
                CaseEvent(
                    case_id=notice.case_id,
                    actor=SYSTEM_ACTOR,
                    kind="notice_sent" if error is None else "notice_failed",
                    details=audit.canonical(
                        {"notice": notice.id, "channel": notice.channel, **details}
                    ),
                )
            )
        if error is None and notice.kind == "warning":
            case = session.get(Case, notice.case_id)
            if case is not None:
                session.flush()
                cases.mark_delivered(session, case, policy)


def send_due(
    engine: Engine,
    config: NotifyConfig,
    policy: CasePolicy,
    *,
    limit: int = 1000,
    transports: dict[str, Transport] | None = None,
) -> SendReport:
    """Escalate missed deadlines, then try every notice that is due, once each."""
    report = SendReport()
    with transaction(engine) as session:
        report.escalated = cases.check_deadlines(session, policy)
    chosen = transports or TRANSPORTS
    for _ in range(limit):
        claimed = _claim(engine, config, utcnow())
        if claimed is None:
            break
        error: str | None = None
        try:
            chosen[claimed.channel](claimed, config)
        except DeliveryError as exc:
            error = str(exc)
        if error is not None:
            log.warning("notice %s attempt %s failed: %s", claimed.id, claimed.attempts, error)
        _record(engine, claimed, error, config, policy, report)
    return report


def next_due(engine: Engine) -> datetime | None:
    with transaction(engine) as session:
        return session.scalar(
            select(Notice.next_attempt_at)
            .where(Notice.status == "queued")
            .order_by(Notice.next_attempt_at)
            .limit(1)
        )


def send_loop(
    engine: Engine,
    config: NotifyConfig,
    policy: CasePolicy,
    *,
    until_idle: bool = False,
    max_seconds: float | None = None,
    on_round: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Keep sending: each round sends what is due, then sleeps until the next notice is due
    (at most `poll_s`). `until_idle`: stop when nothing is queued any more."""
    total = SendReport()
    started = time.monotonic()
    while True:
        report = send_due(engine, config, policy)
        for name in ("sent", "retrying", "gave_up", "escalated"):
            getattr(total, name).extend(getattr(report, name))
        if on_round is not None:
            on_round(report)
        due = next_due(engine)
        if until_idle and due is None:
            return total
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            return total
        wait = config.outbox.poll_s
        if due is not None:
            wait = min(wait, max((due - utcnow()).total_seconds(), 0.05))
        time.sleep(wait)
