"""What the pages' forms post: login and logout, the case actions, an upload, staff and tokens.
Each form carries the session's CSRF token (checked by the page context); each action is the
API's own function, taken by the logged-in person."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from watchfloor.api import acting
from watchfloor.api.auth import set_cookie, web_log_in
from watchfloor.api.core import RowId, authenticate, settings_of
from watchfloor.api.identity import (
    LoginFailed,
    end_session,
    issue_token,
    revoke_token,
    set_password,
)
from watchfloor.api.ingesting import MAX_BYTES, ingest_upload, ingest_url
from watchfloor.errors import WatchfloorError
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user
from watchfloor.web.common import Page, need_page, render
from watchfloor.web.pages import LOGIN_CSRF, STEP_COOKIE, step_cookie

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
OptText = Annotated[str | None, Form()]


def back(path: str, **query: str) -> Response:
    tail = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return RedirectResponse(f"{path}?{tail}" if tail else path, status_code=303)


@router.post("/login")
def login_form(
    request: Request, name: Text, password: Text, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return back("/login", error="The form expired; please try again.")
    settings = settings_of(request)
    try:
        secret, whole = web_log_in(request.app.state.engine, settings, name, password)
    except LoginFailed as exc:
        return back("/login", error=str(exc))
    if not whole:  # TOTP on: the code's own page, holding the half-done login server-side
        response = back("/login/code")
        step_cookie(response, secret, settings)
        return response
    response = back("/board")
    set_cookie(response, secret, settings)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    response.delete_cookie(STEP_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout_form(request: Request, ctx: Page) -> Response:
    end_session(ctx.session, ctx.principal)
    response = back("/login")
    response.delete_cookie(settings_of(request).cookie.name, path="/")
    return response


def act(
    ctx: Page, path: str, permission: str, run: Callable[[], str], what: str = "do this"
) -> Response:
    """One form's action: refused without `permission`; else `run` in a savepoint, so that a
    refused act changes nothing and leaves the rest of the request alone. Back to `path`,
    saying what was done (`run`'s answer) or why not."""
    if not ctx.principal.can(permission):
        return back(
            path, error=f"{ctx.name} may not {what}: it needs the '{permission}' permission"
        )
    nested = ctx.session.begin_nested()
    try:
        done = run()
        nested.commit()
    except WatchfloorError as exc:
        nested.rollback()
        return back(path, error=str(exc))
    return back(path, done=done)


def _case_action(
    ctx: Page, case_id: RowId, permission: str, what: str, run: Callable[[], object]
) -> Response:
    def done() -> str:
        run()
        return f"{what}: done"

    return act(ctx, f"/cases/{case_id}", permission, done, what)


@router.post("/cases/{case_id}/waiver")
def waiver_form(ctx: Page, case_id: RowId, code: Text, reason: Text) -> Response:
    return _case_action(
        ctx, case_id, "case", "propose a waiver", lambda: acting.propose(ctx, case_id, code, reason)
    )


@router.post("/cases/{case_id}/decision")
def decision_form(ctx: Page, case_id: RowId, decision: Text, reason: OptText = None) -> Response:
    approve = decision == "approve"
    return _case_action(
        ctx,
        case_id,
        "approve",
        "approve the waiver" if approve else "reject the waiver",
        lambda: acting.decide(ctx, case_id, approve, reason or None),
    )


@router.post("/cases/{case_id}/warning")
def warning_form(ctx: Page, case_id: RowId) -> Response:
    return _case_action(
        ctx, case_id, "case", "queue the warning", lambda: acting.warn(ctx, case_id, None, None)
    )


@router.post("/sources/grade")
def grade_form(ctx: Page, source: Text, grade: Text, reason: Text) -> Response:
    def run() -> str:
        changed = acting.grade(ctx, source, grade, reason)
        return f"{source} graded {grade.upper()}; {changed} threads re-assessed"

    return act(ctx, "/sources", "edit", run, "grade sources")


@router.post("/ingest")
async def ingest_form(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    # No store transaction stays open here: the ingest stage writes in transactions of its own.
    principal = await authenticate(request, "ingest")
    data = await file.read(MAX_BYTES + 1)
    error, outcome = None, None
    if len(data) > MAX_BYTES:
        error = f"{file.filename}: larger than {MAX_BYTES} bytes"
    else:
        name = file.filename or "upload.txt"
        outcome = await run_in_threadpool(ingest_upload, request, name, data, None, principal.name)
    return _ingested(request, principal, outcome, error)


def _ingested(request: Request, principal: Any, outcome: Any, error: str | None) -> Response:
    if outcome is not None and outcome.status == "failed":
        error, outcome = f"{outcome.location}: {outcome.reason}", None
    return render(request, "ingest.html", principal, outcome=outcome, error=error)


@router.post("/ingest/url")
async def ingest_url_form(request: Request, url: Text) -> Response:
    principal = await authenticate(request, "ingest")
    if not url.startswith(("http://", "https://")):
        return _ingested(request, principal, None, f"{url}: give an http:// or https:// address")
    outcome = await run_in_threadpool(ingest_url, request, url, None, principal.name)
    return _ingested(request, principal, outcome, None)


@router.post("/admin/staff")
def add_staff_form(ctx: Page, name: Text, role: Text, password: Text) -> Response:
    need_page(ctx, "admin")
    try:
        nested = ctx.session.begin_nested()
        add_user(ctx.session, name, [role], email=None, by=ctx.name, policy=CasePolicy.load())
        set_password(ctx.session, name, password, by=ctx.name)
        nested.commit()
    except WatchfloorError as exc:
        nested.rollback()
        return back("/admin/staff", error=str(exc))
    return back("/admin/staff")


@router.post("/admin/tokens")
def token_form(request: Request, ctx: Page, label: Text, scope: Text) -> Response:
    try:
        secret = issue_token(
            ctx.session, ctx.name, label, [scope], settings_of(request), by=ctx.name
        )
    except WatchfloorError as exc:
        return back("/admin/staff", error=str(exc))
    return back("/admin/staff", token=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_form(ctx: Page, token_id: RowId) -> Response:
    revoke_token(ctx.session, token_id, by=ctx.principal)
    return back("/admin/staff")
