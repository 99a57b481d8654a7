"""The benchmarks' COPY fill (benchmarks/pgfill.py) makes the same PostgreSQL store as the INSERT
fill (benchmarks/assess.py `fill`): the same rows in every table and the same indexes and
constraints as an `upgrade()`d store, though it drops the secondary indexes for the load.

PostgreSQL only (COPY is PostgreSQL's); skipped, saying so, when no server answers (never in CI).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from conftest import postgres_schema
from sqlalchemy import Engine

from watchfloor.store.engine import make_engine
from watchfloor.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from assess import Size
from pgfill import FILLED, fill_store, schema_of

SIZE = Size(threads=40, statements=3000)

# The columns the fills write, per table, in a stable order; ids that come from a sequence are
# compared too (both fills insert in the same order).
CONTENT = {
    "blobs": ("sha256", "sha256, size, data"),
    "documents": (
        "id",
        "id, sha256, source_id, location, published, day, content_type, encoding, marking, "
        "text, cluster_id, analyzed, search_vector",
    ),
    "clusters": ("id", "id, origin_document_id"),
    "signals": ("id", 'id, document_id, kind, label, start, "end", text, days_before'),
    "threads": (
        "id",
        "id, key, actor_entity, actor_lineage, target_key, target_label, protectee, statements, "
        "first_seen, last_seen, harm, priority, assessment IS NOT NULL, version, standing",
    ),
    "statements": (
        "id",
        "id, document_id, seq, act, status, duty_to_warn, evidence_text, trigger_start, "
        'actor_entity, protectee, hedged, "where", method, thread_id, found_by',
    ),
    "overrides": ("id", "id, kind, subject, value, reason, analyst"),
}


@pytest.fixture
def pg_stores() -> Iterator[tuple[Engine, Engine]]:
    """Two migrated, empty stores, each in a schema of its own."""
    with ExitStack() as stack:
        engines = []
        for _ in range(2):
            url = stack.enter_context(postgres_schema("COPY fill test skipped", "wf_test_fill"))
            engine = make_engine(url)
            stack.callback(engine.dispose)
            upgrade(engine)
            engines.append(engine)
        yield engines[0], engines[1]


def _state(engine: Engine) -> tuple[Any, dict[str, Any]]:
    """The schema (indexes, constraints) and, per filled table, its row count and a digest of
    its rows."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            schema = schema_of(cursor)
            tables: dict[str, Any] = {}
            for table, (order, columns) in CONTENT.items():
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY o), '')) "
                    f"FROM (SELECT {order} AS o, ({columns}) AS r FROM {table}) t"
                )
                tables[table] = tuple(cursor.fetchone() or ())
            cursor.execute("SELECT last_value FROM documents_id_seq")
            tables["documents_id_seq"] = (cursor.fetchone() or (None,))[0]
        return schema, tables
    finally:
        raw.close()


def test_copy_fill_makes_the_store_the_insert_fill_makes(pg_stores: tuple[Engine, Engine]) -> None:
    copied, inserted = pg_stores
    upgraded = _state(copied)[0]
    phases = fill_store(copied, SIZE, "copy")
    assert "indexes" in phases  # the COPY path ran, not the INSERTs
    fill_store(inserted, SIZE, "orm")
    copy_schema, copy_rows = _state(copied)
    orm_schema, orm_rows = _state(inserted)
    assert copy_schema == upgraded == orm_schema
    assert any("search_vector" in index[2] for index in copy_schema[0])
    documents = SIZE.statements // 10
    assert copy_rows["documents"][0] == documents
    assert copy_rows["statements"][0] == SIZE.statements
    assert copy_rows["threads"][0] == SIZE.threads
    assert copy_rows["documents_id_seq"] == documents
    assert set(copy_rows) == set(CONTENT) | {"documents_id_seq"}
    assert set(CONTENT) == set(FILLED)
    assert copy_rows == orm_rows


def test_copy_fill_refuses_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        fill_store(engine, SIZE, "copy")
    engine.dispose()
