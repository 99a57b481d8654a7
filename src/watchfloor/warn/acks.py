"""Acknowledgement tokens: the recipient of a notice confirms receipt with its token.

The store keeps only the token's SHA-256, so a copy of the database cannot acknowledge anything.
The token itself is HMAC-SHA256(installation key, notice idempotency key): unguessable without
the key, and the same on every resend of the notice, so a retry after a crash carries the token
that was already recorded. The key is `WATCHFLOOR_SECRET_KEY` (set it on every worker of a
shared PostgreSQL deployment), else a random key kept in `$WATCHFLOOR_HOME/secret.key` (0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.errors import WatchfloorError
from watchfloor.store import audit
from watchfloor.store.engine import home
from watchfloor.store.models import Acknowledgement, CaseEvent, Notice, utcnow

SECRET_ENV = "WATCHFLOOR_SECRET_KEY"
KEY_FILE = "secret.key"


class AckError(WatchfloorError):
    """A token that matches no notice."""


def installation_key() -> bytes:
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode("utf-8")
    path = home() / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two processes creating the key at once must not end up with different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Path(path).read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def token_for(idempotency_key: str, key: bytes | None = None) -> str:
    mac = hmac.new(key or installation_key(), f"ack:{idempotency_key}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def register(session: Session, notice: Notice, key: bytes | None = None) -> str:
    """Create the notice's acknowledgement record; returns the token (never stored)."""
    token = token_for(notice.idempotency_key, key)
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
