"""Threads in the store on both backends: the report series in tests/data/series graded and
trended, corroboration by independent reports but not by syndicated copies, analyst overrides
that survive re-assessment and re-ingest, the actor hierarchy, incremental re-assessment, the
Ingestor hook, and the seed article as the first acceptance case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, delete, func, select
from test_store import finding

from watchfloor.assess import service
from watchfloor.assess.service import (
    AssessInputError,
    ThreadView,
    get_thread,
    list_threads,
    reassess_all,
    reassess_documents,
)
from watchfloor.ingest.files import read_document
from watchfloor.ingest.ingestion import Ingestor, SourceSpec, file_item
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.link import load_watchlist
from watchfloor.pipeline import Analyzer, Finding, after_store
from watchfloor.store import audit
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction
from watchfloor.store.models import Document as DocumentRow
from watchfloor.store.models import Override, SignalRow, Statement, Thread

SERIES = Path(__file__).resolve().parent / "data" / "series"
TODAY = date(2031, 4, 2)
DUARTE = "al-Shabaab→protectee:ines-duarte"
BERG = "ISIS→protectee:jonas-berg"
MARKS = """
  - id: lana-marks
    name: Lana Marks
    aliases: [Ambassador Marks]
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01, until: 2021-01-20}
"""

Entry = dict[str, Any]


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    watchlist = tmp_path_factory.mktemp("wl") / "watchlist.yaml"
    watchlist.write_text((SERIES / "watchlist.yaml").read_text() + MARKS, encoding="utf-8")
    return Analyzer(load_watchlist(watchlist))


@pytest.fixture(scope="module")
def series(analyzer: Analyzer) -> dict[str, list[tuple[Entry, Document, list[Finding]]]]:
    """Every report of the series, read and analyzed once for the module."""
    manifest = yaml.safe_load((SERIES / "series.yaml").read_text(encoding="utf-8"))
    analyzed: dict[str, list[tuple[Entry, Document, list[Finding]]]] = {}
    for group, entries in manifest.items():
        analyzed[group] = []
        for entry in entries:
            document = read_document(SERIES / entry["file"])
            findings = analyzer.analyze(document, published=entry["day"])
            analyzed[group].append((entry, document, findings))
    return analyzed


def store_report(
    engine: Engine, report: tuple[Entry, Document, list[Finding]], today: date = TODAY
) -> int:
    """Store one report as ingest does (clustered) and re-assess what it touches."""
    entry, document, findings = report
    fingerprinter = Fingerprinter()
    with transaction(engine) as session:
        source = repo.get_or_create_source(
            session, entry["source"], reliability=entry["reliability"]
        )
        result = repo.add_document_with_statements(
            session,
            document,
            findings,
            source=source,
            location=entry["file"],
            published=entry["day"],
            fingerprint=fingerprinter.fingerprint(document.text),
            near=fingerprinter.policy,
        )
        assert result.status == "stored"
        reassess_documents(session, [result.document_id], today=today)
        return result.document_id


def board(engine: Engine, **filters: Any) -> list[ThreadView]:
    with transaction(engine) as session:
        return list_threads(session, **filters)


def thread(engine: Engine, key: str) -> ThreadView:
    found = [view for view in board(engine) if view.key == key]
    assert found, f"no thread {key}; board: {[v.key for v in board(engine)]}"
    return found[0]


# --- the report series ----------------------------------------------------------------------


def test_escalating_series_forms_one_graded_escalating_thread(
    store: Engine, series: dict[str, list[Any]]
) -> None:
    ids = [store_report(store, report) for report in series["escalating"]]
    view = thread(store, DUARTE)
    a = view.assessment
    assert a.trend.label == "escalating", a.trend.reason
    assert (a.first_seen, a.last_seen) == (date(2031, 3, 2), date(2031, 3, 30))
    assert a.documents == 3 and sorted(a.document_ids) == sorted(ids)
    assert a.reliability == "B" and a.harm == "kill" and a.protectee == "ines-duarte"
    # One outlet only: nothing confirms it independently.
    assert a.independent_origins == 1 and a.credibility >= 2
    assert a.specificity.target_identified and a.specificity.method
    assert any(b.behaviour == "surveillance" for b in a.behaviours)
    # Specificity grew: the latest point of the series is more specific than the first.
    assert a.trend.series[-1].specificity > a.trend.series[0].specificity
    for item in a.rationale:
        if item.evidence is not None:
            with transaction(store) as session:
                text = session.get(DocumentRow, item.evidence.document_id).text  # type: ignore[union-attr]
            assert text[item.evidence.start : item.evidence.end] == item.evidence.text
    # The Berg series is not mixed in, and each thread lists only its own documents.
    assert all(v.assessment.protectee != "jonas-berg" for v in board(store))


def test_fading_series_fades(store: Engine, series: dict[str, list[Any]]) -> None:
    for report in series["fading"]:
        store_report(store, report)
    a = thread(store, BERG).assessment
    assert a.trend.label == "fading", a.trend.reason
    assert a.last_seen == date(2031, 2, 9)
    escalating = [v for v in board(store) if v.assessment.trend.label == "escalating"]
    assert escalating == []


def test_a_syndicated_copy_does_not_corroborate_an_independent_report_does(
    store: Engine, series: dict[str, list[Any]]
) -> None:
    for report in series["escalating"]:
        store_report(store, report)
    alone = thread(store, DUARTE).assessment

    copy_id = store_report(store, series["syndicated"][0])
    copied = thread(store, DUARTE).assessment
    with transaction(store) as session:
        copy = session.get(DocumentRow, copy_id)
        assert copy is not None and copy.cluster_id is not None
        members = session.scalar(
            select(func.count())
            .select_from(DocumentRow)
            .where(DocumentRow.cluster_id == copy.cluster_id)
        )
    assert members == 2, "the syndicated copy joins the cluster of the story it copies"
    assert copied.documents == alone.documents + 1
    assert copied.clusters == alone.clusters
    assert copied.independent_origins == alone.independent_origins
    assert copied.credibility == alone.credibility

    store_report(store, series["independent"][0])
    corroborated = thread(store, DUARTE).assessment
    assert corroborated.independent_origins == alone.independent_origins + 1
    assert corroborated.credibility < alone.credibility  # 1 is best


# --- overrides ------------------------------------------------------------------------------


def test_overrides_hold_after_reassessment_and_reingest_and_are_audited(
    store: Engine, series: dict[str, list[Any]]
) -> None:
    for report in series["escalating"]:
        store_report(store, report)
    view = thread(store, DUARTE)
    with transaction(store) as session:
        first_statement = session.scalar(
            select(Statement.id)
            .where(Statement.thread_id == view.id)
            .order_by(Statement.document_id, Statement.seq)
            .limit(1)
        )
        assert first_statement is not None
        service.grade_source(session, "Coast Wire", "d", "alice", "two retractions", today=TODAY)
        service.set_thread_credibility(session, view.id, 5, "bob", "contradicted", today=TODAY)
        service.dismiss_statement(session, first_statement, "carol", "a quote", today=TODAY)

    def holds() -> None:
        a = thread(store, DUARTE).assessment
        assert a.reliability == "D"
        assert a.credibility == 5 and a.credibility_overridden
        assert a.statements == view.assessment.statements - 1
        with transaction(store) as session:
            detail = get_thread(session, view.id)
        assert detail is not None
        assert {o.kind for o in detail.overrides} == {
            "source_reliability",
            "thread_credibility",
            "statement_dismissed",
        }
        assert sum(s.dismissed for s in detail.statements) == 1

    holds()
    with transaction(store) as session:
        reassess_all(session, today=TODAY)
    holds()

    # Re-ingest: the document is dropped and stored again, with new row ids.
    entry = series["escalating"][0][0]
    with transaction(store) as session:
        session.execute(delete(DocumentRow).where(DocumentRow.location == entry["file"]))
    store_report(store, series["escalating"][0])
    holds()

    with transaction(store) as session:
        assert audit.verify(session).ok
        actions = [e.action for e in audit.entries_for(session, "thread", view.id)]
        assert actions == ["override.thread_credibility"]
        source_entries = audit.entries_for(session, "source", "Coast Wire")
        assert [e.actor for e in source_entries] == ["alice"]
        assert "two retractions" in source_entries[0].details
        assert len(audit.entries_for(session, "statement", first_statement)) == 1


def test_overrides_refuse_bad_values_and_unknown_subjects(store: Engine) -> None:
    add_statements(store, [("Iran", ("Iran",))])
    with transaction(store) as session:
        thread_id = session.scalar(select(Thread.id))
        assert thread_id is not None
    cases: list[tuple[Callable[[Any], object], str]] = [
        (lambda s: service.grade_source(s, "Harbour Wire", "G", "a", "r"), "Admiralty"),
        (lambda s: service.grade_source(s, "Nobody", "B", "a", "r"), "'Nobody' is not in"),
        (lambda s: service.set_thread_credibility(s, thread_id, 7, "a", "r"), "1-6"),
        (lambda s: service.set_thread_credibility(s, 99999, 2, "a", "r"), "thread 99999"),
        (lambda s: service.dismiss_statement(s, 99999, "a", "r"), "statement 99999"),
        (lambda s: service.merge_actors(s, "Nobody", "Iran", "a", "r"), "'Nobody'"),
        (lambda s: service.merge_actors(s, "Iran", "iran", "a", "r"), "into itself"),
        (lambda s: service.grade_source(s, "Harbour Wire", "B", "a", "  "), "reason"),
    ]
    for apply, message in cases:
        with pytest.raises(AssessInputError, match=message), transaction(store) as session:
            apply(session)
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(Override)) == 0
        assert audit.verify(session).entries == 0


# --- actors ---------------------------------------------------------------------------------

PLOT = (
    "Officials said on {day} that {actor} had planned to kill Governor Ada Vance during her "
    "visit to the port. Guards were doubled at the residence."
)


def add_statements(
    engine: Engine, actors: list[tuple[str, tuple[str, ...]]], day: date = date(2031, 3, 1)
) -> list[int]:
    """One invented report per actor, each with one statement about Governor Ada Vance."""
    ids = []
    for number, (actor, lineage) in enumerate(actors):
        text = PLOT.format(actor=actor, day=day.isoformat())
        found = finding(text, actor=actor, entity=actor, lineage=lineage, when=None)
        document = Document.from_text(text, source=f"r{number}.txt", published=day)
        with transaction(engine) as session:
            source = repo.get_or_create_source(session, "Harbour Wire", reliability="B")
            result = repo.add_document_with_statements(
                session, document, [found], source=source, published=day
            )
            reassess_documents(session, [result.document_id], today=TODAY)
            ids.append(result.document_id)
    return ids


QUDS = ("Quds Force", ("Quds Force", "IRGC", "Iran"))
IRAN = ("Iran", ("Iran",))


def test_a_quds_force_thread_stays_distinct_and_folds_into_the_iran_view(store: Engine) -> None:
    add_statements(store, [IRAN, QUDS, ("Hezbollah", ("Hezbollah",))])
    keys = {v.key for v in board(store)}
    assert keys == {
        "Iran→protectee:ada-vance",
        "Quds Force→protectee:ada-vance",
        "Hezbollah→protectee:ada-vance",
    }
    assert {v.key for v in board(store, actor="iran")} == {
        "Iran→protectee:ada-vance",
        "Quds Force→protectee:ada-vance",
    }
    assert {v.key for v in board(store, actor="IRGC")} == {"Quds Force→protectee:ada-vance"}
    iran = thread(store, "Iran→protectee:ada-vance")
    quds_id = thread(store, "Quds Force→protectee:ada-vance").id
    with transaction(store) as session:
        detail = get_thread(session, iran.id)
        quds = get_thread(session, quds_id)
    assert detail is not None and quds is not None
    assert [c.key for c in detail.children] == ["Quds Force→protectee:ada-vance"]
    assert quds.children == ()
    assert board(store, protectee="nobody") == []
    assert len(board(store, limit=2)) == 2


def test_merging_actors_moves_their_statements_and_survives_reassessment(store: Engine) -> None:
    add_statements(store, [IRAN, QUDS])
    quds_id = thread(store, "Quds Force→protectee:ada-vance").id
    with transaction(store) as session:
        changes = service.merge_actors(
            session, "quds force", "Iran", "dana", "same unit", today=TODAY
        )
    assert {c.after.key for c in changes} == {"Iran→protectee:ada-vance"}

    def merged() -> None:
        keys = [v.key for v in board(store)]
        assert keys == ["Iran→protectee:ada-vance"]
        assert thread(store, keys[0]).assessment.statements == 2
        with transaction(store) as session:
            old = session.get(Thread, quds_id)
            assert old is not None and old.statements == 0

    merged()
    with transaction(store) as session:
        reassess_all(session, today=TODAY)
        with pytest.raises(AssessInputError, match="into itself"):
            service.merge_actors(session, "Iran", "Quds Force", "dana", "loop")
    merged()
    # A later report by the merged-away name goes straight to the merged thread.
    add_statements(store, [QUDS], day=date(2031, 3, 5))
    merged_view = thread(store, "Iran→protectee:ada-vance")
    assert merged_view.assessment.statements == 3
    with transaction(store) as session:
        detail = get_thread(session, merged_view.id)
        assert detail is not None and [o.kind for o in detail.overrides] == ["actor_merge"]
        assert audit.verify(session).ok


# --- incremental re-assessment and the ingest hook ------------------------------------------


def test_a_new_document_reassesses_only_the_threads_it_touches(store: Engine) -> None:
    add_statements(store, [IRAN, QUDS, ("Hezbollah", ("Hezbollah",))])
    versions = {v.key: v.version for v in board(store)}
    add_statements(store, [QUDS], day=date(2031, 3, 9))
    after = {v.key: v.version for v in board(store)}
    assert after["Quds Force→protectee:ada-vance"] == versions["Quds Force→protectee:ada-vance"] + 1
    assert after["Iran→protectee:ada-vance"] == versions["Iran→protectee:ada-vance"]
    assert after["Hezbollah→protectee:ada-vance"] == versions["Hezbollah→protectee:ada-vance"]


def test_ingest_with_the_after_store_hook_builds_threads_once(
    store: Engine, analyzer: Analyzer, tmp_path: Path
) -> None:
    files = []
    for name in ("escalating/1-2031-03-02.txt", "escalating/2-2031-03-16.txt"):
        target = tmp_path / Path(name).name
        target.write_text((SERIES / name).read_text())
        files.append(target)

    def run() -> list[str]:
        ingestor = Ingestor(
            store,
            SourceSpec("Coast Wire", reliability="B"),
            analyze=analyzer.analyze_many,
            fingerprinter=Fingerprinter(),
            after_store=after_store,
        )
        return [o.status for o in ingestor.run(file_item(path, 1_000_000) for path in files)]

    assert run() == ["stored", "stored"]
    with transaction(store) as session:
        assert (session.scalar(select(func.count()).select_from(SignalRow)) or 0) > 0
        unthreaded = session.scalar(
            select(func.count()).select_from(Statement).where(Statement.thread_id.is_(None))
        )
        assert unthreaded == 0
    versions = {v.key: v.version for v in board(store)}
    assert DUARTE in versions
    assert run() == ["repeat", "repeat"]
    assert {v.key: v.version for v in board(store)} == versions


# --- the seed article -----------------------------------------------------------------------


@pytest.mark.shared
def test_the_seed_article_alone_gives_an_escalating_iran_thread_against_marks(
    store: Engine, analyzer: Analyzer, seed_path: Path
) -> None:
    document = read_document(seed_path)
    findings = analyzer.analyze(document, published=date(2020, 9, 13))
    entry = {"file": str(seed_path), "day": date(2020, 9, 13), "source": "Seed", "reliability": "B"}
    store_report(store, (entry, document, findings), today=date(2020, 9, 14))
    marks = board(store, protectee="lana-marks")
    iran = [v for v in marks if v.key == "Iran→protectee:lana-marks"]
    assert iran, [v.key for v in marks]
    a = iran[0].assessment
    assert a.trend.label == "escalating", a.trend.reason
    assert a.harm == "kill"
    assert any(v.key.startswith("Iran") for v in board(store, actor="Iran"))
