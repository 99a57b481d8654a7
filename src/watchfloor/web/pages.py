"""The pages people read: login, board, thread, case, protectee, review, search, sources,
ingest and staff (the watchlist and readers editors are web.editing's). Each reads through the
same functions as the API (watchfloor.api), so what the reader may not see is filtered the same
way on both."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from watchfloor.api import acting, reading
from watchfloor.api.core import RowId, not_found
from watchfloor.api.identity import totp_state
from watchfloor.api.settings import IdentitySettings
from watchfloor.api.twofactor import STEP_MINUTES
from watchfloor.link.protectees import list_protectees
from watchfloor.publish.render import render_for
from watchfloor.store.logins import ApiToken, TotpFactor
from watchfloor.store.models import ProtecteeRow, User
from watchfloor.store.queries import Filters, search
from watchfloor.warn.config import CasePolicy
from watchfloor.web.chart import timeline_svg
from watchfloor.web.common import Page, highlight, need_page, render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "watchfloor_login_csrf"
STEP_COOKIE = "watchfloor_login_step"  # a right password waiting for its TOTP code
PAGE_SIZE = 50
HARMS = ("kill", "kidnap", "attack", "threaten", "surveil")
DOCUMENTS_SHOWN = 10


@router.get("/")
def home() -> Response:
    return RedirectResponse("/board", status_code=303)


def login_form_page(request: Request, template: str, error: str | None) -> Response:
    # Login CSRF: the form echoes a random value that also sits in a SameSite cookie.
    token = secrets.token_urlsafe(24)
    response = render(request, template, None, login_csrf=token, error=error)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/login")
    return response


def step_cookie(response: Response, secret: str, settings: IdentitySettings) -> None:
    response.set_cookie(
        STEP_COOKIE,
        secret,
        max_age=STEP_MINUTES * 60,
        httponly=True,
        secure=settings.cookie.secure,
        samesite="strict",
        path="/login",
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str | None = None) -> Response:
    return login_form_page(request, "login.html", error)


@router.get("/login/code", response_class=HTMLResponse)
def login_code_page(request: Request, error: str | None = None) -> Response:
    if not request.cookies.get(STEP_COOKIE):
        return RedirectResponse("/login", status_code=303)
    return login_form_page(request, "login_code.html", error)


def _board_values(
    ctx: Any, protectee: str | None, standing: str | None, harm: str | None, cursor: str | None
) -> dict[str, Any]:
    items, nxt, count = reading.board(
        ctx,
        protectee=protectee or None,
        standing=standing or None,
        harm=harm or None,
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    return {
        "threads": items,
        "next": nxt,
        "count": count,
        "filters": {"protectee": protectee or "", "standing": standing or "", "harm": harm or ""},
    }


@router.get("/board", response_class=HTMLResponse)
def board_page(
    request: Request,
    ctx: Page,
    protectee: str | None = None,
    standing: str | None = None,
    harm: str | None = None,
    cursor: str | None = None,
) -> Response:
    values = _board_values(ctx, protectee, standing, harm, cursor)
    people = list_protectees(ctx.session, include_former=False)
    return render(request, "board.html", ctx, people=people, harms=HARMS, **values)


@router.get("/board/rows", response_class=HTMLResponse)
def board_rows(
    request: Request,
    ctx: Page,
    protectee: str | None = None,
    standing: str | None = None,
    harm: str | None = None,
) -> Response:
    """The first page of the board's rows, which the open board fetches every few seconds."""
    values = _board_values(ctx, protectee, standing, harm, None)
    return render(request, "board_rows.html", ctx, **values)


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(request: Request, ctx: Page, thread_id: RowId) -> Response:
    data = reading.visible_thread(ctx, thread_id)
    spans: dict[int, list[tuple[int, int]]] = {}
    for statement in data.get("statement_list", []):
        ev = statement["evidence"]
        spans.setdefault(statement["document_id"], []).append((ev["start"], ev["end"]))
    documents = []
    # The most recent documents first, a screenful of them: the rest are a click away.
    for doc_id in sorted(spans, reverse=True)[:DOCUMENTS_SHOWN]:
        doc = reading.visible_document(ctx, doc_id)
        pieces = list(highlight(doc.text, spans[doc_id]))
        documents.append(
            {
                "id": doc.id,
                "title": doc.title or doc.location,
                "marking": doc.marking,
                "text": pieces,
            }
        )
    case_id = _case_of(ctx, thread_id)
    more = max(0, len(spans) - DOCUMENTS_SHOWN)
    return render(
        request, "thread.html", ctx, t=data, documents=documents, case_id=case_id, more=more
    )


def _case_of(ctx: Any, thread_id: RowId) -> int | None:
    from watchfloor.store.models import Case

    found: int | None = ctx.session.scalar(
        select(Case.id).where(Case.thread_id == thread_id).order_by(Case.id.desc()).limit(1)
    )
    return found


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, ctx: Page, document_id: RowId) -> Response:
    doc = reading.visible_document(ctx, document_id)
    spans = [(s.evidence_start, s.evidence_end) for s in doc.statements]
    return render(request, "document.html", ctx, doc=doc, text=list(highlight(doc.text, spans)))


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, ctx: Page) -> Response:
    from watchfloor.store.models import Case
    from watchfloor.warn.cases import summary

    rows = ctx.session.scalars(
        select(Case).where(ctx.clearance.cases()).order_by(Case.deadline, Case.id).limit(200)
    )
    return render(request, "cases.html", ctx, cases=[summary(c) for c in rows])


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, ctx: Page, case_id: RowId, error: str | None = None, done: str | None = None
) -> Response:
    data = acting.case_view(ctx, case_id)
    codes = CasePolicy.load().enabled_codes()
    return render(request, "case.html", ctx, c=data, codes=codes, error=error, done=done)


@router.get("/protectees/{protectee_id}", response_class=HTMLResponse)
def protectee_page(request: Request, ctx: Page, protectee_id: str) -> Response:
    row = ctx.session.get(ProtecteeRow, protectee_id)
    if row is None:
        raise not_found(f"protectee {protectee_id}")
    items, _, count = reading.board(
        ctx, protectee=protectee_id, standing=None, harm=None, cursor=None, limit=PAGE_SIZE
    )
    series = [reading.thread_series(ctx, t["id"]) for t in items[:8]]
    chart = timeline_svg(
        [
            (t["target"] + " ← " + (t["actor"] or "unknown"), s)
            for t, s in zip(items, series, strict=False)
        ]
    )
    return render(
        request, "protectee.html", ctx, person=row, threads=items, count=count, chart=chart
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, ctx: Page, q: str = "") -> Response:
    hits = search(ctx.session, q, Filters(markings=ctx.clearance.allowed), limit=50) if q else []
    return render(request, "search.html", ctx, q=q, hits=[h.to_json() for h in hits])


@router.get("/sources", response_class=HTMLResponse)
def sources_page(
    request: Request, ctx: Page, error: str | None = None, done: str | None = None
) -> Response:
    rows = reading.visible_sources(ctx)
    people = list_protectees(ctx.session)
    return render(request, "sources.html", ctx, sources=rows, people=people, error=error, done=done)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request, ctx: Page) -> Response:
    need_page(ctx, "ingest")
    return render(request, "ingest.html", ctx, outcome=None, error=None)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, ctx: Page, day: date | None = None) -> Response:
    return render(request, "review.html", ctx, day=day)


@router.get("/reviews/{day}/copy", response_class=HTMLResponse)
def review_copy(request: Request, ctx: Page, day: date) -> Response:
    """The reader's own copy (publish.render cuts it through the access decision), framed by
    the review page: the product keeps its own styles and banners."""
    from watchfloor.errors import WatchfloorError

    try:
        rendition = render_for(
            ctx.session, day, ctx.name, "html", actor=ctx.name, policy=ctx.clearance.policy
        )
    except WatchfloorError as exc:
        return render(request, "review_error.html", ctx, error=str(exc))
    return HTMLResponse(rendition.content.decode("utf-8"))


@router.get("/admin/staff", response_class=HTMLResponse)
def staff_page(
    request: Request,
    ctx: Page,
    token: str | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    need_page(ctx, "admin")
    users = list(ctx.session.scalars(select(User).order_by(User.name)))
    tokens = list(ctx.session.scalars(select(ApiToken).order_by(ApiToken.id)))
    factors = {f.user_id: f for f in ctx.session.scalars(select(TotpFactor))}
    totp = {u.id: totp_state(factors.get(u.id)) for u in users}
    names = {u.id: u.name for u in users}
    roles = list(request.app.state.identity.roles)  # as the data file orders them
    scopes = request.app.state.identity.token_scopes
    return render(
        request, "staff.html", ctx, users=users, tokens=tokens, names=names, roles=roles,
        scopes=scopes, new_token=token, error=error, done=done, totp=totp,
    )  # fmt: skip


def forbid(message: str) -> HTTPException:
    return HTTPException(403, message)
