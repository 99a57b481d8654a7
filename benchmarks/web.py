"""Web benchmark: median and p95 latency of the board, a protectee page, a thread page and a
search, served by `watchfloor serve`'s application, measured by a client in a second process.

    python benchmarks/web.py [--docs 10000] [--threads 5000] [--requests 200]
                             [--backends sqlite,postgresql] [--store URL] [--fill auto|copy|orm]

The store is filled with the rows benchmarks/assess.py's `fill` makes (no NLP): `--docs`
documents with 10 statements each, `--threads` threads with a stored assessment, 50 protectees.
`--fill auto` (the default) loads PostgreSQL with COPY (benchmarks/pgfill.py: secondary indexes
dropped and built again after the load; 1,000,000 documents in minutes where INSERTs took 22
minutes for 100,000) and SQLite with bulk INSERTs; `--fill orm` forces the INSERTs. The
server (uvicorn, in this process) answers a client process that logs in with an API token (a
TS-cleared reader of the own organization, so every TLP:AMBER document is readable) and asks
each page `--requests` times after a warm-up; the server-rendered HTML page and its JSON route
are both timed. PostgreSQL comes from WATCHFLOOR_TEST_DATABASE_URL (default: the local server),
in a throw-away schema; `--store URL` fills that database once and measures it again on later
runs without refilling. `--docs 100000` is the acceptance size (p95 < 200 ms).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assess import Size, postgres_engine, sqlite_engine
from pgfill import FILLS, fill_store

from watchfloor.api.identity import issue_token
from watchfloor.api.settings import identity_settings
from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.publish.readers import add_reader
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import ProtecteeRow, Thread
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user

ORG = "Bench Desk"
WARM_UP = 5


def prepare(engine: Engine, docs: int, threads: int, how: str) -> tuple[str, int]:
    """Fill the store (unless `--store` named one already filled); a reader with a token;
    returns (token, a thread id)."""
    with transaction(engine) as session:
        filled = session.scalar(select(func.count()).select_from(Thread)) or 0
    if not filled:
        phases = fill_store(engine, Size(threads, docs * 10), how)
        print(
            "fill phases (s): " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()), flush=True
        )
        with transaction(engine) as session:
            session.execute(
                insert(ProtecteeRow),
                [{"id": f"protectee-{n:03d}", "name": f"Person {n:03d}"} for n in range(50)],
            )
            add_user(session, "bench", ["admin"], email=None, by=None, policy=CasePolicy.load())
            reader = Reader("bench", "TS", nationality="USA", organization=ORG)
            add_reader(session, reader, actor="b")
    with transaction(engine) as session:
        token = issue_token(session, "bench", "bench", ["read"], identity_settings(), by="bench")
        thread_id = session.scalar(
            select(Thread.id)
            .where(Thread.statements > 0)
            .order_by(Thread.priority.desc(), Thread.id)
        )
    return token, int(thread_id or 1)


def serve(engine: Engine) -> tuple[Any, str]:
    import uvicorn

    from watchfloor.web.app import create_app

    app = create_app(engine, policy=AccessPolicy(own_organization=ORG))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def pages(thread_id: int) -> dict[str, str]:
    return {
        "board (HTML)": "/board",
        "board (API)": "/api/v1/threads",
        "protectee (HTML)": "/protectees/protectee-007",
        "protectee (API)": "/api/v1/protectees/protectee-007",
        "thread (HTML)": f"/threads/{thread_id}",
        "thread (API)": f"/api/v1/threads/{thread_id}",
        "search (HTML)": "/search?q=harbour+convoy",
        "search (API)": "/api/v1/search?q=harbour+convoy",
    }


def client(base: str, token: str, paths: dict[str, str], requests: int) -> dict[str, Any]:
    """Run in the second process: time each page; milliseconds and the largest body."""
    out: dict[str, Any] = {}
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        for name, path in paths.items():
            for _ in range(WARM_UP):
                http.get(path).raise_for_status()
            times, size = [], 0
            for _ in range(requests):
                started = time.perf_counter()
                response = http.get(path)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                size = max(size, len(response.content))
            times.sort()
            out[name] = {
                "median": statistics.median(times),
                "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
                "bytes": size,
            }
    return out


def measure(
    engine: Engine, docs: int, threads: int, requests: int, how: str = "auto"
) -> dict[str, Any]:
    started = time.perf_counter()
    token, thread_id = prepare(engine, docs, threads, how)
    filled = time.perf_counter() - started
    server, base = serve(engine)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--client", base, "--token", token,
             "--paths", json.dumps(pages(thread_id)), "--requests", str(requests)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        server.should_exit = True
    return {"fill_s": filled, "thread": thread_id, "pages": json.loads(done.stdout)}


def report(backend: str, docs: int, threads: int, result: dict[str, Any]) -> None:
    filled, thread = result["fill_s"], result["thread"]
    print(
        f"\n{backend}: {docs:,} documents, {threads:,} threads "
        f"(filled in {filled:.0f} s; thread page: {thread})"
    )
    print(f"  {'page':<18} {'median ms':>10} {'p95 ms':>8} {'largest body':>13}")
    for name, row in result["pages"].items():
        print(f"  {name:<18} {row['median']:>10.1f} {row['p95']:>8.1f} {row['bytes']:>13,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--store",
        help="a database URL to fill once and keep (a later run with it measures without "
        "filling again); default: a throw-away store per backend",
    )
    parser.add_argument(
        "--fill",
        choices=FILLS,
        default="auto",
        help="how to fill: copy (PostgreSQL COPY), orm (bulk INSERTs), auto (copy on PostgreSQL)",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--paths", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        paths = json.loads(args.paths)
        print(json.dumps(client(args.client, args.token, paths, args.requests)))
        return
    size = Size(args.threads, args.docs * 10)
    if args.store:
        engine = make_engine(args.store)
        upgrade(engine)
        result = measure(engine, args.docs, args.threads, args.requests, args.fill)
        report(engine.dialect.name, args.docs, args.threads, result)
        return
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="watchfloor-bench-web-") as folder:
                engine = sqlite_engine(Path(folder), size)
                report(
                    "SQLite",
                    args.docs,
                    args.threads,
                    measure(engine, args.docs, args.threads, args.requests, args.fill),
                )
                engine.dispose()
        elif backend == "postgresql":
            made = postgres_engine(size)
            if made is None:
                continue
            admin, engine, schema = made
            try:
                result = measure(engine, args.docs, args.threads, args.requests, args.fill)
                report("PostgreSQL", args.docs, args.threads, result)
            finally:
                engine.dispose()
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            parser.error(f"--backends: unknown backend {backend!r}; use sqlite or postgresql")


if __name__ == "__main__":
    main()
