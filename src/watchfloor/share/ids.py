"""Deterministic STIX ids, derived as OpenCTI's client (pycti) derives its standard ids: a
uuid5 in one fixed namespace over the canonical JSON (RFC 8785) of the identifying properties,
names lower-cased and stripped. Re-exporting the same thing gives the same id, so a consumer
updates it instead of adding a duplicate, and OpenCTI's own import lands on the same object."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from stix2.canonicalization.Canonicalize import canonicalize

# The namespace pycti (and the STIX 2.1 spec for SCOs) derives ids in.
NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")


def _derive(prefix: str, data: dict[str, Any]) -> str:
    return f"{prefix}--{uuid.uuid5(NAMESPACE, canonicalize(data, utf8=False))}"


def _time(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def threat_actor(name: str, opencti_type: str = "Threat-Actor-Group") -> str:
    return _derive("threat-actor", {"name": name.lower().strip(), "opencti_type": opencti_type})


def identity(name: str, identity_class: str) -> str:
    return _derive(
        "identity", {"name": name.lower().strip(), "identity_class": identity_class.lower()}
    )


def location(name: str, location_type: str) -> str:
    return _derive(
        "location", {"name": name.lower().strip(), "x_opencti_location_type": location_type}
    )


def report(name: str, published: datetime | str) -> str:
    return _derive("report", {"name": name.lower().strip(), "published": _time(published)})


def note(content: str, created: datetime | str | None = None) -> str:
    data: dict[str, Any] = {"content": content.strip()}
    if created is not None:
        data["created"] = _time(created)
    return _derive("note", data)


def opinion(value: str, created: datetime | str | None = None) -> str:
    data: dict[str, Any] = {"opinion": value.strip()}
    if created is not None:
        data["created"] = _time(created)
    return _derive("opinion", data)


def relationship(kind: str, source_ref: str, target_ref: str) -> str:
    return _derive(
        "relationship",
        {"relationship_type": kind, "source_ref": source_ref, "target_ref": target_ref},
    )


def statement_marking(statement: str) -> str:
    """A statement marking (a classification banner) keyed by its text."""
    return _derive(
        "marking-definition",
        {"definition_type": "statement", "definition": statement.lower().strip()},
    )
