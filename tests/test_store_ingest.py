"""The Ingestor on both backends: near-duplicate clusters from the seed article and copies of
it, quarantine of unreadable inputs, retry, and repeats."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from watchfloor.ingest.ingestion import Ingestor, Item, SourceSpec, file_item, retry_items
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.store import repository as repo
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.models import Cluster, Failure
from watchfloor.store.models import Document as DocumentRow

HEADER = "Harbour Wire | World | Politics | Sign in | Subscribe for full access\n\n"
FOOTER = (
    "\n\nMore from Harbour Wire: markets, weather, sport and culture. "
    "Share this story. Copyright Harbour Wire Media Group. All rights reserved."
)
UNRELATED = (
    "The city council approved a new budget for the harbour district on Tuesday, with money "
    "set aside for dredging, two new ferries and repairs to the old lighthouse.\n\n"
    "Council members argued for hours about the price of parking permits before agreeing to "
    "review them again next spring, when the new ferries enter service."
)


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def without_link_sentences(text: str) -> str:
    # Link texts survive in lossy copies as short stand-alone lines; a copy that drops them.
    return "\n\n".join(p for p in paragraphs(text) if len(p.split()) > 8)


def reordered(text: str) -> str:
    parts = paragraphs(text)
    random.Random(7).shuffle(parts)
    return "\n\n".join(parts)


def ingestor(engine: Engine, analyze: object = None) -> Ingestor:
    return Ingestor(
        engine,
        SourceSpec("files", kind="analyst"),
        analyze=analyze,  # type: ignore[arg-type]
        fingerprinter=Fingerprinter(),
        batch_size=4,
    )


def item(name: str, text: str, published: date | None) -> Item:
    return Item(name, lambda: Document.from_text(text, source=name, published=published))


def test_copies_of_the_seed_form_one_cluster_with_the_earliest_as_origin(
    store: Engine, backend: object, seed_text: str
) -> None:
    copies = [
        item("original", seed_text, date(2020, 9, 14)),
        item("boilerplate", HEADER + seed_text + FOOTER, date(2020, 9, 15)),
        item("no-links", without_link_sentences(seed_text), None),
        item("unrelated", UNRELATED, date(2020, 9, 14)),
    ]
    outcomes = list(ingestor(store).run(copies))
    assert [o.status for o in outcomes] == ["stored"] * 4

    # A later run in a new process (a fresh engine, nothing in memory) still finds the cluster:
    # the LSH band keys live in the store. This copy was published first, so it is the origin.
    fresh = make_engine(store.url.render_as_string(hide_password=False))
    late = list(ingestor(fresh).run([item("reordered", reordered(seed_text), date(2020, 9, 13))]))
    fresh.dispose()

    with transaction(store) as session:
        rows = {d.location: d for d in session.scalars(select(DocumentRow)).all()}
        story = {
            rows[name].cluster_id for name in ("original", "boilerplate", "no-links", "reordered")
        }
        assert len(story) == 1 and None not in story
        assert rows["unrelated"].cluster_id not in story
        assert late[0].cluster_id in story
        cluster = session.get(Cluster, story.pop())
        assert cluster is not None and cluster.origin_document_id == rows["reordered"].id
        members = repo.find_documents(session, cluster_id=cluster.id)
        assert sorted(d.location for d in members) == [
            "boilerplate",
            "no-links",
            "original",
            "reordered",
        ]
        assert [d.location for d in members if d.is_origin] == ["reordered"]
        assert session.scalar(select(func.count()).select_from(Cluster)) == 2


def test_without_dates_the_first_stored_copy_is_the_origin(store: Engine, seed_text: str) -> None:
    run = ingestor(store).run(
        [item("first", seed_text, None), item("second", HEADER + seed_text + FOOTER, None)]
    )
    first, second = list(run)
    assert first.cluster_id == second.cluster_id
    with transaction(store) as session:
        cluster = session.get(Cluster, first.cluster_id)
        assert cluster is not None and cluster.origin_document_id == first.document_id


def test_unreadable_inputs_are_quarantined_and_the_batch_goes_on(
    store: Engine, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_text("A guard said a man threatened to attack the mayor.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "late.txt").write_text("The embassy reported a kidnapping attempt on its consul.\n")
    paths = sorted(tmp_path.glob("*.txt"))
    outcomes = {
        Path(o.location).name: o
        for o in ingestor(store).run(file_item(p, 1_000_000) for p in paths)
    }
    assert {name: o.status for name, o in outcomes.items()} == {
        "empty.txt": "failed",
        "good.txt": "stored",
        "image.txt": "failed",
        "late.txt": "stored",
    }
    assert "binary" in (outcomes["image.txt"].reason or "")
    with transaction(store) as session:
        failures = {Path(f.location).name: f for f in repo.list_failures(session)}
        assert set(failures) == {"empty.txt", "image.txt"}
        image = failures["image.txt"]
        # The raw bytes of a refused file are kept, addressed by their hash.
        assert repo.blob_bytes(session, image.sha256 or "") == (tmp_path / "image.txt").read_bytes()

    (tmp_path / "empty.txt").write_text("Officials said the threat to the minister was denied.\n")
    retried = list(ingestor(store).run(retry_items(store, 1_000_000)))
    assert sorted((Path(o.location).name, o.status) for o in retried) == [
        ("empty.txt", "stored"),
        ("image.txt", "failed"),
    ]
    with transaction(store) as session:
        assert [Path(f.location).name for f in repo.list_failures(session)] == ["image.txt"]
        image_failure = session.scalar(select(Failure).where(Failure.location.like("%image.txt")))
        assert image_failure is not None and image_failure.attempts == 2
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == 3

    again = list(
        ingestor(store).run(file_item(p, 1_000_000) for p in paths if p.name != "image.txt")
    )
    assert [o.status for o in again] == ["repeat"] * 3


def test_a_document_whose_analysis_fails_is_quarantined_alone(store: Engine) -> None:
    def analyze(documents: list[Document], published: date | None) -> list[tuple[Document, list]]:
        if any("poison" in d.text for d in documents):
            raise RuntimeError("analysis blew up")
        return [(d, []) for d in documents]

    items = [
        item(f"doc-{i}", f"Report number {i} about the harbour. {'poison' if i == 2 else ''}", None)
        for i in range(4)
    ]
    outcomes = list(ingestor(store, analyze).run(items))
    assert [o.status for o in outcomes] == ["stored", "stored", "failed", "stored"]
    assert "RuntimeError: analysis blew up" in (outcomes[2].reason or "")
    with transaction(store) as session:
        (failure,) = repo.list_failures(session)
        assert failure.location == "doc-2" and failure.sha256 is not None


def test_a_document_the_database_refuses_leaves_no_trace_but_its_failure(store: Engine) -> None:
    from test_store import PLOT, finding

    def analyze(documents: list[Document], published: date | None) -> list[tuple[Document, list]]:
        return [
            (d, [finding(PLOT, act="explode" if "bad" in d.source else "kill")]) for d in documents
        ]

    outcomes = list(
        ingestor(store, analyze).run(
            [item("good", PLOT, None), item("bad", PLOT + " Again.", None)]
        )
    )
    assert [(o.location, o.status) for o in outcomes] == [("good", "stored"), ("bad", "failed")]
    assert "refused by the database" in (outcomes[1].reason or "")
    with transaction(store) as session:
        assert [d.location for d in repo.find_documents(session)] == ["good"]
        assert [h.statement.act for h in repo.find_statements(session)] == ["kill"]
        assert [f.location for f in repo.list_failures(session)] == ["bad"]
