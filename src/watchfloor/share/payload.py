"""Reading and checking a STIX bundle before anything of it is stored: the size limit, JSON,
the shape of a bundle, each object as the `stix2` library parses it, every reference resolved
inside the bundle (or already in the store), every marking one we can read. Any failure is one
StixInputError naming the input and the fix; nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import stix2
from stix2.exceptions import STIXError

from watchfloor.errors import StixInputError
from watchfloor.ingest.guard import public_only
from watchfloor.publish.markings import Marking
from watchfloor.publish.rollup import rollup
from watchfloor.share import stixmarkings
from watchfloor.share.bundle import marking_refs, references


@dataclass(frozen=True)
class CheckedBundle:
    where: str
    objects: list[dict[str, Any]]
    markings: dict[str, Marking]  # object id -> our marking (roll-up with its portions)


def read_payload(location: str, limit: int) -> bytes:
    """The bytes at a path or an http(s) URL, refusing more than `limit` bytes."""
    if location.startswith(("http://", "https://")):
        return _fetch(location, limit)
    path = Path(location)
    try:
        size = path.stat().st_size
        if size > limit:
            raise too_large(location, size, limit)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise StixInputError(f"{location}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise too_large(location, len(data), limit)
    return data


def _fetch(url: str, limit: int) -> bytes:
    public_only(url)
    chunks: list[bytes] = []
    total = 0
    try:
        with httpx.stream("GET", url, timeout=30, follow_redirects=False) as response:
            if response.status_code != 200:
                raise StixInputError(f"{url}: the server answered {response.status_code}")
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > limit:
                    raise too_large(url, total, limit)
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise StixInputError(f"{url}: cannot fetch it ({exc})") from None
    return b"".join(chunks)


def too_large(where: str, size: int, limit: int) -> StixInputError:
    return StixInputError(
        f"{where}: {size:,} bytes or more is over the import limit of {limit:,} bytes; split "
        "the bundle or raise max_import_bytes in the sharing config"
    )


def check_bundle(
    raw: bytes | dict[str, Any], where: str, known: Callable[[set[str]], set[str]]
) -> CheckedBundle:
    """A bundle fit to import whole; `known(ids)` says which of `ids` the store already has."""
    data = _json(raw, where) if isinstance(raw, bytes) else raw
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise StixInputError(f"{where}: not a STIX bundle (expected an object of type 'bundle')")
    objects = data.get("objects") or []
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise StixInputError(f"{where}: 'objects' must be a list of STIX objects")
    for obj in objects:
        _parse(obj, where)
    by_id = {o["id"]: o for o in objects}
    _dangling(objects, by_id, where, known)
    definitions = {i: o for i, o in by_id.items() if o["type"] == "marking-definition"}
    markings = {
        o["id"]: _marking(o, definitions, where)
        for o in objects
        if o["type"] != "marking-definition"
    }
    return CheckedBundle(where, objects, markings)


def _json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StixInputError(
            f"{where}: not JSON in UTF-8 ({exc}); export the bundle again"
        ) from None


def _parse(obj: dict[str, Any], where: str) -> None:
    label = obj.get("id") or obj.get("type") or "an object"
    try:
        stix2.parse(obj, allow_custom=True)
    except (STIXError, ValueError, TypeError, KeyError) as exc:
        raise StixInputError(f"{where}: {label} is not valid STIX 2.1: {exc}") from None
    if obj.get("spec_version") not in (None, "2.1") and obj["type"] != "marking-definition":
        raise StixInputError(f"{where}: {label} is spec_version {obj['spec_version']}; send 2.1")


def _dangling(
    objects: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    where: str,
    known: Callable[[set[str]], set[str]],
) -> None:
    tlp = set(stixmarkings.tlp_table().labels)
    wanted = {ref for o in objects for ref in references(o)} - set(by_id) - tlp
    missing = sorted(wanted - known(wanted))
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise StixInputError(
            f"{where}: refers to objects it does not contain and the store does not hold: "
            f"{shown}; send them in the same bundle"
        )


def _marking(obj: dict[str, Any], definitions: dict[str, dict[str, Any]], where: str) -> Marking:
    label = f"{where}: {obj['id']}"
    whole = stixmarkings.marking_of(list(obj.get("object_marking_refs") or ()), definitions, label)
    parts = [
        stixmarkings.marking_of([g["marking_ref"]], definitions, label)
        for g in obj.get("granular_markings") or ()
        if "marking_ref" in g
    ]
    # A portion more restricted than its object restricts the object as we store it.
    return rollup([whole, *parts]) if parts else whole


__all__ = ["CheckedBundle", "check_bundle", "marking_refs", "read_payload", "too_large"]
