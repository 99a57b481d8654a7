"""Store benchmark: ingest throughput into SQLite and PostgreSQL, and search latency.

    python benchmarks/ingest.py [--docs 10000] [--search-docs 100000] [--pipeline-docs 40]

For each backend: `--docs` synthetic reports through the Ingestor without NLP (reading
skipped, fingerprint + LSH bands + document + blob + full-text index, one transaction per
document: the store's own cost), then `--pipeline-docs` reports with the real NLP pipeline
(SQLite), then the store is topped up to `--search-docs` documents with bulk inserts and
`--queries` full-text searches are timed. PostgreSQL comes from WATCHFLOOR_TEST_DATABASE_URL
(default: the local server) and runs in a throw-away schema; it is skipped when unreachable.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from watchfloor.ingest.ingestion import Ingestor, Item, SourceSpec
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.store import repository as repo
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Blob
from watchfloor.store.models import Document as DocumentRow

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Invented vocabulary for synthetic reports (no real text).
PLACES = "Harbour Ridge Valley Northgate Saltmarsh Eastport Highmoor Linden Corvale Brightwater"
PEOPLE = "Governor Vance|Judge Ferreira|Minister Okafor|Ambassador Lindqvist|Mayor Santos"
GROUPS = "the Northern Front|a local militia|two unknown men|the Coastal Brigade|a criminal gang"
ACTS = "threatened to kill|planned to kidnap|attacked|was watching|plotted against"
FILLER = [
    "officials",
    "council",
    "budget",
    "ferry",
    "weather",
    "market",
    "convoy",
    "border",
    "patrol",
    "storm",
    "bridge",
    "tunnel",
    "railway",
    "station",
    "airport",
    "embassy",
    "meeting",
    "summit",
    "election",
    "court",
    "police",
    "guard",
    "river",
    "village",
    "city",
    "harbour",
    "lighthouse",
    "festival",
    "school",
    "hospital",
    "road",
    "repairs",
    "traffic",
]


def synthetic(rng: random.Random, number: int) -> Document:
    place = rng.choice(PLACES.split())
    person = rng.choice(PEOPLE.split("|"))
    group = rng.choice(GROUPS.split("|"))
    act = rng.choice(ACTS.split("|"))
    paragraphs = [
        f"Report {number} from {place}.",
        f"Police in {place} said {group} {act} {person} last week, according to officials.",
        " ".join(rng.choice(FILLER) for _ in range(rng.randint(50, 120))).capitalize() + ".",
        " ".join(rng.choice(FILLER) for _ in range(rng.randint(20, 60))).capitalize() + ".",
    ]
    published = date(2030, 1, 1) + timedelta(days=rng.randint(0, 700))
    return Document.from_text("\n\n".join(paragraphs), f"synthetic/{number}.txt", published)


def _same(document: Document) -> Document:
    return document


def items(start: int, count: int, seed: int) -> Iterator[Item]:
    rng = random.Random(seed)
    for number in range(start, start + count):
        document = synthetic(rng, number)
        yield Item(document.source, functools.partial(_same, document))


def ingest_rate(engine: Engine, count: int, analyze: object = None, seed: int = 1) -> float:
    ingestor = Ingestor(
        engine,
        SourceSpec("benchmark", kind="analyst"),
        analyze=analyze,  # type: ignore[arg-type]
        fingerprinter=Fingerprinter(),
        batch_size=32,
    )
    started = time.perf_counter()
    outcomes = list(ingestor.run(items(seed * 10_000_000, count, seed)))
    elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise SystemExit(f"benchmark documents failed: {failed[0].reason}")
    return count / elapsed


def bulk_fill(engine: Engine, target: int, seed: int = 3) -> None:
    """Top the store up to `target` documents with multi-row inserts (search needs volume)."""
    with transaction(engine) as session:
        have = repo.count_documents(session)
        source = repo.get_or_create_source(session, "benchmark", kind="analyst")
    rng = random.Random(seed)
    number = 20_000_000
    while have < target:
        batch = min(2000, target - have)
        blobs, docs = [], []
        for _ in range(batch):
            document = synthetic(rng, number)
            number += 1
            blobs.append(
                {"sha256": document.sha256, "size": len(document.raw), "data": document.raw}
            )
            docs.append(
                {
                    "sha256": document.sha256,
                    "source_id": source.id,
                    "location": document.source,
                    "published": document.published,
                    "day": document.published,
                    "content_type": document.content_type,
                    "encoding": "utf-8",
                    "marking": source.marking,
                    "text": document.text,
                    "analyzed": False,
                }
            )
        with transaction(engine) as session:
            session.execute(insert(Blob), blobs)
            session.execute(insert(DocumentRow), docs)
        have += batch
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


def search_latency(engine: Engine, queries: int, seed: int = 5) -> tuple[float, float]:
    rng = random.Random(seed)
    vocabulary = FILLER + PLACES.lower().split()
    asked = []
    for i in range(queries):
        if i % 3 == 0:
            asked.append(f'"{rng.choice(ACTS.split("|"))}" {rng.choice(PLACES.split())}')
        else:
            asked.append(" ".join(rng.sample(vocabulary, rng.randint(1, 3))))
    timings = []
    with transaction(engine) as session:
        repo.search(session, "harbour")  # warm the caches once
        for query in asked:
            started = time.perf_counter()
            repo.search(session, query, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def postgres_engine() -> tuple[Engine, Engine, str] | None:
    base = os.environ.get("WATCHFLOOR_TEST_DATABASE_URL") or PG_DEFAULT
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    schema = f"wf_bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return admin, make_engine(url.render_as_string(hide_password=False)), schema


def pipeline_analyze() -> object | None:
    try:
        from watchfloor.pipeline import Analyzer

        analyzer = Analyzer()
    except Exception as exc:  # the pipeline is optional for the store benchmark
        print(f"pipeline run skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    return lambda documents, published: analyzer.analyze_many(documents, published)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--search-docs", type=int, default=100_000)
    parser.add_argument("--pipeline-docs", type=int, default=40)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    console = Console(stderr=True)
    table = Table(title="watchfloor store benchmark")
    for column in ("backend", "measure", "documents", "result"):
        table.add_column(column)

    with tempfile.TemporaryDirectory() as folder:
        for name in args.backends.split(","):
            cleanup = None
            if name == "sqlite":
                engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            else:
                found = postgres_engine()
                if found is None:
                    continue
                admin, engine, schema = found
                cleanup = (admin, schema)
            try:
                upgrade(engine)
                console.print(f"{name}: ingesting {args.docs} documents without NLP")
                rate = ingest_rate(engine, args.docs)
                table.add_row(name, "ingest, store only", str(args.docs), f"{rate:,.0f} docs/s")
                if args.pipeline_docs and name == "sqlite":
                    analyze = pipeline_analyze()
                    if analyze is not None:
                        console.print(f"{name}: ingesting {args.pipeline_docs} with NLP")
                        rate = ingest_rate(engine, args.pipeline_docs, analyze, seed=2)
                        table.add_row(
                            name,
                            "ingest, NLP pipeline",
                            str(args.pipeline_docs),
                            f"{rate:,.1f} docs/s",
                        )
                console.print(f"{name}: filling to {args.search_docs} documents for search")
                started = time.perf_counter()
                bulk_fill(engine, args.search_docs)
                fill = time.perf_counter() - started
                table.add_row(name, "bulk fill (search setup)", "", f"{fill:,.0f} s")
                median, p95 = search_latency(engine, args.queries)
                table.add_row(
                    name,
                    f"search, {args.queries} queries",
                    f"{args.search_docs:,}",
                    f"median {median:.1f} ms, p95 {p95:.1f} ms",
                )
            finally:
                engine.dispose()
                if cleanup is not None:
                    admin, schema = cleanup
                    with admin.begin() as connection:
                        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
    Console().print(table)
    Console().print(f"settings: {vars(args)}", highlight=False)


if __name__ == "__main__":
    main()
