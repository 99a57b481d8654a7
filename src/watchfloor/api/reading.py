"""Read routes: documents, statements, threads, protectees, sources, search. Each listing
filters through the reader's clearance in SQL, so pages and counts hold only what may be seen."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import and_, func, or_, select

from watchfloor.api.core import (
    CanRead,
    Ctx,
    RowId,
    decode_cursor,
    encode_cursor,
    not_found,
    page,
    respond,
)
from watchfloor.assess.service import source_grades
from watchfloor.assess.views import get_thread
from watchfloor.link.protectees import list_protectees
from watchfloor.store.models import Document, ProtecteeRow, Source, Statement, Thread
from watchfloor.store.queries import Filters, contract, find_documents, search

router = APIRouter(prefix="/api/v1", tags=["read"])
Limit = Query(50, ge=1, le=200)
STANDINGS = ("live", "history")


def visible_document(ctx: Ctx, document_id: RowId) -> Document:
    doc = ctx.session.get(Document, document_id)
    if doc is None or not ctx.clearance.may_read(doc.marking):
        raise not_found(f"document {document_id}")
    return doc


@router.get("/documents", summary="Documents, newest first")
def documents(
    ctx: CanRead,
    request: Request,
    protectee: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = Limit,
) -> Response:
    after = decode_cursor(cursor, date.fromisoformat, int)
    filters = Filters(protectee=protectee, source=source, since=since, until=until)
    found = find_documents(
        ctx.session,
        filters,
        limit=limit + 1,
        markings=ctx.clearance.allowed,
        before=(after[0], after[1]) if after else None,
    )
    more = len(found) > limit
    found = found[:limit]
    nxt = encode_cursor(found[-1].day.isoformat(), found[-1].id) if more else None
    return respond(request, page([d.to_json() for d in found], nxt))


@router.get("/documents/{document_id}", summary="One document with its statements")
def document(ctx: CanRead, request: Request, document_id: RowId) -> Response:
    doc = visible_document(ctx, document_id)
    return respond(
        request,
        {
            "id": doc.id,
            "title": doc.title,
            "source": doc.source.name,
            "day": doc.day.isoformat(),
            "marking": doc.marking,
            "url": doc.url,
            "text": doc.text,
            "statements": [contract(s) | {"id": s.id} for s in doc.statements],
        },
    )


@router.get("/statements", summary="Statements, newest first")
def statements(
    ctx: CanRead,
    request: Request,
    protectee: str | None = None,
    act: str | None = None,
    thread: int | None = None,
    cursor: str | None = None,
    limit: int = Limit,
) -> Response:
    after = decode_cursor(cursor, int)
    query = (
        select(Statement)
        .join(Document, Document.id == Statement.document_id)
        .where(
            ctx.clearance.documents(), *Filters(protectee=protectee, act=act).statement_clauses()
        )
        .order_by(Statement.id.desc())
        .limit(limit + 1)
    )
    if after:
        query = query.where(Statement.id < after[0])
    if thread is not None:
        # A thread's statements only when the whole thread is visible (as its page is).
        if not ctx.clearance.thread_visible(ctx.session, thread):
            raise not_found(f"thread {thread}")
        query = query.where(Statement.thread_id == thread)
    rows = list(ctx.session.scalars(query))
    nxt = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    items = [contract(s) | {"id": s.id, "document_id": s.document_id} for s in rows[:limit]]
    return respond(request, page(items, nxt))


BOARD_COLUMNS = (
    Thread.id,
    Thread.key,
    Thread.target_label,
    Thread.protectee,
    Thread.actor_entity,
    Thread.harm,
    Thread.reliability,
    Thread.credibility,
    Thread.likelihood,
    Thread.trend,
    Thread.priority,
    Thread.statements,
    Thread.first_seen,
    Thread.last_seen,
    Thread.standing,
    Thread.imminence,
    Thread.specificity,
)


def thread_summary(row: Any) -> dict[str, Any]:
    specificity = row.specificity
    return {
        "id": row.id,
        "key": row.key,
        "target": row.target_label,
        "protectee": row.protectee,
        "actor": row.actor_entity,
        "harm": row.harm,
        "reliability": row.reliability,
        "credibility": row.credibility,
        "likelihood": row.likelihood,
        "trend": row.trend,
        "priority": row.priority,
        "statements": row.statements,
        "first_seen": row.first_seen.isoformat() if row.first_seen else None,
        "last_seen": row.last_seen.isoformat() if row.last_seen else None,
        "standing": row.standing or "live",
        "imminence": row.imminence,
        "specificity": float(specificity) if specificity is not None else None,
    }


def board(
    ctx: Ctx,
    *,
    protectee: str | None,
    standing: str | None,
    harm: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None, int]:
    """A page of the board, highest priority first, and how many threads the filters keep."""
    if standing is not None and standing not in STANDINGS:
        from fastapi import HTTPException

        raise HTTPException(422, f"standing {standing!r}: use one of {', '.join(STANDINGS)}")
    # Stored columns, not the assessment JSON: the filter, its count and the rows read no JSON.
    where = [Thread.assessment.is_not(None), ctx.clearance.threads()]
    if protectee:
        where.append(Thread.protectee == protectee)
    if harm:
        where.append(Thread.harm == harm)
    if standing:
        where.append(Thread.standing == standing)
    count = ctx.session.scalar(select(func.count()).select_from(Thread).where(*where)) or 0
    after = decode_cursor(cursor, float, int)
    if after:
        prio, tid = after
        where.append(or_(Thread.priority < prio, and_(Thread.priority == prio, Thread.id > tid)))
    order = (Thread.priority.desc(), Thread.id)
    # The page's ids first, then its rows: SQLite reads a column stored after the assessment by
    # walking the assessment's overflow pages, which for every tied row before the sort is slow.
    ids = select(Thread.id).where(*where).order_by(*order).limit(limit + 1).subquery()
    query = select(*BOARD_COLUMNS).where(Thread.id.in_(select(ids.c.id))).order_by(*order)
    rows = ctx.session.execute(query).all()
    nxt = encode_cursor(rows[limit - 1].priority, rows[limit - 1].id) if len(rows) > limit else None
    rows = rows[:limit]
    return [thread_summary(r) for r in rows], nxt, count


@router.get("/threads", summary="The threat board: threads, highest priority first")
def threads(
    ctx: CanRead,
    request: Request,
    protectee: str | None = None,
    standing: str | None = None,
    harm: str | None = None,
    cursor: str | None = None,
    limit: int = Limit,
) -> Response:
    items, nxt, count = board(
        ctx, protectee=protectee, standing=standing, harm=harm, cursor=cursor, limit=limit
    )
    return respond(request, page(items, nxt, count))


# A thread's page and JSON carry its newest statements, so that they do not grow with the thread;
# the older ones are paged by GET /statements?thread=ID (newest first).
THREAD_STATEMENTS = 200


def visible_thread(ctx: Ctx, thread_id: RowId) -> dict[str, Any]:
    if not ctx.clearance.thread_visible(ctx.session, thread_id):
        raise not_found(f"thread {thread_id}")
    view = get_thread(ctx.session, thread_id, newest=THREAD_STATEMENTS)
    if view is None:
        raise not_found(f"thread {thread_id}")
    data = view.to_json()
    data["children"] = [
        c for c in data.get("children", []) if ctx.clearance.thread_visible(ctx.session, c["id"])
    ]
    return data


@router.get("/threads/{thread_id}", summary="One thread: judgement, rationale, statements")
def thread(ctx: CanRead, request: Request, thread_id: RowId) -> Response:
    return respond(request, visible_thread(ctx, thread_id))


@router.get("/protectees", summary="The watchlist as last loaded")
def protectees(ctx: CanRead, request: Request) -> Response:
    return respond(request, page([p.to_json() for p in list_protectees(ctx.session)], None))


@router.get("/protectees/{protectee_id}", summary="One protectee and the timeline of threads")
def protectee(ctx: CanRead, request: Request, protectee_id: str) -> Response:
    row = ctx.session.get(ProtecteeRow, protectee_id)
    if row is None:
        raise not_found(f"protectee {protectee_id}")
    items, _, count = board(
        ctx, protectee=protectee_id, standing=None, harm=None, cursor=None, limit=200
    )
    return respond(
        request,
        {"id": row.id, "name": row.name, "current": row.current, "threads": items, "count": count},
    )


def visible_sources(ctx: Ctx) -> list[dict[str, Any]]:
    """Sources with a document the reader may see, with the grade in force (an analyst's,
    else the stored one)."""
    seen = select(Document.source_id).where(ctx.clearance.documents()).distinct()
    rows = list(
        ctx.session.scalars(select(Source).where(Source.id.in_(seen)).order_by(Source.name))
    )
    graded = source_grades(ctx.session, [s.name for s in rows])
    return [
        {
            "name": s.name,
            "kind": s.kind,
            "reliability": graded.get(s.name, s.reliability),
            "graded_by_analyst": s.name in graded,
            "marking": s.marking,
        }
        for s in rows
    ]


@router.get("/sources", summary="Sources with a document the reader may see")
def sources(ctx: CanRead, request: Request) -> Response:
    items = visible_sources(ctx)
    return respond(request, page(items, None, len(items)))


@router.get("/search", summary="Full-text search over the documents the reader may see")
def search_route(
    ctx: CanRead, request: Request, q: str = Query(..., min_length=1), limit: int = Limit
) -> Response:
    hits = search(ctx.session, q, Filters(markings=ctx.clearance.allowed), limit=limit)
    return respond(request, page([h.to_json() for h in hits], None, len(hits)))


def thread_series(ctx: Ctx, thread_id: RowId) -> list[dict[str, Any]]:
    """A visible thread's points over time (day, statements, specificity, severity,
    credibility), for the protectee page's chart."""
    if not ctx.clearance.thread_visible(ctx.session, thread_id):
        return []
    thread = ctx.session.get(Thread, thread_id)
    assessment = json.loads(thread.assessment or "{}") if thread else {}
    series: list[dict[str, Any]] = (assessment.get("trend") or {}).get("series") or []
    return series
