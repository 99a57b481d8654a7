"""Upload a document: the same Ingestor, analysis and after-store stages `watchfloor ingest`
runs, with the watchlist the store holds (`watchfloor watchlist load`)."""

from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from watchfloor.api.core import authenticate, respond
from watchfloor.ingest.feeds import fetch_url, new_client
from watchfloor.ingest.ingestion import Ingestor, Item, Outcome, SourceSpec, file_item
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link.sync import current_watchlist
from watchfloor.link.watchlist import Watchlist
from watchfloor.pipeline import Analyzer, after_store
from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.models import ProtecteeRow

router = APIRouter(prefix="/api/v1", tags=["ingest"])
MAX_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def stored_watchlist(engine: Engine) -> tuple[str, Watchlist]:
    """The store's current protectees as a Watchlist, and a fingerprint of them."""
    with transaction(engine) as session:
        watchlist = current_watchlist(session)
        stamp = session.scalar(select(func.max(ProtecteeRow.updated_at)))
    return f"{len(watchlist)}:{stamp}", watchlist


def analyzer_for(request: Request) -> Analyzer:
    """One Analyzer (spaCy loaded once) per version of the stored watchlist."""
    stamp, watchlist = stored_watchlist(request.app.state.engine)
    cached: tuple[str, Analyzer] | None = getattr(request.app.state, "analyzer", None)
    if cached is None or cached[0] != stamp:
        cached = (stamp, Analyzer(watchlist))
        request.app.state.analyzer = cached
    return cached[1]


def run_ingest(
    request: Request, item: Item, published: date | None, by: str, spec: SourceSpec | None = None
) -> Outcome:
    """One item through the Ingestor (store, analyse, assess, triage), audited."""
    engine = request.app.state.engine
    ingestor = Ingestor(
        engine,
        spec or SourceSpec("files", kind="analyst"),
        analyze=analyzer_for(request).analyze_many,
        published=published,
        fingerprinter=Fingerprinter(),
        after_store=after_store,
    )
    outcome = next(iter(ingestor.run([item])))
    with transaction(engine) as session:
        audit.append(
            session,
            actor=by,
            action="document.upload",
            subject_type="document",
            subject_id=outcome.document_id or 0,
            details={"name": item.location, "status": outcome.status},
        )
    return outcome


def ingest_upload(
    request: Request, name: str, data: bytes, published: date | None, by: str
) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="watchfloor-upload-") as folder:
        path = Path(folder) / (_SAFE_NAME.sub("_", Path(name).name) or "upload.txt")
        path.write_bytes(data)
        read = file_item(path, MAX_BYTES)
        # Filed under the name it was uploaded with, not the temporary file it passed through.
        where = f"upload:{path.name}"
        item = Item(where, lambda: replace(read.load(), source=where), read.raw)
        return run_ingest(request, item, published, by)


def ingest_url(request: Request, url: str, published: date | None, by: str) -> Outcome:
    """Fetch a page or file through the ingest stage's guarded client (public addresses only,
    size-limited), filed under the URL's host as `watchfloor ingest URL` does."""
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:  # "http://[" and other addresses that do not parse
        raise HTTPException(422, f"url {url!r}: not a web address ({exc})") from None
    if not host:
        raise HTTPException(422, f"url {url!r}: no host; give https://host/path")
    with new_client() as client:
        item = Item(url, functools.partial(fetch_url, client, url, MAX_BYTES), None)
        return run_ingest(request, item, published, by, SourceSpec(host, kind="site"))


@router.post("/documents", summary="Upload a document (stored, analysed, assessed, triaged)")
async def upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    published: Annotated[date | None, Form()] = None,
) -> Response:
    principal = await authenticate(request, "ingest")
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HTTPException(413, f"{file.filename}: larger than {MAX_BYTES} bytes")
    name = file.filename or "upload.txt"
    # The analysis is CPU work: off the event loop, so other requests are still answered.
    outcome = await run_in_threadpool(ingest_upload, request, name, data, published, principal.name)
    return respond(request, outcome_json(outcome), 201 if outcome.status == "stored" else 200)


class UrlIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://")
    published: date | None = None


@router.post("/documents/url", summary="Fetch a URL and ingest it as an upload is ingested")
async def submit_url(request: Request, body: UrlIn) -> Response:
    principal = await authenticate(request, "ingest")
    outcome = await run_in_threadpool(ingest_url, request, body.url, body.published, principal.name)
    return respond(request, outcome_json(outcome), 201 if outcome.status == "stored" else 200)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    if outcome.status == "failed":
        raise HTTPException(422, f"{outcome.location}: {outcome.reason}")
    return {
        "status": outcome.status,
        "document_id": outcome.document_id,
        "statements": outcome.statements,
    }
