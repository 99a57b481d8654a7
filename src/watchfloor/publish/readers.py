"""Readers in the store: who products may be rendered for, and what each is cleared for.

Values are checked on the way in against the markings vocabulary (clearance levels,
nationalities, SCI systems) and the review configuration (audiences), so that a typo is an
error now rather than a silent denial later. Every change is audited: a clearance is a security
decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.errors import ReaderError
from watchfloor.publish.access import Reader
from watchfloor.publish.review import ReviewConfig
from watchfloor.publish.vocabulary import vocabulary
from watchfloor.store import audit
from watchfloor.store.models import ReaderRow, utcnow

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An SCI entry as a reader holds it: system, compartment, sub-compartment ("SI", "SI-G ABCD").
_SCI_ENTRY = re.compile(r"^([A-Z0-9]+)(?:-[A-Z0-9]+(?: [A-Z0-9]+)?)?$")


@dataclass(frozen=True)
class StoredReader:
    reader: Reader
    email: str | None
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        r = self.reader
        return {
            "name": r.name,
            "clearance": r.clearance,
            "compartments": sorted(r.compartments),
            "nationality": r.nationality,
            "audiences": sorted(r.audiences),
            "organization": r.organization,
            "email": self.email,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def clearance_code(value: str) -> str:
    """The code of a clearance given as code or name ("secret" -> "S"); unknown ones are errors."""
    wanted = " ".join(value.upper().split())
    for level in vocabulary().levels:
        if wanted in (level.code, level.banner, level.portion):
            return level.code
    known = ", ".join(f"{lv.code} ({lv.banner})" for lv in vocabulary().levels)
    raise ReaderError(f"--clearance {value!r} is not a clearance; use one of {known}")


def _compartments(values: Iterable[str]) -> frozenset[str]:
    systems = vocabulary().sci_systems
    out = set()
    for raw in values:
        value = " ".join(raw.upper().split())
        if not value:
            continue
        match = _SCI_ENTRY.match(value)
        if not match or match.group(1) not in systems:
            raise ReaderError(
                f"--compartments {raw!r} is not an SCI entry; use a system "
                f"({', '.join(sorted(systems))}), optionally with a compartment (SI-G)"
            )
        out.add(value)
    return frozenset(out)


def _nationality(value: str) -> str:
    code = value.strip().upper()
    if code not in vocabulary().trigraphs:
        raise ReaderError(
            f"--nationality {value!r} is not a known country trigraph (e.g. USA, GBR, CAN)"
        )
    return code


def make_reader(
    name: str,
    *,
    clearance: str,
    nationality: str,
    compartments: Iterable[str] = (),
    audiences: Iterable[str] = (),
    organization: str | None = None,
    config: ReviewConfig | None = None,
) -> Reader:
    """A checked Reader (not stored)."""
    if not _NAME.match(name):
        raise ReaderError(
            f"reader name {name!r} is not valid; use letters, digits and . _ @ - (no spaces)"
        )
    config = config or ReviewConfig.load()
    code = clearance_code(clearance)
    held = _compartments(compartments)
    if held and not vocabulary().is_classified(code):
        raise ReaderError(
            f"reader {name}: compartments {', '.join(sorted(held))} need a classified "
            f"clearance, not {code}"
        )
    organization = organization.strip() if organization and organization.strip() else None
    return Reader(
        name=name,
        clearance=code,
        compartments=held,
        nationality=_nationality(nationality),
        audiences=config.check_audiences(audiences, "--audience"),
        organization=organization,
    )


def add_reader(
    session: Session, reader: Reader, *, actor: str, email: str | None = None, replace: bool = False
) -> StoredReader:
    """Store `reader`; an existing name is an error unless `replace`."""
    if email is not None and not _EMAIL.match(email.strip()):
        raise ReaderError(f"--email {email!r} is not an email address")
    row = session.scalar(select(ReaderRow).where(ReaderRow.name == reader.name))
    action = "reader.update"
    if row is None:
        row = ReaderRow(name=reader.name)
        session.add(row)
        action = "reader.add"
    elif not replace:
        raise ReaderError(
            f"reader {reader.name} already exists; pass --replace to change their clearance"
        )
    row.clearance = reader.clearance
    row.compartments = ",".join(sorted(reader.compartments))
    row.nationality = reader.nationality
    row.audiences = ",".join(sorted(reader.audiences))
    row.organization = reader.organization
    row.email = email.strip() if email else None
    row.updated_at = utcnow()
    session.flush()
    stored = _stored(row)
    details = stored.to_json()
    details.pop("created_at")
    details.pop("updated_at")
    audit.append(
        session,
        actor=actor,
        action=action,
        subject_type="reader",
        subject_id=reader.name,
        details=details,
    )
    return stored


def remove_reader(session: Session, name: str, *, actor: str) -> None:
    row = session.scalar(select(ReaderRow).where(ReaderRow.name == name))
    if row is None:
        raise ReaderError(f"no reader named {name!r}; see watchfloor readers list")
    session.delete(row)
    audit.append(
        session, actor=actor, action="reader.remove", subject_type="reader", subject_id=name
    )


def get_reader(session: Session, name: str) -> Reader | None:
    row = session.scalar(select(ReaderRow).where(ReaderRow.name == name))
    return _stored(row).reader if row is not None else None


def list_readers(session: Session) -> list[StoredReader]:
    return [_stored(row) for row in session.scalars(select(ReaderRow).order_by(ReaderRow.name))]


def _split(text: str) -> frozenset[str]:
    return frozenset(v for v in text.split(",") if v)


def _stored(row: ReaderRow) -> StoredReader:
    return StoredReader(
        reader=Reader(
            name=row.name,
            clearance=row.clearance,
            compartments=_split(row.compartments),
            nationality=row.nationality,
            audiences=_split(row.audiences),
            organization=row.organization,
        ),
        email=row.email,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
