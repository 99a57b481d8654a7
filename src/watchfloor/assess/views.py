"""Reading threads for the board, the thread page and the review: the live or historical list
with filters, and one thread with its statements and the overrides in force.

Split from assess.service, which still exports these names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String, cast, exists, func, or_, select
from sqlalchemy.orm import Session

# Bound parameters per IN (...) list: under SQLite's and PostgreSQL's limits with room to spare.
from watchfloor.assess.reading import (
    ACTOR_MERGE,
    SOURCE_RELIABILITY,
    STATEMENT_DISMISSED,
    THREAD_CREDIBILITY,
    _active,
    _merges,
)
from watchfloor.assess.records import (
    AppliedOverride,
    EvidenceRef,
    ThreadStatement,
    ThreadView,
)
from watchfloor.assess.service import STANDINGS, _parse
from watchfloor.assess.threads import (
    resolve_actor,
    statement_key,
)
from watchfloor.errors import AssessInputError
from watchfloor.store.models import (
    Document,
    Override,
    Source,
    Statement,
    Thread,
)

# --- views ------------------------------------------------------------------------------------


def list_threads(
    session: Session,
    *,
    protectee: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
    since: date | None = None,
    standing: str | None = None,
) -> list[ThreadView]:
    """Assessed threads, highest priority first. `actor` also matches threads whose actor sits
    below it in the hierarchy (Iran matches a Quds Force thread); `standing` keeps only live
    threats ("live") or only history ("history")."""
    if standing is not None and standing not in STANDINGS:
        raise AssessInputError(f"standing {standing!r}: use one of {', '.join(STANDINGS)}")
    query = select(Thread).where(Thread.assessment.is_not(None), Thread.statements > 0)
    if protectee:
        query = query.where(Thread.protectee == protectee)
    if actor:
        query = query.where(_actor_clause(actor))
    if since:
        query = query.where(Thread.last_seen >= since)
    query = query.order_by(Thread.priority.desc(), Thread.last_seen.desc(), Thread.id)
    if standing is None:
        if limit is not None:
            query = query.limit(limit)
        return [view for thread in session.scalars(query) if (view := _view(thread)) is not None]
    # The standing lives in the stored assessment: read in priority order until enough match.
    views: list[ThreadView] = []
    for thread in session.scalars(query.execution_options(yield_per=500)):
        view = _view(thread)
        if view is not None and view.assessment.standing == standing:
            views.append(view)
            if limit is not None and len(views) >= limit:
                break
    return views


def _actor_clause(actor: str) -> Any:
    needle = actor.strip().lower()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(
        func.lower(Thread.actor_entity) == needle,
        func.lower("|" + Thread.actor_lineage + "|").like(f"%|{escaped}|%", escape="\\"),
    )


def _view(thread: Thread) -> ThreadView | None:
    assessment = _parse(thread.assessment)
    if assessment is None or thread.assessed_at is None:
        return None
    return ThreadView(thread.id, thread.key, assessment, thread.assessed_at, thread.version)


def get_thread(session: Session, thread_id: int, *, newest: int | None = None) -> ThreadView | None:
    """One thread with its folded child threads, its statements and the overrides in force.
    `newest`: only that many of the newest statements (the pages: a thread of thousands of
    statements would make a page that grows with it); `older` says how many are left out. The
    overrides in force are those on all of the thread's statements either way."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        return None
    view = _view(thread)
    if view is None:
        return None
    children: list[ThreadView] = []
    if thread.actor_entity:
        query = (
            select(Thread)
            .where(
                Thread.target_key == thread.target_key,
                Thread.id != thread.id,
                Thread.statements > 0,
                Thread.assessment.is_not(None),
                _actor_clause(thread.actor_entity),
            )
            .order_by(Thread.priority.desc(), Thread.id)
        )
        children = [v for child in session.scalars(query) if (v := _view(child)) is not None]
    dismissed = _dismissed_on(session, thread.id)
    statements = _thread_statements(session, thread, dismissed, newest)
    older = 0
    if newest is not None and len(statements) == newest:
        total = session.scalar(select(func.count()).where(Statement.thread_id == thread.id))
        older = (total or 0) - len(statements)
    return ThreadView(
        view.id,
        view.key,
        view.assessment,
        view.assessed_at,
        view.version,
        children=tuple(children),
        statements=tuple(statements),
        overrides=tuple(_overrides_on(session, thread, dismissed)),
        older=older,
    )


def _statement_key_sql() -> Any:
    # statement_key in SQL: the document's sha256, then the trigger's offsets.
    return (
        Document.sha256
        + ":"
        + cast(Statement.trigger_start, String)
        + ":"
        + cast(Statement.trigger_end, String)
    )


def _in_force(session: Session, kind: str, drawn_on: Any) -> dict[str, Override]:
    """The overrides of `kind` in force whose subject the thread draws on (`drawn_on`, a
    clause correlated to Override), newest per subject. Driven from the (few) overrides, not
    by reading every statement of a long thread."""
    rows = session.scalars(
        select(Override)
        .where(Override.kind == kind, Override.revoked_at.is_(None), exists(drawn_on))
        .order_by(Override.created_at, Override.id)
    )
    return {row.subject: row for row in rows}  # the newest per subject wins


def _dismissed_on(session: Session, thread_id: int) -> dict[str, Override]:
    """The dismissals in force on the thread's statements, by statement key: each finds its
    document by sha256 (a key is the document's sha256, 64 characters, then the offsets)."""
    on_thread = (
        select(Statement.id)
        .join(Document, Document.id == Statement.document_id)
        .where(
            Document.sha256 == func.substr(Override.subject, 1, 64),
            Statement.thread_id == thread_id,
            _statement_key_sql() == Override.subject,
        )
        .correlate(Override)
    )
    return _in_force(session, STATEMENT_DISMISSED, on_thread)


def _thread_statements(
    session: Session, thread: Thread, dismissed: dict[str, Override], newest: int | None
) -> list[ThreadStatement]:
    order = (Document.day, Statement.document_id, Statement.seq)
    query = (
        select(
            Statement,
            Document.sha256,
            Document.day,
            Document.cluster_id,
            Source.name,
            Document.marking,
        )
        .join(Document, Document.id == Statement.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(Statement.thread_id == thread.id)
    )
    if newest is None:
        rows = list(session.execute(query.order_by(*order)).all())
    else:
        latest = query.order_by(*(column.desc() for column in order)).limit(newest)
        rows = list(reversed(session.execute(latest).all()))
    keys = [statement_key(sha, s.trigger_start, s.trigger_end) for s, sha, *_ in rows]
    return [
        ThreadStatement(
            id=s.id,
            key=key,
            document_id=s.document_id,
            day=day,
            source=source,
            cluster_id=cluster_id,
            act=s.act,
            status=s.status,
            evidence=EvidenceRef(s.document_id, s.evidence_start, s.evidence_end, s.evidence_text),
            dismissed=key in dismissed,
            marking=marking,
        )
        for key, (s, _, day, cluster_id, source, marking) in zip(keys, rows, strict=True)
    ]


def _overrides_on(
    session: Session, thread: Thread, dismissed: dict[str, Override]
) -> list[AppliedOverride]:
    found: list[Override] = []
    found.extend(_active(session, THREAD_CREDIBILITY, [thread.key]).values())
    found.extend(dismissed.values())
    from_source = (
        select(Statement.id)
        .join(Document, Document.id == Statement.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(Statement.thread_id == thread.id, Source.name == Override.subject)
        .correlate(Override)
    )
    found.extend(_in_force(session, SOURCE_RELIABILITY, from_source).values())
    if thread.actor_entity:
        merges = _merges(session)
        merged = [
            subject
            for subject in merges
            if (resolve_actor(subject, merges) or "").lower() == thread.actor_entity.lower()
        ]
        rows = session.scalars(
            select(Override).where(
                Override.kind == ACTOR_MERGE,
                func.lower(Override.subject).in_(merged),
                Override.revoked_at.is_(None),
            )
        )
        newest: dict[str, Override] = {}
        for row in sorted(rows, key=lambda o: (o.created_at, o.id)):
            newest[row.subject.lower()] = row
        found.extend(newest.values())
    return [
        AppliedOverride(o.id, o.kind, o.subject, o.value, o.reason, o.analyst, o.created_at)
        for o in sorted(found, key=lambda o: o.id)
    ]
