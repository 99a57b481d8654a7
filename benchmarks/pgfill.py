"""Fast PostgreSQL fill for the benchmarks: the rows of benchmarks/assess.py's `fill`, loaded
with COPY instead of INSERT.

    from pgfill import fill_store
    fill_store(engine, Size(threads, statements), how="auto")   # "copy", "orm" or "auto"

`fill` (the ORM path: SQLAlchemy bulk INSERTs) took 22 minutes for 100,000 documents on
PostgreSQL; a store of 1,000,000 documents (10M statements) is out of its reach. `fill_copy`
streams the same rows, drawn from the same seeded generator in the same order (so both fills
give the same store), through psycopg 3's `COPY ... FROM STDIN` on one connection, in one
transaction:

1. The secondary indexes of the filled tables (blobs, documents, clusters, signals, threads,
   statements, overrides), the full-text search index (`ix_documents_search_vector`, a GIN index
   over the generated `documents.search_vector` column), their unique constraints and their
   foreign keys are read from the catalog and dropped; the primary keys stay.
2. Documents (with their blobs, clusters and signals), then statements, then threads (with the
   statement counts taken while streaming) and overrides are copied in. Nothing is held in
   memory but 32 bytes of digest a document (for the overrides) and a count a thread.
3. The dropped indexes and constraints are created again from their catalog definitions, and
   the schema (`pg_indexes` and `pg_constraint`) is checked to be what it was before: the end
   state is that of an `upgrade()`d store.

Then, as `fill` does, one real assessment is copied to every thread, the id sequences are set
and the tables are analyzed (`VACUUM ANALYZE` here, as autovacuum would after a bulk load).
`how="auto"` picks COPY on PostgreSQL and the ORM fill elsewhere (SQLite keeps `fill`).
benchmarks/web.py and benchmarks/assess.py take `--fill copy|orm|auto`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from assess import (
    STATEMENTS_PER_DOCUMENT,
    Size,
    add_sources,
    cluster_row,
    document_rows,
    fill,
    finish,
    override_rows,
    signal_row,
    statement_rows,
    thread_rows,
)
from psycopg import Cursor, sql
from sqlalchemy import Engine, Table
from sqlalchemy.types import TypeDecorator

from watchfloor.store.models import Cluster, Override, SignalRow, Statement, Thread
from watchfloor.store.models import Document as DocumentRow

FILLED = ("blobs", "documents", "clusters", "signals", "threads", "statements", "overrides")
FILLS = ("auto", "copy", "orm")

# Every index of the current schema, with its definition (the schema name taken out, so that two
# stores in different schemas compare equal), and every constraint.
INDEXES = """
SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '')
FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2
"""
CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, c.contype::text,
       replace(pg_get_constraintdef(c.oid), current_schema() || '.', ''), c.convalidated
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema() AND c.conrelid <> 0 ORDER BY 1, 2
"""
# What the fill drops: foreign keys and unique constraints of the filled tables, and their
# indexes that back no constraint (the primary keys stay).
DROPPED_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, c.contype::text, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema() AND c.contype IN ('f', 'u')
  AND c.conrelid::regclass::text = ANY(%s)
ORDER BY c.contype, 1, 2
"""
DROPPED_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
  AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c
    WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
ORDER BY 1
"""

Schema = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def schema_of(cursor: Cursor[Any]) -> Schema:
    """The indexes and constraints of the current schema, comparable across schemas."""
    cursor.execute(INDEXES)
    indexes = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(CONSTRAINTS)
    return indexes, [tuple(row) for row in cursor.fetchall()]


def fill_store(engine: Engine, size: Size, how: str = "auto", seed: int = 1) -> dict[str, float]:
    """Fill with COPY (`how="copy"`, or "auto" on PostgreSQL) or with `fill`'s INSERTs."""
    if how not in FILLS:
        raise ValueError(f"fill {how!r}: use one of {', '.join(FILLS)}")
    postgres = engine.dialect.name == "postgresql"
    if how == "copy" and not postgres:
        raise ValueError(f"--fill copy needs PostgreSQL, not {engine.dialect.name}; use orm")
    if how == "orm" or not postgres:
        return fill(engine, size, seed)
    return fill_copy(engine, size, seed)


def fill_copy(engine: Engine, size: Size, seed: int = 1) -> dict[str, float]:
    """Load a store of `size` with COPY; returns seconds per phase."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    sources = add_sources(engine)
    documents = max(1, size.statements // STATEMENTS_PER_DOCUMENT)
    now = datetime.now(UTC)
    digests = bytearray()
    connection = engine.raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            before = schema_of(cursor)
            dropped = drop_secondary(cursor)
            started = time.perf_counter()
            rows = document_rows(rng, documents, sources, now, digests)
            copy_documents(cursor, rows, documents, now)
            timings["documents"] = time.perf_counter() - started
            started = time.perf_counter()
            counts = [0] * size.threads
            copy_rows(
                cursor, Statement.__table__, counted(statement_rows(rng, size, documents), counts)
            )
            copy_rows(cursor, Thread.__table__, thread_rows(size, counts))
            copy_rows(cursor, Override.__table__, override_rows(rng, digests, now))
            timings["statements"] = time.perf_counter() - started
            started = time.perf_counter()
            restore(cursor, dropped)
            after = schema_of(cursor)
            if after != before:
                raise RuntimeError(f"COPY fill: schema differs after the load: {before} != {after}")
            timings["indexes"] = time.perf_counter() - started
        connection.commit()
    finally:
        connection.close()
    timings["assessments"] = finish(engine, now, vacuum=True)
    return timings


def counted(rows: Iterable[dict[str, Any]], counts: list[int]) -> Iterator[dict[str, Any]]:
    """The statement rows, counting them by thread as they pass."""
    for row in rows:
        counts[row["thread_id"] - 1] += 1
        yield row


def copy_documents(
    cursor: Cursor[Any],
    rows: Iterable[tuple[dict[str, Any], dict[str, Any]]],
    documents: int,
    now: datetime,
) -> None:
    """Documents (each its own cluster, as `fill` leaves them), their blobs, clusters and
    signals. One COPY runs at a time on a connection, so the blobs, whose bytes are the
    document's text in UTF-8, are made from the copied documents by the server."""
    copy_rows(cursor, DocumentRow.__table__, (doc | {"cluster_id": doc["id"]} for _, doc in rows))
    cursor.execute(
        "INSERT INTO blobs (sha256, size, data, created_at) "
        "SELECT sha256, octet_length(text), convert_to(text, 'UTF8'), %s FROM documents",
        (now.replace(tzinfo=None),),
    )
    numbers = range(1, documents + 1)
    copy_rows(cursor, Cluster.__table__, (cluster_row(n, now) for n in numbers))
    copy_rows(cursor, SignalRow.__table__, (signal_row(n) for n in numbers))


def copy_rows(cursor: Cursor[Any], table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """COPY the rows into `table`, as `insert(table)` would store them: the columns of the
    first row plus those with a Python-side default, timestamps made naive UTC (UTCDateTime).
    Returns the number of rows."""
    stream = iter(rows)
    first = next(stream, None)
    if first is None:
        return 0
    columns = [c for c in table.columns if c.key in first or c.default is not None]
    getters: list[Callable[[dict[str, Any]], Any]] = []
    for column in columns:
        getters.append(_getter(column.key, column.default, column.type, first))
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), names)
    count = 0
    with cursor.copy(statement) as copy:
        for row in _chain(first, stream):
            copy.write_row([get(row) for get in getters])
            count += 1
    return count


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def _getter(
    key: str, default: Any, kind: Any, first: dict[str, Any]
) -> Callable[[dict[str, Any]], Any]:
    if key not in first:
        value = default.arg(None) if default.is_callable else default.arg
        if isinstance(kind, TypeDecorator):
            value = kind.process_bind_param(value, None)
        return lambda row: row.get(key, value)
    if isinstance(kind, TypeDecorator):
        bind = kind.process_bind_param
        return lambda row: bind(row[key], None)
    return lambda row: row[key]


def drop_secondary(cursor: Cursor[Any]) -> list[str]:
    """Drop the foreign keys, unique constraints and other indexes of the filled tables;
    returns the statements that create them again, in order."""
    cursor.execute(DROPPED_CONSTRAINTS, (list(FILLED),))
    constraints = cursor.fetchall()
    cursor.execute(DROPPED_INDEXES, (list(FILLED),))
    indexes = cursor.fetchall()
    for table, name, _, _ in constraints:  # foreign keys ('f') first: they may need a unique
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _ in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    uniques = [c for c in constraints if c[2] == "u"]
    add = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ")
    create = [
        (add.format(sql.Identifier(table), sql.Identifier(name)) + sql.SQL(definition)).as_string(
            cursor
        )
        for table, name, _, definition in uniques + [c for c in constraints if c[2] == "f"]
    ]
    # Unique constraints, then the indexes, then the foreign keys (checked against the keys).
    return create[: len(uniques)] + [d for _, d in indexes] + create[len(uniques) :]


def restore(cursor: Cursor[Any], statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)
