"""The tamper-evident audit log: every entry carries a MAC of itself and the entry before it.

An entry's hash is HMAC-SHA256(audit key, previous hash + canonical JSON of its own fields).
The key lives outside the store (store.keys: `WATCHFLOOR_AUDIT_KEY`, the file
`WATCHFLOOR_AUDIT_KEY_FILE` names, or `audit.key` in the key folder), so someone who can write
the database but not read the key can neither edit an entry and recompute the ones after it,
nor append forged ones: `verify` names the first entry whose MAC does not hold. Entries written
before the key existed carry a plain SHA-256; they are accepted only as the log's first
entries and counted in the result (`unkeyed`).

Deleting the newest entries leaves a shorter chain that still links up. `anchor` therefore
gives the head (count and hash, MACed) to keep somewhere the store's writers cannot change;
`verify(anchor=...)` then detects a log cut short or rewritten behind that anchor.

Appends are serialised (an advisory lock on PostgreSQL; SQLite has one writer at a time) so two
writers never chain to the same predecessor. Call `append` inside the transaction that makes
the change it records: the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from watchfloor.errors import WatchfloorError
from watchfloor.store.keys import load_key
from watchfloor.store.models import AuditEntry, utcnow

GENESIS = "0" * 64
# Distinct from the ingest writer lock: auditing must not wait on a long ingest batch.
_PG_AUDIT_LOCK = 0x77F0_A0D1


def canonical(details: Mapping[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def audit_key() -> bytes:
    return load_key("audit", "WATCHFLOOR_AUDIT_KEY", "WATCHFLOOR_AUDIT_KEY_FILE")


def _body(
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: str,
) -> str:
    return canonical(
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


def entry_hash(prev_hash: str, key: bytes | None = None, **fields: Any) -> str:
    """The entry's MAC under `key` (the audit key when not given)."""
    message = (prev_hash + _body(**fields)).encode("utf-8")
    return hmac.new(key or audit_key(), message, hashlib.sha256).hexdigest()


def legacy_hash(prev_hash: str, **fields: Any) -> str:
    """The unkeyed hash of entries written before the audit key (accepted as a prefix only)."""
    return hashlib.sha256((prev_hash + _body(**fields)).encode("utf-8")).hexdigest()


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
    unkeyed: int = 0  # entries from before the audit key, at the start of the log


def verify(
    session: Session, *, batch: int = 5000, anchor: Anchor | None = None, key: bytes | None = None
) -> Verification:
    """Walk the chain from the start; report the first entry that does not link up, or, with
    an `anchor`, a log that ends before it or differs from it."""
    key = key or audit_key()
    if anchor is not None:
        anchor.check(key)
    prev_hash = GENESIS
    expected_id = 1
    count = unkeyed = 0
    keyed_seen = False
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
        fields = {
            "id": row.id,
            "at": row.at,
            "actor": row.actor,
            "action": row.action,
            "subject_type": row.subject_type,
            "subject_id": row.subject_id,
            "details": row.details,
        }
        if hmac.compare_digest(entry_hash(prev_hash, key, **fields), row.hash):
            keyed_seen = True
        elif not keyed_seen and legacy_hash(prev_hash, **fields) == row.hash:
            unkeyed += 1
        else:
            return Verification(
                count,
                False,
                row.id,
                "its MAC does not match its contents (edited, forged or written with another key)",
            )
        if anchor is not None and row.id == anchor.count and row.hash != anchor.head:
            return Verification(
                count, False, row.id, "it differs from the anchor's head (rewritten since)"
            )
        prev_hash = row.hash
        expected_id += 1
    if anchor is not None and count < anchor.count:
        return Verification(
            count,
            False,
            count + 1,
            f"the log ends at entry {count} but the anchor of {anchor.at} counted "
            f"{anchor.count}: entries were deleted",
        )
    return Verification(count, True, unkeyed=unkeyed)


@dataclass(frozen=True)
class Anchor:
    """The head of the log at one moment, MACed: kept outside the store, it shows truncation."""

    count: int
    head: str
    at: str
    mac: str

    @staticmethod
    def _message(count: int, head: str, at: str) -> bytes:
        return f"anchor:{count}:{head}:{at}".encode()

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "head": self.head, "at": self.at, "mac": self.mac}

    @classmethod
    def parse(cls, line: str) -> Anchor:
        try:
            data = json.loads(line)
            return cls(int(data["count"]), str(data["head"]), str(data["at"]), str(data["mac"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise WatchfloorError(
                f"not an audit anchor ({exc!r}); use a line printed by `watchfloor audit anchor`"
            ) from None

    def check(self, key: bytes) -> None:
        expected = hmac.new(key, self._message(self.count, self.head, self.at), hashlib.sha256)
        if not hmac.compare_digest(expected.hexdigest(), self.mac):
            raise WatchfloorError(
                f"the anchor of {self.at} does not carry a valid MAC under this audit key; it was "
                "altered, or made with another key"
            )


def anchor(session: Session, key: bytes | None = None) -> Anchor:
    """The head of the log now: its count and newest hash, MACed with the audit key."""
    key = key or audit_key()
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    count, head = (last.id, last.hash) if last else (0, GENESIS)
    at = utcnow().isoformat(timespec="seconds")
    mac = hmac.new(key, Anchor._message(count, head, at), hashlib.sha256).hexdigest()
    return Anchor(count, head, at, mac)


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
