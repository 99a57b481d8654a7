"""Acknowledgement tokens: the recipient of a notice confirms receipt with its token.

The store keeps only the token's SHA-256, so a copy of the database cannot acknowledge anything.
A token is `EXPIRY.MAC`: the Unix second it stops working, and HMAC-SHA256(token key, notice
idempotency key and expiry). It is unguessable without the key and the same on every resend of
the notice (the expiry is counted from when the notice was queued), so a retry after a crash
carries the token that was already recorded. The key is `WATCHFLOOR_SECRET_KEY` (set it on
every worker of a shared PostgreSQL deployment; 32 bytes or more), else the file
`WATCHFLOOR_SECRET_KEY_FILE` names, else `ack.key` in the key folder outside the store (see
store.keys).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.errors import AckError
from watchfloor.store import audit
from watchfloor.store.keys import load_key
from watchfloor.store.models import Acknowledgement, CaseEvent, Notice, utcnow

SECRET_ENV = "WATCHFLOOR_SECRET_KEY"
SECRET_FILE_ENV = "WATCHFLOOR_SECRET_KEY_FILE"
# How long a recipient has to acknowledge; a later acknowledgement is refused (and audited).
TOKEN_LIFETIME = timedelta(days=30)


def installation_key() -> bytes:
    return load_key("ack", SECRET_ENV, SECRET_FILE_ENV)


def _expiry(created_at: datetime | None) -> int:
    start = created_at or utcnow()
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return int((start + TOKEN_LIFETIME).timestamp())


def token_for(notice: Notice, key: bytes | None = None) -> str:
    """The notice's token; the same for every resend of it."""
    expires = _expiry(notice.created_at)
    message = f"ack:{notice.idempotency_key}:{expires}".encode()
    mac = hmac.new(key or installation_key(), message, hashlib.sha256)
    return f"{expires}." + base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def register(session: Session, notice: Notice, key: bytes | None = None) -> str:
    """Create the notice's acknowledgement record; returns the token (never stored)."""
    token = token_for(notice, key)
    session.add(Acknowledgement(notice_id=notice.id, token_hash=token_hash(token)))
    return token


@dataclass(frozen=True)
class AckResult:
    notice_id: int
    case_id: int
    recipient: str
    acknowledged_at: datetime
    first: bool  # False: it had already been acknowledged; nothing new was recorded


def acknowledge(
    session: Session, token: str, *, by: str | None = None, now: datetime | None = None
) -> AckResult:
    """Record receipt once. A repeat reports the first acknowledgement and records only that it
    was tried again (in the audit log)."""
    row = session.scalar(
        select(Acknowledgement).where(Acknowledgement.token_hash == token_hash(token))
    )
    if row is None:
        raise AckError("this acknowledgement token matches no notice; check that it is complete")
    expires = token.strip().split(".", 1)[0]
    current = now or utcnow()
    if not expires.isdigit() or current.timestamp() > int(expires):
        raise AckError(
            "this acknowledgement token has expired; ask the duty officer to confirm receipt "
            "by another channel"
        )
    notice = session.get(Notice, row.notice_id)
    assert notice is not None
    who = by or f"recipient:{notice.recipient}"
    first = row.acknowledged_at is None
    if first:
        row.acknowledged_at = now or utcnow()
        row.acknowledged_by = who
        session.add(
            CaseEvent(
                case_id=notice.case_id,
                actor=who,
                kind="acknowledged",
                details=audit.canonical({"notice": notice.id, "channel": notice.channel}),
            )
        )
    audit.append(
        session,
        actor=who,
        action="notice.acknowledged" if first else "notice.acknowledged_again",
        subject_type="notice",
        subject_id=notice.id,
        details={"case": notice.case_id, "recipient": notice.recipient},
    )
    assert row.acknowledged_at is not None
    return AckResult(notice.id, notice.case_id, notice.recipient, row.acknowledged_at, first)
