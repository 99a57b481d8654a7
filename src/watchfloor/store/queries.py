"""Reading the store: documents and statements by filter, and full-text search over them.

Split from store.repository (which still exports these names); every function takes a Session
inside a transaction the caller owns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    Select,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from watchfloor.errors import SearchError
from watchfloor.link.records import LinkMethod, TargetLink
from watchfloor.store.models import (
    Cluster,
    Document,
    Source,
    Statement,
)
from watchfloor.warn.records import Contract


def contract(statement: Statement) -> dict[str, Any]:
    """A stored statement as the JSON contract of `watchfloor extract` (design.md)."""
    link = TargetLink(statement.protectee, cast(LinkMethod, statement.link_method))
    return Contract(
        actor_text=statement.actor_text,
        actor_entity=statement.actor_entity,
        act=statement.act,
        target_text=statement.target_text,
        protectee=statement.protectee,
        basis=statement.link_method,
        link_confidence=link.confidence,
        status=statement.status,
        duty_to_warn=statement.duty_to_warn,
        evidence_text=statement.evidence_text,
        evidence_start=statement.evidence_start,
        evidence_end=statement.evidence_end,
        attribution=statement.attribution,
        hedged=statement.hedged,
        when=statement.when,
        where=statement.where,
        method=statement.method,
        motive=statement.motive,
        found_by=statement.found_by,
        confidence=statement.confidence,
    ).to_json()


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
    # Only documents at these markings (the ones a reader is cleared for; the API sets it).
    markings: tuple[str, ...] | None = None

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
        if self.markings is not None:
            clauses.append(Document.marking.in_(self.markings))
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
    markings: tuple[str, ...] | None = None,
    before: tuple[date, int] | None = None,
) -> list[DocumentSummary]:
    """Documents newest first; statement filters keep documents with a matching statement.
    `markings` keeps only documents at those markings; `before` (day, id) starts after that
    document (a cursor)."""
    filters = filters or Filters()
    if markings is not None:
        filters = replace(filters, markings=markings)
    query = _summary_select().where(*filters.document_clauses())
    if before is not None:
        day, last = before
        query = query.where(or_(Document.day < day, and_(Document.day == day, Document.id < last)))
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


# PostgreSQL ranks at most this many matches: ts_rank_cd reads each match's vector, and a query
# of common words matches most of a large store. The candidates are the newest matches the
# reader may see (filters applied first), so a capped ranking never loses a visible match to a
# withheld one; it only leaves older matches of a very common query unranked.
RANK_CANDIDATES = 2000


def search(
    session: Session,
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    candidates: int = RANK_CANDIDATES,
) -> list[SearchHit]:
    """Documents matching a full-text query, best first (FTS5 bm25 / PostgreSQL ts_rank_cd;
    PostgreSQL ranks the newest `candidates` visible matches)."""
    filters = filters or Filters()
    dialect = session.get_bind().dialect.name
    match = fts5_query(query) if dialect == "sqlite" else query.strip()
    if not match:
        return []
    visible = [*filters.document_clauses()]
    if filters.about_statements:
        visible.append(
            exists(
                select(Statement.id).where(
                    Statement.document_id == Document.id, *filters.statement_clauses()
                )
            )
        )
    ranked = _sqlite_ranked() if dialect == "sqlite" else _pg_ranked(match, visible, candidates)
    statement = (
        _summary_select()
        .add_columns(ranked.c.score.label("rank"))
        .join(ranked, ranked.c.doc_id == Document.id)
        .where(*visible)
        .order_by(ranked.c.score.desc(), Document.id)
        .limit(limit)
    )
    try:
        rows = session.execute(statement, {"match": match} if dialect == "sqlite" else {}).all()
        hits = [SearchHit(_summary(row[:5]), "", float(row[5])) for row in rows]
        if not hits:
            return hits
        if dialect == "sqlite":
            return _sqlite_snippets(session, match, hits)
        return _pg_snippets(session, query, hits)
    except DBAPIError as exc:  # FTS5 "expression tree is too large", a tsquery too deep ...
        raise SearchError(
            f"search {query[:60]!r}: the full-text index cannot run this query "
            f"({str(exc.orig).strip()}); use fewer terms or fewer ORs"
        ) from None


def _sqlite_ranked() -> Any:
    # bm25 runs inside FTS5 over the match's doclists; the snippet waits for the page.
    return (
        select(
            literal_column("documents_fts.rowid").label("doc_id"),
            literal_column("-bm25(documents_fts, 4.0, 1.0)").label("score"),
        )
        .select_from(text("documents_fts"))
        .where(text("documents_fts MATCH :match"))
        .subquery()
    )


def _pg_ranked(query: str, visible: list[Any], candidates: int) -> Any:
    tsquery = func.websearch_to_tsquery("english", query)
    vector: Any = literal_column("documents.search_vector")
    newest = (
        select(Document.id)
        .where(vector.op("@@")(tsquery), *visible)
        .order_by(Document.id.desc())
        .limit(candidates)
        .subquery()
    )
    return (
        select(Document.id.label("doc_id"), func.ts_rank_cd(vector, tsquery).label("score"))
        .join(newest, newest.c.id == Document.id)
        .subquery()
    )


def _sqlite_snippets(session: Session, match: str, hits: list[SearchHit]) -> list[SearchHit]:
    ids = ", ".join(str(int(hit.document.id)) for hit in hits)
    rows = session.execute(
        text(
            f"SELECT rowid, snippet(documents_fts, 1, '{HIT_START}', '{HIT_END}', ' … ', 16) "
            f"FROM documents_fts WHERE documents_fts MATCH :match AND rowid IN ({ids})"
        ),
        {"match": match},
    ).all()
    snippets: dict[int, str] = {doc_id: snippet for doc_id, snippet in rows}
    return [SearchHit(h.document, snippets.get(h.document.id, ""), h.rank) for h in hits]


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
