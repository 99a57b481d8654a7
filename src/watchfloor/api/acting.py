"""Routes that act or read the records of acts: cases and their actions, the outbox, reviews,
the audit log. The actor is always the logged-in principal; the case stage (warn.cases) checks
the roles each move needs, exactly as it does for the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from watchfloor.api.core import (
    CanAdmin,
    CanApprove,
    CanAudit,
    CanCase,
    CanEdit,
    CanRead,
    Ctx,
    RowId,
    decode_cursor,
    encode_cursor,
    not_found,
    page,
    respond,
)
from watchfloor.assess.overrides import grade_source
from watchfloor.pipeline import after_changes
from watchfloor.publish.readers import list_readers
from watchfloor.publish.render import render_for
from watchfloor.store import audit
from watchfloor.store.models import AuditEntry, Case, Document, Notice, Source
from watchfloor.warn import cases
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.outbox import notice_json

router = APIRouter(prefix="/api/v1", tags=["act"])
Limit = Query(50, ge=1, le=200)


def visible_case(ctx: Ctx, case_id: RowId) -> Case:
    case = ctx.session.get(Case, case_id)
    if case is None or not ctx.clearance.thread_visible(ctx.session, case.thread_id):
        raise not_found(f"case {case_id}")
    return case


@router.get("/cases", summary="Duty-to-warn cases, nearest deadline first")
def list_cases(
    ctx: CanRead,
    request: Request,
    state: str | None = None,
    cursor: str | None = None,
    limit: int = Limit,
) -> Response:
    after = decode_cursor(cursor, int)
    query = select(Case).where(ctx.clearance.cases()).order_by(Case.id).limit(limit + 1)
    if state:
        query = query.where(Case.state == state)
    if after:
        query = query.where(Case.id > after[0])
    rows = list(ctx.session.scalars(query))
    nxt = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return respond(request, page([cases.summary(c) for c in rows[:limit]], nxt))


def case_view(ctx: Ctx, case_id: RowId) -> dict[str, Any]:
    visible_case(ctx, case_id)
    return cases.show(ctx.session, case_id, ctx.name)


@router.get("/cases/{case_id}", summary="One case: grades, rationale, events, notices")
def get_case(ctx: CanRead, request: Request, case_id: RowId) -> Response:
    return respond(request, case_view(ctx, case_id))


class WaiverIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=4000)


class DecisionIn(BaseModel):
    approve: bool
    reason: str | None = Field(None, max_length=4000)


class MoveIn(BaseModel):
    to: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(None, max_length=4000)


class WarnIn(BaseModel):
    subject: str | None = Field(None, max_length=400)
    body: str | None = Field(None, max_length=20000)


def _policy() -> CasePolicy:
    return CasePolicy.load()


def propose(ctx: Ctx, case_id: RowId, code: str, reason: str) -> dict[str, Any]:
    visible_case(ctx, case_id)
    case = cases.propose_waiver(ctx.session, case_id, ctx.name, _policy(), code=code, reason=reason)
    return cases.summary(case)


def decide(ctx: Ctx, case_id: RowId, approve: bool, reason: str | None) -> dict[str, Any]:
    visible_case(ctx, case_id)
    case = cases.decide_waiver(
        ctx.session, case_id, ctx.name, _policy(), approve=approve, reason=reason
    )
    return cases.summary(case)


def warn(ctx: Ctx, case_id: RowId, subject: str | None, body: str | None) -> dict[str, Any]:
    visible_case(ctx, case_id)
    notices = cases.warn(ctx.session, case_id, ctx.name, _policy(), subject=subject, body=body)
    return {**cases.summary(visible_case(ctx, case_id)), "queued": [n.id for n in notices]}


@router.post("/cases/{case_id}/waiver", summary="Propose a waiver (duty officer)")
def waive_route(ctx: CanCase, request: Request, case_id: RowId, body: WaiverIn) -> Response:
    return respond(request, propose(ctx, case_id, body.code, body.reason))


@router.post("/cases/{case_id}/decision", summary="Approve or reject a proposed waiver")
def decide_route(ctx: CanApprove, request: Request, case_id: RowId, body: DecisionIn) -> Response:
    return respond(request, decide(ctx, case_id, body.approve, body.reason))


@router.post("/cases/{case_id}/warning", summary="Queue the reviewed warning")
def warn_route(ctx: CanCase, request: Request, case_id: RowId, body: WarnIn) -> Response:
    return respond(request, warn(ctx, case_id, body.subject, body.body))


@router.post("/cases/{case_id}/move", summary="Monitor, close, dispute or escalate a case")
def move_route(ctx: CanCase, request: Request, case_id: RowId, body: MoveIn) -> Response:
    visible_case(ctx, case_id)
    case = cases.move(ctx.session, case_id, ctx.name, _policy(), body.to, reason=body.reason)
    return respond(request, cases.summary(case))


class GradeIn(BaseModel):
    grade: str = Field(min_length=1, max_length=1)
    reason: str = Field(min_length=1, max_length=4000)


def visible_source(ctx: Ctx, source: str) -> None:
    """A source with a document the reader may see, else 404 (as for one that does not exist)."""
    seen = select(Document.source_id).where(ctx.clearance.documents())
    if (
        ctx.session.scalar(select(Source.id).where(Source.name == source, Source.id.in_(seen)))
        is None
    ):
        raise not_found(f"source {source}")


def grade(ctx: Ctx, source: str, value: str, reason: str) -> int:
    """Grade a source the reader may see (its threads are re-assessed and re-triaged, as
    `watchfloor source grade` does); returns how many threads changed."""
    visible_source(ctx, source)
    changes = grade_source(ctx.session, source, value, ctx.name, reason)
    after_changes(ctx.session, changes)
    return len(changes)


@router.post("/sources/{source}/grade", summary="Grade a source's reliability (A-F)")
def grade_route(ctx: CanEdit, request: Request, source: str, body: GradeIn) -> Response:
    changed = grade(ctx, source, body.grade, body.reason)
    return respond(request, {"source": source, "grade": body.grade.upper(), "threads": changed})


@router.get("/outbox", summary="Notices of the cases the reader may see")
def outbox(ctx: CanCase, request: Request, status: str | None = None) -> Response:
    query = (
        select(Notice)
        .join(Case, Case.id == Notice.case_id)
        .where(ctx.clearance.cases())
        .order_by(Notice.id.desc())
        .limit(200)
    )
    if status:
        query = query.where(Notice.status == status)
    items = [notice_json(n) for n in ctx.session.scalars(query)]
    return respond(request, page(items, None, len(items)))


@router.get("/reviews/{day}", summary="The review of a day, rendered for the logged-in reader")
def review(ctx: CanRead, day: date) -> HTMLResponse:
    rendition = render_for(
        ctx.session, day, ctx.name, "html", actor=ctx.name, policy=ctx.clearance.policy
    )
    content = rendition.content
    return HTMLResponse(content if isinstance(content, str) else content.decode("utf-8"))


@router.get("/readers", summary="Readers and what they are cleared for (admins)")
def readers(ctx: CanAdmin, request: Request) -> Response:
    items = [r.to_json() for r in list_readers(ctx.session)]
    return respond(request, page(items, None, len(items)))


@router.get("/audit", summary="The audit log, newest first")
def audit_log(
    ctx: CanAudit, request: Request, cursor: str | None = None, limit: int = Limit
) -> Response:
    after = decode_cursor(cursor, int)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if after:
        query = query.where(AuditEntry.id < after[0])
    rows = list(ctx.session.scalars(query))
    nxt = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    items = [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "hash": e.hash,
        }
        for e in rows[:limit]
    ]
    return respond(request, page(items, nxt))


@router.get("/audit/verify", summary="Check the audit log's hash chain")
def audit_verify(ctx: CanAudit, request: Request) -> Response:
    result = audit.verify(ctx.session)
    return respond(
        request,
        {
            "entries": result.entries,
            "ok": result.ok,
            "broken_at": result.broken_at,
            "problem": result.problem,
        },
    )
