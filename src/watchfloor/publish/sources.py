"""Sources as the products see them: each one's reliability grade and the marking its documents
carry by default, and the analyst's command to change that marking (audited).

A document takes its source's marking when stored. Out of the box every source is TLP:AMBER,
which nobody outside the own organization may read; `watchfloor sources mark` sets a source's
classification or TLP, and, with `documents=True`, re-marks what the source already gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from watchfloor.errors import SourceError, WatchfloorError
from watchfloor.publish.markings import parse_marking
from watchfloor.store import audit
from watchfloor.store.models import Document, Override, Source

# The kind assess.service records an analyst's grade under (read here, not imported: publish
# shows grades, the assess stage owns them).
SOURCE_RELIABILITY = "source_reliability"


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    reliability: str  # the analyst's grade in force, else the stored one
    graded: bool  # whether an analyst graded it
    marking: str
    documents: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "reliability": self.reliability,
            "graded_by_analyst": self.graded,
            "marking": self.marking,
            "documents": self.documents,
        }


def list_sources(session: Session) -> list[SourceRow]:
    counts = dict(
        session.execute(select(Document.source_id, func.count()).group_by(Document.source_id))
        .tuples()
        .all()
    )
    grades: dict[str, str] = {}
    for subject, value in session.execute(
        select(Override.subject, Override.value)
        .where(Override.kind == SOURCE_RELIABILITY, Override.revoked_at.is_(None))
        .order_by(Override.created_at, Override.id)
    ):
        grades[subject] = value
    return [
        SourceRow(
            name=s.name,
            kind=s.kind,
            reliability=grades.get(s.name, s.reliability),
            graded=s.name in grades,
            marking=s.marking,
            documents=counts.get(s.id, 0),
        )
        for s in session.scalars(select(Source).order_by(Source.name))
    ]


def mark_source(
    session: Session,
    name: str,
    marking: str,
    *,
    actor: str,
    reason: str,
    documents: bool = False,
) -> int:
    """Set a source's default marking; with `documents`, its stored documents' markings too.
    Returns how many documents were re-marked. Audited as `source.mark`."""
    if not reason.strip():
        raise SourceError("--reason: say why the marking changes (it goes in the audit log)")
    try:
        parsed = parse_marking(marking)
    except WatchfloorError as exc:
        raise SourceError(f"marking {marking!r}: {exc}") from exc
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise SourceError(
            f"source {name!r} is not in the store; `watchfloor sources list` names them"
        )
    text = parsed.banner()
    previous = source.marking
    source.marking = text
    changed = 0
    if documents:
        result = session.execute(
            update(Document).where(Document.source_id == source.id).values(marking=text)
        )
        changed = int(getattr(result, "rowcount", 0) or 0)
    audit.append(
        session,
        actor=actor,
        action="source.mark",
        subject_type="source",
        subject_id=name,
        details={
            "marking": text,
            "previous": previous,
            "documents_remarked": changed,
            "reason": reason,
        },
    )
    return changed
