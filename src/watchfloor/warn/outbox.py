"""The outbox: notices written in the same transaction as the case change that calls for them,
so a committed change always has its notices and a rolled-back one never does. The sender
(warn.sender) delivers them later."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.store import audit
from watchfloor.store.models import Case, CaseEvent, Notice, utcnow
from watchfloor.warn import acks


def text_hash(subject: str, body: str) -> str:
    return hashlib.sha256(f"{subject}\n\n{body}".encode()).hexdigest()


def queue_notice(
    session: Session,
    case: Case,
    *,
    kind: str,
    channel: str,
    recipient: str,
    recipient_kind: str,
    subject: str,
    body: str,
    by: str,
) -> Notice:
    notice = Notice(
        case_id=case.id,
        kind=kind,
        channel=channel,
        recipient=recipient,
        recipient_kind=recipient_kind,
        subject=subject,
        body=body,
        text_hash=text_hash(subject, body),
        idempotency_key=uuid.uuid4().hex,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
        queued_by=by,
    )
    session.add(notice)
    session.flush()
    acks.register(session, notice)
    details = {
        "notice": notice.id,
        "kind": kind,
        "channel": channel,
        "recipient": recipient,
        "text_hash": notice.text_hash,
    }
    session.add(
        CaseEvent(case_id=case.id, actor=by, kind="notice_queued", details=audit.canonical(details))
    )
    audit.append(
        session,
        actor=by,
        action="notice.queued",
        subject_type="notice",
        subject_id=notice.id,
        details={"case": case.id, **details},
    )
    return notice


def notice_json(n: Notice) -> dict[str, Any]:
    """A notice as the CLI and the API list it. The idempotency key is left out: with the token
    key it makes the acknowledgement token."""
    return {
        "id": n.id,
        "case": n.case_id,
        "kind": n.kind,
        "channel": n.channel,
        "recipient": n.recipient,
        "status": n.status,
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at.isoformat(),
        "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        "last_error": n.last_error,
    }


def list_notices(session: Session, *, status: str | None = None, limit: int = 100) -> list[Notice]:
    query = select(Notice).order_by(Notice.id.desc()).limit(limit)
    if status:
        query = query.where(Notice.status == status)
    return list(session.scalars(query))
