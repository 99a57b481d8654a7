"""Analyst overrides: grade a source, set a thread's credibility, dismiss a statement, merge
two actors. Each is audited with its reason and re-assesses the threads it touches, returning
the changes for the stages after assess (watchfloor.hooks.threads_changed).

Split from assess.service, which still exports these names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

# Bound parameters per IN (...) list: under SQLite's and PostgreSQL's limits with room to spare.
from watchfloor.assess.reading import (
    ACTOR_MERGE,
    SOURCE_RELIABILITY,
    STATEMENT_DISMISSED,
    THREAD_CREDIBILITY,
    _active,
    _chunks,
    _merges,
)
from watchfloor.assess.records import (
    ThreadChange,
)
from watchfloor.assess.service import _assess, _assign, _assignment_select, reassess_documents
from watchfloor.assess.threads import (
    resolve_actor,
    statement_key,
)
from watchfloor.errors import AssessInputError
from watchfloor.store import audit
from watchfloor.store.models import (
    RELIABILITY_GRADES,
    Cluster,
    Document,
    Override,
    Source,
    Statement,
    Thread,
)
from watchfloor.store.repository import lock_writers

# --- analyst overrides --------------------------------------------------------------------


def grade_source(
    session: Session,
    source: str,
    grade: str,
    analyst: str,
    reason: str,
    *,
    today: date | None = None,
) -> list[ThreadChange]:
    """Grade a source's reliability (A-F) over what the store says; re-assess its threads."""
    value = grade.strip().upper()
    if value not in RELIABILITY_GRADES:
        raise AssessInputError(
            f"grade {grade!r} for source {source!r} is not an Admiralty reliability grade; use "
            "A (completely reliable), B, C, D, E (unreliable) or F (cannot be judged)"
        )
    row = session.scalar(select(Source).where(Source.name == source))
    if row is None:
        raise AssessInputError(
            f"source {source!r} is not in the store; `watchfloor documents` shows source names"
        )
    previous = _active(session, SOURCE_RELIABILITY, [row.name]).get(row.name)
    _record(
        session,
        SOURCE_RELIABILITY,
        row.name,
        value,
        analyst,
        reason,
        subject_type="source",
        subject_id=row.name,
        details={
            "grade": value,
            "previous": previous.value if previous else row.reliability,
        },
    )
    origin = aliased(Document)
    member = aliased(Document)
    own = select(Statement.thread_id).join(Document, Document.id == Statement.document_id)
    own = own.where(Document.source_id == row.id, Statement.thread_id.is_not(None))
    copies = (
        select(Statement.thread_id)
        .join(member, member.id == Statement.document_id)
        .join(Cluster, Cluster.id == member.cluster_id)
        .join(origin, origin.id == Cluster.origin_document_id)
        .where(origin.source_id == row.id, Statement.thread_id.is_not(None))
    )
    threads = set(session.scalars(own.distinct())) | set(session.scalars(copies.distinct()))
    return _assess(session, {t for t in threads if t is not None}, today=today, config=None)


def set_thread_credibility(
    session: Session,
    thread_id: int,
    value: int,
    analyst: str,
    reason: str,
    *,
    today: date | None = None,
) -> list[ThreadChange]:
    """Set a thread's information credibility (1-6) over the computed one; re-assess it."""
    if not 1 <= value <= 6:
        raise AssessInputError(
            f"credibility {value} for thread {thread_id} is not an Admiralty credibility 1-6; "
            "use 1 (confirmed) ... 5 (improbable) or 6 (cannot be judged)"
        )
    thread = _thread_or_fail(session, thread_id)
    previous = _active(session, THREAD_CREDIBILITY, [thread.key]).get(thread.key)
    _record(
        session,
        THREAD_CREDIBILITY,
        thread.key,
        str(value),
        analyst,
        reason,
        subject_type="thread",
        subject_id=thread.id,
        details={
            "thread_key": thread.key,
            "credibility": value,
            "previous": previous.value if previous else thread.credibility,
        },
    )
    return _assess(session, [thread.id], today=today, config=None)


def dismiss_statement(
    session: Session,
    statement_id: int,
    analyst: str,
    reason: str,
    *,
    today: date | None = None,
) -> list[ThreadChange]:
    """Dismiss a statement as a false positive: it stays stored but no longer counts."""
    row = session.execute(
        select(Statement, Document.sha256)
        .join(Document, Document.id == Statement.document_id)
        .where(Statement.id == statement_id)
    ).first()
    if row is None:
        raise AssessInputError(
            f"statement {statement_id} is not in the store; `watchfloor threat ID` lists the "
            "statements of a thread with their ids"
        )
    statement, sha = row
    key = statement_key(sha, statement.trigger_start, statement.trigger_end)
    _record(
        session,
        STATEMENT_DISMISSED,
        key,
        "dismissed",
        analyst,
        reason,
        subject_type="statement",
        subject_id=statement.id,
        details={
            "statement_key": key,
            "document_id": statement.document_id,
            # A hash, never the text: the chain cannot be purged, and the text may be marked.
            "evidence_sha256": hashlib.sha256(statement.evidence_text.encode()).hexdigest(),
        },
    )
    if statement.thread_id is None:
        return reassess_documents(session, [statement.document_id], today=today)
    return _assess(session, [statement.thread_id], today=today, config=None)


def merge_actors(
    session: Session,
    from_actor: str,
    into_actor: str,
    analyst: str,
    reason: str,
    *,
    today: date | None = None,
) -> list[ThreadChange]:
    """Count every statement of one actor as another's (the same group under two names)."""
    source_name = _known_actor(session, from_actor.strip())
    if source_name is None:
        raise AssessInputError(
            f"actor {from_actor!r} is not named by any stored statement; "
            "`watchfloor threats` shows the actors of the threads"
        )
    target_name = _known_actor(session, into_actor.strip()) or into_actor.strip()
    if not target_name:
        raise AssessInputError(f"cannot merge actor {from_actor!r} into an empty name")
    merges = _merges(session)
    if (resolve_actor(target_name, merges) or "").lower() == source_name.lower():
        raise AssessInputError(
            f"merging actor {source_name!r} into {target_name!r} would merge it into itself"
            + (
                ""
                if target_name.lower() == source_name.lower()
                else f" ({target_name!r} is already merged into {source_name!r})"
            )
        )
    # Every name that counts as `from_actor` now moves with it.
    names = {source_name} | {
        subject
        for subject in merges
        if (resolve_actor(subject, merges) or "").lower() == source_name.lower()
    }
    _record(
        session,
        ACTOR_MERGE,
        source_name,
        target_name,
        analyst,
        reason,
        subject_type="actor",
        subject_id=source_name,
        details={"into": target_name, "previous": merges.get(source_name.lower())},
    )
    merges = _merges(session)
    touched: set[int] = set()
    spelled = _spellings(session, names)
    for chunk in _chunks(sorted(spelled)):
        rows = session.execute(_assignment_select().where(Statement.actor_entity.in_(chunk))).all()
        touched |= _assign(session, rows, merges)
    return _assess(session, touched, today=today, config=None)


def _known_actor(session: Session, name: str) -> str | None:
    """The stored spelling of an actor name: exactly as stored, else any case of a thread's."""
    if not name:
        return None
    exact = session.scalar(
        select(Statement.actor_entity).where(Statement.actor_entity == name).limit(1)
    )
    if exact:
        return exact
    return session.scalar(
        select(Thread.actor_entity).where(func.lower(Thread.actor_entity) == name.lower()).limit(1)
    )


def _spellings(session: Session, lowered: Iterable[str]) -> set[str]:
    """The stored spellings of actor names given in any case (merge subjects are lower-cased)."""
    wanted = {name.lower() for name in lowered}
    found = set(
        session.scalars(
            select(Thread.actor_entity)
            .where(func.lower(Thread.actor_entity).in_(sorted(wanted)))
            .distinct()
        )
    )
    found |= {name for name in lowered}
    rows = session.scalars(
        select(Override.subject).where(
            Override.kind == ACTOR_MERGE, func.lower(Override.subject).in_(sorted(wanted))
        )
    )
    found |= set(rows)
    return {name for name in found if name}


def _thread_or_fail(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise AssessInputError(
            f"thread {thread_id} is not in the store; `watchfloor threats` lists thread ids"
        )
    return thread


def _record(
    session: Session,
    kind: str,
    subject: str,
    value: str,
    analyst: str,
    reason: str,
    *,
    subject_type: str,
    subject_id: str | int,
    details: dict[str, Any],
) -> Override:
    # Overrides re-key and re-assess threads: one writer at a time, as ingest does.
    lock_writers(session)
    who = analyst.strip()
    why = reason.strip()
    if not who:
        raise AssessInputError(f"{kind} override of {subject!r}: name the analyst (--as)")
    if not why:
        raise AssessInputError(f"{kind} override of {subject!r}: give a reason (--reason)")
    row = Override(kind=kind, subject=subject, value=value, reason=why, analyst=who)
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=who,
        action=f"override.{kind}",
        subject_type=subject_type,
        subject_id=subject_id,
        details={**details, "override_id": row.id, "subject": subject, "reason": why},
    )
    return row
