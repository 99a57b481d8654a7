"""The login's code page (for an account with TOTP), the Account page (enrol, confirm, turn off
TOTP) and an admin's reset from the Staff page. The code and its secret never go in a URL."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from watchfloor.api import totp, twofactor
from watchfloor.api.auth import set_cookie, web_code
from watchfloor.api.core import settings_of
from watchfloor.api.identity import LoginFailed
from watchfloor.errors import WatchfloorError
from watchfloor.web.actions import back
from watchfloor.web.common import Page, need_page, render
from watchfloor.web.pages import LOGIN_CSRF, STEP_COOKIE

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.post("/login/code")
def login_code_form(
    request: Request, code: Text, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return back("/login/code", error="The form expired; please try again.")
    waiting = request.cookies.get(STEP_COOKIE, "")
    settings = settings_of(request)
    try:
        secret = web_code(request.app.state.engine, settings, waiting, code)
    except LoginFailed as exc:
        return back("/login/code" if waiting else "/login", error=str(exc))
    response = back("/board")
    set_cookie(response, secret, settings)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    response.delete_cookie(STEP_COOKIE, path="/login")
    return response


def _account(
    request: Request,
    ctx: Page,
    *,
    enrolment: twofactor.Enrolment | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    settings = settings_of(request)
    return render(
        request,
        "account.html",
        ctx,
        state=twofactor.state(ctx.session, ctx.principal.user_id),
        required=twofactor.required(settings, ctx.principal.roles),
        enrolment=enrolment,
        grouped=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
        if enrolment
        else "",
        digits=totp.DIGITS,
        period=totp.STEP_SECONDS,
        error=error,
        done=done,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, ctx: Page, error: str | None = None, done: str | None = None
) -> Response:
    return _account(request, ctx, error=error, done=done)


@router.post("/account/totp", response_class=HTMLResponse)
def enrol_form(request: Request, ctx: Page) -> Response:
    try:
        enrolment = twofactor.enrol(ctx.session, ctx.principal, settings_of(request))
    except WatchfloorError as exc:
        return back("/account", error=str(exc))
    # Shown in this answer only: a reload does not show the secret again.
    return _account(request, ctx, enrolment=enrolment)


@router.post("/account/totp/confirm")
def confirm_form(request: Request, ctx: Page, code: Text) -> Response:
    try:
        twofactor.confirm(ctx.session, ctx.principal, code, settings_of(request))
    except WatchfloorError as exc:  # the failure is counted and committed, not rolled back
        return back("/account", error=str(exc))
    return back("/account", done="One-time codes are on: the next login asks for one.")


@router.post("/account/totp/disable")
def disable_form(request: Request, ctx: Page, code: Text) -> Response:
    try:
        twofactor.disable(ctx.session, ctx.principal, code, settings_of(request))
    except WatchfloorError as exc:
        return back("/account", error=str(exc))
    return back("/account", done="One-time codes are off.")


@router.post("/admin/staff/{name}/totp/reset")
def reset_form(ctx: Page, name: str) -> Response:
    need_page(ctx, "admin")
    try:
        twofactor.reset(ctx.session, name, by=ctx.name)
    except WatchfloorError as exc:
        return back("/admin/staff", error=str(exc))
    return back("/admin/staff", done=f"One-time codes reset for {name}; their sessions ended.")
