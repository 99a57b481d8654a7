"""What a thread's portion is drawn from: the documents of its statements, and the origins of
their near-duplicate clusters (the rationale names those origins, so their markings count)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.assess.records import ThreadAssessment
from watchfloor.store.models import Cluster, Document, Source, Statement


def documents_of(
    session: Session, thread_id: int, assessment: ThreadAssessment
) -> list[tuple[Document, Source]]:
    ids = set(assessment.document_ids)
    if not ids:
        ids = set(
            session.scalars(
                select(Statement.document_id)
                .join(Document, Document.id == Statement.document_id)
                # Judged as of a day: nothing reported after its last statement.
                .where(Statement.thread_id == thread_id, Document.day <= assessment.last_seen)
                .distinct()
            )
        )
    if not ids:
        return []
    rows = session.execute(
        select(Document, Source)
        .join(Source, Document.source_id == Source.id)
        .where(Document.id.in_(ids))
        .order_by(Document.day, Document.id)
    )
    return [(row[0], row[1]) for row in rows]


def origins_of(session: Session, documents: Sequence[Document]) -> list[tuple[Document, Source]]:
    """The origin documents of `documents`' near-duplicate clusters not among them."""
    clusters = {d.cluster_id for d in documents if d.cluster_id is not None}
    if not clusters:
        return []
    have = {d.id for d in documents}
    rows = session.execute(
        select(Document, Source)
        .join(Source, Document.source_id == Source.id)
        .join(Cluster, Cluster.origin_document_id == Document.id)
        .where(Cluster.id.in_(clusters))
    )
    return [(row[0], row[1]) for row in rows if row[0].id not in have]
