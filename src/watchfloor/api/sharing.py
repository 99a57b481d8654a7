"""STIX 2.1 and TAXII 2.1 from the API (docs/share.md): export for the logged-in person as the
reader, import a bundle whole or not at all, and the TAXII server under /taxii2/ read with the
API's own tokens. The work is share's (watchfloor.share); this module only joins it to logins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from starlette.routing import Route

from watchfloor import share
from watchfloor.api.core import MAX_ID, CanRead, authenticate, respond
from watchfloor.api.identity import from_token
from watchfloor.api.settings import IdentitySettings
from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.store import audit
from watchfloor.store.engine import transaction

router = APIRouter(prefix="/api/v1/stix", tags=["sharing"])
TAXII_SCOPE = "taxii"
BUNDLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A STIX 2.1 bundle (at most the sharing config's max_import_bytes).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/export", summary="A STIX 2.1 bundle for me as the reader (one selection)")
def export(
    ctx: CanRead,
    request: Request,
    thread: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    protectee: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    review: date | None = None,
    since: date | None = None,
    until: date | None = None,
    recipient: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Response:
    reader = ctx.principal.reader
    policy = request.app.state.access_policy
    audience = share.audience_for(ctx.session, reader, recipient, policy=policy)
    if recipient is not None and not audience.pseudonymize:
        own = share.audience_for(ctx.session, reader, policy=policy)
        if own.pseudonymize:
            # Naming a recipient may add pseudonyms, never take away those one's own get.
            raise HTTPException(
                403,
                f"recipient {recipient!r} is sent protectees' real names, which your exports "
                "are not; leave recipient out or ask an operator to export for them",
            )
    selection = share.Selection(
        thread=thread, protectee=protectee, review=review, since=since, until=until
    )
    return respond(request, share.export_stix(ctx.session, audience, selection))


@router.post(
    "/import",
    summary="Import a STIX 2.1 bundle whole or not at all (permission ingest)",
    openapi_extra=BUNDLE_BODY,
)
async def import_bundle(request: Request) -> Response:
    principal = await authenticate(request, "ingest")
    limit = share.import_limit()
    # Read at most one byte over the limit: enough for share to refuse it, no more held.
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            break
    where = f"upload by {principal.name}"
    engine: Engine = request.app.state.engine

    def work() -> dict[str, Any]:
        with transaction(engine) as session:
            result = share.import_payload(session, bytes(raw[: limit + 1]), where)
            summary: dict[str, Any] = result.to_json()
            audit.append(
                session,
                actor=principal.name,
                action="stix.import",
                subject_type="bundle",
                subject_id=where,
                details={"objects": result.objects, "documents": result.documents},
            )
            return summary

    return respond(request, await run_in_threadpool(work), 201)


def taxii_authenticator(
    engine: Engine, settings: IdentitySettings
) -> Callable[[str], Reader | None]:
    """The API's tokens for the TAXII server: unknown or revoked is 401, a token (or owner)
    without the taxii scope 403; otherwise the owner's reader decides every object."""

    def authenticate_token(token: str) -> Reader | None:
        if not token:
            return None
        with transaction(engine) as session:
            principal = from_token(session, token, settings)
        if principal is None:
            return None
        if not principal.can(TAXII_SCOPE):
            raise share.TaxiiError(
                403, "Forbidden", f"this token needs the '{TAXII_SCOPE}' scope; issue one with it"
            )
        return principal.reader

    return authenticate_token


def taxii_routes(
    engine: Engine, settings: IdentitySettings, policy: AccessPolicy | None
) -> list[Route]:
    return share.taxii_routes(engine, taxii_authenticator(engine, settings), policy=policy)
