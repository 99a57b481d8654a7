"""`watchfloor init / ingest / watch / documents / statements / search` as a user runs them:
in a subprocess, against SQLite and PostgreSQL (the `backend` fixture)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import Backend
from sqlalchemy import func, select, text

from watchfloor.link import TargetLink
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.models import Document as DocumentRow
from watchfloor.store.models import FeedState

WORDS = [
    "harbour",
    "council",
    "ferry",
    "lighthouse",
    "budget",
    "minister",
    "envoy",
    "convoy",
    "border",
    "patrol",
    "market",
    "weather",
    "storm",
    "bridge",
    "tunnel",
    "railway",
    "station",
    "airport",
    "embassy",
    "consulate",
    "report",
    "officials",
    "meeting",
    "summit",
    "election",
    "court",
    "judge",
    "police",
    "guard",
    "river",
    "valley",
    "mountain",
    "village",
    "city",
]


def run(
    backend: Backend, home: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        env=backend.env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def synthetic_reports(folder: Path, count: int, seed: int = 1) -> dict[str, str]:
    """`count` distinct invented reports in nested folders; returns sha256 -> file name."""
    rng = random.Random(seed)
    shas = {}
    for number in range(count):
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        body = f"Report {number}.\n\n{words.capitalize()}.\n"
        path = folder / f"batch{number % 7}" / f"report{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        shas[hashlib.sha256(body.encode()).hexdigest()] = path.name
    return shas


def stored_shas(backend: Backend) -> list[str]:
    engine = make_engine(backend.url, immediate=False)
    try:
        with transaction(engine) as session:
            return list(session.scalars(select(DocumentRow.sha256)).all())
    finally:
        engine.dispose()


def test_init_creates_upgrades_and_refuses_a_newer_store(backend: Backend, tmp_path: Path) -> None:
    first = run(backend, tmp_path, "init")
    assert first.returncode == 0, first.stderr
    assert "created the store" in first.stdout
    again = run(backend, tmp_path, "init")
    assert again.returncode == 0 and "up to date" in again.stdout
    engine = make_engine(backend.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff0000ffff'"))
    engine.dispose()
    for command in (["init"], ["documents"], ["ingest", str(tmp_path)]):
        refused = run(backend, tmp_path, *command)
        assert refused.returncode == 2, command
        assert "ffff0000ffff" in refused.stderr and "newer watchfloor" in refused.stderr


def test_ingest_a_folder_repeats_failures_and_retry(backend: Backend, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shas = synthetic_reports(inbox, 12)
    (inbox / "batch0" / "blank.txt").write_text("   \n")
    (inbox / "batch1" / "photo.html").write_bytes(b"\xff\xd8\xff\xe0" + bytes(300))
    home = tmp_path / "home"

    result = run(backend, home, "ingest", str(inbox), "--no-extract", "--source", "Desk")
    assert result.returncode == 0, result.stderr
    assert "12 stored, 0 repeats, 2 failed, 0 statements" in result.stdout
    assert "blank.txt" in result.stderr and "photo.html" in result.stderr
    assert sorted(stored_shas(backend)) == sorted(shas)

    again = run(backend, home, "ingest", str(inbox), "--no-extract")
    assert again.returncode == 0
    assert "0 stored, 12 repeats, 2 failed" in again.stdout

    listed = run(backend, home, "ingest", "--failed", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {Path(r["location"]).name: r["attempts"] for r in rows} == {
        "blank.txt": 2,
        "photo.html": 2,
    }
    assert all(r["source"] == "Desk" for r in rows)

    # Nothing at all ingested from these inputs: the only case with a failing exit code.
    only_bad = run(backend, home, "ingest", str(inbox / "batch0" / "blank.txt"), "--no-extract")
    assert only_bad.returncode == 1
    assert run(backend, home, "ingest", str(tmp_path / "nowhere"), "--no-extract").returncode == 1

    (inbox / "batch0" / "blank.txt").write_text("Guards reported a threat against the envoy.\n")
    retried = run(backend, home, "ingest", "--retry", "--no-extract")
    assert retried.returncode == 0, retried.stderr
    assert "1 stored, 0 repeats, 1 failed" in retried.stdout
    still = json.loads(run(backend, home, "ingest", "--failed", "--format", "json").stdout)
    assert [Path(r["location"]).name for r in still] == ["photo.html"]

    docs = json.loads(
        run(backend, home, "documents", "--source", "Desk", "--format", "json").stdout
    )
    assert len(docs) == 13 and all(d["marking"] == "TLP:AMBER" for d in docs)
    assert all(d["analyzed"] is False for d in docs)


def test_killed_ingest_resumes_with_every_document_exactly_once(
    backend: Backend, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    # Enough that the ingest is still running when 50 are stored (the kill lands with hundreds
    # to go); every document past that is only re-ingested time.
    shas = synthetic_reports(inbox, 600, seed=2)
    home = tmp_path / "home"
    assert run(backend, home, "init").returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "watchfloor.cli", "ingest", str(inbox), "--no-extract"],
        env=backend.env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = make_engine(backend.url, immediate=False)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline:
            with transaction(engine) as session:
                stored = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
            if stored >= 50:
                break
            time.sleep(0.02)
        assert process.poll() is None, "ingest finished before it could be killed; add documents"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        engine.dispose()
    part = stored_shas(backend)
    assert 50 <= len(part) < len(shas), "the kill did not land part way"

    rerun = run(backend, home, "ingest", str(inbox), "--no-extract")
    assert rerun.returncode == 0, rerun.stderr
    final = stored_shas(backend)
    assert len(final) == len(set(final)) == len(shas)
    assert set(final) == set(shas)
    repeats = int(rerun.stdout.split(" repeats")[0].rsplit(" ", 1)[-1])
    assert repeats >= len(part)


# --- queries through the CLI ----------------------------------------------------------------


@pytest.fixture
def filled_home(backend: Backend, tmp_path: Path) -> Path:
    """A store with two invented reports and their statements, written through the repository."""
    from test_store import PLOT, SURVEIL, add, doc, finding

    from watchfloor.store.migrate import upgrade

    engine = make_engine(backend.url)
    upgrade(engine)
    add(engine, doc(PLOT, "plot.txt", date(2031, 3, 14)), [finding(PLOT)])
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
    )
    add(engine, doc(SURVEIL, "surveil.txt", date(2031, 4, 20)), [surveil], source="Court Desk")
    engine.dispose()
    return tmp_path


def test_statements_documents_and_search_commands(backend: Backend, filled_home: Path) -> None:
    def as_json(*args: str) -> list[dict[str, object]]:
        result = run(backend, filled_home, *args, "--format", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    every = as_json("statements")
    assert [s["act"] for s in every] == ["surveil", "kill"]
    assert [s["act"] for s in as_json("statements", "--protectee", "ada-vance")] == ["kill"]
    assert [s["act"] for s in as_json("statements", "--actor", "Eastern Alliance")] == ["kill"]
    assert [s["act"] for s in as_json("statements", "--act", "surveil")] == ["surveil"]
    assert as_json("statements", "--status", "foiled") == []
    assert [s["act"] for s in as_json("statements", "--since", "2031-04-01")] == ["surveil"]
    assert [s["act"] for s in as_json("statements", "--until", "2031-03-31")] == ["kill"]
    assert [s["act"] for s in as_json("statements", "--source", "Court Desk")] == ["surveil"]
    assert [s["act"] for s in as_json("statements", "--warn")] == ["kill"]
    kill = every[1]
    assert kill["target"] == {
        "text": "Governor Ada Vance",
        "protectee": "ada-vance",
        "basis": "name",
        "confidence": TargetLink("ada-vance", "name").confidence,
    }
    assert kill["duty_to_warn"] is True and kill["when"] == "2031-03"

    docs = as_json("documents", "--protectee", "tomas-ferreira")
    assert [d["location"] for d in docs] == ["surveil.txt"]
    hits = as_json("search", "governor")
    assert [h["location"] for h in hits] == ["plot.txt"]
    assert as_json("search", "governor", "--source", "Court Desk") == []

    table = run(backend, filled_home, "statements", "--protectee", "ada-vance")
    assert table.returncode == 0 and "ada-vance" in table.stdout and "1 threat" in table.stdout
    bad = run(backend, filled_home, "statements", "--act", "explode")
    assert bad.returncode == 2 and "kill, kidnap" in bad.stderr
    bad_day = run(backend, filled_home, "documents", "--since", "March")
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr


def test_query_commands_on_a_missing_store_say_how_to_create_it(tmp_path: Path) -> None:
    env = dict(os.environ, WATCHFLOOR_HOME=str(tmp_path))
    env.pop("WATCHFLOOR_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", "documents"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "watchfloor init" in result.stderr


# --- watch ----------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A local web server with an RSS feed, the two articles it links, and a broken feed."""
    root = tmp_path / "site"
    root.mkdir()
    articles = {
        "first.html": "Officials said a militia had threatened to kill the harbour master.",
        "second.html": "Police foiled a plan to kidnap the visiting trade envoy on Friday.",
    }
    for name, body in articles.items():
        (root / name).write_text(
            f"<html><head><title>{name}</title></head><body><article><p>{body}</p>"
            f"<p>{body} Further details were not released.</p></article></body></html>"
        )

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def guess_type(self, path: str | os.PathLike[str]) -> str:
            return "application/rss+xml" if str(path).endswith(".xml") else "text/html"

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    items = "".join(
        f"<item><title>{name}</title><link>{base}/{name}</link><guid>{name}</guid>"
        f"<description>teaser</description></item>"
        for name in articles
    )
    (root / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}'
        "</channel></rss>"
    )
    (root / "broken.xml").write_text("this is not a feed at all, just words")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()


def test_watch_once_ingests_new_items_and_survives_broken_feeds(
    backend: Backend, tmp_path: Path, site: str
) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n"
        f"  - {{name: down, url: 'http://127.0.0.1:9/rss.xml', interval: 300}}\n"
        f"  - {{name: wire, url: '{site}/rss.xml', reliability: B, interval: 600}}\n"
        f"  - {{name: broken, url: '{site}/broken.xml', interval: 300}}\n"
    )
    home = tmp_path / "home"
    first = run(backend, home, "watch", "--config", str(config), "--once", "--no-extract")
    assert first.returncode == 0, first.stderr
    assert "2 stored" in first.stdout
    assert "down" in first.stderr and "broken" in first.stderr

    engine = make_engine(backend.url, immediate=False)
    with transaction(engine) as session:
        states = {s.name: s for s in session.scalars(select(FeedState)).all()}
        assert states["wire"].failures == 0 and states["wire"].last_modified
        assert states["down"].failures == 1 and states["down"].last_error
        assert states["broken"].failures == 1 and "feed" in (states["broken"].last_error or "")
        assert all(s.next_due_at is not None for s in states.values())
        sources = {
            d.source.name: d.source.reliability for d in session.scalars(select(DocumentRow))
        }
        assert sources == {"wire": "B"}
    engine.dispose()

    # Nothing is due yet: a second round polls nothing and stores nothing.
    second = run(backend, home, "watch", "--config", str(config), "--once", "--no-extract")
    assert second.returncode == 0 and "0 stored, 0 repeats, 0 failed" in second.stdout


# --- with the NLP pipeline ------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_extracted(seed_path: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """`watchfloor extract` on the seed, once: it reads no store, so both backends compare
    their ingest with the same output."""
    env = dict(os.environ, WATCHFLOOR_HOME=str(tmp_path_factory.mktemp("extract-home")))
    extracted = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", "extract", str(seed_path), "--published",
         "2020-09-14", "--format", "jsonl"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert extracted.returncode == 0, extracted.stderr
    return [json.loads(line) for line in extracted.stdout.splitlines()]


@pytest.mark.slow
@pytest.mark.shared
def test_ingest_stores_the_statements_extract_finds(
    backend: Backend, tmp_path: Path, seed_path: Path, seed_extracted: list[Any]
) -> None:
    seed = str(seed_path)
    expected = seed_extracted
    assert expected, "the seed article has threat statements"
    result = run(backend, tmp_path, "ingest", seed, "--published", "2020-09-14", timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"1 stored, 0 repeats, 0 failed, {len(expected)} statements" in result.stdout
    stored = json.loads(run(backend, tmp_path, "statements", "--format", "json").stdout)
    contract_keys = expected[0].keys()
    assert [{k: s[k] for k in contract_keys} for s in stored] == expected
