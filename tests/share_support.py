"""Building blocks for the sharing tests: the seed article in a store, readers, audiences, and
the OASIS validator's verdict on a bundle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from stix2validator import ValidationOptions, validate_parsed_json

from watchfloor import hooks
from watchfloor.assess.service import reassess_documents
from watchfloor.ingest.files import read_document
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link import load_watchlist
from watchfloor.link.sync import file_sha256, sync_watchlist
from watchfloor.pipeline import Analyzer
from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.share.audience import Audience, audience_for
from watchfloor.share.config import ShareConfig
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction

SERIES = Path(__file__).resolve().parent / "data" / "series"
MARKS = """
  - id: lana-marks
    name: Lana Marks
    aliases: [Ambassador Marks]
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01, until: 2021-01-20}
"""
SEED_DAY = date(2020, 9, 13)
OWN = "Watch Desk"
PARTNER = "Partner Org"
POLICY = AccessPolicy(
    own_organization=OWN,
    client_organizations=frozenset({PARTNER}),
    community_organizations=frozenset({OWN, PARTNER, "Green Club"}),
)
ANALYST = Reader("ana", "U", nationality="USA", organization=OWN)
PARTNER_READER = Reader("pat", "U", nationality="USA", organization=PARTNER)
GREEN_READER = Reader("gil", "U", nationality="USA", organization="Green Club")


def write_watchlist(folder: Path) -> Path:
    path = folder / "watchlist.yaml"
    path.write_text((SERIES / "watchlist.yaml").read_text(encoding="utf-8") + MARKS, "utf-8")
    return path


def store_seed(
    engine: Engine,
    seed: Path,
    watchlist: Path,
    marking: str = "TLP:GREEN",
    *,
    via_hooks: bool = False,
) -> int:
    """The seed article extracted, linked and stored with its threads assessed (`via_hooks`:
    as ingest does, through the "documents stored" hook and every listener after it)."""
    wl = load_watchlist(watchlist)
    document = read_document(seed)
    findings = Analyzer(wl).analyze(document, published=SEED_DAY)
    fingerprinter = Fingerprinter()
    with transaction(engine) as session:
        sync_watchlist(session, wl, actor="test", sha256=file_sha256(watchlist))
        source = repo.get_or_create_source(session, "Seed Wire", reliability="B", marking=marking)
        stored = repo.add_document_with_statements(
            session,
            document,
            findings,
            source=source,
            location=str(seed),
            published=SEED_DAY,
            fingerprint=fingerprinter.fingerprint(document.text),
            near=fingerprinter.policy,
        )
        if via_hooks:
            hooks.documents_stored(session, [stored.document_id])
        else:
            reassess_documents(session, [stored.document_id], today=date(2020, 9, 14))
        return stored.document_id


def audience(session: Session, reader: Reader, config: ShareConfig | None = None) -> Audience:
    return audience_for(session, reader, config=config or ShareConfig(), policy=POLICY)


def validation_errors(bundle: dict[str, Any]) -> list[str]:
    """The OASIS validator's errors for `bundle` (warnings, such as deterministic UUIDv5 ids
    where it prefers v4, are allowed)."""
    result = validate_parsed_json(bundle, ValidationOptions(version="2.1"))
    results = result if isinstance(result, list) else [result]
    return [str(e) for r in results for e in (r.errors or ())] + (
        [] if all(r.is_valid for r in results) else ["bundle is not valid"]
    )


@contextmanager
def session_of(engine: Engine) -> Iterator[Session]:
    with transaction(engine) as session:
        yield session
