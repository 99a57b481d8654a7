"""What assessment reads from the store: a thread's statements as evidence, the signals of
their documents, the analyst overrides in force and the actor merges, in bounded batches.

Split from assess.service, which imports these and still exports the public names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from watchfloor.assess.records import AppliedOverride as AppliedOverride
from watchfloor.assess.records import (
    EvidenceRef,
    Signal,
    StatementEvidence,
    StoredSignal,
)
from watchfloor.assess.records import ThreadStatement as ThreadStatement
from watchfloor.assess.records import ThreadView as ThreadView
from watchfloor.assess.threads import (
    resolve_actor,
    statement_key,
)
from watchfloor.link.protectees import protectee_names
from watchfloor.store.models import (
    Cluster,
    Document,
    Override,
    SignalRow,
    Source,
    Statement,
    Thread,
)

# Bound parameters per IN (...) list: under SQLite's and PostgreSQL's limits with room to spare.
_CHUNK = 2000

SOURCE_RELIABILITY = "source_reliability"

THREAD_CREDIBILITY = "thread_credibility"

STATEMENT_DISMISSED = "statement_dismissed"

ACTOR_MERGE = "actor_merge"

T = TypeVar("T")


def _merges(session: Session) -> dict[str, str]:
    """Actor merges in force: lower-cased actor name -> the name it was merged into."""
    merges: dict[str, str] = {}
    rows = session.execute(
        select(Override.subject, Override.value)
        .where(Override.kind == ACTOR_MERGE, Override.revoked_at.is_(None))
        .order_by(Override.created_at, Override.id)
    )
    for subject, value in rows:
        merges[subject.lower()] = value
    return merges


def _lineage_of(session: Session, actor: str) -> str:
    """The hierarchy of an actor something was merged into, as stored with its statements."""
    stored = session.scalar(
        select(Statement.actor_lineage)
        .where(Statement.actor_entity == actor, Statement.actor_lineage != "")
        .limit(1)
    )
    if stored:
        return stored
    known = session.scalar(
        select(Thread.actor_lineage)
        .where(Thread.actor_entity == actor, Thread.actor_lineage != "")
        .limit(1)
    )
    return known or actor


def _evidence(
    session: Session, thread_ids: Sequence[int], *, until: date | None = None
) -> dict[int, list[StatementEvidence]]:
    """The statements of the threads as the grader reads them; with `until`, only those of
    documents dated on or before that day."""
    origin = aliased(Document)
    origin_source = aliased(Source)
    query = (
        select(
            Statement,
            Document.sha256,
            Document.day,
            Document.cluster_id,
            Source.name,
            Source.reliability,
            origin_source.name,
        )
        .join(Document, Document.id == Statement.document_id)
        .join(Source, Source.id == Document.source_id)
        .outerjoin(Cluster, Cluster.id == Document.cluster_id)
        .outerjoin(origin, origin.id == Cluster.origin_document_id)
        .outerjoin(origin_source, origin_source.id == origin.source_id)
        .order_by(Document.day, Statement.document_id, Statement.seq)
    )
    if until is not None:
        query = query.where(Document.day <= until)
    rows: list[Any] = []
    for chunk in _chunks(thread_ids):
        rows.extend(session.execute(query.where(Statement.thread_id.in_(chunk))).all())
    grades = _active(session, SOURCE_RELIABILITY, sorted({row[4] for row in rows}))
    names = protectee_names(session, {row[0].protectee for row in rows})
    merges = _merges(session)
    lineages: dict[str, tuple[str, ...]] = {}
    grouped: dict[int, list[StatementEvidence]] = defaultdict(list)
    for s, sha, day, cluster_id, source, reliability, origin_name in rows:
        graded = grades.get(source)
        actor = resolve_actor(s.actor_entity, merges)
        if actor is not None and actor != s.actor_entity:
            if actor not in lineages:
                lineages[actor] = tuple(_lineage_of(session, actor).split("|"))
            lineage = lineages[actor]
        else:
            lineage = tuple(p for p in s.actor_lineage.split("|") if p)
        assert s.thread_id is not None
        grouped[s.thread_id].append(
            StatementEvidence(
                statement_id=s.id,
                key=statement_key(sha, s.trigger_start, s.trigger_end),
                document_id=s.document_id,
                day=day,
                cluster_id=cluster_id,
                source=source,
                origin_source=origin_name or source,
                reliability=graded.value if graded else reliability,
                act=s.act,
                status=s.status,
                evidence=EvidenceRef(
                    s.document_id, s.evidence_start, s.evidence_end, s.evidence_text
                ),
                trigger=EvidenceRef(s.document_id, s.trigger_start, s.trigger_end, s.trigger_text),
                actor_entity=actor,
                actor_lineage=lineage,
                target_text=s.target_text,
                target_kind=s.target_kind,
                protectee=s.protectee,
                person_named=s.person_named,
                attribution=s.attribution,
                hedged=s.hedged,
                when=s.when,
                where=s.where,
                method=s.method,
                duty_to_warn=s.duty_to_warn,
                protectee_name=names.get(s.protectee) if s.protectee else None,
            )
        )
    return grouped


def _signals(session: Session, document_ids: Iterable[int]) -> list[StoredSignal]:
    found: list[StoredSignal] = []
    for chunk in _chunks(sorted(document_ids)):
        for row in session.scalars(
            select(SignalRow)
            .where(SignalRow.document_id.in_(chunk))
            .order_by(SignalRow.document_id, SignalRow.start, SignalRow.id)
        ):
            found.append(
                StoredSignal(
                    row.document_id,
                    Signal(
                        kind=row.kind,  # type: ignore[arg-type]
                        label=row.label,
                        start=row.start,
                        end=row.end,
                        text=row.text,
                        days_before=row.days_before,
                    ),
                )
            )
    return found


def _active(session: Session, kind: str, subjects: Sequence[str]) -> dict[str, Override]:
    """The override in force per subject: the newest unrevoked one of this kind."""
    found: dict[str, Override] = {}
    for chunk in _chunks(sorted(set(subjects))):
        for row in session.scalars(
            select(Override)
            .where(
                Override.kind == kind,
                Override.subject.in_(chunk),
                Override.revoked_at.is_(None),
            )
            .order_by(Override.created_at, Override.id)
        ):
            found[row.subject] = row
    return found


def _chunks(values: Sequence[T], size: int = _CHUNK) -> Iterator[list[T]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _id_batches(session: Session, column: Any, size: int) -> Iterator[list[int]]:
    """Every id of a table in ascending batches, read one batch at a time (keyset paging)."""
    after = 0
    while True:
        batch = list(
            session.scalars(select(column).where(column > after).order_by(column).limit(size))
        )
        if not batch:
            return
        yield batch
        after = batch[-1]
