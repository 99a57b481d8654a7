"""The watchlist's protectees kept in the store: upsert from a watchlist, look up names and
notify contacts without the file.

This module reads plain attributes of the watchlist's `Protectee`s and does not import the link
stage, so that the assess and warn stages can use it without loading spaCy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.store import audit
from watchfloor.store.models import ProtecteeRow, utcnow
from watchfloor.store.repository import lock_writers

LOAD_ACTION = "watchlist.load"


class _ModelLike(Protocol):
    def model_dump(self, *, mode: str, exclude_none: bool) -> dict[str, Any]: ...


class ProtecteeLike(Protocol):
    """What the store needs of link.watchlist.Protectee."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...
    @property
    def roles(self) -> Sequence[_ModelLike]: ...
    @property
    def notify(self) -> _ModelLike | None: ...


@dataclass(frozen=True)
class StoredNotify:
    email: str | None = None
    webhook: str | None = None


@dataclass(frozen=True)
class StoredProtectee:
    id: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[dict[str, Any], ...]
    notify: StoredNotify | None
    current: bool
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "roles": list(self.roles),
            "notify": (
                {"email": self.notify.email, "webhook": self.notify.webhook}
                if self.notify
                else None
            ),
            "current": self.current,
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class LoadSummary:
    """What one load changed; `renamed` are ids whose name changed (threads show names)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    no_longer_listed: tuple[str, ...] = ()
    renamed: tuple[str, ...] = ()

    def line(self) -> str:
        return (
            f"watchlist: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.no_longer_listed)} no longer listed"
        )


def _fields(person: ProtecteeLike) -> dict[str, Any]:
    notify = person.notify.model_dump(mode="json", exclude_none=True) if person.notify else {}
    return {
        "name": person.name,
        "aliases": json.dumps(list(person.aliases), ensure_ascii=False),
        "roles": json.dumps(
            [r.model_dump(mode="json", exclude_none=True) for r in person.roles],
            ensure_ascii=False,
            sort_keys=True,
        ),
        "notify": json.dumps(notify, ensure_ascii=False, sort_keys=True),
        "current": True,
    }


def load_protectees(
    session: Session,
    protectees: Iterable[ProtecteeLike],
    *,
    actor: str,
    source: str,
    sha256: str,
) -> LoadSummary:
    """Insert new protectees, update changed ones, mark the ones the file no longer lists as
    not current (kept: threads and cases refer to them), and audit the load, all in the
    caller's transaction."""
    lock_writers(session)
    stored = {row.id: row for row in session.scalars(select(ProtecteeRow))}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    renamed: list[str] = []
    seen: set[str] = set()
    now = utcnow()
    for person in protectees:
        seen.add(person.id)
        values = _fields(person)
        row = stored.get(person.id)
        if row is None:
            session.add(ProtecteeRow(id=person.id, updated_at=now, **values))
            added.append(person.id)
            continue
        if all(getattr(row, k) == v for k, v in values.items()):
            unchanged.append(person.id)
            continue
        if row.name != values["name"]:
            renamed.append(person.id)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
        updated.append(person.id)
    gone = sorted(pid for pid, row in stored.items() if pid not in seen and row.current)
    for pid in gone:
        stored[pid].current = False
        stored[pid].updated_at = now
    session.flush()
    summary = LoadSummary(
        tuple(added), tuple(updated), tuple(unchanged), tuple(gone), tuple(renamed)
    )
    audit.append(
        session,
        actor=actor,
        action=LOAD_ACTION,
        subject_type="watchlist",
        subject_id=source[:200],
        details={
            "sha256": sha256,
            "added": len(added),
            "updated": len(updated),
            "unchanged": len(unchanged),
            "no_longer_listed": len(gone),
            "added_ids": added,
            "updated_ids": updated,
            "no_longer_listed_ids": gone,
        },
    )
    return summary


def _stored(row: ProtecteeRow) -> StoredProtectee:
    notify = json.loads(row.notify or "{}")
    return StoredProtectee(
        id=row.id,
        name=row.name,
        aliases=tuple(json.loads(row.aliases or "[]")),
        roles=tuple(json.loads(row.roles or "[]")),
        notify=(
            StoredNotify(notify.get("email"), notify.get("webhook"))
            if notify.get("email") or notify.get("webhook")
            else None
        ),
        current=row.current,
        updated_at=row.updated_at,
    )


def list_protectees(session: Session, *, include_former: bool = True) -> list[StoredProtectee]:
    query = select(ProtecteeRow).order_by(ProtecteeRow.id)
    if not include_former:
        query = query.where(ProtecteeRow.current.is_(True))
    return [_stored(row) for row in session.scalars(query)]


def protectee_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Watchlist id -> name, for the ids the store knows."""
    wanted = sorted({i for i in ids if i})
    names: dict[str, str] = {}
    # Watchlists hold hundreds of people, not thousands: one IN list per 1000 is plenty.
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        rows = session.execute(
            select(ProtecteeRow.id, ProtecteeRow.name).where(ProtecteeRow.id.in_(chunk))
        )
        names.update((pid, name) for pid, name in rows)
    return names


class StoredWatchlist:
    """The store's copy of the watchlist with the `get(id)` lookup warn uses on a Watchlist;
    rows are read when first asked for."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[str, StoredProtectee | None] = {}

    def get(self, protectee_id: str) -> StoredProtectee | None:
        if protectee_id not in self._cache:
            row = self._session.get(ProtecteeRow, protectee_id)
            self._cache[protectee_id] = _stored(row) if row is not None else None
        return self._cache[protectee_id]
