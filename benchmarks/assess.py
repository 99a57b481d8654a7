"""Assessment benchmark: the cost of one new document does not grow with the store.

    python benchmarks/assess.py [--sizes 1000x100000,10000x1000000] [--k 5] [--runs 7]
                                [--quick] [--backends sqlite,postgresql] [--fill auto|copy|orm]

For each size THREADSxSTATEMENTS a store is filled directly with bulk inserts (no NLP): threads
with a stored assessment, statements spread over documents (10 per document) and over a year,
one near-duplicate cluster and one signal per document, and some analyst overrides. Then one new
document whose statements touch `--k` existing threads is stored and re-assessed, as ingest does
(document, fingerprint and cluster, statements, signals, thread assignment, re-assessment of the
touched threads, commit), `--runs` times; the median is reported, and the ratio of the largest
store's median to the smallest's (goal: about 1). Both sizes keep about the same number of
statements per thread, so the work per touched thread is the same and any growth would come from
reads that scan the store. SQLite by default; `--backends postgresql` runs on the PostgreSQL of
WATCHFLOOR_TEST_DATABASE_URL (default: the local server) in a throw-away schema, filled with COPY
(benchmarks/pgfill.py) unless `--fill orm` asks for the INSERTs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from watchfloor.assess.service import reassess_documents
from watchfloor.assess.threads import target_key, thread_key
from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.pipeline import Finding
from watchfloor.store import repository as repo
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import (
    Blob,
    Cluster,
    Override,
    SignalRow,
    Statement,
    Thread,
)
from watchfloor.store.models import Document as DocumentRow

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STATEMENTS_PER_DOCUMENT = 10
TARGETS = 50  # protectees; threads = actors x targets
WARM_UP = 2
TODAY = date(2031, 6, 1)
START = date(2030, 6, 1)
# Invented words for synthetic reports (no real text).
_NAMED = (
    "officials harbour convoy council ferry border patrol market storm bridge tunnel "
    "railway station airport embassy meeting summit election court police guard river "
    "village city lighthouse festival school hospital road square residence visit"
)
WORDS = _NAMED.split()
# Reports draw on a Zipfian vocabulary: a few thousand invented words (syllables joined by a
# seeded generator), the k-th most common used about 1/k as often as the first, as in real
# text; the named words above sit at middling ranks, so a search for two of them is as
# selective as a query about a place and a vehicle would be (a few documents in a thousand).
VOCABULARY_SIZE = 4000
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "or")]


def _vocabulary(size: int = VOCABULARY_SIZE) -> tuple[list[str], list[float]]:
    rng = random.Random(16)
    invented: list[str] = []
    seen = set(WORDS)
    while len(invented) < size - len(WORDS):
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
        if word not in seen:
            seen.add(word)
            invented.append(word)
    for rank, word in enumerate(WORDS):
        invented.insert(100 + 37 * rank, word)
    weights, total = [], 0.0
    for rank in range(1, len(invented) + 1):
        total += 1.0 / rank
        weights.append(total)
    return invented, weights


VOCABULARY, _CUMULATIVE = _vocabulary()


def words_of(rng: random.Random, count: int) -> str:
    """`count` words drawn from the Zipfian vocabulary."""
    return " ".join(rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=count))


ACTS = ("kill", "kidnap", "attack", "threaten", "surveil")
STATUSES = ("threatened", "considered", "planned", "carried_out", "foiled")
SOURCES = (("Wire A", "B"), ("Wire B", "C"), ("Desk", "A"), ("Blog", "E"), ("Partner", "B"))


@dataclass(frozen=True)
class Size:
    threads: int
    statements: int

    @property
    def label(self) -> str:
        return f"{self.threads:,} threads / {self.statements:,} statements"


def actor_name(number: int) -> str:
    return f"Group {number:05d}"


def protectee(number: int) -> str:
    return f"protectee-{number:03d}"


def thread_parts(index: int) -> tuple[str, str]:
    return actor_name(index // TARGETS), protectee(index % TARGETS)


def report_text(rng: random.Random, number: int) -> str:
    words = words_of(rng, 40)
    return f"Report {number}. In recent weeks {words}."


def _batches(rows: Iterable[Any], size: int = 20_000) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


# The rows of a filled store, streamed: benchmarks/pgfill.py loads the same rows with COPY,
# drawing on the random generator in the same order, so both fills give the same store.
def document_rows(
    rng: random.Random, documents: int, sources: list[int], now: datetime, digests: bytearray
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(blob, document) rows of reports 1..documents; each SHA-256 digest is appended to
    `digests` (32 bytes a document), for the overrides."""
    for number in range(1, documents + 1):
        body = report_text(rng, number)
        raw = body.encode()
        digest = hashlib.sha256(raw).digest()
        digests += digest
        day = START + timedelta(days=rng.randrange(365))
        blob = {"sha256": digest.hex(), "size": len(raw), "data": raw}
        yield (
            blob,
            {
                "id": number,
                "sha256": digest.hex(),
                "source_id": rng.choice(sources),
                "location": f"bench/{number}.txt",
                "published": day,
                "day": day,
                "retrieved": now,
                "content_type": "text/plain",
                "encoding": "utf-8",
                "marking": "TLP:AMBER",
                "text": body,
                "analyzed": True,
                "created_at": now,
            },
        )


def cluster_row(number: int, now: datetime) -> dict[str, Any]:
    return {"id": number, "origin_document_id": number, "created_at": now}


def signal_row(number: int) -> dict[str, Any]:
    return {
        "document_id": number,
        "kind": "temporal",
        "label": "temporal",
        "start": len(f"Report {number}. "),
        "end": len(f"Report {number}. In recent weeks"),
        "text": "In recent weeks",
        "days_before": 21,
    }


def thread_rows(size: Size, counts: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """Threads 1..size.threads; `counts`: their statements (0 when not given)."""
    for index in range(size.threads):
        actor, person = thread_parts(index)
        yield {
            "id": index + 1,
            "key": thread_key(actor, target_key(person, None)),
            "actor_entity": actor,
            "actor_lineage": f"{actor}|Alliance {index // TARGETS % 10}",
            "target_key": target_key(person, None),
            "target_label": person,
            "protectee": person,
            "statements": counts[index] if counts else 0,
            "priority": 0.0,
            "version": 0,
        }


def statement_rows(rng: random.Random, size: Size, documents: int) -> Iterator[dict[str, Any]]:
    for number in range(size.statements):
        doc_id = number // STATEMENTS_PER_DOCUMENT + 1
        if doc_id > documents:
            doc_id = rng.randint(1, documents)
        seq = number % STATEMENTS_PER_DOCUMENT
        index = rng.randrange(size.threads)
        actor, person = thread_parts(index)
        yield _statement_row(doc_id, seq, index + 1, actor, person, rng)


def override_rows(rng: random.Random, digests: bytearray, now: datetime) -> list[dict[str, Any]]:
    """Some dismissed statements and one reliability override."""
    documents = len(digests) // 32
    common = {"reason": "benchmark", "analyst": "bench", "created_at": now}
    rows = []
    for s in range(STATEMENTS_PER_DOCUMENT):
        at = 32 * rng.randrange(documents)
        subject = f"{digests[at : at + 32].hex()}:{5 * s}:{5 * s + 4}"
        rows.append({"kind": "statement_dismissed", "subject": subject, "value": "dismissed"})
    rows.append({"kind": "source_reliability", "subject": "Blog", "value": "D"})
    return [row | common for row in rows]


def add_sources(engine: Engine) -> list[int]:
    with transaction(engine) as session:
        return [
            repo.get_or_create_source(session, name, kind="feed", reliability=grade).id
            for name, grade in SOURCES
        ]


def fill(engine: Engine, size: Size, seed: int = 1) -> dict[str, float]:
    """Bulk-load a store of `size` with INSERTs; returns seconds per phase."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    sources = add_sources(engine)
    documents = max(1, size.statements // STATEMENTS_PER_DOCUMENT)
    now = datetime.now(UTC)
    digests = bytearray()
    with transaction(engine) as session:
        for chunk in _batches(document_rows(rng, documents, sources, now, digests), 5000):
            session.execute(insert(Blob), [blob for blob, _ in chunk])
            session.execute(insert(DocumentRow), [doc for _, doc in chunk])
        for numbers in _batches(range(1, documents + 1)):
            session.execute(insert(Cluster), [cluster_row(n, now) for n in numbers])
        session.execute(update(DocumentRow).values(cluster_id=DocumentRow.id))
        for numbers in _batches(range(1, documents + 1)):
            session.execute(insert(SignalRow), [signal_row(n) for n in numbers])
    timings["documents"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction(engine) as session:
        for chunk in _batches(thread_rows(size)):
            session.execute(insert(Thread), chunk)
        for chunk in _batches(statement_rows(rng, size, documents)):
            session.execute(insert(Statement), chunk)
        session.execute(insert(Override), override_rows(rng, digests, now))
        counted = (
            select(func.count())
            .select_from(Statement)
            .where(Statement.thread_id == Thread.id)
            .correlate(Thread)
            .scalar_subquery()
        )
        session.execute(update(Thread).values(statements=counted))
    timings["statements"] = time.perf_counter() - started
    timings["assessments"] = finish(engine, now)
    return timings


def finish(engine: Engine, now: datetime, vacuum: bool = False) -> float:
    """Every thread gets an assessment as if assessed before: one real assessment, copied;
    then the id sequences and the planner's statistics (`vacuum`: VACUUM ANALYZE, on
    PostgreSQL). Returns the seconds it took."""
    started = time.perf_counter()
    with transaction(engine) as session:
        reassess_documents(session, [1], today=TODAY)
        template = session.scalar(
            select(Thread.assessment).where(Thread.assessment.is_not(None)).limit(1)
        )
        copied = session.execute(
            select(Thread.standing, Thread.imminence, Thread.specificity)
            .where(Thread.assessment.is_not(None))
            .limit(1)
        ).one()
        session.execute(
            update(Thread)
            .where(Thread.assessment.is_(None))
            .values(
                assessment=template,
                assessed_at=now,
                version=1,
                standing=copied.standing,
                imminence=copied.imminence,
                specificity=copied.specificity,
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            # The bulk inserts gave explicit ids, which do not advance the id sequences.
            for table in ("documents", "clusters", "threads"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if vacuum else "ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def _statement_row(
    doc_id: int, seq: int, thread_id: int, actor: str, person: str, rng: random.Random
) -> dict[str, Any]:
    start = 5 * seq
    return {
        "document_id": doc_id,
        "seq": seq,
        "act": rng.choice(ACTS),
        "status": rng.choice(STATUSES),
        "duty_to_warn": rng.random() < 0.3,
        "evidence_text": "Report evidence",
        "evidence_start": 0,
        "evidence_end": 15,
        "trigger_text": "word",
        "trigger_start": start,
        "trigger_end": start + 4,
        "actor_text": actor,
        "actor_entity": actor,
        "actor_lineage": actor,
        "target_text": person,
        "target_kind": "person",
        "protectee": person,
        "link_method": "name",
        "person_named": True,
        "hedged": rng.random() < 0.5,
        "when": None,
        "where": rng.choice((None, "the port", "the capital")),
        "method": rng.choice((None, None, "car bomb")),
        "thread_id": thread_id,
    }


def new_document(
    rng: random.Random, number: int, threads: int, k: int
) -> tuple[Document, list[Finding]]:
    """A new report whose k statements each touch a different existing thread."""
    chosen = rng.sample(range(threads), k)
    sentences = []
    for index in chosen:
        actor, person = thread_parts(index)
        sentences.append(f"Officials said {actor} planned to kill {person} at the port.")
    # Words of its own, so that it is no near-duplicate of the previous new reports.
    words = words_of(rng, 40)
    body = f"New report {number}. In recent weeks {words}. " + " ".join(sentences)
    document = Document.from_text(body, source=f"new/{number}.txt", published=TODAY)
    findings = []
    for sentence, index in zip(sentences, chosen, strict=True):
        actor, person = thread_parts(index)
        at = body.index(sentence)

        def span(part: str, base: int = at, within: str = sentence) -> TextSpan:
            start = base + within.index(part)
            return TextSpan(part, start, start + len(part))

        statement = ThreatStatement(
            act="kill",
            status="planned",
            evidence=TextSpan(sentence, at, at + len(sentence)),
            trigger=span("kill"),
            actor=span(actor),
            target=span(person),
            target_kind="person",
            attribution="Officials",
            hedged=False,
            when=None,
            where="the port",
            method=None,
            motive=None,
        )
        findings.append(
            Finding(
                statement=statement,
                target=TargetLink(person, "name", None, True),
                actor=ActorLink(actor, (actor,)),
                duty_to_warn=True,
            )
        )
    return document, findings


def one_document(
    engine: Engine, fingerprinter: Fingerprinter, document: Document, findings: list[Finding]
) -> tuple[float, float, int]:
    """Wall and CPU seconds to store one document and re-assess what it touches, as ingest
    does it; and how many threads were re-assessed."""
    wall, cpu = time.perf_counter(), time.process_time()
    fingerprint = fingerprinter.fingerprint(document.text)
    with transaction(engine) as session:
        source = repo.get_or_create_source(session, "Wire A")
        result = repo.add_document_with_statements(
            session,
            document,
            findings,
            source=source,
            published=TODAY,
            fingerprint=fingerprint,
            near=fingerprinter.policy,
        )
        changes = reassess_documents(session, [result.document_id], today=TODAY)
    return time.perf_counter() - wall, time.process_time() - cpu, len(changes)


@dataclass
class Store:
    backend: str
    size: Size
    engine: Engine
    phases: dict[str, float]
    per_thread: float = 0.0
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    touched: int = 0


def measure(stores: list[Store], k: int, runs: int, seed: int = 9) -> None:
    """Round-robin over the stores, so that load from other processes on a shared machine
    falls on every size alike; the first rounds warm caches and are not counted."""
    rng = random.Random(seed)
    fingerprinter = Fingerprinter()
    for run in range(runs + WARM_UP):
        for store in stores:
            number = 10_000_000 + run
            document, findings = new_document(rng, number, store.size.threads, k)
            wall, cpu, store.touched = one_document(store.engine, fingerprinter, document, findings)
            if run >= WARM_UP:
                store.wall_ms.append(wall * 1000)
                store.cpu_ms.append(cpu * 1000)


def statements_per_thread(engine: Engine) -> float:
    with transaction(engine) as session:
        return float(
            session.scalar(select(func.avg(Thread.statements)).where(Thread.statements > 0)) or 0
        )


def sqlite_engine(folder: Path, size: Size) -> Engine:
    path = folder / f"assess-{size.threads}-{size.statements}.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def postgres_engine(size: Size) -> tuple[Engine, Engine, str] | None:
    base = os.environ.get("WATCHFLOOR_TEST_DATABASE_URL") or PG_DEFAULT
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    schema = f"wf_bench_assess_{uuid.uuid4().hex[:8]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    return admin, engine, schema


def parse_sizes(value: str) -> list[Size]:
    sizes = []
    for part in value.split(","):
        threads, statements = part.lower().split("x")
        sizes.append(Size(int(threads), int(statements)))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000x100000,10000x1000000")
    parser.add_argument("--k", type=int, default=5, help="threads the new document touches")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check")
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--fill",
        choices=("auto", "copy", "orm"),
        default="auto",
        help="copy: PostgreSQL COPY (pgfill.py); orm: bulk INSERTs; auto: copy on PostgreSQL",
    )
    args = parser.parse_args()
    from pgfill import fill_store  # pgfill builds on this module

    sizes = parse_sizes("100x2000,1000x20000" if args.quick else args.sizes)
    console = Console(width=140)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"--backends: unknown {', '.join(sorted(unknown))}; use sqlite, postgresql")
    stores: list[Store] = []
    cleanup: list[tuple[Engine, str]] = []
    with tempfile.TemporaryDirectory(prefix="wf-bench-assess-") as tmp:
        try:
            for backend in backends:
                for size in sizes:
                    if backend == "sqlite":
                        engine = sqlite_engine(Path(tmp), size)
                    else:
                        made = postgres_engine(size)
                        if made is None:
                            break
                        admin, engine, schema = made
                        cleanup.append((admin, schema))
                    console.print(f"{backend}: filling {size.label} ...", highlight=False)
                    how = "orm" if backend == "sqlite" else args.fill
                    store = Store(backend, size, engine, fill_store(engine, size, how))
                    store.per_thread = statements_per_thread(engine)
                    stores.append(store)
            for backend in backends:
                measure([s for s in stores if s.backend == backend], args.k, args.runs)
        finally:
            for store in stores:
                store.engine.dispose()
            for admin, schema in cleanup:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    report(console, stores, args.k, args.runs)


def report(console: Console, stores: list[Store], k: int, runs: int) -> None:
    table = Table(
        title=f"one new document touching {k} threads: store + re-assess + commit "
        f"(median of {runs})"
    )
    for column in (
        "backend",
        "store",
        "statements/thread",
        "fill s",
        "wall ms",
        "wall min-max",
        "cpu ms",
        "threads re-assessed",
    ):
        table.add_column(column, justify="left" if column in ("backend", "store") else "right")
    for s in stores:
        table.add_row(
            s.backend,
            s.size.label,
            f"{s.per_thread:.0f}",
            f"{sum(s.phases.values()):.0f}",
            f"{statistics.median(s.wall_ms):.1f}",
            f"{min(s.wall_ms):.0f}-{max(s.wall_ms):.0f}",
            f"{statistics.median(s.cpu_ms):.1f}",
            str(s.touched),
        )
    console.print(table)
    for backend in dict.fromkeys(s.backend for s in stores):
        mine = [s for s in stores if s.backend == backend]
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            wall = statistics.median(large.wall_ms) / statistics.median(small.wall_ms)
            cpu = statistics.median(large.cpu_ms) / statistics.median(small.cpu_ms)
            console.print(
                f"{backend}: largest/smallest store "
                f"({large.size.statements // small.size.statements}x the statements): "
                f"wall {wall:.2f}, cpu {cpu:.2f} (goal: about 1)",
                highlight=False,
            )


if __name__ == "__main__":
    main()
