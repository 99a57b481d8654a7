"""Upload a document: the same Ingestor, analysis and after-store stages `watchfloor ingest`
runs, with the watchlist the store holds (`watchfloor watchlist load`)."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from watchfloor.api.core import authenticate, respond
from watchfloor.ingest.ingestion import Ingestor, Item, Outcome, SourceSpec, file_item
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link.watchlist import Protectee, Watchlist
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
        rows = list(
            session.scalars(
                select(ProtecteeRow).where(ProtecteeRow.current.is_(True)).order_by(ProtecteeRow.id)
            )
        )
        stamp = session.scalar(select(func.max(ProtecteeRow.updated_at)))
    people = [
        Protectee.model_validate(
            {
                "id": r.id,
                "name": r.name,
                "aliases": json.loads(r.aliases),
                "roles": json.loads(r.roles),
                "notify": json.loads(r.notify) or None,
            }
        )
        for r in rows
    ]
    return f"{len(rows)}:{stamp}", Watchlist(people, "store")


def analyzer_for(request: Request) -> Analyzer:
    """One Analyzer (spaCy loaded once) per version of the stored watchlist."""
    stamp, watchlist = stored_watchlist(request.app.state.engine)
    cached: tuple[str, Analyzer] | None = getattr(request.app.state, "analyzer", None)
    if cached is None or cached[0] != stamp:
        cached = (stamp, Analyzer(watchlist))
        request.app.state.analyzer = cached
    return cached[1]


def ingest_upload(
    request: Request, name: str, data: bytes, published: date | None, by: str
) -> Outcome:
    analyzer = analyzer_for(request)
    engine = request.app.state.engine
    with tempfile.TemporaryDirectory(prefix="watchfloor-upload-") as folder:
        path = Path(folder) / (_SAFE_NAME.sub("_", Path(name).name) or "upload.txt")
        path.write_bytes(data)
        ingestor = Ingestor(
            engine,
            SourceSpec("files", kind="analyst"),
            analyze=analyzer.analyze_many,
            published=published,
            fingerprinter=Fingerprinter(),
            after_store=after_store,
        )
        read = file_item(path, MAX_BYTES)
        # Filed under the name it was uploaded with, not the temporary file it passed through.
        where = f"upload:{path.name}"
        item = Item(where, lambda: replace(read.load(), source=where), read.raw)
        outcome = next(iter(ingestor.run([item])))
    with transaction(engine) as session:
        audit.append(
            session,
            actor=by,
            action="document.upload",
            subject_type="document",
            subject_id=outcome.document_id or 0,
            details={"name": name, "status": outcome.status},
        )
    return outcome


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
    outcome = ingest_upload(request, file.filename or "upload.txt", data, published, principal.name)
    return respond(request, outcome_json(outcome), 201 if outcome.status == "stored" else 200)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    if outcome.status == "failed":
        raise HTTPException(422, f"{outcome.location}: {outcome.reason}")
    return {
        "status": outcome.status,
        "document_id": outcome.document_id,
        "statements": outcome.statements,
    }
