"""What a thread's reports say beyond the thread's own statements, read from the store: the
people those reports say were killed (for the thread's standing), and the named actors of the
other statements of a report (so that one plot stays one thread).

Both read only the statements of the documents at hand, through the statements' document index.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.records import EvidenceRef
from watchfloor.assess.standing import Death, death_of, roles_in
from watchfloor.assess.threads import GENERAL_ACTS, actor_key, target_key
from watchfloor.store.models import Document, Statement

_CHUNK = 2000


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def deaths_by_document(
    session: Session,
    document_ids: Iterable[int],
    config: AssessConfig,
    *,
    until: date | None = None,
) -> dict[int, list[Death]]:
    """Deaths each document reports (with `until`, only documents dated on or before it)."""
    rules = config.standing
    found: dict[int, list[Death]] = defaultdict(list)
    query = (
        select(
            Statement.document_id,
            Document.day,
            Statement.act,
            Statement.status,
            Statement.target_kind,
            Statement.target_text,
            Statement.evidence_start,
            Statement.evidence_end,
            Statement.evidence_text,
        )
        .join(Document, Document.id == Statement.document_id)
        .where(
            Statement.act.in_(sorted(rules.fatal_acts)),
            Statement.status.in_(sorted(rules.fatal_statuses)),
        )
        .order_by(Statement.document_id, Statement.seq)
    )
    if until is not None:
        query = query.where(Document.day <= until)
    for chunk in _chunks(sorted(set(document_ids))):
        for doc, day, act, status, kind, target, start, end, text in session.execute(
            query.where(Statement.document_id.in_(chunk))
        ):
            death = death_of(
                act, status, kind, target, day, EvidenceRef(doc, start, end, text), config
            )
            if death is not None:
                found[doc].append(death)
    return _with_roles(session, found)


def _with_roles(session: Session, found: dict[int, list[Death]]) -> dict[int, list[Death]]:
    """Each death with the roles its report's text gives the person ("the general, X")."""
    for chunk in _chunks(sorted(found)):
        for doc, text in session.execute(
            select(Document.id, Document.text).where(Document.id.in_(chunk))
        ):
            found[doc] = [
                dataclasses.replace(d, roles=d.roles | roles_in(text, d.name)) for d in found[doc]
            ]
    return found


NamedActors = dict[tuple[int, str], dict[str, set[str]]]


def named_actors(
    session: Session, document_ids: Iterable[int], merges: Mapping[str, str]
) -> NamedActors:
    """(document, target key) -> each named actor (after merges) of that document's statements
    about that target, with the acts it is said to threaten."""
    found: NamedActors = defaultdict(lambda: defaultdict(set))
    query = select(
        Statement.document_id,
        Statement.actor_entity,
        Statement.protectee,
        Statement.target_text,
        Statement.act,
    ).where(Statement.actor_entity.is_not(None))
    for chunk in _chunks(sorted(set(document_ids))):
        for doc, entity, protectee, target, act in session.execute(
            query.where(Statement.document_id.in_(chunk))
        ):
            actor = actor_key(entity, merges)
            found[(doc, target_key(protectee, target))][actor].add(act)
    return found


def plot_actor(named: NamedActors, document_id: int, target: str, act: str) -> str | None:
    """The one named actor an unnamed statement of this document belongs to: the only actor
    the report names for the same target and act, or, for a general threat, for the same
    target whatever the act (the report's named plot is that threat made specific). None when
    the report names none, or several."""
    actors = named.get((document_id, target), {})
    if act in GENERAL_ACTS:
        candidates = set(actors)
    else:
        candidates = {actor for actor, acts in actors.items() if act in acts}
    return next(iter(candidates)) if len(candidates) == 1 else None
