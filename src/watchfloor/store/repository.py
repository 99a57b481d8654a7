"""The functions the CLI, the API and the web UI call to read and write the store.

Every function takes a Session inside a transaction the caller owns (see engine.transaction),
so that a document and its statements are written together or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Select,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from watchfloor.errors import SearchError, StoreInputError, WatchfloorError
from watchfloor.ingest.records import Document as IngestDocument
from watchfloor.store.models import (
    DEFAULT_MARKING,
    DEFAULT_RELIABILITY,
    RELIABILITY_GRADES,
    SOURCE_KINDS,
    Blob,
    Cluster,
    Document,
    Failure,
    FeedItem,
    FeedState,
    LshBand,
    Source,
    Statement,
    utcnow,
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
    )


def contract(statement: Statement) -> dict[str, Any]:
    """A stored statement as the JSON contract of `watchfloor extract` (design.md)."""
    return {
        "actor": {"text": statement.actor_text, "entity": statement.actor_entity},
        "act": statement.act,
        "target": {"text": statement.target_text, "protectee": statement.protectee},
        "status": statement.status,
        "duty_to_warn": statement.duty_to_warn,
        "evidence": {
            "text": statement.evidence_text,
            "start": statement.evidence_start,
            "end": statement.evidence_end,
        },
        "attribution": statement.attribution,
        "hedged": statement.hedged,
        "when": statement.when,
        "where": statement.where,
        "method": statement.method,
        "motive": statement.motive,
    }


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


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What `documents`, `statements` and `search` can be narrowed by. None means any."""

    protectee: str | None = None
    actor: str | None = None
    act: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    source: str | None = None
    duty_to_warn: bool | None = None

    def statement_clauses(self) -> list[Any]:
        clauses: list[Any] = []
        if self.protectee:
            clauses.append(Statement.protectee == self.protectee)
        if self.actor:
            needle = self.actor.lower()
            like = f"%{_escape_like(needle)}%"
            clauses.append(
                or_(
                    func.lower(Statement.actor_entity) == needle,
                    func.lower("|" + Statement.actor_lineage + "|").like(
                        f"%|{_escape_like(needle)}|%", escape="\\"
                    ),
                    func.lower(Statement.actor_text).like(like, escape="\\"),
                )
            )
        if self.act:
            clauses.append(Statement.act == self.act)
        if self.status:
            clauses.append(Statement.status == self.status)
        if self.duty_to_warn is not None:
            clauses.append(Statement.duty_to_warn == self.duty_to_warn)
        return clauses

    def document_clauses(self) -> list[Any]:
        clauses: list[Any] = []
        if self.since:
            clauses.append(Document.day >= self.since)
        if self.until:
            clauses.append(Document.day <= self.until)
        if self.source:
            clauses.append(Document.source.has(Source.name == self.source))
        return clauses

    @property
    def about_statements(self) -> bool:
        return bool(self.statement_clauses())


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    title: str | None
    source: str
    reliability: str
    day: date
    published: date | None
    location: str
    url: str | None
    marking: str
    content_type: str
    sha256: str
    cluster_id: int | None
    origin_document_id: int | None
    statements: int
    analyzed: bool

    @property
    def is_origin(self) -> bool:
        return self.origin_document_id is None or self.origin_document_id == self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "reliability": self.reliability,
            "day": self.day.isoformat(),
            "published": self.published.isoformat() if self.published else None,
            "location": self.location,
            "url": self.url,
            "marking": self.marking,
            "content_type": self.content_type,
            "sha256": self.sha256,
            "cluster": self.cluster_id,
            "origin": self.origin_document_id,
            "statements": self.statements,
            "analyzed": self.analyzed,
        }


def _statement_count() -> Any:
    return (
        select(func.count())
        .select_from(Statement)
        .where(Statement.document_id == Document.id)
        .correlate(Document)
        .scalar_subquery()
    )


def _summary_select() -> Select[Any]:
    return (
        select(Document, Source.name, Source.reliability, Cluster.origin_document_id)
        .add_columns(_statement_count().label("statements"))
        .join(Source, Source.id == Document.source_id)
        .outerjoin(Cluster, Cluster.id == Document.cluster_id)
    )


def _summary(row: Any) -> DocumentSummary:
    doc, source, reliability, origin, count = row
    return DocumentSummary(
        id=doc.id,
        title=doc.title,
        source=source,
        reliability=reliability,
        day=doc.day,
        published=doc.published,
        location=doc.location,
        url=doc.url,
        marking=doc.marking,
        content_type=doc.content_type,
        sha256=doc.sha256,
        cluster_id=doc.cluster_id,
        origin_document_id=origin,
        statements=count,
        analyzed=doc.analyzed,
    )


def find_documents(
    session: Session,
    filters: Filters | None = None,
    *,
    cluster_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[DocumentSummary]:
    """Documents newest first; statement filters keep documents with a matching statement."""
    filters = filters or Filters()
    query = _summary_select().where(*filters.document_clauses())
    if filters.about_statements:
        query = query.where(
            exists(
                select(Statement.id).where(
                    Statement.document_id == Document.id, *filters.statement_clauses()
                )
            )
        )
    if cluster_id is not None:
        query = query.where(Document.cluster_id == cluster_id)
    query = query.order_by(Document.day.desc(), Document.id.desc()).limit(limit).offset(offset)
    return [_summary(row) for row in session.execute(query).unique().all()]


def get_document(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document)) or 0


@dataclass(frozen=True)
class StatementHit:
    statement: Statement
    document_id: int
    title: str | None
    source: str
    day: date
    url: str | None
    location: str
    marking: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.statement.id,
            "document": {
                "id": self.document_id,
                "title": self.title,
                "source": self.source,
                "day": self.day.isoformat(),
                "url": self.url,
                "location": self.location,
                "marking": self.marking,
            },
            **contract(self.statement),
            "trigger": {
                "text": self.statement.trigger_text,
                "start": self.statement.trigger_start,
                "end": self.statement.trigger_end,
            },
            "target_kind": self.statement.target_kind,
            "link_method": self.statement.link_method,
            "actor_lineage": [p for p in self.statement.actor_lineage.split("|") if p],
        }


def find_statements(
    session: Session, filters: Filters | None = None, *, limit: int = 100, offset: int = 0
) -> list[StatementHit]:
    """Statements, newest document first and in document order within one document."""
    filters = filters or Filters()
    query = (
        select(
            Statement,
            Document.id,
            Document.title,
            Source.name,
            Document.day,
            Document.url,
            Document.location,
            Document.marking,
        )
        .join(Document, Document.id == Statement.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(*filters.statement_clauses(), *filters.document_clauses())
        .order_by(Document.day.desc(), Document.id.desc(), Statement.seq)
        .limit(limit)
        .offset(offset)
    )
    return [StatementHit(*row) for row in session.execute(query).all()]


# --- full-text search ---------------------------------------------------------------------


# The snippet's matched words are set off by two private-use characters, which no report
# holds: brackets, the old markers, are ordinary text in reporting and in Rich markup.
HIT_START, HIT_END = "\ue000", "\ue001"


@dataclass(frozen=True)
class SearchHit:
    document: DocumentSummary
    marked: str  # the snippet with HIT_START/HIT_END around matched words
    rank: float

    @property
    def snippet(self) -> str:
        """The snippet with matched words in [brackets], as the JSON output has it."""
        return self.marked.replace(HIT_START, "[").replace(HIT_END, "]")

    def to_json(self) -> dict[str, Any]:
        return {**self.document.to_json(), "snippet": self.snippet, "rank": self.rank}


_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(query: str) -> str:
    """A web-style query ("exact phrase", -excluded, OR) as safe FTS5 syntax.

    Users type hyphens and quotes that FTS5 reads as operators or syntax errors, so every
    word is quoted; the result means what PostgreSQL's websearch_to_tsquery makes of it.
    """
    positive: list[str] = []
    negative: list[str] = []
    pending_or = False
    for match in _QUERY_TOKEN.finditer(query):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare.upper() == "OR" and positive:
                pending_or = True
                continue
            minus = "-" if bare.startswith("-") else ""
            phrase = bare.lstrip("-")
        words = _WORD.findall(phrase or "")
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if minus:
            negative.append(term)
        elif pending_or:
            positive[-1] = f"({positive[-1]} OR {term})"
            pending_or = False
        else:
            positive.append(term)
    if not positive:
        return ""
    expression = " AND ".join(positive)
    for term in negative:
        expression = f"{expression} NOT {term}"
    return expression


def search(
    session: Session, query: str, filters: Filters | None = None, *, limit: int = 20
) -> list[SearchHit]:
    """Documents matching a full-text query, best first (FTS5 bm25 / PostgreSQL ts_rank)."""
    filters = filters or Filters()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = fts5_query(query)
        if not match:
            return []
        ranked = (
            select(
                literal_column("documents_fts.rowid").label("doc_id"),
                literal_column("bm25(documents_fts, 4.0, 1.0)").label("score"),
                literal_column(
                    f"snippet(documents_fts, 1, '{HIT_START}', '{HIT_END}', ' … ', 16)"
                ).label("snippet"),
            )
            .select_from(text("documents_fts"))
            .where(text("documents_fts MATCH :match"))
            .subquery()
        )
        order: Any = ranked.c.score.asc()
        rank: Any = -ranked.c.score
    else:
        if not query.strip():
            return []
        tsquery = func.websearch_to_tsquery("english", query)
        vector: Any = literal_column("documents.search_vector")
        ranked = (
            select(
                Document.id.label("doc_id"),
                func.ts_rank_cd(vector, tsquery).label("score"),
                literal_column("''").label("snippet"),
            )
            .where(vector.op("@@")(tsquery))
            .subquery()
        )
        order = ranked.c.score.desc()
        rank = ranked.c.score
        match = ""
    statement = (
        _summary_select()
        .add_columns(ranked.c.snippet, rank.label("rank"))
        .join(ranked, ranked.c.doc_id == Document.id)
        .where(*filters.document_clauses())
        .order_by(order, Document.id)
        .limit(limit)
    )
    if filters.about_statements:
        statement = statement.where(
            exists(
                select(Statement.id).where(
                    Statement.document_id == Document.id, *filters.statement_clauses()
                )
            )
        )
    try:
        rows = session.execute(statement, {"match": match} if dialect == "sqlite" else {}).all()
    except DBAPIError as exc:  # FTS5 "expression tree is too large", a tsquery too deep ...
        raise SearchError(
            f"search {query[:60]!r}: the full-text index cannot run this query "
            f"({str(exc.orig).strip()}); use fewer terms or fewer ORs"
        ) from None
    hits = [SearchHit(_summary(row[:5]), row[5], float(row[6])) for row in rows]
    if dialect != "sqlite" and hits:
        hits = _pg_snippets(session, query, hits)
    return hits


def _pg_snippets(session: Session, query: str, hits: list[SearchHit]) -> list[SearchHit]:
    # ts_headline re-parses the whole text, so it runs on the page of hits only.
    ids = [hit.document.id for hit in hits]
    rows = session.execute(
        select(
            Document.id,
            func.ts_headline(
                "english",
                func.left(Document.text, 300000),
                func.websearch_to_tsquery("english", query),
                f'StartSel="{HIT_START}", StopSel="{HIT_END}", MaxWords=24, MinWords=8, '
                "MaxFragments=2, "
                'FragmentDelimiter=" … "',
            ),
        ).where(Document.id.in_(ids))
    ).all()
    snippets: dict[int, str] = {doc_id: snippet for doc_id, snippet in rows}
    return [SearchHit(h.document, snippets.get(h.document.id, ""), h.rank) for h in hits]


# --- failures -----------------------------------------------------------------------------


def quarantine(
    session: Session,
    location: str,
    reason: str,
    *,
    source_name: str,
    sha256: str | None = None,
    raw: bytes | None = None,
) -> Failure:
    """Record (or count again) a document that could not be ingested; keep its bytes if any."""
    now = utcnow()
    if raw is not None and sha256 is not None and session.get(Blob, sha256) is None:
        session.add(Blob(sha256=sha256, size=len(raw), data=raw))
    failure = session.scalar(select(Failure).where(Failure.location == location))
    if failure is None:
        failure = Failure(
            location=location,
            source_name=source_name,
            reason=reason,
            sha256=sha256,
            attempts=1,
            first_failed_at=now,
            last_failed_at=now,
        )
        session.add(failure)
    else:
        failure.attempts += 1
        failure.reason = reason
        failure.sha256 = sha256 or failure.sha256
        failure.last_failed_at = now
        failure.resolved_at = None
        failure.document_id = None
    try:
        session.flush()
    except IntegrityError as exc:  # pragma: no cover - the write lock makes this unreachable
        raise WatchfloorError(f"{location}: could not record the failure ({exc})") from exc
    return failure


def resolve_failure(session: Session, location: str, document_id: int) -> bool:
    """Mark a quarantined location as ingested; False when it was not quarantined."""
    result = session.execute(
        update(Failure)
        .where(Failure.location == location, Failure.resolved_at.is_(None))
        .values(resolved_at=utcnow(), document_id=document_id)
    )
    return bool(getattr(result, "rowcount", 0))


def list_failures(session: Session, *, include_resolved: bool = False) -> list[Failure]:
    query = select(Failure).order_by(Failure.last_failed_at.desc(), Failure.id.desc())
    if not include_resolved:
        query = query.where(Failure.resolved_at.is_(None))
    return list(session.scalars(query).all())


def blob_bytes(session: Session, sha256: str) -> bytes | None:
    return session.scalar(select(Blob.data).where(Blob.sha256 == sha256))


# --- feeds --------------------------------------------------------------------------------


@dataclass
class FeedMemory:
    """A feed's polling state as plain values, detached from any session."""

    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_due_at: datetime | None = None
    seen: set[str] = field(default_factory=set)


def load_feed_state(session: Session, name: str, url: str) -> FeedMemory:
    row = session.get(FeedState, name)
    if row is None:
        return FeedMemory(name=name, url=url)
    seen = set(session.scalars(select(FeedItem.key).where(FeedItem.feed == name)).all())
    return FeedMemory(
        name=name,
        url=url,
        etag=row.etag if row.url == url else None,
        last_modified=row.last_modified if row.url == url else None,
        failures=row.failures,
        last_error=row.last_error,
        last_polled_at=row.last_polled_at,
        last_success_at=row.last_success_at,
        next_due_at=row.next_due_at,
        seen=seen,
    )


def save_feed_state(session: Session, state: FeedMemory, new_keys: Sequence[str] = ()) -> None:
    row = session.get(FeedState, state.name)
    if row is None:
        row = FeedState(name=state.name, url=state.url)
        session.add(row)
    row.url = state.url
    row.etag = state.etag
    row.last_modified = state.last_modified
    row.failures = state.failures
    row.last_error = state.last_error
    row.last_polled_at = state.last_polled_at
    row.last_success_at = state.last_success_at
    row.next_due_at = state.next_due_at
    session.flush()
    known = (
        set(
            session.scalars(
                select(FeedItem.key).where(FeedItem.feed == state.name, FeedItem.key.in_(new_keys))
            ).all()
        )
        if new_keys
        else set()
    )
    session.add_all(
        FeedItem(feed=state.name, key=k) for k in dict.fromkeys(new_keys) if k not in known
    )


def list_feed_states(session: Session) -> list[FeedState]:
    return list(session.scalars(select(FeedState).order_by(FeedState.name)).all())
