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

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from watchfloor import hooks
from watchfloor.assess.config import CONFIG_ENV_VAR, AssessConfig
from watchfloor.assess.context import deaths_by_document, named_actors, plot_actor
from watchfloor.assess.grading import assess_thread
from watchfloor.assess.reading import (
    ACTOR_MERGE as ACTOR_MERGE,
)
from watchfloor.assess.reading import (
    SOURCE_RELIABILITY as SOURCE_RELIABILITY,
)
from watchfloor.assess.reading import (
    STATEMENT_DISMISSED as STATEMENT_DISMISSED,
)
from watchfloor.assess.reading import (
    THREAD_CREDIBILITY as THREAD_CREDIBILITY,
)
from watchfloor.assess.reading import (
    _active,
    _chunks,
    _evidence,
    _id_batches,
    _lineage_of,
    _merges,
    _signals,
)
from watchfloor.assess.records import AppliedOverride as AppliedOverride
from watchfloor.assess.records import (
    ThreadAssessment,
    ThreadChange,
    ThreadOverrides,
)
from watchfloor.assess.records import ThreadStatement as ThreadStatement
from watchfloor.assess.records import ThreadView as ThreadView
from watchfloor.assess.signals import find_signals
from watchfloor.assess.threads import (
    UNKNOWN,
    actor_key,
    resolve_actor,
    target_key,
    thread_key,
)
from watchfloor.errors import AssessInputError as AssessInputError
from watchfloor.lazy import lazy_attribute
from watchfloor.settings import setting
from watchfloor.store.models import (
    Document,
    SignalRow,
    Statement,
    Thread,
    utcnow,
)
from watchfloor.store.repository import lock_writers

# The records of a thread as read moved to assess.records; the views (list_threads, get_thread)
# and the analyst overrides to assess.views and assess.overrides. Their names stay importable
# from here: the records directly, the others on first use (they import this module).
_MOVED = {
    "dismiss_statement": "overrides",
    "grade_source": "overrides",
    "merge_actors": "overrides",
    "set_thread_credibility": "overrides",
    "get_thread": "views",
    "list_threads": "views",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, "watchfloor.assess", _MOVED, name)


# Threads assessed together by reassess_all: one statements query per batch.
_ASSESS_BATCH = 200

STANDINGS = ("live", "history")


# --- configuration and who is acting ----------------------------------------------------------


@lru_cache(maxsize=4)
def _config_for(path: str | None) -> AssessConfig:
    from pathlib import Path

    return AssessConfig.load(Path(path) if path else None)


def default_config() -> AssessConfig:
    """The assessment configuration, read once per process (and per WATCHFLOOR_ASSESS_CONFIG)."""
    return _config_for(setting(CONFIG_ENV_VAR) or None)


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
    thread.standing = after.standing
    thread.imminence = after.imminence
    thread.specificity = after.specificity.score
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


@hooks.on_documents_stored
def _documents_stored(session: Session, document_ids: Sequence[int]) -> None:
    """Re-assess the threads stored documents touch, then tell the stages after assess."""
    hooks.threads_changed(session, reassess_documents(session, list(document_ids)))
