"""Login (with the TOTP code where an account has it), logout, the current principal and API
tokens. TOTP enrolment is api.account's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from watchfloor.api.core import (
    CanRead,
    LoggedIn,
    RowId,
    respond,
    settings_of,
)
from watchfloor.api.identity import (
    LoginFailed,
    check_password,
    end_session,
    issue_token,
    revoke_token,
)
from watchfloor.api.settings import IdentitySettings
from watchfloor.api.twofactor import begin_step, finish_step, second_factor, state
from watchfloor.store.engine import transaction
from watchfloor.store.logins import ApiToken

router = APIRouter(prefix="/api/v1", tags=["identity"])


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(
        None, max_length=16, description="the one-time (TOTP) code, for an account that has it"
    )


class TokenIn(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, max_length=16)


def set_cookie(response: Response, secret: str, settings: IdentitySettings) -> None:
    response.set_cookie(
        settings.cookie.name,
        secret,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        secure=settings.cookie.secure,
        samesite=settings.cookie.samesite,
        path="/",
    )


T = TypeVar("T")


def committed(engine: Engine, step: Callable[[Session], T]) -> T:
    """`step` in a transaction that commits even when it raises LoginFailed: a failure is
    counted and audited before it is answered, so the lock-out sees every one."""
    failed: LoginFailed | None = None
    with transaction(engine) as session:
        try:
            return step(session)
        except LoginFailed as exc:
            failed = exc
    raise failed


def log_in(
    engine: Engine, settings: IdentitySettings, name: str, password: str, code: str | None = None
) -> tuple[str, str]:
    """(cookie secret, CSRF token) for a right password, and the right code where the account
    has TOTP (else CodeNeeded or LoginFailed)."""
    return committed(
        engine,
        lambda s: second_factor(s, check_password(s, name, password, settings), code, settings),
    )


def web_log_in(
    engine: Engine, settings: IdentitySettings, name: str, password: str
) -> tuple[str, bool]:
    """The web form's first page: (the session cookie's secret, True), or, for an account with
    TOTP, (the secret of the step waiting for its code, False)."""

    def step(session: Session) -> tuple[str, bool]:
        user = check_password(session, name, password, settings)
        waiting = begin_step(session, user)
        if waiting is not None:
            return waiting, False
        return second_factor(session, user, None, settings)[0], True

    return committed(engine, step)


def web_code(engine: Engine, settings: IdentitySettings, waiting: str, code: str) -> str:
    """The web form's second page: the session cookie's secret for the right code."""
    return committed(engine, lambda s: finish_step(s, waiting, code, settings)[0])


@router.post(
    "/login",
    summary="Start a session (JSON body only, so no form can post it); with TOTP on, "
    "the body needs `code` too",
)
def login(request: Request, body: LoginIn) -> Response:
    settings = settings_of(request)
    secret, csrf = log_in(request.app.state.engine, settings, body.name, body.password, body.code)
    response = respond(request, {"name": body.name, "csrf_token": csrf})
    set_cookie(response, secret, settings)
    return response


@router.post("/logout", summary="End this session; its cookie is refused from now on")
def logout(ctx: LoggedIn, request: Request) -> Response:
    end_session(ctx.session, ctx.principal)
    response = Response(status_code=204)
    response.delete_cookie(settings_of(request).cookie.name, path="/")
    return response


@router.get("/me", summary="Who is logged in, with roles, permissions and clearance")
def me(ctx: LoggedIn, request: Request) -> Response:
    p = ctx.principal
    return respond(
        request,
        {
            "name": p.name,
            "roles": sorted(p.roles),
            "permissions": sorted(p.permissions),
            "clearance": p.reader.clearance or None,
            "via": p.via,
            "totp": state(ctx.session, p.user_id),
            "must_enrol_totp": p.must_enrol,
        },
    )


@router.get("/tokens", summary="My API tokens (never their secrets)")
def tokens(ctx: CanRead, request: Request) -> Response:
    rows = ctx.session.scalars(
        select(ApiToken).where(ApiToken.user_id == ctx.principal.user_id).order_by(ApiToken.id)
    )
    items = [
        {
            "id": t.id,
            "label": t.label,
            "scopes": t.scopes.split(","),
            "created_at": t.created_at.isoformat(),
            "revoked": t.revoked_at is not None,
        }
        for t in rows
    ]
    return respond(request, {"items": items, "next": None, "count": len(items)})


@router.post("/tokens", summary="Issue a scoped token for myself; the secret is shown once")
def new_token(ctx: LoggedIn, request: Request, body: TokenIn) -> Response:
    settings = settings_of(request)
    secret = issue_token(ctx.session, ctx.name, body.label, body.scopes, settings, by=ctx.name)
    return respond(request, {"token": secret, "scopes": sorted(set(body.scopes))}, 201)


@router.delete("/tokens/{token_id}", summary="Revoke a token", status_code=204)
def delete_token(ctx: LoggedIn, token_id: RowId) -> Response:
    revoke_token(ctx.session, token_id, by=ctx.principal)
    return Response(status_code=204)
