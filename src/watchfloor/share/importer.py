"""Importing a partner's STIX bundle whole or not at all: reports and notes become documents
with their markings and sources; threat-actors and identities merge with ours (the actor
catalog, the watchlist, what was imported before) by name and alias instead of duplicating;
every object is kept, with our marking, in the `imported` collection."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.ingest.records import Document
from watchfloor.publish.markings import Marking
from watchfloor.share import collection
from watchfloor.share.config import ShareConfig, default_config
from watchfloor.share.export import catalog
from watchfloor.share.payload import CheckedBundle, check_bundle, read_payload, too_large
from watchfloor.store import repository as repo
from watchfloor.store.models import RELIABILITY_GRADES, ProtecteeRow

_DOCUMENT_TYPES = ("report", "note")
_MERGED_TYPES = ("threat-actor", "identity")
_REF_KEYS = ("source_ref", "target_ref", "sighting_of_ref", "created_by_ref")


@dataclass
class ImportResult:
    where: str
    objects: int = 0
    new_versions: int = 0
    documents: list[int] = field(default_factory=list)
    # Partner id -> the id it merged into (an object imported before under the same name).
    merged: dict[str, str] = field(default_factory=dict)
    # Partner id -> our name for it (a catalog actor, a protectee id).
    ours: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.where,
            "objects": self.objects,
            "new_versions": self.new_versions,
            "documents": self.documents,
            "merged": self.merged,
            "ours": self.ours,
        }


def import_location(
    session: Session, location: str, *, config: ShareConfig | None = None
) -> ImportResult:
    """Import the bundle at a path or URL (checked whole first; the caller's transaction)."""
    config = config or default_config()
    raw = read_payload(location, config.max_import_bytes)
    return import_bundle(session, raw, location)


def import_limit(config: ShareConfig | None = None) -> int:
    """The most bytes one bundle may have (the sharing config's max_import_bytes)."""
    return (config or default_config()).max_import_bytes


def import_payload(
    session: Session, raw: bytes, where: str, *, config: ShareConfig | None = None
) -> ImportResult:
    """Import bundle bytes received whole (an API upload): the same limit and checks as a
    file. A caller that stops reading at the limit passes limit + 1 bytes to be refused."""
    limit = import_limit(config)
    if len(raw) > limit:
        raise too_large(where, len(raw), limit)
    return import_bundle(session, raw, where)


def import_bundle(
    session: Session, raw: bytes | dict[str, Any], where: str, target: str = collection.IMPORTED
) -> ImportResult:
    checked = check_bundle(raw, where, lambda ids: collection.known_ids(session, ids))
    result = ImportResult(where, objects=len(checked.objects))
    remap = _merges(session, checked, result)
    by_id = {o["id"]: o for o in checked.objects}
    for obj in checked.objects:
        if obj["id"] in remap:
            continue
        obj = _remapped(obj, remap)
        marking = checked.markings.get(obj["id"]) or Marking(tlp="CLEAR")
        result.new_versions += collection.put(session, target, obj, marking)
        if obj["type"] in _DOCUMENT_TYPES:
            doc = _document(session, obj, by_id, marking, where)
            if doc is not None:
                result.documents.append(doc)
    return result


def _merges(session: Session, checked: CheckedBundle, result: ImportResult) -> dict[str, str]:
    """Partner ids to replace by ids already stored under the same name or alias."""
    remap: dict[str, str] = {}
    protectees = _protectee_names(session)
    for obj in checked.objects:
        if obj["type"] not in _MERGED_TYPES:
            continue
        names = [obj.get("name", ""), *(obj.get("aliases") or ())]
        if obj["type"] == "threat-actor":
            entity = next((e for n in names if n and (e := catalog().resolve(n))), None)
            if entity is not None:
                result.ours[obj["id"]] = entity.name
        elif obj.get("identity_class") == "individual":
            pid = next((protectees[n.lower()] for n in names if n.lower() in protectees), None)
            if pid is not None:
                result.ours[obj["id"]] = pid
        existing = collection.by_name(session, obj["type"], names)
        if existing is not None and existing != obj["id"]:
            remap[obj["id"]] = existing
            result.merged[obj["id"]] = existing
    return remap


def _protectee_names(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for pid, name, aliases in session.execute(
        select(ProtecteeRow.id, ProtecteeRow.name, ProtecteeRow.aliases)
    ):
        for spelling in (name, *json.loads(aliases or "[]")):
            out[str(spelling).lower()] = pid
    return out


def _remapped(obj: dict[str, Any], remap: dict[str, str]) -> dict[str, Any]:
    if not remap:
        return obj
    out = dict(obj)
    for key in _REF_KEYS:
        if out.get(key) in remap:
            out[key] = remap[out[key]]
    if "object_refs" in out:
        out["object_refs"] = list(dict.fromkeys(remap.get(r, r) for r in out["object_refs"]))
    return out


def _document(
    session: Session,
    obj: dict[str, Any],
    by_id: dict[str, dict[str, Any]],
    marking: Marking,
    where: str,
) -> int | None:
    text = _text(obj)
    if not text.strip():
        return None
    author = by_id.get(obj.get("created_by_ref", "")) or {}
    grade = str(author.get("x_opencti_reliability") or "F")[:1].upper()
    source = repo.get_or_create_source(
        session,
        str(author.get("name") or "STIX import"),
        kind="partner",
        reliability=grade if grade in RELIABILITY_GRADES else "F",
        marking=marking.banner(),
    )
    published = str(obj.get("published") or obj.get("created") or "")[:10]
    document = Document.from_text(text, source=f"stix:{obj['id']}")
    urls = [r["url"] for r in obj.get("external_references") or () if r.get("url")]
    if urls:
        document = Document(**{**document.__dict__, "url": urls[0]})
    stored = repo.add_document_with_statements(
        session,
        document,
        [],
        source=source,
        location=f"{where}#{obj['id']}",
        published=date.fromisoformat(published) if published else None,
        marking=marking.banner(),
        analyzed=False,
    )
    return stored.document_id


def _text(obj: dict[str, Any]) -> str:
    """A report's or note's words, as a document holds them."""
    parts = [obj.get("name"), obj.get("abstract"), obj.get("description"), obj.get("content")]
    for portion in obj.get("x_watchfloor_portions") or ():
        parts.append(str(portion.get("text", "")))
    return "\n\n".join(str(p) for p in parts if p)
