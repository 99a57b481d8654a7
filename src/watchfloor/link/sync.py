"""Keep the store's copy of the watchlist in step with a watchlist file.

A load upserts every protectee of the file, then re-assesses the threads of protectees that are
new or renamed (and triages them, as after any re-assessment), so the board, thread pages and
reviews show the name the file gives now, and relabels their open cases.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor import hooks
from watchfloor.link.protectees import LoadSummary, load_protectees, protectee_names
from watchfloor.link.watchlist import Protectee, Watchlist
from watchfloor.store.models import Case, ProtecteeRow, Statement


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def current_watchlist(session: Session, source: str = "store") -> Watchlist:
    """The store's current protectees (those the last load listed) as a Watchlist, in id order:
    what the API ingests with, and what the editor changes one protectee of."""
    rows = session.scalars(
        select(ProtecteeRow).where(ProtecteeRow.current.is_(True)).order_by(ProtecteeRow.id)
    )
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
    return Watchlist(people, source)


def sync_watchlist(
    session: Session, watchlist: Watchlist, *, actor: str, sha256: str
) -> LoadSummary:
    """Store the watchlist's protectees (audited) and relabel what refers to them, in the
    caller's transaction."""
    summary = load_protectees(
        session, watchlist.protectees, actor=actor, source=watchlist.source, sha256=sha256
    )
    relabel = sorted(set(summary.added) | set(summary.renamed))
    if relabel:
        documents = session.scalars(
            select(Statement.document_id)
            .where(Statement.protectee.in_(relabel), Statement.thread_id.is_not(None))
            .distinct()
        )
        # As after any stored document: the later stages (assess re-assesses the threads, warn
        # re-triages their cases) bring their records up to date.
        hooks.documents_stored(session, list(documents))
        names = protectee_names(session, relabel)
        for case in session.scalars(
            select(Case).where(Case.protectee.in_(relabel), Case.state != "closed")
        ):
            if case.protectee in names:
                case.target_label = names[case.protectee]
    return summary
