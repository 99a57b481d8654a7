"""What ingestion keeps between runs: quarantined failures with their raw bytes, and each
feed's state (what it has seen, its validators, when it is due).

Split from store.repository (which still exports these names); every function takes a Session
inside a transaction the caller owns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from watchfloor.errors import WatchfloorError
from watchfloor.store.models import (
    Blob,
    Failure,
    FeedItem,
    FeedState,
    utcnow,
)

# --- failures -----------------------------------------------------------------------------


def quarantine(
    session: Session,
    location: str,
    reason: str,
    *,
    source_name: str,
    sha256: str | None = None,
    raw: bytes | None = None,
) -> Failure:
    """Record (or count again) a document that could not be ingested; keep its bytes if any."""
    now = utcnow()
    if raw is not None and sha256 is not None and session.get(Blob, sha256) is None:
        session.add(Blob(sha256=sha256, size=len(raw), data=raw))
    failure = session.scalar(select(Failure).where(Failure.location == location))
    if failure is None:
        failure = Failure(
            location=location,
            source_name=source_name,
            reason=reason,
            sha256=sha256,
            attempts=1,
            first_failed_at=now,
            last_failed_at=now,
        )
        session.add(failure)
    else:
        failure.attempts += 1
        failure.reason = reason
        failure.sha256 = sha256 or failure.sha256
        failure.last_failed_at = now
        failure.resolved_at = None
        failure.document_id = None
    try:
        session.flush()
    except IntegrityError as exc:  # pragma: no cover - the write lock makes this unreachable
        raise WatchfloorError(f"{location}: could not record the failure ({exc})") from exc
    return failure


def resolve_failure(session: Session, location: str, document_id: int) -> bool:
    """Mark a quarantined location as ingested; False when it was not quarantined."""
    result = session.execute(
        update(Failure)
        .where(Failure.location == location, Failure.resolved_at.is_(None))
        .values(resolved_at=utcnow(), document_id=document_id)
    )
    return bool(getattr(result, "rowcount", 0))


def list_failures(session: Session, *, include_resolved: bool = False) -> list[Failure]:
    query = select(Failure).order_by(Failure.last_failed_at.desc(), Failure.id.desc())
    if not include_resolved:
        query = query.where(Failure.resolved_at.is_(None))
    return list(session.scalars(query).all())


def blob_bytes(session: Session, sha256: str) -> bytes | None:
    return session.scalar(select(Blob.data).where(Blob.sha256 == sha256))


# --- feeds --------------------------------------------------------------------------------


@dataclass
class FeedMemory:
    """A feed's polling state as plain values, detached from any session."""

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_due_at: datetime | None = None
    seen: set[str] = field(default_factory=set)


def load_feed_state(session: Session, name: str, url: str) -> FeedMemory:
    row = session.get(FeedState, name)
    if row is None:
        return FeedMemory(name=name, url=url)
    seen = set(session.scalars(select(FeedItem.key).where(FeedItem.feed == name)).all())
    return FeedMemory(
        name=name,
        url=url,
        etag=row.etag if row.url == url else None,
        last_modified=row.last_modified if row.url == url else None,
        failures=row.failures,
        last_error=row.last_error,
        last_polled_at=row.last_polled_at,
        last_success_at=row.last_success_at,
        next_due_at=row.next_due_at,
        seen=seen,
    )


def save_feed_state(session: Session, state: FeedMemory, new_keys: Sequence[str] = ()) -> None:
    row = session.get(FeedState, state.name)
    if row is None:
        row = FeedState(name=state.name, url=state.url)
        session.add(row)
    row.url = state.url
    row.etag = state.etag
    row.last_modified = state.last_modified
    row.failures = state.failures
    row.last_error = state.last_error
    row.last_polled_at = state.last_polled_at
    row.last_success_at = state.last_success_at
    row.next_due_at = state.next_due_at
    session.flush()
    known = (
        set(
            session.scalars(
                select(FeedItem.key).where(FeedItem.feed == state.name, FeedItem.key.in_(new_keys))
            ).all()
        )
        if new_keys
        else set()
    )
    session.add_all(
        FeedItem(feed=state.name, key=k) for k in dict.fromkeys(new_keys) if k not in known
    )


def list_feed_states(session: Session) -> list[FeedState]:
    return list(session.scalars(select(FeedState).order_by(FeedState.name)).all())
