"""The tamper-evident audit log: every entry carries the hash of the one before it.

An entry's hash is SHA-256 over the previous hash and a canonical JSON of its own fields, so
editing, deleting or reordering any row behind the application's back breaks the chain from
that row on, and `verify` names the first broken link. Appends are serialised (an advisory
lock on PostgreSQL; SQLite has one writer at a time) so two writers never chain to the same
predecessor. Call `append` inside the transaction that makes the change it records: the change
and its audit entry commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from watchfloor.store.models import AuditEntry, utcnow

GENESIS = "0" * 64
# Distinct from the ingest writer lock: auditing must not wait on a long ingest batch.
_PG_AUDIT_LOCK = 0x77F0_A0D1


def canonical(details: Mapping[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_hash(
    prev_hash: str,
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: str,
) -> str:
    body = canonical(
        {
            "id": id,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "details": details,
        }
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry at the end of the chain, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS
    next_id = (last.id + 1) if last else 1
    # Microseconds survive both databases' timestamp types, so the hash recomputes exactly.
    at = utcnow()
    body = canonical(details or {})
    entry = AuditEntry(
        id=next_id,
        at=at,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=body,
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(
        prev_hash,
        id=next_id,
        at=at,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=body,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    entries: int
    ok: bool
    broken_at: int | None = None  # id of the first entry whose link does not hold
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Walk the chain from the start; report the first entry that does not link up."""
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    for row in _rows(session, batch):
        count += 1
        if row.id != expected_id:
            return Verification(
                count, False, row.id, f"entry {expected_id} is missing (next is {row.id})"
            )
        if row.prev_hash != prev_hash:
            return Verification(
                count, False, row.id, "its previous-hash does not match the entry before it"
            )
        recomputed = entry_hash(
            prev_hash,
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            details=row.details,
        )
        if recomputed != row.hash:
            return Verification(
                count, False, row.id, "its contents do not match its hash (edited after writing)"
            )
        prev_hash = row.hash
        expected_id += 1
    return Verification(count, True)


def _rows(session: Session, batch: int) -> Iterator[AuditEntry]:
    after = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def entries_for(session: Session, subject_type: str, subject_id: str | int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == subject_type)
            .where(AuditEntry.subject_id == str(subject_id))
            .order_by(AuditEntry.id)
        )
    )
