"""Feed config, polling and URL fetching, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from watchfloor.errors import InputError
from watchfloor.ingest.feeds import (
    MAX_BACKOFF,
    FeedConfigError,
    FeedSpec,
    FeedState,
    backoff_delay,
    fetch_url,
    item_document,
    load_feeds,
    new_client,
    poll,
    poll_due,
)

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Harbour Wire</title>
  <link>http://wire.test/</link>
  <description>Port news</description>
  <item>
    <title>Two held over convoy plot</title>
    <link>http://wire.test/news/convoy-plot</link>
    <guid isPermaLink="false">wire-1001</guid>
    <pubDate>Fri, 17 May 2024 09:30:00 GMT</pubDate>
    <description>Police arrested two men near the ferry terminal.</description>
    <content:encoded><![CDATA[<p>Police arrested two men near the ferry terminal on Friday
      after a neighbour reported a van watching the chairman's house.</p>
      <p>Prosecutors say the men planned to ambush his car on the coast road.</p>]]>
    </content:encoded>
  </item>
  <item>
    <title>Flood walls approved</title>
    <link>http://wire.test/news/flood-walls</link>
    <pubDate>Thu, 16 May 2024 18:00:00 GMT</pubDate>
    <description>The water board approved new walls.</description>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Analyst notes</title>
  <id>urn:example:notes</id>
  <updated>2024-05-18T10:00:00Z</updated>
  <entry>
    <title>Surveillance of the chairman's route</title>
    <id>urn:example:notes:7</id>
    <link href="http://notes.test/7"/>
    <updated>2024-05-18T10:00:00Z</updated>
    <summary>Short summary of note seven.</summary>
    <content type="html">&lt;p&gt;The van was seen on three nights.&lt;/p&gt;</content>
  </entry>
</feed>
"""

MALFORMED = b"<?xml version='1.0'?><rss version='2.0'><channel><<<item>>> broken"

PAGE = b"""<html><head><title>Bulletin | Harbour Board</title>
<meta property="article:published_time" content="2024-05-19"></head>
<body><article><h1>Security bulletin</h1>
<p>The harbour board has raised the alert level for its offices after threats against the
chairman were made online during the past two weeks.</p>
<p>Staff are asked to report any vehicle that follows a board car to the terminal.</p>
</article></body></html>"""


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    send_length: bool = True


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                fresh = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified
                    and self.headers.get("If-Modified-Since") == route.last_modified
                )
                if fresh:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                # The client may hang up early (size limit, timeout), as intended.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def headers_of_last(self, path: str) -> dict[str, str]:
        return [headers for p, headers in self.requests if p == path][-1]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.thread.start()
    yield local
    local.httpd.shutdown()
    local.httpd.server_close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with new_client(timeout=2.0) as http:
        yield http


def feed(server: LocalServer, path: str, kind: str = "feed", interval: int = 600) -> FeedSpec:
    return FeedSpec(name=path.strip("/"), url=server.url(path), kind=kind, interval=interval)  # type: ignore[arg-type]


# --- polling feeds ---------------------------------------------------------------------


def test_rss_items(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml", etag='"v1"')
    result = poll(client, feed(server, "/rss"), FeedState(), now=NOW)
    assert result.ok and not result.not_modified and result.error is None
    assert result.status_code == 200
    first, second = result.items
    assert first.link == "http://wire.test/news/convoy-plot"
    assert first.title == "Two held over convoy plot"
    assert first.guid == "wire-1001" and first.key == "wire-1001"
    assert first.published == datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
    assert first.summary == "Police arrested two men near the ferry terminal."
    assert first.content is not None and "ambush his car" in first.content
    assert second.link == "http://wire.test/news/flood-walls"
    assert second.content is None and second.key == second.link
    assert result.state.etag == '"v1"'
    assert result.state.failures == 0
    assert result.state.next_due == NOW + timedelta(seconds=600)
    assert server.headers_of_last("/rss")["user-agent"].startswith("watchfloor/")


def test_atom_items(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/atom"] = Route(body=ATOM, content_type="application/atom+xml")
    result = poll(client, feed(server, "/atom"), now=NOW)
    assert result.ok
    (item,) = result.items
    assert item.link == "http://notes.test/7"
    assert item.guid == "urn:example:notes:7"
    assert item.published == datetime(2024, 5, 18, 10, 0, tzinfo=UTC)
    assert item.content == "<p>The van was seen on three nights.</p>"
    assert item.summary == "Short summary of note seven."


def test_item_document_from_feed_content(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml")
    spec = feed(server, "/rss")
    result = poll(client, spec, now=NOW)
    doc = item_document(result.items[0], spec)
    assert "planned to ambush his car on the coast road" in doc.text
    assert "<p>" not in doc.text
    assert doc.title == "Two held over convoy plot"
    assert doc.published is not None and doc.published.isoformat() == "2024-05-17"
    assert doc.url == "http://wire.test/news/convoy-plot"
    assert doc.site == "rss"
    # An item with no text at all has to be fetched by its link.
    bare = type(result.items[0])(link="http://wire.test/x")
    with pytest.raises(InputError, match="fetch its link"):
        item_document(bare, spec)


def test_etag_conditional_get_and_304(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml", etag='"v1"')
    spec = feed(server, "/rss")
    first = poll(client, spec, FeedState(), now=NOW)
    assert "if-none-match" not in server.headers_of_last("/rss")
    later = NOW + timedelta(seconds=600)
    second = poll(client, spec, first.state, now=later)
    assert server.headers_of_last("/rss")["if-none-match"] == '"v1"'
    assert second.ok and second.not_modified
    assert second.items == []
    assert second.status_code == 304
    assert second.state.etag == '"v1"'
    assert second.state.next_due == later + timedelta(seconds=600)
    # A changed feed answers 200 again with the new tag.
    server.routes["/rss"].etag = '"v2"'
    third = poll(client, spec, second.state, now=later)
    assert not third.not_modified and len(third.items) == 2
    assert third.state.etag == '"v2"'


def test_last_modified_conditional_get(server: LocalServer, client: httpx.Client) -> None:
    stamp = "Fri, 17 May 2024 10:00:00 GMT"
    server.routes["/atom"] = Route(
        body=ATOM, content_type="application/atom+xml", last_modified=stamp
    )
    spec = feed(server, "/atom")
    first = poll(client, spec, now=NOW)
    assert first.state.last_modified == stamp
    second = poll(client, spec, first.state, now=NOW)
    assert server.headers_of_last("/atom")["if-modified-since"] == stamp
    assert second.not_modified


def test_malformed_feed_fails_with_backoff_and_recovers(
    server: LocalServer, client: httpx.Client
) -> None:
    server.routes["/bad"] = Route(body=MALFORMED, content_type="application/rss+xml")
    spec = feed(server, "/bad", interval=600)
    first = poll(client, spec, FeedState(etag='"old"'), now=NOW)
    assert not first.ok
    assert first.error is not None and "malformed feed" in first.error
    assert first.items == []
    assert first.state.failures == 1
    assert first.state.last_error == first.error
    assert first.state.etag == '"old"'
    assert first.state.next_due == NOW + timedelta(seconds=600)
    second = poll(client, spec, first.state, now=NOW)
    assert second.state.failures == 2
    assert second.state.next_due == NOW + timedelta(seconds=1200)
    third = poll(client, spec, second.state, now=NOW)
    assert third.state.next_due == NOW + timedelta(seconds=2400)
    server.routes["/bad"] = Route(body=RSS, content_type="application/rss+xml")
    fixed = poll(client, spec, third.state, now=NOW)
    assert fixed.ok and fixed.state.failures == 0 and fixed.state.last_error is None
    assert fixed.state.next_due == NOW + timedelta(seconds=600)


def test_backoff_is_capped() -> None:
    assert backoff_delay(600, 1) == 600
    assert backoff_delay(600, 4) == 4800
    assert backoff_delay(600, 30) == MAX_BACKOFF
    assert backoff_delay(7 * 24 * 3600, 3) == 7 * 24 * 3600


def test_not_a_feed(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/html"] = Route(body=PAGE, content_type="text/html")
    result = poll(client, feed(server, "/html"), now=NOW)
    assert not result.ok
    assert result.error is not None and "not an RSS or Atom feed" in result.error


def test_slightly_broken_feed_is_recovered_with_a_warning(
    server: LocalServer, client: httpx.Client
) -> None:
    sloppy = RSS.replace(b"<title>Flood walls approved</title>", b"<title>Walls & gates</title>")
    server.routes["/sloppy"] = Route(body=sloppy, content_type="application/rss+xml")
    result = poll(client, feed(server, "/sloppy"), now=NOW)
    assert result.ok
    assert [item.title for item in result.items] == ["Two held over convoy plot", "Walls & gates"]
    assert result.warning is not None and "not well-formed" in result.warning


def test_http_500(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/down"] = Route(status=500, body=b"oops")
    result = poll(client, feed(server, "/down"), now=NOW)
    assert not result.ok
    assert result.error == "HTTP 500 Internal Server Error"
    assert result.status_code == 500
    assert result.state.failures == 1


def test_retry_after_is_respected(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/busy"] = Route(status=503, headers={"Retry-After": "7200"})
    result = poll(client, feed(server, "/busy", interval=600), now=NOW)
    assert not result.ok
    assert result.state.next_due == NOW + timedelta(seconds=7200)


@pytest.mark.parametrize("send_length", [True, False], ids=["announced", "streamed"])
def test_oversized_feed(server: LocalServer, client: httpx.Client, send_length: bool) -> None:
    body = RSS.replace(b"</channel>", b"<!--" + b"x" * 300_000 + b"--></channel>")
    server.routes["/huge"] = Route(
        body=body, content_type="application/rss+xml", send_length=send_length
    )
    result = poll(client, feed(server, "/huge"), now=NOW, max_bytes=100_000)
    assert not result.ok
    assert result.error is not None and "size limit of 100000 bytes" in result.error
    # The same feed is fine under a larger limit.
    assert poll(client, feed(server, "/huge"), now=NOW, max_bytes=1_000_000).ok


def test_feed_with_wrong_content_type(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/img"] = Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    result = poll(client, feed(server, "/img"), now=NOW)
    assert not result.ok
    assert result.error is not None and "image/png" in result.error


def test_timeout(server: LocalServer) -> None:
    server.routes["/slow"] = Route(body=RSS, content_type="application/rss+xml", delay=1.5)
    with new_client(timeout=0.3) as http:
        result = poll(http, feed(server, "/slow"), now=NOW)
    assert not result.ok
    assert result.error is not None and "timed out" in result.error


def test_connection_refused(client: httpx.Client) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = FeedSpec(name="gone", url=f"http://127.0.0.1:{port}/rss")
    result = poll(client, spec, now=NOW)
    assert not result.ok
    assert result.error is not None and "request failed" in result.error


def test_one_broken_feed_does_not_stop_the_others(
    server: LocalServer, client: httpx.Client
) -> None:
    server.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml")
    server.routes["/down"] = Route(status=500)
    server.routes["/bad"] = Route(body=MALFORMED, content_type="text/xml")
    server.routes["/atom"] = Route(body=ATOM, content_type="application/atom+xml")
    feeds = [feed(server, p) for p in ("/down", "/bad", "/rss", "/atom")]
    states = {"atom": FeedState(next_due=NOW + timedelta(seconds=60))}  # not due yet
    results = poll_due(client, feeds, states, now=NOW)
    assert [(r.feed.name, r.ok) for r in results] == [
        ("down", False),
        ("bad", False),
        ("rss", True),
    ]
    assert len(results[2].items) == 2
    assert not any(p == "/atom" for p, _ in server.requests)


def test_page_is_one_item_with_its_document(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/bulletin"] = Route(body=PAGE, content_type="text/html; charset=utf-8")
    result = poll(client, feed(server, "/bulletin", kind="page"), now=NOW)
    assert result.ok
    (item,) = result.items
    assert item.document is not None
    assert "raised the alert level" in item.document.text
    assert item.document.url == server.url("/bulletin")
    assert item.link == server.url("/bulletin")
    assert item.published == datetime(2024, 5, 19, tzinfo=UTC)
    assert item_document(item, feed(server, "/bulletin", kind="page")) is item.document


def test_page_that_is_binary_fails_without_raising(
    server: LocalServer, client: httpx.Client
) -> None:
    server.routes["/blob"] = Route(body=b"\x00\x01binary", content_type="application/octet-stream")
    result = poll(client, feed(server, "/blob", kind="page"), now=NOW)
    assert not result.ok
    assert result.error is not None and "binary" in result.error


# --- fetching one URL ------------------------------------------------------------------


def test_fetch_html_follows_redirects(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/bulletin"] = Route(body=PAGE, content_type="text/html; charset=utf-8")
    server.routes["/short"] = Route(
        status=302, headers={"Location": "/bulletin"}, content_type=None
    )
    doc = fetch_url(client, server.url("/short"))
    assert "raised the alert level" in doc.text
    assert doc.url == server.url("/bulletin")
    assert doc.source == server.url("/short")
    assert doc.content_type == "text/html"
    assert doc.raw == PAGE


def test_fetch_plain_text_and_untyped(server: LocalServer, client: httpx.Client) -> None:
    text = "Threat note: the van returned on Sunday night.\n".encode("cp1252")
    server.routes["/note"] = Route(body=text, content_type="text/plain; charset=windows-1252")
    server.routes["/untyped"] = Route(body=b"A note served without a type.", content_type=None)
    assert fetch_url(client, server.url("/note")).text.startswith("Threat note")
    untyped = fetch_url(client, server.url("/untyped"))
    assert untyped.content_type == "text/plain"


def test_fetch_errors(server: LocalServer, client: httpx.Client) -> None:
    server.routes["/img"] = Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    server.routes["/rss"] = Route(body=RSS, content_type="application/rss+xml")
    server.routes["/huge"] = Route(body=b"a " * 100_000, send_length=False)
    server.routes["/slow"] = Route(body=b"late", delay=1.5)
    with pytest.raises(InputError, match="HTTP 404") as info:
        fetch_url(client, server.url("/missing"))
    assert info.value.source == server.url("/missing")
    with pytest.raises(InputError, match="image/png is not supported"):
        fetch_url(client, server.url("/img"))
    with pytest.raises(InputError, match="feeds config"):
        fetch_url(client, server.url("/rss"))
    with pytest.raises(InputError, match="size limit of 50000 bytes"):
        fetch_url(client, server.url("/huge"), max_bytes=50_000)
    with pytest.raises(InputError, match="timed out"):
        fetch_url(client, server.url("/slow"), timeout=0.3)
    with pytest.raises(InputError, match="http"):
        fetch_url(client, "ftp://files.test/report.txt")


# --- configuration ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_feeds_with_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
feeds:
  - name: harbour-wire
    url: https://wire.example/rss.xml
    interval: 300
    source: Harbour Wire
    reliability: b
  - name: board-bulletin
    url: https://board.example/bulletin
    kind: page
    source_kind: partner
  - name: desk
    url: http://notes.example/atom
""",
    )
    wire, board, desk = load_feeds(path)
    assert wire == FeedSpec(
        name="harbour-wire",
        url="https://wire.example/rss.xml",
        kind="feed",
        interval=300,
        source="Harbour Wire",
        source_kind="feed",
        reliability="B",
    )
    assert board.kind == "page" and board.source_kind == "partner"
    assert board.reliability == "F" and board.interval == 900
    assert desk.source == "desk" and desk.source_kind == "feed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feeds: [", "not valid YAML"),
        ("- name: x\n", "'feeds' list"),
        ("feeds: []\n", "non-empty list"),
        ("feeds: [1]\n", "entry 1: expected a mapping"),
        ("feeds:\n  - url: https://a.example/\n", "entry 1: field 'name' is missing"),
        ("feeds:\n  - name: a\n", r"entry 1 \(a\): field 'url' is missing"),
        ("feeds:\n  - name: a\n    url: ftp://a.example/\n", "http:// or https://"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    kind: blog\n", "'kind'"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    interval: 5\n", "at least 60"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    interval: soon\n", "'interval'"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    reliability: G\n", "A-F"),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n    source_kind: blog\n",
            "source_kind",
        ),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    intervall: 60\n", "intervall"),
        (
            "feeds:\n  - name: a\n    url: https://a.example/\n  - name: a\n    url: https://b.example/\n",
            r"entry 2 \(a\): name already used by entry 1",
        ),
    ],
)
def test_config_errors_name_file_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FeedConfigError, match=expected) as info:
        load_feeds(path)
    assert str(path) in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(FeedConfigError, match="no such feed config"):
        load_feeds(tmp_path / "absent.yaml")
