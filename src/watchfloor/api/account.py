"""TOTP for the logged-in person (enrol, confirm, turn off) and an admin's reset of someone
else's. A refused code is answered, not raised, so that the request's transaction commits the
failure it counted toward the lock-out."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from watchfloor.api import totp, twofactor
from watchfloor.api.core import CanAdmin, LoggedIn, problem, respond, settings_of, status_for
from watchfloor.errors import BadInput, WatchfloorError

router = APIRouter(prefix="/api/v1", tags=["identity"])


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=16, description="the current one-time code")


def refusal(request: Request, exc: WatchfloorError) -> Response:
    # A state that forbids the act (TOTP already on, nothing pending) is a conflict.
    code = 409 if type(exc) is BadInput else status_for(exc)
    return problem(code, str(exc), request.url.path)


def answer(
    request: Request, act: Callable[[], object], done: object, status: int = 200
) -> Response:
    try:
        act()
    except WatchfloorError as exc:
        return refusal(request, exc)
    return respond(request, done, status) if status != 204 else Response(status_code=204)


@router.post(
    "/me/totp",
    summary="Start TOTP enrolment: the secret and otpauth:// URI, shown this once",
    status_code=201,
)
def enrol_totp(ctx: LoggedIn, request: Request) -> Response:
    try:
        enrolment = twofactor.enrol(ctx.session, ctx.principal, settings_of(request))
    except WatchfloorError as exc:
        return refusal(request, exc)
    body = {
        "secret": enrolment.secret,
        "otpauth_uri": enrolment.uri,
        "algorithm": totp.ALGORITHM,
        "digits": totp.DIGITS,
        "period": totp.STEP_SECONDS,
        "state": "pending",
    }
    return respond(request, body, 201)


@router.post("/me/totp/confirm", summary="Turn TOTP on with a code from the new secret")
def confirm_totp(ctx: LoggedIn, request: Request, body: CodeIn) -> Response:
    settings = settings_of(request)
    return answer(
        request,
        lambda: twofactor.confirm(ctx.session, ctx.principal, body.code, settings),
        {"totp": "on"},
    )


@router.delete("/me/totp", summary="Turn TOTP off (needs a current code)", status_code=204)
def disable_totp(ctx: LoggedIn, request: Request, body: CodeIn) -> Response:
    settings = settings_of(request)
    return answer(
        request,
        lambda: twofactor.disable(ctx.session, ctx.principal, body.code, settings),
        None,
        204,
    )


@router.delete(
    "/users/{name}/totp",
    summary="An admin resets someone's TOTP (a lost device); their sessions end",
    status_code=204,
)
def reset_totp(ctx: CanAdmin, request: Request, name: str) -> Response:
    try:
        twofactor.reset(ctx.session, name, by=ctx.name)
    except BadInput as exc:
        return problem(404, str(exc), request.url.path)
    return Response(status_code=204)
