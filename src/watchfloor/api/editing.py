"""Routes that change what the analysis rests on: the watchlist (a whole load, or one
protectee), readers and their clearances (admins), a source's default marking. Each calls the
function the CLI calls (`link.sync_watchlist`, `publish.readers`, `publish.sources`), with the
logged-in person as the actor, and is audited there. The web UI's forms call the same helpers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, HTTPException, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from watchfloor.api.acting import visible_source
from watchfloor.api.core import CanAdmin, CanEdit, CanWatchlist, Ctx, not_found, respond
from watchfloor.errors import WatchlistError
from watchfloor.link.protectees import LoadSummary
from watchfloor.link.sync import current_watchlist, sync_watchlist
from watchfloor.link.watchlist import (
    Watchlist,
    parse_watchlist,
    protectee_from_data,
    watchlist_format,
    watchlist_from_data,
)
from watchfloor.publish.readers import (
    StoredReader,
    add_reader,
    get_reader,
    make_reader,
    remove_reader,
)
from watchfloor.publish.sources import mark_source
from watchfloor.store.models import Source

router = APIRouter(prefix="/api/v1", tags=["edit"])
MAX_WATCHLIST_BYTES = 5 * 1024 * 1024
ProtecteeId = Annotated[
    str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]
ReaderName = Annotated[str, Path(min_length=1, max_length=200)]
NO_CONTROL = r"^[^\x00-\x1f]*$"  # no NUL (which PostgreSQL refuses) nor line breaks

WATCHLIST_EXAMPLE = {
    "protectees": [
        {
            "id": "lana-marks",
            "name": "Lana Marks",
            "aliases": ["Ambassador Marks"],
            "roles": [
                {
                    "title": "Ambassador",
                    "organization": "United States",
                    "jurisdiction": "South Africa",
                    "since": "2019-11-01",
                }
            ],
            "notify": {"email": "security@example.org"},
        }
    ]
}


# -- the watchlist ---------------------------------------------------------------------------


def summary_json(summary: LoadSummary) -> dict[str, Any]:
    return {
        "added": list(summary.added),
        "updated": list(summary.updated),
        "unchanged": list(summary.unchanged),
        "no_longer_listed": list(summary.no_longer_listed),
        "renamed": list(summary.renamed),
        "summary": summary.line(),
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(ctx: Ctx, watchlist: Watchlist, sha256: str) -> LoadSummary:
    """Replace the stored watchlist with `watchlist` as `watchfloor watchlist load` does
    (audited; the threads of new and renamed protectees re-assessed), in the request's
    transaction: a refusal anywhere leaves the store as it was."""
    return sync_watchlist(ctx.session, watchlist, actor=ctx.name, sha256=sha256)


def load_file(ctx: Ctx, name: str, data: bytes) -> LoadSummary:
    """An uploaded watchlist file (.yaml, .yml, .json or .csv), checked whole before a row of it
    is stored; a bad one raises WatchlistError naming the entry, the field and the fix."""
    source = f"upload:{name}"
    if len(data) > MAX_WATCHLIST_BYTES:
        raise WatchlistError(f"{source}: larger than {MAX_WATCHLIST_BYTES} bytes; split it")
    fmt = watchlist_format(name, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WatchlistError(f"{source}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    return load(ctx, parse_watchlist(text, source, fmt), _sha256(data))


def save_protectee(ctx: Ctx, entry: dict[str, Any]) -> LoadSummary:
    """Add one protectee or change one (found by id), the rest of the stored watchlist kept:
    the whole list goes through the same load, so the audit and re-assessment are a load's."""
    source = f"protectee {entry.get('id') or '(new)'}"
    person = protectee_from_data(entry, source)
    current = current_watchlist(ctx.session, source)
    people = [person if p.id == person.id else p for p in current]
    if person.id not in current:
        people.append(person)
    return load(ctx, Watchlist(people, source), _sha256(_canonical(people)))


def drop_protectee(ctx: Ctx, protectee_id: str) -> LoadSummary:
    """Take one protectee off the watchlist (kept as no longer listed, like a load without
    them: threads and cases still name them)."""
    source = f"protectee {protectee_id}"
    current = current_watchlist(ctx.session, source)
    if protectee_id not in current:
        raise not_found(f"protectee {protectee_id}")
    people = [p for p in current if p.id != protectee_id]
    return load(ctx, Watchlist(people, source), _sha256(_canonical(people)))


def _canonical(people: list[Any]) -> bytes:
    dumped = [p.model_dump(mode="json", exclude_none=True) for p in people]
    return json.dumps(dumped, sort_keys=True, ensure_ascii=False).encode("utf-8")


@router.put(
    "/watchlist",
    summary="Replace the watchlist with a JSON body (as `watchfloor watchlist load`)",
    description='The body has a watchlist file\'s fields: `{"protectees": [...]}`. Protectees '
    "it leaves out are kept as no longer listed. A bad body is one 422 problem naming the entry, "
    "the field and the fix, and nothing is loaded.",
)
def replace_watchlist(
    ctx: CanWatchlist,
    request: Request,
    body: Annotated[dict[str, Any], Body(openapi_examples={"one": {"value": WATCHLIST_EXAMPLE}})],
) -> Response:
    watchlist = watchlist_from_data(body, "request body")
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return respond(request, summary_json(load(ctx, watchlist, _sha256(raw))))


@router.put(
    "/watchlist/file",
    summary="Replace the watchlist with an uploaded file (.yaml, .yml, .json or .csv)",
)
def upload_watchlist(
    ctx: CanWatchlist, request: Request, file: Annotated[UploadFile, File()]
) -> Response:
    data = file.file.read(MAX_WATCHLIST_BYTES + 1)
    summary = load_file(ctx, file.filename or "watchlist", data)
    return respond(request, summary_json(summary))


@router.put(
    "/protectees/{protectee_id}",
    summary="Add or change one protectee; the rest of the watchlist stays",
    description="The body is one watchlist entry (name, aliases, roles, notify); its `id`, "
    "when given, must be the path's.",
)
def put_protectee(
    ctx: CanWatchlist, request: Request, protectee_id: ProtecteeId, body: dict[str, Any]
) -> Response:
    if body.get("id", protectee_id) != protectee_id:
        raise HTTPException(422, "id: differs from the path's id; send the same id or none")
    summary = save_protectee(ctx, {**body, "id": protectee_id})
    return respond(request, summary_json(summary))


@router.delete(
    "/protectees/{protectee_id}",
    summary="Take a protectee off the watchlist (kept as no longer listed)",
)
def delete_protectee(ctx: CanWatchlist, request: Request, protectee_id: ProtecteeId) -> Response:
    return respond(request, summary_json(drop_protectee(ctx, protectee_id)))


# -- readers (admins) --------------------------------------------------------------------------


class ReaderIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    clearance: str = Field(min_length=1, max_length=64, examples=["S"])
    nationality: str = Field(min_length=1, max_length=16, examples=["USA"])
    compartments: list[Annotated[str, Field(max_length=64)]] = Field([], max_length=32)
    audiences: list[Annotated[str, Field(max_length=64)]] = Field([], max_length=32)
    organization: str | None = Field(None, max_length=200, pattern=NO_CONTROL)
    email: str | None = Field(None, max_length=320, pattern=NO_CONTROL)


def save_reader(ctx: Ctx, body: ReaderIn) -> tuple[StoredReader, bool]:
    """Add a reader or change one (publish.readers, checked against the markings vocabulary,
    audited as reader.add or reader.update); True when the reader is new."""
    reader = make_reader(
        body.name,
        clearance=body.clearance,
        nationality=body.nationality,
        compartments=body.compartments,
        audiences=body.audiences,
        organization=body.organization,
    )
    new = get_reader(ctx.session, body.name) is None
    email = body.email.strip() if body.email and body.email.strip() else None
    return add_reader(ctx.session, reader, actor=ctx.name, email=email, replace=True), new


@router.post("/readers", summary="Add a reader or change one's clearance (admins)")
def post_reader(ctx: CanAdmin, request: Request, body: ReaderIn) -> Response:
    stored, new = save_reader(ctx, body)
    return respond(request, stored.to_json(), 201 if new else 200)


@router.delete("/readers/{name}", summary="Remove a reader (admins)", status_code=204)
def delete_reader(ctx: CanAdmin, name: ReaderName) -> Response:
    if get_reader(ctx.session, name) is None:
        raise not_found(f"reader {name}")
    remove_reader(ctx.session, name, actor=ctx.name)
    return Response(status_code=204)


# -- a source's default marking ----------------------------------------------------------------


class MarkingIn(BaseModel):
    marking: str = Field(min_length=1, max_length=200, examples=["TLP:GREEN"])
    reason: str = Field(min_length=1, max_length=4000)
    documents: bool = False


def mark(ctx: Ctx, source: str, marking: str, reason: str, documents: bool) -> int:
    """Set the default marking of a source the person may see (`watchfloor sources mark`);
    with `documents`, its stored documents too. Returns how many were re-marked."""
    visible_source(ctx, source)
    return mark_source(
        ctx.session, source, marking, actor=ctx.name, reason=reason, documents=documents
    )


@router.post("/sources/{source}/marking", summary="Set a source's default marking")
def mark_route(ctx: CanEdit, request: Request, source: str, body: MarkingIn) -> Response:
    changed = mark(ctx, source, body.marking, body.reason, body.documents)
    marking = ctx.session.scalar(select(Source.marking).where(Source.name == source))
    return respond(request, {"source": source, "marking": marking, "documents_remarked": changed})
