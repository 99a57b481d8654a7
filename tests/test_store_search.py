"""Full-text search on both backends: a word is found, withheld documents never come back, and
PostgreSQL's capped ranking takes its candidates after the marking filter."""

from __future__ import annotations

from sqlalchemy import Engine

from watchfloor.ingest.records import Document
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction

# Invented reports (not from any real article).
OPEN = "Port officials said the quillmoor ferry was delayed by fog near the north pier."
SECRET = "A source said the quillmoor ferry carries a courier for the Northern Front."
OTHER = "Market traders reported calm trading and a quiet week at the harbour."


def put(engine: Engine, text: str, name: str, marking: str) -> int:
    with transaction(engine) as session:
        source = repo.get_or_create_source(session, "Harbour Wire")
        stored = repo.add_document_with_statements(
            session,
            Document.from_text(text, source=name),
            [],
            source=source,
            marking=marking,
        )
        return stored.document_id


def found(engine: Engine, query: str, markings: tuple[str, ...] | None, **kw: int) -> list[str]:
    with transaction(engine) as session:
        hits = repo.search(session, query, repo.Filters(markings=markings), **kw)  # type: ignore[arg-type]
        return [h.document.location for h in hits]


def test_search_finds_a_word_and_never_a_withheld_document(store: Engine) -> None:
    put(store, OPEN, "open.txt", "TLP:CLEAR")
    put(store, OTHER, "other.txt", "TLP:CLEAR")
    put(store, SECRET, "secret.txt", "TLP:RED")
    assert sorted(found(store, "quillmoor", None)) == ["open.txt", "secret.txt"]
    assert found(store, "quillmoor", ("TLP:CLEAR",)) == ["open.txt"]
    assert found(store, "courier", ("TLP:CLEAR",)) == []
    assert found(store, "courier", ("TLP:CLEAR", "TLP:RED")) == ["secret.txt"]
    with transaction(store) as session:
        hit = repo.search(session, "quillmoor", repo.Filters(markings=("TLP:CLEAR",)))[0]
    assert "[quillmoor]" in hit.snippet.lower()


def test_withheld_newer_matches_do_not_crowd_out_a_visible_one(store: Engine) -> None:
    put(store, OPEN, "open.txt", "TLP:CLEAR")
    for n in range(4):
        put(store, f"{SECRET} Copy {n}.", f"secret-{n}.txt", "TLP:RED")
    # Two candidates: the newest two matches are withheld, yet the filter comes first.
    assert found(store, "quillmoor ferry", ("TLP:CLEAR",), candidates=2) == ["open.txt"]
    # Unfiltered, PostgreSQL ranks the newest two; SQLite's FTS5 ranks every match.
    expected = 2 if store.dialect.name == "postgresql" else 5
    assert len(found(store, "quillmoor ferry", None, candidates=2)) == expected
