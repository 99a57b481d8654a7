"""The functions the CLI, the API and the web UI call to read and write the store.

Every function takes a Session inside a transaction the caller owns (see engine.transaction),
so that a document and its statements are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from watchfloor.errors import SearchError, StoreInputError
from watchfloor.ingest.records import Document as IngestDocument

# Reading and the ingest bookkeeping live in their own modules (store.queries, store.intake);
# their names stay importable from here.
from watchfloor.store.intake import (
    FeedMemory,
    blob_bytes,
    list_failures,
    list_feed_states,
    load_feed_state,
    quarantine,
    resolve_failure,
    save_feed_state,
)
from watchfloor.store.models import (
    DEFAULT_MARKING,
    DEFAULT_RELIABILITY,
    RELIABILITY_GRADES,
    SOURCE_KINDS,
    Blob,
    Cluster,
    Document,
    LshBand,
    Source,
    Statement,
    utcnow,
)
from watchfloor.store.queries import (
    HIT_END,
    HIT_START,
    DocumentSummary,
    Filters,
    SearchHit,
    StatementHit,
    contract,
    count_documents,
    find_documents,
    find_statements,
    fts5_query,
    get_document,
    search,
)

if TYPE_CHECKING:
    # Only for annotations: the store must open without loading the NLP pipeline.
    from watchfloor.warn.records import Finding

# Every writer takes this PostgreSQL advisory lock for the length of its transaction, so that
# two processes storing near-duplicates at the same moment see each other's documents (SQLite
# gets the same effect from BEGIN IMMEDIATE). Analysis runs before it, so the lock is short.
_PG_WRITE_LOCK = 0x77617463  # "watc"


# --- sources ------------------------------------------------------------------------------


def get_or_create_source(
    session: Session,
    name: str,
    kind: str = "site",
    reliability: str = DEFAULT_RELIABILITY,
    marking: str = DEFAULT_MARKING,
    url: str | None = None,
) -> Source:
    """The source called `name`; created with the given kind, grade and marking if new."""
    found = session.scalar(select(Source).where(Source.name == name))
    if found is not None:
        return found
    if kind not in SOURCE_KINDS:
        raise StoreInputError(
            f"source {name!r}: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}"
        )
    if reliability not in RELIABILITY_GRADES:
        raise StoreInputError(
            f"source {name!r}: reliability {reliability!r} is not an Admiralty grade A-F "
            "(A completely reliable ... E unreliable, F cannot be judged)"
        )
    source = Source(name=name, kind=kind, reliability=reliability, marking=marking, url=url)
    session.add(source)
    session.flush()
    return source


# --- documents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """A document's MinHash signature and the LSH band keys derived from it."""

    signature: bytes
    band_keys: tuple[int, ...]


Similarity = Callable[[bytes, bytes], float]


@dataclass(frozen=True)
class NearDuplicatePolicy:
    """How two fingerprints are compared: estimated Jaccard similarity and its threshold."""

    similarity: Similarity
    threshold: float


@dataclass(frozen=True)
class StoreResult:
    status: Literal["stored", "repeat"]
    document_id: int
    statements: int
    cluster_id: int | None = None
    origin_document_id: int | None = None


def document_id_for_sha(session: Session, sha256: str) -> int | None:
    return session.scalar(select(Document.id).where(Document.sha256 == sha256))


def document_ids_for_shas(session: Session, shas: Sequence[str]) -> dict[str, int]:
    """The stored document id of each of these raw sha256s that is already in the store."""
    if not shas:
        return {}
    rows = session.execute(
        select(Document.sha256, Document.id).where(Document.sha256.in_(set(shas)))
    ).all()
    return {sha: doc_id for sha, doc_id in rows}


def add_document_with_statements(
    session: Session,
    document: IngestDocument,
    findings: Sequence[Finding],
    *,
    source: Source,
    location: str | None = None,
    published: date | None = None,
    retrieved: datetime | None = None,
    marking: str | None = None,
    fingerprint: Fingerprint | None = None,
    near: NearDuplicatePolicy | None = None,
    analyzed: bool = True,
) -> StoreResult:
    """Store one document, its raw bytes and its statements; an exact repeat is a no-op.

    `published` overrides the document's own date (as `--published` does for analysis);
    `marking` defaults to the source's. With a fingerprint the document joins the cluster of
    its nearest stored near-duplicate, or starts a cluster of its own.
    """
    _lock_writers(session)
    existing = document_id_for_sha(session, document.sha256)
    if existing is not None:
        count = session.scalar(
            select(func.count()).select_from(Statement).where(Statement.document_id == existing)
        )
        return StoreResult("repeat", existing, count or 0)

    raw = document.raw or document.text.encode("utf-8")
    if session.get(Blob, document.sha256) is None:
        session.add(Blob(sha256=document.sha256, size=len(raw), data=raw))
    retrieved = retrieved or utcnow()
    day = published or document.published
    row = Document(
        sha256=document.sha256,
        source_id=source.id,
        location=location or document.source,
        title=document.title,
        author=document.author,
        site=document.site,
        published=day,
        day=day or retrieved.date(),
        retrieved=retrieved,
        language=document.language,
        url=document.url,
        content_type=document.content_type,
        encoding=document.encoding,
        marking=marking or source.marking,
        text=document.text,
        signature=fingerprint.signature if fingerprint else None,
        analyzed=analyzed,
    )
    session.add(row)
    session.flush()
    for seq, finding in enumerate(findings):
        session.add(statement_row(row.id, seq, finding))
    cluster_id = origin_id = None
    if fingerprint is not None:
        cluster_id, origin_id = _cluster(session, row, fingerprint, near)
    session.flush()
    return StoreResult("stored", row.id, len(findings), cluster_id, origin_id)


def lock_writers(session: Session) -> None:
    """Take the writer lock for this transaction: for later stages that write beside ingest
    (re-assessment, overrides), so that two writers never make the same thread at once."""
    _lock_writers(session)


def _lock_writers(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})


def statement_row(document_id: int, seq: int, finding: Finding) -> Statement:
    s = finding.statement
    return Statement(
        document_id=document_id,
        seq=seq,
        act=s.act,
        status=s.status,
        duty_to_warn=finding.duty_to_warn,
        evidence_text=s.evidence.text,
        evidence_start=s.evidence.start,
        evidence_end=s.evidence.end,
        trigger_text=s.trigger.text,
        trigger_start=s.trigger.start,
        trigger_end=s.trigger.end,
        actor_text=s.actor.text if s.actor else None,
        actor_start=s.actor.start if s.actor else None,
        actor_end=s.actor.end if s.actor else None,
        actor_entity=finding.actor.entity,
        actor_lineage="|".join(finding.actor.lineage),
        target_text=s.target.text if s.target else None,
        target_start=s.target.start if s.target else None,
        target_end=s.target.end if s.target else None,
        target_kind=s.target_kind,
        protectee=finding.target.protectee,
        link_method=finding.target.method,
        link_role=finding.target.role,
        person_named=finding.target.person_named,
        attribution=s.attribution,
        hedged=s.hedged,
        when=s.when,
        where=s.where,
        method=s.method,
        motive=s.motive,
        found_by=s.found_by,
        confidence=s.confidence,
    )


# --- near-duplicate clusters ---------------------------------------------------------------


def _cluster(
    session: Session,
    row: Document,
    fingerprint: Fingerprint,
    near: NearDuplicatePolicy | None,
) -> tuple[int, int | None]:
    keys = list(enumerate(fingerprint.band_keys))
    matches: list[tuple[float, int, int]] = []
    if keys and near is not None:
        candidates = session.execute(
            select(Document.id, Document.signature, Document.cluster_id)
            .where(
                Document.id.in_(
                    select(LshBand.document_id).where(LshBand.key.in_(fingerprint.band_keys))
                )
            )
            .where(Document.cluster_id.is_not(None))
        ).all()
        for doc_id, signature, cluster_id in candidates:
            if signature is None:
                continue
            score = near.similarity(fingerprint.signature, signature)
            if score >= near.threshold and cluster_id is not None:
                matches.append((score, doc_id, cluster_id))
    if keys:
        session.execute(
            insert(LshBand), [{"document_id": row.id, "band": b, "key": k} for b, k in keys]
        )

    if not matches:
        cluster = Cluster()
        session.add(cluster)
        session.flush()
        row.cluster_id = cluster.id
        cluster.origin_document_id = row.id
        return cluster.id, row.id

    # A copy that resembles two clusters joins them: both are copies of the same story.
    clusters = sorted({cluster_id for _, _, cluster_id in matches})
    keep, others = clusters[0], clusters[1:]
    if others:
        session.execute(
            update(Document).where(Document.cluster_id.in_(others)).values(cluster_id=keep)
        )
        session.execute(delete(Cluster).where(Cluster.id.in_(others)))
    row.cluster_id = keep
    session.flush()
    origin = session.scalar(
        select(Document.id)
        .where(Document.cluster_id == keep)
        .order_by(Document.published.is_(None), Document.published, Document.id)
        .limit(1)
    )
    session.execute(update(Cluster).where(Cluster.id == keep).values(origin_document_id=origin))
    return keep, origin


def stored_fingerprints(session: Session) -> list[tuple[int, bytes]]:
    """Every stored (document id, signature), for rebuilding an in-memory index."""
    rows = session.execute(
        select(Document.id, Document.signature).where(Document.signature.is_not(None))
    ).all()
    return [(doc_id, signature) for doc_id, signature in rows if signature is not None]


__all__ = [
    "HIT_END",
    "HIT_START",
    "DocumentSummary",
    "FeedMemory",
    "Filters",
    "Fingerprint",
    "NearDuplicatePolicy",
    "SearchError",
    "SearchHit",
    "StatementHit",
    "StoreInputError",
    "StoreResult",
    "add_document_with_statements",
    "blob_bytes",
    "contract",
    "count_documents",
    "document_id_for_sha",
    "document_ids_for_shas",
    "find_documents",
    "find_statements",
    "fts5_query",
    "get_document",
    "get_or_create_source",
    "list_failures",
    "list_feed_states",
    "load_feed_state",
    "lock_writers",
    "quarantine",
    "resolve_failure",
    "save_feed_state",
    "search",
    "statement_row",
    "stored_fingerprints",
]
