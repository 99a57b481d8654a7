"""What every route shares: the store session, the principal, CSRF, permissions, cursors,
ETags and RFC 9457 problem details."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from watchfloor.api.identity import Principal, from_cookie, from_token
from watchfloor.api.settings import IdentitySettings
from watchfloor.api.visibility import Clearance
from watchfloor.errors import (
    AssessInputError,
    BadInput,
    CaseError,
    PermissionDenied,
    PolicyError,
    WatchfloorError,
    WatchlistError,
)
from watchfloor.store.engine import transaction

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROBLEM = "application/problem+json"
# All that a session which must enrol TOTP first (api.twofactor) may reach.
ENROL_PATHS = frozenset(
    {"/api/v1/me", "/api/v1/logout", "/api/v1/me/totp", "/api/v1/me/totp/confirm"}
    | {"/account", "/account/totp", "/account/totp/confirm", "/logout"}
)
MUST_ENROL = "a role of yours requires TOTP: enrol first (POST /api/v1/me/totp, or /account)"


@dataclass
class Ctx:
    """One request's store session, principal and clearance."""

    session: Session
    principal: Principal
    clearance: Clearance

    @property
    def name(self) -> str:
        return self.principal.name


def settings_of(request: Request) -> IdentitySettings:
    settings: IdentitySettings = request.app.state.identity
    return settings


def store_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed when the route returns without an error and
    before the response is sent (routes take it with scope="function"), so that the next
    request, on PostgreSQL too, sees what this one wrote."""
    with transaction(request.app.state.engine) as session:
        yield session


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve(request: Request, session: Session) -> Principal | None:
    settings = settings_of(request)
    token = _bearer(request)
    if token is not None:
        return from_token(session, token, settings)
    cookie = request.cookies.get(settings.cookie.name)
    return from_cookie(session, cookie, settings) if cookie else None


async def check_csrf(request: Request, principal: Principal) -> None:
    """A state-changing request riding on a cookie must echo the session's CSRF token (in the
    X-CSRF-Token header, as htmx and the API send it, or the csrf_token form field)."""
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not principal.csrf or not hmac.compare_digest(given, principal.csrf):
        raise HTTPException(403, "the CSRF token is missing or wrong; reload the page and retry")


StoreSession = Annotated[Session, Depends(store_session, scope="function")]


async def context(request: Request, session: StoreSession) -> Ctx:
    principal = resolve(request, session)
    if principal is None:
        raise HTTPException(401, "log in (session cookie) or send Authorization: Bearer TOKEN")
    await check_csrf(request, principal)
    if principal.must_enrol and request.url.path not in ENROL_PATHS:
        raise HTTPException(403, MUST_ENROL)
    return Ctx(
        session, principal, Clearance.of(session, principal.reader, request.app.state.access_policy)
    )


def need(permission: str) -> Any:
    """A dependency: the request's context, refused with 403 without `permission`."""

    async def dependency(ctx: LoggedIn) -> Ctx:
        if not ctx.principal.can(permission):
            raise HTTPException(
                403, f"{ctx.name} may not do this: it needs the '{permission}' permission"
            )
        return ctx

    return Depends(dependency)


# -- cursors, ETags, problems --------------------------------------------------------------------


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def decode_cursor(cursor: str | None, *kinds: Callable[[Any], Any]) -> list[Any] | None:
    """The values a cursor holds, each converted by its kind (int, float, date.fromisoformat);
    a cursor this API did not give, or one that does not convert, is a 400."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong shape")
        out = [kind(value) for kind, value in zip(kinds, values, strict=True)]
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in out):
            raise ValueError("out of range")
    except (ValueError, TypeError, UnicodeDecodeError):
        raise HTTPException(
            400, "cursor: not a cursor this listing gave; start without one"
        ) from None
    return out


def page(items: list[Any], next_cursor: str | None, count: int | None = None) -> dict[str, Any]:
    return {"items": items, "next": next_cursor, "count": count}


def respond(request: Request, data: Any, status: int = 200) -> Response:
    """JSON with a strong ETag over the body; a matching If-None-Match gets 304."""
    body = json.dumps(data, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.method == "GET" and tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, status, media_type="application/json", headers={"ETag": tag})


TITLES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    422: "Unprocessable request",
    500: "Server error",
}


def problem(status: int, detail: str, instance: str | None = None) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def status_for(exc: WatchfloorError) -> int:
    """HTTP status for a watchfloor error: who-may-not is 403, a missing thing 404."""
    if isinstance(exc, PermissionDenied | PolicyError):
        return 403
    if isinstance(exc, CaseError | AssessInputError) and "does not exist" in str(exc):
        return 404
    if isinstance(exc, BadInput | WatchlistError):  # a watchlist here is one handed in
        return 422
    return 400


def not_found(what: str) -> HTTPException:
    # The same words for "does not exist" and "withheld from you": no hint either way.
    return HTTPException(404, f"{what} not found")


async def authenticate(request: Request, permission: str) -> Principal:
    """The principal, checked like `need` does, in a transaction of its own that is over when
    this returns: for routes that run the ingest stage, whose writes take their own
    transactions (SQLite allows one writer at a time)."""
    with transaction(request.app.state.engine) as session:
        principal = resolve(request, session)
    if principal is None:
        raise HTTPException(401, "log in (session cookie) or send Authorization: Bearer TOKEN")
    await check_csrf(request, principal)
    if not principal.can(permission):
        raise HTTPException(
            403, f"{principal.name} may not do this: it needs the '{permission}' permission"
        )
    return principal


# Route parameters: the request's context, checked for one permission.
LoggedIn = Annotated[Ctx, Depends(context)]
CanRead = Annotated[Ctx, need("read")]
CanIngest = Annotated[Ctx, need("ingest")]
CanEdit = Annotated[Ctx, need("edit")]
CanWatchlist = Annotated[Ctx, need("watchlist")]
CanCase = Annotated[Ctx, need("case")]
CanApprove = Annotated[Ctx, need("approve")]
CanAudit = Annotated[Ctx, need("audit")]
CanAdmin = Annotated[Ctx, need("admin")]
