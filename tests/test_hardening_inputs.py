"""Issue 14, bad input 12-14: one bad feed, item or text stops nothing, and each says what is
wrong in one clear line instead of a traceback."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from watchfloor.ingest.feeds import FeedSpec, new_client
from watchfloor.ingest.ingestion import Ingestor, SourceSpec
from watchfloor.ingest.records import Document
from watchfloor.ingest.watching import watch_round
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Document as StoredDocument
from watchfloor.store.models import Failure

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


PARA = (
    "The regional desk reviewed the week's reporting on the coastal province in detail. "
    "Officials described the situation in the port city as tense but under control. "
)


def rss(*items: str) -> bytes:
    wrapped = [
        item.replace(
            "<content:encoded>{PARA}", f"<content:encoded><![CDATA[<p>{PARA}</p><p>"
        ).replace("</content:encoded>", "</p>]]></content:encoded>")
        for item in items
    ]
    body = "".join(f"<item>{item}</item>" for item in wrapped)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
        f"<link>http://example.org/</link><description>d</description>{body}</channel></rss>"
    ).encode()


YEAR_ZERO = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>t</title><id>urn:t</id><updated>2026-03-10T00:00:00Z</updated>"
    "<entry><title>Old news</title><id>urn:zero</id><updated>0000-01-01T00:00:00Z</updated>"
    f'<content type="html"><![CDATA[<p>{PARA}</p><p>A plan to attack the convoy.</p>]]>'
    "</content></entry></feed>"
).encode()
SURROGATE = rss(
    "<title>Odd &#xD800; title</title>"
    "<guid isPermaLink='false'>odd&#xD800;</guid>"
    "<content:encoded>{PARA}Text with a lone &#xD800; surrogate.</content:encoded>",
    "<title>Fine</title><guid isPermaLink='false'>fine</guid>"
    "<content:encoded>{PARA}A plain report about a threat to the minister.</content:encoded>",
)
GOOD = rss(
    "<title>Good</title><guid isPermaLink='false'>good</guid>"
    "<content:encoded>{PARA}The militia threatened the governor.</content:encoded>"
)


@pytest.fixture
def feeds_server() -> Iterator[str]:
    routes = {"/zero": YEAR_ZERO, "/odd": SURROGATE, "/good": GOOD}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


# --- 12: watch isolates every feed and item -------------------------------------------------


def test_a_year_zero_date_or_a_lone_surrogate_stops_no_feed(db: Engine, feeds_server: str) -> None:
    feeds = [
        FeedSpec(name=name, url=f"{feeds_server}/{name}", kind="feed", interval=600)
        for name in ("zero", "odd", "good")
    ]

    def make_ingestor(source: SourceSpec) -> Ingestor:
        return Ingestor(db, source, analyze=None)

    with new_client(timeout=5.0) as client:
        reports = list(watch_round(db, client, feeds, make_ingestor, now=NOW))
    assert [r.name for r in reports] == ["zero", "odd", "good"]
    assert all(r.polled for r in reports)
    with transaction(db) as s:
        titles = set(s.scalars(select(StoredDocument.title)))
        failures = list(s.scalars(select(Failure.reason)))
    assert {"Old news", "Fine", "Good", "Odd \ufffd title"} <= titles, failures
    assert all(r.ok for r in reports)


def test_a_year_zero_date_alone_leaves_the_item_undated(feeds_server: str) -> None:
    from watchfloor.ingest.feeds import poll

    spec = FeedSpec(name="zero", url=f"{feeds_server}/zero", kind="feed", interval=600)
    with new_client(timeout=5.0) as client:
        result = poll(client, spec, now=NOW)
    assert result.ok and [i.title for i in result.items] == ["Old news"]
    assert result.items[0].published is None


def test_an_input_whose_reader_fails_unexpectedly_is_quarantined_alone(db: Engine) -> None:
    from watchfloor.ingest.ingestion import Item

    def broken() -> Document:
        raise RuntimeError("a reader bug")

    good = "A plain report about the port, long enough to be a document on its own."
    items = [
        Item("broken.txt", broken),
        Item("good.txt", lambda: Document.from_text(good, source="good.txt")),
    ]
    outcomes = list(Ingestor(db, SourceSpec("files", kind="analyst"), analyze=None).run(items))
    assert [(o.location, o.status) for o in outcomes] == [
        ("broken.txt", "failed"),
        ("good.txt", "stored"),
    ]
    with transaction(db) as s:
        [reason] = s.scalars(select(Failure.reason))
    assert "RuntimeError: a reader bug" in reason


# --- 13: long texts are read in pieces ------------------------------------------------------

THREAT = "Al-Shabaab threatened to kill Amara Okafor in Mombasa next week."


def test_a_text_longer_than_the_pipeline_takes_is_read_in_pieces() -> None:
    from watchfloor.pipeline import Analyzer

    analyzer = Analyzer(finder="rules")
    nlp = analyzer.extractor.nlp
    before = nlp.max_length
    filler = "\n\n".join(
        f"Paragraph {i} says nothing about anyone at all today." for i in range(120)
    )
    text = filler + "\n\n" + THREAT + "\n\n" + filler + "\n\n" + THREAT
    nlp.max_length = 2000  # as a 1,000,001-character text meets the default, without the wait
    try:
        findings = analyzer.analyze(Document.from_text(text, source="long.txt"), date(2026, 3, 1))
    finally:
        nlp.max_length = before
    assert len(text) > 4 * 2000
    assert len(findings) == 2
    for f in findings:
        e = f.statement.evidence
        assert text[e.start : e.end] == e.text  # offsets are into the whole text
        t = f.statement.trigger
        assert text[t.start : t.end] == t.text


def test_pieces_cover_the_text_and_respect_the_size() -> None:
    from watchfloor.pipeline import chunks

    text = ("word " * 50 + "\n\n") * 40 + "x" * 700
    pieces = chunks(text, 500)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 500 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)


# --- 14: messages, not tracebacks -----------------------------------------------------------


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment["WATCHFLOOR_HOME"] = str(tmp_path / "home")
    environment["WATCHFLOOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_clear_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error:"), result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_a_watchlist_with_a_number_for_a_top_level_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text("protectees: []\n1: x\nzz: y\n", encoding="utf-8")
    one_clear_error(cli(tmp_path, "watchlist", "load", str(path)), "watchlist.yaml", "field 1")


def test_a_search_with_300_ors_is_refused_in_words(db: Engine, tmp_path: Path) -> None:
    query = " OR ".join(f"w{i}" for i in range(300))
    one_clear_error(cli(tmp_path, "search", query), "fewer")


def test_a_bad_port_in_the_database_url_is_named_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u:hunter2@localhost:54x/db"
    result = cli(tmp_path, "documents", WATCHFLOOR_DATABASE_URL=url)
    one_clear_error(result, "not a database URL")
    assert "hunter2" not in result.stderr
