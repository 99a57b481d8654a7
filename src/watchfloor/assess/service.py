"""Threads in the store: assign statements to threads, re-assess the touched ones, analyst
overrides, and the views the board and the thread page read.

Re-assessment after a new document reads only what that document touches: its statements, the
statements of the threads they fall in (by `statements.thread_id`), the statements of its
near-duplicate cluster's threads (a copy can change a cluster's origin), and the signals of
those statements' documents. Every read goes through an index, so the cost of one new document
depends on the size of the threads it touches, not on the size of the store.

Every function takes a Session inside a transaction the caller owns (store.engine.transaction).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from watchfloor import hooks
from watchfloor.assess.config import CONFIG_ENV_VAR, AssessConfig
from watchfloor.assess.context import deaths_by_document, named_actors, plot_actor
from watchfloor.assess.grading import assess_thread
from watchfloor.assess.records import (
    EvidenceRef,
    Signal,
    StatementEvidence,
    StoredSignal,
    ThreadAssessment,
    ThreadChange,
    ThreadOverrides,
)
from watchfloor.assess.signals import find_signals
from watchfloor.assess.threads import (
    UNKNOWN,
    actor_key,
    resolve_actor,
    statement_key,
    target_key,
    thread_key,
)
from watchfloor.errors import AssessInputError
from watchfloor.link.protectees import protectee_names
from watchfloor.store import audit
from watchfloor.store.models import (
    RELIABILITY_GRADES,
    Cluster,
    Document,
    Override,
    SignalRow,
    Source,
    Statement,
    Thread,
    utcnow,
)
from watchfloor.store.repository import lock_writers

# Bound parameters per IN (...) list: under SQLite's and PostgreSQL's limits with room to spare.
_CHUNK = 2000
# Threads assessed together by reassess_all: one statements query per batch.
_ASSESS_BATCH = 200

SOURCE_RELIABILITY = "source_reliability"
THREAD_CREDIBILITY = "thread_credibility"
STATEMENT_DISMISSED = "statement_dismissed"
ACTOR_MERGE = "actor_merge"
STANDINGS = ("live", "history")


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedOverride:
    """An analyst decision in force on a thread (the newest unrevoked one of its subject)."""

    id: int
    kind: str
    subject: str
    value: str
    reason: str | None
    analyst: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "value": self.value,
            "reason": self.reason,
            "analyst": self.analyst,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ThreadStatement:
    """One statement of a thread as the thread page lists it."""

    id: int
    key: str
    document_id: int
    day: date
    source: str
    cluster_id: int | None
    act: str
    status: str
    evidence: EvidenceRef
    dismissed: bool
    marking: str = ""  # of its document

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "document_id": self.document_id,
            "day": self.day.isoformat(),
            "source": self.source,
            "cluster": self.cluster_id,
            "act": self.act,
            "status": self.status,
            "evidence": {
                "text": self.evidence.text,
                "start": self.evidence.start,
                "end": self.evidence.end,
            },
            "dismissed": self.dismissed,
            "marking": self.marking,
        }


@dataclass(frozen=True)
class ThreadView:
    """A thread with its latest assessment. `get_thread` also fills the folded child threads
    (same target, an actor below this one in the hierarchy), its statements and the
    overrides in force; `list_threads` leaves them empty."""

    id: int
    key: str
    assessment: ThreadAssessment
    assessed_at: datetime
    version: int
    children: tuple[ThreadView, ...] = ()
    statements: tuple[ThreadStatement, ...] = ()
    overrides: tuple[AppliedOverride, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "assessed_at": self.assessed_at.isoformat(),
            **self.assessment.to_json(),
            "children": [child.to_json() for child in self.children],
            "statement_list": [s.to_json() for s in self.statements],
            "overrides": [o.to_json() for o in self.overrides],
        }


# --- configuration and who is acting ----------------------------------------------------------


@lru_cache(maxsize=4)
def _config_for(path: str | None) -> AssessConfig:
    from pathlib import Path

    return AssessConfig.load(Path(path) if path else None)


def default_config() -> AssessConfig:
    """The assessment configuration, read once per process (and per WATCHFLOOR_ASSESS_CONFIG)."""
    return _config_for(os.environ.get(CONFIG_ENV_VAR) or None)


# --- re-assessment --------------------------------------------------------------------------


def reassess_documents(
    session: Session,
    document_ids: Sequence[int],
    *,
    today: date | None = None,
    config: AssessConfig | None = None,
) -> list[ThreadChange]:
    """Find the signals of these documents, put their statements in threads, and re-assess the
    threads they touch (and the threads of their near-duplicate clusters)."""
    ids = sorted(set(document_ids))
    if not ids:
        return []
    lock_writers(session)
    ensure_signals(session, ids)
    merges = _merges(session)
    touched: set[int] = set()
    for chunk in _chunks(ids):
        rows = session.execute(_assignment_select().where(Statement.document_id.in_(chunk))).all()
        touched |= _assign(session, rows, merges)
    touched |= _cluster_threads(session, ids)
    return _assess(session, touched, today=today, config=config)


def reassess_all(
    session: Session,
    *,
    today: date | None = None,
    config: AssessConfig | None = None,
    refresh_signals: bool = True,
) -> list[ThreadChange]:
    """Re-assess every thread: find signals again (after a change of vocabulary), put every
    statement in its thread again (after a change of keys or merges), grade every thread."""
    lock_writers(session)
    if refresh_signals:
        session.execute(delete(SignalRow))
        for chunk in _id_batches(session, Document.id, 500):
            _store_signals(session, chunk)
    merges = _merges(session)
    touched: set[int] = set()
    for chunk in _id_batches(session, Statement.id, 5000):
        rows = session.execute(_assignment_select().where(Statement.id.in_(chunk))).all()
        touched |= _assign(session, rows, merges)
    changes: list[ThreadChange] = []
    for chunk in _id_batches(session, Thread.id, _ASSESS_BATCH):
        changes.extend(_assess(session, chunk, today=today, config=config))
    return changes


def assess_as_of(
    session: Session,
    thread_ids: Sequence[int],
    day: date,
    *,
    config: AssessConfig | None = None,
) -> dict[int, ThreadAssessment]:
    """Judge threads as they stood on `day`: only statements of documents dated on or before it,
    with `day` as today, and the analyst overrides in force now. Stores nothing; a thread with
    no statement up to `day` is left out. The daily review of a past day reads this, so that it
    neither counts later reporting nor measures fading against the wall clock."""
    ids = sorted(set(thread_ids))
    if not ids:
        return {}
    config = config or default_config()
    threads: dict[int, Thread] = {}
    for chunk in _chunks(ids):
        threads.update(
            {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_(chunk)))}
        )
    evidence = _evidence(session, ids, until=day)
    signals = _signals(session, {e.document_id for group in evidence.values() for e in group})
    credibility = _active(session, THREAD_CREDIBILITY, [t.key for t in threads.values()])
    dismissed = _active(
        session, STATEMENT_DISMISSED, [e.key for group in evidence.values() for e in group]
    )
    deaths = deaths_by_document(
        session, {e.document_id for group in evidence.values() for e in group}, config, until=day
    )
    judged: dict[int, ThreadAssessment] = {}
    for thread_id in ids:
        thread = threads.get(thread_id)
        statements = evidence.get(thread_id, [])
        if thread is None or not statements:
            continue
        docs = {e.document_id for e in statements}
        override = credibility.get(thread.key)
        judged[thread_id] = assess_thread(
            thread.key,
            statements,
            [s for s in signals if s.document_id in docs],
            overrides=ThreadOverrides(
                credibility=int(override.value) if override else None,
                credibility_reason=override.reason if override else None,
                dismissed_statements=frozenset(e.key for e in statements if e.key in dismissed),
            ),
            config=config,
            today=day,
            deaths=[d for doc in sorted(docs) for d in deaths.get(doc, ())],
        )
    return judged


def threads_active(session: Session, start: date, end: date) -> list[int]:
    """Ids of the threads with a statement in a document dated from `start` to `end`."""
    rows = session.scalars(
        select(Statement.thread_id)
        .join(Document, Document.id == Statement.document_id)
        .where(
            Statement.thread_id.is_not(None),
            Document.day >= start,
            Document.day <= end,
        )
        .distinct()
    )
    return sorted(t for t in rows if t is not None)


def source_grades(session: Session, names: Iterable[str]) -> dict[str, str]:
    """Source name -> the reliability grade an analyst set for it, for those graded."""
    return {
        name: row.value for name, row in _active(session, SOURCE_RELIABILITY, list(names)).items()
    }


def ensure_signals(session: Session, document_ids: Sequence[int]) -> None:
    """Find and keep the signals of the documents that have none stored yet."""
    for chunk in _chunks(sorted(set(document_ids))):
        done = set(
            session.scalars(
                select(SignalRow.document_id).where(SignalRow.document_id.in_(chunk)).distinct()
            )
        )
        missing = [doc_id for doc_id in chunk if doc_id not in done]
        if missing:
            _store_signals(session, missing)


def _store_signals(session: Session, document_ids: Sequence[int]) -> None:
    rows: list[dict[str, Any]] = []
    for doc_id, text, day in session.execute(
        select(Document.id, Document.text, Document.day).where(Document.id.in_(document_ids))
    ):
        for signal in find_signals(text, day):
            rows.append(
                {
                    "document_id": doc_id,
                    "kind": signal.kind,
                    "label": signal.label,
                    "start": signal.start,
                    "end": signal.end,
                    "text": signal.text,
                    "days_before": signal.days_before,
                }
            )
    if rows:
        session.execute(insert(SignalRow), rows)


def _assignment_select() -> Select[
    int, str | None, str, str | None, str | None, int | None, int, str
]:
    return select(
        Statement.id,
        Statement.actor_entity,
        Statement.actor_lineage,
        Statement.protectee,
        Statement.target_text,
        Statement.thread_id,
        Statement.document_id,
        Statement.act,
    )


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


def _assign(session: Session, rows: Sequence[Any], merges: dict[str, str]) -> set[int]:
    """Point each statement at the thread of its key (made if new); the ids of every thread
    that gained or lost a statement, or already held one of them."""
    if not rows:
        return set()
    keyed: list[tuple[Any, str, str, str]] = []
    unnamed = {row.document_id for row in rows if actor_key(row.actor_entity, merges) == UNKNOWN}
    named = named_actors(session, unnamed, merges) if unnamed else {}
    for row in rows:
        actor = actor_key(row.actor_entity, merges)
        target = target_key(row.protectee, row.target_text)
        if actor == UNKNOWN:
            # One plot, one thread: the report's named actor for this target takes it.
            actor = plot_actor(named, row.document_id, target, row.act) or UNKNOWN
        keyed.append((row, thread_key(actor, target), actor, target))
    threads = _threads_by_key(session, {key for _, key, _, _ in keyed})
    lineages: dict[str, str] = {}
    for row, key, actor, target in keyed:
        if key in threads:
            continue
        resolved = resolve_actor(row.actor_entity, merges)
        if resolved is None:
            # An unnamed statement joined to its report's named actor takes that actor's lineage.
            lineage = "" if actor == UNKNOWN else _lineage_of(session, actor)
        elif resolved == row.actor_entity:
            lineage = row.actor_lineage or resolved
        else:
            if resolved not in lineages:
                lineages[resolved] = _lineage_of(session, resolved)
            lineage = lineages[resolved]
        thread = Thread(
            key=key,
            actor_entity=None if actor == UNKNOWN else actor,
            actor_lineage=lineage,
            target_key=target,
            target_label=row.target_text or row.protectee or UNKNOWN,
            protectee=row.protectee,
            statements=0,
            priority=0.0,
            version=0,
        )
        session.add(thread)
        threads[key] = thread
    session.flush()
    touched: set[int] = set()
    moves: list[dict[str, int]] = []
    for row, key, _, _ in keyed:
        new_id = threads[key].id
        touched.add(new_id)
        if row.thread_id != new_id:
            if row.thread_id is not None:
                touched.add(row.thread_id)
            moves.append({"sid": row.id, "tid": new_id})
    if moves:
        session.connection().execute(
            update(Statement.__table__)  # type: ignore[arg-type]
            .where(Statement.__table__.c.id == bindparam("sid"))
            .values(thread_id=bindparam("tid")),
            moves,
        )
    return touched


def _threads_by_key(session: Session, keys: Iterable[str]) -> dict[str, Thread]:
    found: dict[str, Thread] = {}
    for chunk in _chunks(sorted(keys)):
        for thread in session.scalars(select(Thread).where(Thread.key.in_(chunk))):
            found[thread.key] = thread
    return found


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


def _cluster_threads(session: Session, document_ids: Sequence[int]) -> set[int]:
    """Threads with statements in the near-duplicate clusters of these documents: a new copy
    can change its cluster's origin, and with it every member's origin source."""
    clusters: set[int] = set()
    for chunk in _chunks(document_ids):
        clusters |= {
            c
            for c in session.scalars(select(Document.cluster_id).where(Document.id.in_(chunk)))
            if c is not None
        }
    found: set[int] = set()
    for chunk in _chunks(sorted(clusters)):
        found |= {
            t
            for t in session.scalars(
                select(Statement.thread_id)
                .join(Document, Document.id == Statement.document_id)
                .where(Document.cluster_id.in_(chunk), Statement.thread_id.is_not(None))
                .distinct()
            )
            if t is not None
        }
    return found


def _assess(
    session: Session,
    thread_ids: Iterable[int],
    *,
    today: date | None,
    config: AssessConfig | None,
) -> list[ThreadChange]:
    ids = sorted(set(thread_ids))
    if not ids:
        return []
    config = config or default_config()
    today = today or date.today()
    threads: dict[int, Thread] = {}
    for chunk in _chunks(ids):
        threads.update(
            {t.id: t for t in session.scalars(select(Thread).where(Thread.id.in_(chunk)))}
        )
    evidence = _evidence(session, ids)
    signals = _signals(session, {e.document_id for group in evidence.values() for e in group})
    credibility = _active(session, THREAD_CREDIBILITY, [t.key for t in threads.values()])
    dismissed = _active(
        session, STATEMENT_DISMISSED, [e.key for group in evidence.values() for e in group]
    )
    deaths = deaths_by_document(
        session, {e.document_id for group in evidence.values() for e in group}, config
    )
    changes: list[ThreadChange] = []
    now = utcnow()
    for thread_id in ids:
        thread = threads.get(thread_id)
        if thread is None:
            continue
        statements = evidence.get(thread_id, [])
        if not statements:
            # Every statement moved to another thread (an actor merge): off the board.
            thread.statements = 0
            thread.priority = 0.0
            continue
        docs = {e.document_id for e in statements}
        override = credibility.get(thread.key)
        overrides = ThreadOverrides(
            credibility=int(override.value) if override else None,
            credibility_reason=override.reason if override else None,
            dismissed_statements=frozenset(e.key for e in statements if e.key in dismissed),
        )
        after = assess_thread(
            thread.key,
            statements,
            [s for s in signals if s.document_id in docs],
            overrides=overrides,
            config=config,
            today=today,
            deaths=[d for doc in sorted(docs) for d in deaths.get(doc, ())],
        )
        before = _parse(thread.assessment)
        _store_assessment(thread, after, now)
        changes.append(ThreadChange(thread_id, before, after))
    session.flush()
    return changes


def _store_assessment(thread: Thread, after: ThreadAssessment, now: datetime) -> None:
    # Actor and protectee come from the thread's key, set when it was made; the label follows
    # the assessment, which names a protectee as the store's watchlist does now.
    if not thread.actor_lineage and after.actor_lineage:
        thread.actor_lineage = "|".join(after.actor_lineage)
    thread.target_label = after.target
    thread.first_seen = after.first_seen
    thread.last_seen = after.last_seen
    thread.statements = after.statements
    thread.harm = after.harm
    thread.reliability = after.reliability
    thread.credibility = after.credibility
    thread.likelihood = after.likelihood
    thread.confidence = after.confidence
    thread.trend = after.trend.label
    thread.priority = after.priority
    thread.assessment = json.dumps(after.to_json(), ensure_ascii=False, sort_keys=True)
    thread.assessed_at = now
    thread.version = (thread.version or 0) + 1


def _parse(raw: str | None) -> ThreadAssessment | None:
    if not raw:
        return None
    try:
        return ThreadAssessment.from_json(json.loads(raw))
    except (KeyError, TypeError, ValueError):
        # Written by an older version in another shape: treat the thread as never assessed.
        return None


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


def get_thread(session: Session, thread_id: int) -> ThreadView | None:
    """One thread with its folded child threads, its statements and the overrides in force."""
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
    statements = _thread_statements(session, thread)
    return ThreadView(
        view.id,
        view.key,
        view.assessment,
        view.assessed_at,
        view.version,
        children=tuple(children),
        statements=tuple(statements),
        overrides=tuple(_overrides_on(session, thread, statements)),
    )


def _thread_statements(session: Session, thread: Thread) -> list[ThreadStatement]:
    rows = session.execute(
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
        .order_by(Document.day, Statement.document_id, Statement.seq)
    ).all()
    keys = [statement_key(sha, s.trigger_start, s.trigger_end) for s, sha, *_ in rows]
    dismissed = _active(session, STATEMENT_DISMISSED, keys)
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
    session: Session, thread: Thread, statements: Sequence[ThreadStatement]
) -> list[AppliedOverride]:
    found: list[Override] = []
    found.extend(_active(session, THREAD_CREDIBILITY, [thread.key]).values())
    found.extend(_active(session, STATEMENT_DISMISSED, [s.key for s in statements]).values())
    found.extend(
        _active(session, SOURCE_RELIABILITY, sorted({s.source for s in statements})).values()
    )
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


# --- helpers ------------------------------------------------------------------------------

T = TypeVar("T")


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


@hooks.on_documents_stored
def _documents_stored(session: Session, document_ids: Sequence[int]) -> None:
    """Re-assess the threads stored documents touch, then tell the stages after assess."""
    hooks.threads_changed(session, reassess_documents(session, list(document_ids)))
