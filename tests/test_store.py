"""Repository functions on both backends: sources, documents with statements, queries, search,
failures and feed state. Every test here runs on SQLite and on PostgreSQL (see the `store`
fixture in test_store_backends.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.ingest.records import Document
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.pipeline import Finding
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction
from watchfloor.store.models import Blob, Source, Statement
from watchfloor.store.models import Document as DocumentRow

# Invented reports (not from any real article).
PLOT = (
    "Harbour Police said on Monday that a cell linked to the Northern Front had planned to "
    "kill Governor Ada Vance during her visit to the port. The plot was foiled in March."
)
SURVEIL = (
    "Security staff reported that two men were watching the residence of Judge Tomas Ferreira "
    "for several days, according to court officials."
)


def span(text: str, part: str) -> TextSpan:
    start = text.index(part)
    return TextSpan(part, start, start + len(part))


def finding(
    text: str,
    *,
    act: str = "kill",
    status: str = "planned",
    actor: str | None = "a cell linked to the Northern Front",
    target: str | None = "Governor Ada Vance",
    trigger: str = "kill",
    protectee: str | None = "ada-vance",
    entity: str | None = "Northern Front",
    lineage: tuple[str, ...] = ("Northern Front", "Eastern Alliance"),
    warn: bool = True,
    when: str | None = "2031-03",
) -> Finding:
    statement = ThreatStatement(
        act=act,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        evidence=span(text, text.split(". ")[0]),
        trigger=span(text, trigger),
        actor=span(text, actor) if actor else None,
        target=span(text, target) if target else None,
        target_kind="person",
        attribution="Harbour Police",
        hedged=False,
        when=when,
        where="the port",
        method=None,
        motive="revenge",
    )
    return Finding(
        statement=statement,
        target=TargetLink(protectee, "name" if protectee else "none", None, target is not None),
        actor=ActorLink(entity, lineage),
        duty_to_warn=warn,
    )


def doc(text: str, source: str = "report.txt", published: date | None = None) -> Document:
    return Document.from_text(text, source=source, published=published)


def add(
    engine: Engine,
    document: Document,
    findings: list[Finding],
    source: str = "Harbour Wire",
    **kwargs: object,
) -> repo.StoreResult:
    with transaction(engine) as session:
        src = repo.get_or_create_source(session, source)
        return repo.add_document_with_statements(
            session,
            document,
            findings,
            source=src,
            **kwargs,  # type: ignore[arg-type]
        )


# --- sources ------------------------------------------------------------------------------


def test_source_defaults_and_unique_name(store: Engine) -> None:
    with transaction(store) as session:
        first = repo.get_or_create_source(session, "Harbour Wire", kind="feed")
        again = repo.get_or_create_source(session, "Harbour Wire", kind="partner")
        assert again.id == first.id
        assert (first.kind, first.reliability, first.marking) == ("feed", "F", "TLP:AMBER")
    with pytest.raises(IntegrityError), transaction(store) as session:
        session.add(Source(name="Harbour Wire", kind="site", reliability="B", marking="x"))
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 1


def test_source_grade_and_kind_are_validated(store: Engine) -> None:
    with pytest.raises(repo.StoreInputError, match="Admiralty"), transaction(store) as session:
        repo.get_or_create_source(session, "Rumour Mill", reliability="G")
    with pytest.raises(repo.StoreInputError, match="kind"), transaction(store) as session:
        repo.get_or_create_source(session, "Rumour Mill", kind="blog")
    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction(store) as session:
        session.add(Source(name="Rumour Mill", kind="site", reliability="Z", marking="x"))
        session.flush()


# --- documents and statements ---------------------------------------------------------------


def test_document_and_statements_round_trip_the_contract(store: Engine) -> None:
    findings = [finding(PLOT), finding(PLOT, act="attack", status="foiled", warn=False)]
    document = Document(
        text=PLOT,
        source="/reports/plot.html",
        content_type="text/html",
        sha256="ab" * 32,
        title="Port plot",
        author="Desk",
        site="Harbour Wire",
        published=date(2031, 3, 14),
        url="https://harbour.example/plot",
        language="en",
        raw=b"<p>" + PLOT.encode() + b"</p>",
        encoding="utf-8",
    )
    result = add(store, document, findings, marking="TLP:RED")
    assert result.status == "stored" and result.statements == 2
    with transaction(store) as session:
        row = session.get(DocumentRow, result.document_id)
        assert row is not None
        assert (row.title, row.author, row.site, row.url, row.language) == (
            "Port plot",
            "Desk",
            "Harbour Wire",
            "https://harbour.example/plot",
            "en",
        )
        assert (row.published, row.day, row.content_type, row.encoding, row.marking) == (
            date(2031, 3, 14),
            date(2031, 3, 14),
            "text/html",
            "utf-8",
            "TLP:RED",
        )
        assert row.retrieved.tzinfo is not None
        assert session.get(Blob, "ab" * 32).data == document.raw  # type: ignore[union-attr]
        stored = [repo.contract(s) for s in row.statements]
        assert stored == [f.to_contract() for f in findings]
        first = row.statements[0]
        assert PLOT[first.trigger_start : first.trigger_end] == first.trigger_text == "kill"
        assert PLOT[first.actor_start : first.actor_end] == first.actor_text
        assert (first.target_kind, first.link_method, first.actor_lineage) == (
            "person",
            "name",
            "Northern Front|Eastern Alliance",
        )


def test_exact_repeat_is_a_no_op(store: Engine) -> None:
    first = add(store, doc(PLOT), [finding(PLOT)])
    again = add(store, doc(PLOT, source="copy.txt"), [finding(PLOT), finding(PLOT)])
    assert again.status == "repeat"
    assert again.document_id == first.document_id and again.statements == 1
    with transaction(store) as session:
        for table in (DocumentRow, Blob, Statement):
            assert session.scalar(select(func.count()).select_from(table)) == 1


def test_marking_defaults_to_the_source_and_day_to_retrieval(store: Engine) -> None:
    with transaction(store) as session:
        repo.get_or_create_source(session, "Partner Desk", kind="partner", marking="TLP:GREEN")
    retrieved = datetime(2031, 5, 2, 23, 30, tzinfo=UTC)
    result = add(store, doc(SURVEIL), [], source="Partner Desk", retrieved=retrieved)
    with transaction(store) as session:
        row = session.get(DocumentRow, result.document_id)
        assert row is not None
        assert (row.marking, row.published, row.day) == ("TLP:GREEN", None, date(2031, 5, 2))


def test_document_and_statements_are_one_transaction(store: Engine) -> None:
    bad = finding(PLOT, act="explode")  # refused by the statements.act check constraint
    with pytest.raises(IntegrityError):
        add(store, doc(PLOT), [finding(PLOT), bad])
    with transaction(store) as session:
        for table in (DocumentRow, Blob, Statement):
            assert session.scalar(select(func.count()).select_from(table)) == 0


# --- queries --------------------------------------------------------------------------------


@pytest.fixture
def filled(store: Engine) -> Engine:
    add(store, doc(PLOT, "plot.txt", date(2031, 3, 14)), [finding(PLOT)])
    surveil = finding(
        SURVEIL,
        act="surveil",
        status="carried_out",
        actor="two men",
        target="Judge Tomas Ferreira",
        trigger="watching",
        protectee="tomas-ferreira",
        entity=None,
        lineage=(),
        warn=False,
        when="2031-04",
    )
    add(store, doc(SURVEIL, "surveil.txt", date(2031, 4, 20)), [surveil], source="Court Desk")
    add(store, doc("Weather: calm seas expected at the port.", "weather.txt", date(2031, 4, 1)), [])
    return store


def test_statement_filters(filled: Engine) -> None:
    def acts(**kwargs: object) -> list[str]:
        with transaction(filled) as session:
            hits = repo.find_statements(session, repo.Filters(**kwargs))  # type: ignore[arg-type]
            return [h.statement.act for h in hits]

    assert acts() == ["surveil", "kill"]  # newest document first
    assert acts(protectee="ada-vance") == ["kill"]
    assert acts(actor="Northern Front") == ["kill"]
    assert acts(actor="eastern alliance") == ["kill"]  # a parent in the lineage
    assert acts(actor="two men") == ["surveil"]  # words of the actor's text
    assert acts(actor="Eastern") == []  # lineage matches whole names only
    assert acts(act="surveil", status="carried_out") == ["surveil"]
    assert acts(status="foiled") == []
    assert acts(since=date(2031, 4, 1)) == ["surveil"]
    assert acts(until=date(2031, 3, 31)) == ["kill"]
    assert acts(source="Court Desk") == ["surveil"]
    assert acts(duty_to_warn=True) == ["kill"]
    with transaction(filled) as session:
        hit = repo.find_statements(session, repo.Filters(protectee="tomas-ferreira"))[0]
        data = hit.to_json()
    assert data["document"]["source"] == "Court Desk"
    assert data["target"] == {
        "text": "Judge Tomas Ferreira",
        "protectee": "tomas-ferreira",
        "basis": "name",
        "confidence": TargetLink("tomas-ferreira", "name").confidence,
    }
    assert SURVEIL[data["evidence"]["start"] : data["evidence"]["end"]] == data["evidence"]["text"]


def test_document_listing_and_filters(filled: Engine) -> None:
    with transaction(filled) as session:
        every = repo.find_documents(session)
        assert [d.location for d in every] == ["surveil.txt", "weather.txt", "plot.txt"]
        assert [d.statements for d in every] == [1, 0, 1]
        about = repo.find_documents(session, repo.Filters(protectee="ada-vance"))
        assert [d.location for d in about] == ["plot.txt"]
        april = repo.find_documents(
            session, repo.Filters(since=date(2031, 4, 1), until=date(2031, 4, 30))
        )
        assert [d.location for d in april] == ["surveil.txt", "weather.txt"]
        assert [d.location for d in repo.find_documents(session, limit=1, offset=1)] == [
            "weather.txt"
        ]


def test_full_text_search(filled: Engine) -> None:
    def found(query: str, **kwargs: object) -> list[str]:
        with transaction(filled) as session:
            hits = repo.search(session, query, repo.Filters(**kwargs))  # type: ignore[arg-type]
            return [h.document.location for h in hits]

    assert found("governor") == ["plot.txt"]
    assert found("port") == ["plot.txt", "weather.txt"] or found("port") == [
        "weather.txt",
        "plot.txt",
    ]
    assert found("planning") == ["plot.txt"]  # stemmed: planned / planning
    assert found('"calm seas"') == ["weather.txt"]
    assert found('"seas calm"') == []
    assert found("port -weather") == ["plot.txt"]
    assert found("judge OR governor") in (["plot.txt", "surveil.txt"], ["surveil.txt", "plot.txt"])
    assert found("port", since=date(2031, 4, 1)) == ["weather.txt"]
    assert found("port", protectee="ada-vance") == ["plot.txt"]
    # Punctuation that FTS5 would read as syntax is just text.
    assert found('co-operation "unbalanced AND ( NEAR') == []
    assert found("   ") == []
    with transaction(filled) as session:
        hit = repo.search(session, "foiled")[0]
    assert "[" in hit.snippet and "]" in hit.snippet and "foiled" in hit.snippet.lower()


def test_fts5_query_translation() -> None:
    assert repo.fts5_query("iran plot") == '"iran" AND "plot"'
    assert repo.fts5_query('"hit list" -teaser') == '"hit list" NOT "teaser"'
    assert repo.fts5_query("kill OR kidnap envoy") == '("kill" OR "kidnap") AND "envoy"'
    assert repo.fts5_query("al-Qaeda") == '"al Qaeda"'
    assert repo.fts5_query("-only -negative") == ""


# --- failures and feeds -----------------------------------------------------------------------


def test_quarantine_counts_attempts_keeps_bytes_and_resolves(store: Engine) -> None:
    with transaction(store) as session:
        repo.quarantine(
            session, "/in/a.bin", "binary", source_name="files", sha256="cd" * 32, raw=b"\0"
        )
        repo.quarantine(session, "/in/b.txt", "empty", source_name="files")
    with transaction(store) as session:
        again = repo.quarantine(session, "/in/a.bin", "still binary", source_name="files")
        assert (again.attempts, again.reason, again.sha256) == (2, "still binary", "cd" * 32)
        assert repo.blob_bytes(session, "cd" * 32) == b"\0"
    stored = add(store, doc(PLOT), [])
    with transaction(store) as session:
        assert repo.resolve_failure(session, "/in/b.txt", stored.document_id)
        assert not repo.resolve_failure(session, "/in/never.txt", stored.document_id)
    with transaction(store) as session:
        assert [f.location for f in repo.list_failures(session)] == ["/in/a.bin"]
        everything = repo.list_failures(session, include_resolved=True)
        assert {f.location for f in everything} == {"/in/a.bin", "/in/b.txt"}


def test_feed_state_round_trip(store: Engine) -> None:
    due = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
    with transaction(store) as session:
        state = repo.load_feed_state(session, "wire", "https://wire.example/rss")
        assert state.failures == 0 and state.seen == set()
        state.etag, state.last_modified, state.failures, state.next_due_at = ('"v1"', "Mon", 2, due)
        repo.save_feed_state(session, state, ["item-1", "item-2", "item-1"])
    with transaction(store) as session:
        again = repo.load_feed_state(session, "wire", "https://wire.example/rss")
        assert (again.etag, again.last_modified, again.failures, again.next_due_at) == (
            '"v1"',
            "Mon",
            2,
            due,
        )
        assert again.seen == {"item-1", "item-2"}
        repo.save_feed_state(session, again, ["item-2", "item-3"])
        # A feed whose address changed must not send the old address's validators.
        moved = repo.load_feed_state(session, "wire", "https://wire.example/atom")
        assert moved.etag is None and moved.last_modified is None
    with transaction(store) as session:
        assert repo.load_feed_state(session, "wire", "x").seen == {"item-1", "item-2", "item-3"}
