"""Collections of shared STIX objects in the store: what a TAXII client reads, what an
import keeps. Every read for a reader goes through the one access decision, object by object."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchfloor.publish.access import AccessPolicy, Reader, decide
from watchfloor.publish.markings import Marking, parse_marking
from watchfloor.share.stixmarkings import tlp_table
from watchfloor.store.models import utcnow
from watchfloor.store.sharing import StixObject

IMPORTED = "imported"
PUBLISHED = "published"
_CHUNK = 900


@dataclass(frozen=True)
class Stored:
    stix_id: str
    type: str
    version: str
    added_at: datetime
    marking: str
    body: dict[str, Any]


def version_of(obj: dict[str, Any]) -> str:
    return str(obj.get("modified") or obj.get("created") or "2020-01-01T00:00:00.000Z")


def put(session: Session, collection: str, obj: dict[str, Any], marking: Marking) -> bool:
    """Store this version of `obj` in `collection`; False when that version is already there."""
    version = version_of(obj)
    exists = session.scalar(
        select(StixObject.id).where(
            StixObject.collection == collection,
            StixObject.stix_id == obj["id"],
            StixObject.version == version,
        )
    )
    if exists is not None:
        return False
    session.add(
        StixObject(
            collection=collection,
            stix_id=obj["id"],
            type=obj["type"],
            version=version,
            added_at=utcnow(),
            marking=marking.banner() or "TLP:CLEAR",
            name=obj.get("name"),
            body=json.dumps(obj, sort_keys=True, ensure_ascii=False),
        )
    )
    session.flush()
    return True


def publish_bundle(session: Session, collection: str, bundle: dict[str, Any]) -> int:
    """Store a bundle our export built (markings already ours); how many versions were new."""
    labels = tlp_table().labels
    statements = {
        o["id"]: o["definition"]["statement"]
        for o in bundle["objects"]
        if o.get("definition_type") == "statement"
    }
    added = 0
    for obj in bundle["objects"]:
        parts = [
            f"TLP:{labels[r]}" if r in labels else statements.get(r, "")
            for r in obj.get("object_marking_refs") or ()
        ]
        text = " ".join(sorted((p for p in parts if p), key=lambda p: p.startswith("TLP:")))
        added += put(session, collection, obj, parse_marking(text or "TLP:CLEAR"))
    return added


def known_ids(session: Session, wanted: Iterable[str]) -> set[str]:
    wanted = sorted(set(wanted))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            session.scalars(select(StixObject.stix_id).where(StixObject.stix_id.in_(chunk)))
        )
    return found


def collections(session: Session) -> list[str]:
    return list(
        session.scalars(select(StixObject.collection).distinct().order_by(StixObject.collection))
    )


def rows(
    session: Session,
    collection: str,
    *,
    added_after: datetime | None = None,
    ids: Sequence[str] = (),
    types: Sequence[str] = (),
) -> list[Stored]:
    """Every stored version in `collection`, oldest addition first, by the filters given."""
    query = select(StixObject).where(StixObject.collection == collection)
    if added_after is not None:
        query = query.where(StixObject.added_at > added_after)
    if ids:
        query = query.where(StixObject.stix_id.in_(list(ids)))
    if types:
        query = query.where(StixObject.type.in_(list(types)))
    query = query.order_by(StixObject.added_at, StixObject.id)
    return [
        Stored(r.stix_id, r.type, r.version, r.added_at, r.marking, json.loads(r.body))
        for r in session.scalars(query)
    ]


def readable(
    stored: Iterable[Stored], reader: Reader, policy: AccessPolicy | None = None
) -> list[Stored]:
    """The versions `reader` may see: each decided on its own marking (deny by default)."""
    out = []
    for item in stored:
        try:
            marking = parse_marking(item.marking)
        except Exception:
            continue
        if decide(reader, marking, policy=policy).allowed:
            out.append(item)
    return out


def latest(stored: Iterable[Stored]) -> list[Stored]:
    """The newest version of each object, in the order objects were first added."""
    newest: dict[str, Stored] = {}
    for item in stored:
        current = newest.get(item.stix_id)
        if current is None or item.version > current.version:
            newest[item.stix_id] = item
    return list(newest.values())


def by_name(session: Session, kind: str, names: Iterable[str]) -> str | None:
    """The id of a stored object of `kind` named (case-insensitively) one of `names`, or whose
    aliases hold one of them."""
    wanted = {n.strip().lower() for n in names if n and n.strip()}
    if not wanted:
        return None
    found = session.scalar(
        select(StixObject.stix_id)
        .where(StixObject.type == kind, func.lower(StixObject.name).in_(sorted(wanted)))
        .order_by(StixObject.id)
        .limit(1)
    )
    if found:
        return str(found)
    for stix_id, body in session.execute(
        select(StixObject.stix_id, StixObject.body).where(StixObject.type == kind)
    ):
        aliases = {str(a).lower() for a in json.loads(body).get("aliases") or ()}
        if aliases & wanted:
            return str(stix_id)
    return None
