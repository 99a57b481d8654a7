"""Triage through the real pipeline: reports of an escalating series are stored and assessed,
and pipeline.after_changes opens the case by itself and re-triages it as reporting sharpens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

from watchfloor.assess.service import reassess_documents
from watchfloor.ingest.files import read_document
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link import load_watchlist
from watchfloor.pipeline import Analyzer, after_changes
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction
from watchfloor.store.models import Case, CaseEvent

SERIES = Path(__file__).resolve().parent / "data" / "series"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_watchlist(SERIES / "watchlist.yaml"))


def store_report(engine: Engine, analyzer: Analyzer, entry: dict[str, Any]) -> list[Any]:
    """Store one report and run the stages after it, dated as the report (so 'next week'
    is ahead of it)."""
    document = read_document(SERIES / entry["file"])
    findings = analyzer.analyze(document, published=entry["day"])
    fingerprinter = Fingerprinter()
    with transaction(engine) as session:
        source = repo.get_or_create_source(
            session, entry["source"], reliability=entry["reliability"]
        )
        stored = repo.add_document_with_statements(
            session,
            document,
            findings,
            source=source,
            location=entry["file"],
            published=entry["day"],
            fingerprint=fingerprinter.fingerprint(document.text),
            near=fingerprinter.policy,
        )
        changes = reassess_documents(session, [stored.document_id], today=entry["day"])
        after_changes(session, changes)
    return changes


def test_an_escalating_thread_opens_a_case_and_is_retriaged(
    store: Engine, analyzer: Analyzer
) -> None:
    manifest = yaml.safe_load((SERIES / "series.yaml").read_text(encoding="utf-8"))
    first, *later = manifest["escalating"]
    [change] = [c for c in store_report(store, analyzer, first) if c.after.protectee]
    with transaction(store) as session:
        [case] = session.scalars(select(Case))
        assert case.thread_id == change.thread_id and case.state == "duty_determined"
        assert case.protectee == "ines-duarte"
    for entry in later:
        store_report(store, analyzer, entry)
    with transaction(store) as session:
        assert session.scalars(select(Case.id)).all() == [case.id]  # one case, not one per report
        retriaged = [
            json.loads(e.details)
            for e in session.scalars(
                select(CaseEvent).where(CaseEvent.kind == "retriaged").order_by(CaseEvent.id)
            )
        ]
    sharper = [r for r in retriaged if any(s.startswith("specificity") for s in r["sharpened"])]
    assert sharper, retriaged
    assert sharper[-1]["after"]["specificity"] > sharper[-1]["before"]["specificity"]
