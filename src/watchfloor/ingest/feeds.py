"""Feeds and pages to watch, polled politely; single URLs fetched for `watchfloor ingest URL`.

A feed config (YAML) lists what to poll. `poll` does one conditional GET and never raises for
network or content trouble: a failed poll comes back as a `PollResult` with the reason and an
exponential backoff, so one broken feed cannot stop the others. `fetch_url` is the strict
single-shot variant and raises `InputError`.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import httpx

from watchfloor.datafiles import read_yaml
from watchfloor.errors import FeedConfigError, InputError
from watchfloor.ingest.files import DEFAULT_MAX_BYTES, document_from_bytes
from watchfloor.ingest.guard import NonPublicAddress, public_only
from watchfloor.ingest.records import Document

FeedKind = Literal["feed", "page"]
FEED_KINDS: tuple[FeedKind, ...] = ("feed", "page")
SOURCE_KINDS = ("feed", "site", "analyst", "partner")
# Admiralty source reliability: A completely reliable ... E unreliable, F cannot be judged.
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
DEFAULT_RELIABILITY = "F"

DEFAULT_INTERVAL = 900
# Polling a site more than once a minute is impolite and never needed for news.
MIN_INTERVAL = 60
# However often a feed fails, it is tried again at least once a day (or once per interval
# for feeds polled less often than that).
MAX_BACKOFF = 24 * 3600
DEFAULT_FEED_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
USER_AGENT = "watchfloor/0.1"

_CONFIG_KEYS = ("name", "url", "kind", "interval", "source", "source_kind", "reliability")
_DOCUMENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
        "application/pdf",
    }
)
# Served for anything by some servers; the bytes decide (document_from_bytes sniffs them).
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSpec:
    """One feed or page to poll, and the source its documents are credited to."""

    name: str
    url: str
    kind: FeedKind = "feed"
    interval: int = DEFAULT_INTERVAL
    source: str = ""
    source_kind: str = "feed"
    reliability: str = DEFAULT_RELIABILITY

    def __post_init__(self) -> None:
        if not self.source:
            object.__setattr__(self, "source", self.name)


def load_feeds(path: str | Path) -> list[FeedSpec]:
    """Read and validate a feed config file; FeedConfigError names what is wrong and where.

    The file holds a mapping with one key, `feeds`, a list of entries such as::

        feeds:
          - name: harbour-wire
            url: https://wire.example/rss.xml
            kind: feed            # feed | page (default feed)
            interval: 900         # seconds between polls (default 900, at least 60)
            source: Harbour Wire  # credited source (default: the name)
            source_kind: feed     # feed | site | analyst | partner
            reliability: B        # Admiralty grade A-F (default F, cannot be judged)
    """
    path = Path(path)
    if not path.exists():
        raise FeedConfigError(f"{path}: no such feed config file; check the path")
    data = read_yaml(path, error=FeedConfigError, hint="Check the feed config path.")
    return parse_feeds(data, str(path))


def parse_feeds(data: object, origin: str = "<feeds>") -> list[FeedSpec]:
    """Validate an already-parsed config (see `load_feeds` for the layout)."""
    if not isinstance(data, dict) or "feeds" not in data:
        raise FeedConfigError(f"{origin}: expected a mapping with a 'feeds' list at the top")
    extra = sorted(str(key) for key in data if key != "feeds")
    if extra:
        raise FeedConfigError(
            f"{origin}: unknown top-level key(s) {', '.join(extra)}; only 'feeds'"
        )
    entries = data["feeds"]
    if not isinstance(entries, list) or not entries:
        raise FeedConfigError(f"{origin}: 'feeds' must be a non-empty list of entries")
    specs: list[FeedSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        spec = _parse_entry(entry, origin, number)
        if spec.name in seen:
            raise FeedConfigError(
                f"{origin}: entry {number} ({spec.name}): name already used by entry "
                f"{seen[spec.name]}; names must be unique"
            )
        seen[spec.name] = number
        specs.append(spec)
    return specs


def _parse_entry(entry: object, origin: str, number: int) -> FeedSpec:
    label = f"{origin}: entry {number}"
    if not isinstance(entry, dict):
        raise FeedConfigError(f"{label}: expected a mapping with name and url")
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        label = f"{label} ({name.strip()})"

    def fail(key: str, problem: str) -> FeedConfigError:
        return FeedConfigError(f"{label}: field '{key}' {problem}")

    unknown = sorted(str(key) for key in entry if key not in _CONFIG_KEYS)
    if unknown:
        raise FeedConfigError(
            f"{label}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_CONFIG_KEYS)}"
        )
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "is missing; give each entry a short unique name")
    url = entry.get("url")
    if not isinstance(url, str) or not url.strip():
        raise fail("url", "is missing")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail("url", f"must be an http:// or https:// address, got {url!r}")
    kind = entry.get("kind", "feed")
    if kind not in FEED_KINDS:
        raise fail("kind", f"must be one of {', '.join(FEED_KINDS)}, got {kind!r}")
    interval = entry.get("interval", DEFAULT_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < MIN_INTERVAL:
        raise fail(
            "interval",
            f"must be a whole number of seconds, at least {MIN_INTERVAL}, got {interval!r}",
        )
    source = entry.get("source", name)
    if not isinstance(source, str) or not source.strip():
        raise fail("source", "must be a non-empty name for the source")
    source_kind = entry.get("source_kind", "feed" if kind == "feed" else "site")
    if source_kind not in SOURCE_KINDS:
        raise fail("source_kind", f"must be one of {', '.join(SOURCE_KINDS)}, got {source_kind!r}")
    reliability = entry.get("reliability", DEFAULT_RELIABILITY)
    if not isinstance(reliability, str) or reliability.strip().upper() not in RELIABILITY_GRADES:
        raise fail(
            "reliability",
            f"must be an Admiralty grade A-F (F when it cannot be judged), got {reliability!r}",
        )
    return FeedSpec(
        name=name.strip(),
        url=url.strip(),
        kind=cast(FeedKind, kind),
        interval=interval,
        source=source.strip(),
        source_kind=source_kind,
        reliability=reliability.strip().upper(),
    )


# --- polling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    """What is remembered between polls of one feed (the store persists it)."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_due: datetime | None = None
    last_error: str | None = None

    def is_due(self, now: datetime) -> bool:
        return self.next_due is None or self.next_due <= now


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, or the whole page for a `page` feed (then `document` is set)."""

    link: str | None
    title: str | None = None
    published: datetime | None = None
    summary: str | None = None
    content: str | None = None
    guid: str | None = None
    document: Document | None = field(default=None, repr=False)

    @property
    def key(self) -> str | None:
        """A stable identity for "have we seen this item": the guid, else the link."""
        return self.guid or self.link


@dataclass(frozen=True)
class PollResult:
    """The outcome of one poll. `state` is the state to keep for the next one."""

    feed: FeedSpec
    state: FeedState
    ok: bool
    not_modified: bool = False
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    status_code: int | None = None
    url: str | None = None


class _FetchError(Exception):
    def __init__(self, reason: str, status_code: int | None = None, retry_after: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Fetched:
    status_code: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def mime(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def new_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An httpx client set up for polling: timeouts, redirects followed, our User-Agent, and
    every request (each redirect too) refused unless its host is a public address."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [lambda request: public_only(str(request.url))]},
    )


def poll(
    client: httpx.Client,
    feed: FeedSpec,
    state: FeedState | None = None,
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_FEED_MAX_BYTES,
) -> PollResult:
    """Poll one feed or page once. Never raises for network, HTTP or content problems."""
    state = state or FeedState()
    now = now or datetime.now(UTC)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        fetched = _download(client, feed.url, headers, max_bytes, accept_not_modified=True)
        if fetched.status_code == 304:
            return PollResult(
                feed,
                dataclasses.replace(
                    state, failures=0, next_due=_after(now, feed.interval), last_error=None
                ),
                ok=True,
                not_modified=True,
                status_code=304,
                url=fetched.url,
            )
        if feed.kind == "page":
            items, warning = [_page_item(fetched, max_bytes)], None
        else:
            items, warning = _feed_items(fetched)
    except _FetchError as exc:
        return _failed(feed, state, now, exc)
    new_state = FeedState(
        etag=fetched.headers.get("etag") or state.etag,
        last_modified=fetched.headers.get("last-modified") or state.last_modified,
        failures=0,
        next_due=_after(now, feed.interval),
    )
    return PollResult(
        feed,
        new_state,
        ok=True,
        items=items,
        warning=warning,
        status_code=fetched.status_code,
        url=fetched.url,
    )


def poll_due(
    client: httpx.Client,
    feeds: Iterable[FeedSpec],
    states: Mapping[str, FeedState],
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_FEED_MAX_BYTES,
) -> list[PollResult]:
    """Poll every feed whose state is due (keyed by feed name); failures do not stop the rest."""
    now = now or datetime.now(UTC)
    results = []
    for feed in feeds:
        state = states.get(feed.name, FeedState())
        if state.is_due(now):
            results.append(poll(client, feed, state, now=now, max_bytes=max_bytes))
    return results


def backoff_delay(interval: int, failures: int) -> int:
    """Seconds to wait after `failures` failures in a row: the interval, doubled per failure."""
    ceiling = max(MAX_BACKOFF, interval)
    return int(min(interval * 2 ** max(failures - 1, 0), ceiling))


def _failed(feed: FeedSpec, state: FeedState, now: datetime, exc: _FetchError) -> PollResult:
    failures = state.failures + 1
    delay = backoff_delay(feed.interval, failures)
    if exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, MAX_BACKOFF))
    new_state = dataclasses.replace(
        state, failures=failures, next_due=_after(now, delay), last_error=exc.reason
    )
    return PollResult(feed, new_state, ok=False, error=exc.reason, status_code=exc.status_code)


def _after(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)


def _feed_items(fetched: _Fetched) -> tuple[list[FeedItem], str | None]:
    import feedparser

    mime = fetched.mime
    if not (mime in _UNTYPED or mime.startswith("text/") or "xml" in mime or "rss" in mime):
        raise _FetchError(
            f"content type {mime} is not a feed; expected RSS or Atom XML", fetched.status_code
        )
    try:
        parsed = feedparser.parse(
            _no_surrogate_refs(fetched.body),
            response_headers={
                "content-type": fetched.headers.get("content-type", ""),
                "content-location": fetched.url,
            },
        )
    except Exception as exc:  # the parser's own bug on one feed fails that feed alone
        raise _FetchError(f"the feed cannot be parsed ({type(exc).__name__}: {exc})") from None
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # feedparser's lenient parser recovers entries from slightly broken XML (an unescaped &
    # is common); those are kept and the problem reported. Entries with nothing to read or
    # follow are what it makes of garbage, so they are dropped.
    items = [_entry_item(entry) for entry in parsed.get("entries", [])]
    items = [item for item in items if item.link or item.content or item.summary]
    if not items and not parsed.get("version"):
        detail = f": {problem}" if problem else ""
        raise _FetchError(f"not an RSS or Atom feed{detail}", fetched.status_code)
    if not items and problem is not None:
        raise _FetchError(f"malformed feed: {problem}", fetched.status_code)
    warning = f"feed is not well-formed, entries recovered: {problem}" if problem else None
    return items, warning


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _no_surrogate_refs(body: bytes) -> bytes:
    """The feed with character references to lone surrogates (no character at all) turned
    into U+FFFD, which XML parsers and databases take."""

    def fix(match: re.Match[bytes]) -> bytes:
        hex_digits, decimal = match.groups()
        code = int(hex_digits, 16) if hex_digits else int(decimal)
        return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group(0)

    return _CHAR_REF.sub(fix, body)


def _entry_item(entry: Any) -> FeedItem:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
    except (ValueError, OverflowError, OSError, TypeError):
        published = None  # a date no calendar has (year 0): the item is still news
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    return FeedItem(
        link=entry.get("link") or None,
        title=entry.get("title") or None,
        published=published,
        summary=entry.get("summary") or None,
        content="\n".join(contents) or None,
        guid=entry.get("id") or None,
    )


def _page_item(fetched: _Fetched, max_bytes: int) -> FeedItem:
    try:
        document = _to_document(fetched, fetched.url, max_bytes)
    except InputError as exc:
        raise _FetchError(exc.problem, fetched.status_code) from None
    published = (
        datetime(
            document.published.year, document.published.month, document.published.day, tzinfo=UTC
        )
        if document.published
        else None
    )
    return FeedItem(
        link=fetched.url,
        title=document.title,
        published=published,
        content=document.text,
        document=document,
    )


def item_document(item: FeedItem, feed: FeedSpec, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """A Document from a feed item's own content (or summary), for feeds that carry the text.

    Raises InputError when the item carries no text; then fetch `item.link` with `fetch_url`.
    """
    if item.document is not None:
        return item.document
    source = item.link or f"{feed.url}#{item.guid or item.title or 'item'}"
    body = item.content or item.summary
    if not body or not body.strip():
        raise InputError(source, "feed item carries no text; fetch its link instead")
    document = document_from_bytes(
        body.encode("utf-8"), source, "text/html; charset=utf-8", max_bytes=max_bytes, url=item.link
    )
    return dataclasses.replace(
        document,
        title=item.title or document.title,
        published=item.published.date() if item.published else document.published,
        site=feed.source,
    )


# --- fetching -------------------------------------------------------------------------------


def fetch_url(
    client: httpx.Client,
    url: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    timeout: float | None = None,
) -> Document:
    """Download one page or file (HTML, text or PDF) into a Document; raises InputError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(url, "is not an http:// or https:// address")
    try:
        fetched = _download(client, url, {}, max_bytes, timeout=timeout)
    except _FetchError as exc:
        raise InputError(url, exc.reason) from None
    return _to_document(fetched, url, max_bytes)


def _to_document(fetched: _Fetched, source: str, max_bytes: int) -> Document:
    mime = fetched.mime
    if mime not in _DOCUMENT_TYPES and mime not in _UNTYPED:
        hint = (
            "; add RSS/Atom feeds to the feeds config and watch them instead"
            if "xml" in mime or "rss" in mime or "atom" in mime
            else ""
        )
        raise InputError(
            source,
            f"content type {mime} is not supported; watchfloor reads HTML, text and PDF{hint}",
        )
    content_type = fetched.headers.get("content-type") if mime not in _UNTYPED else None
    return document_from_bytes(
        fetched.body, source, content_type, max_bytes=max_bytes, url=fetched.url
    )


def _download(
    client: httpx.Client,
    url: str,
    headers: Mapping[str, str],
    max_bytes: int,
    *,
    accept_not_modified: bool = False,
    timeout: float | None = None,
) -> _Fetched:
    """GET with redirects followed, stopping as soon as the body passes `max_bytes`."""
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    try:
        public_only(url)  # also for clients made elsewhere, which lack new_client's hook
        with client.stream(
            "GET", url, headers=dict(headers), follow_redirects=True, **extra
        ) as response:
            final = str(response.url)
            status = response.status_code
            if status == 304 and accept_not_modified:
                return _Fetched(status, response.headers, b"", final)
            if status >= 400 or status == 304:
                raise _FetchError(
                    f"HTTP {status} {response.reason_phrase}".strip(),
                    status,
                    _retry_after(response.headers.get("retry-after")),
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise _FetchError(
                    f"response announces {declared} bytes, over the size limit of "
                    f"{max_bytes} bytes",
                    status,
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise _FetchError(
                        f"response is over the size limit of {max_bytes} bytes "
                        f"(stopped after {len(body)} bytes)",
                        status,
                    )
            return _Fetched(status, response.headers, bytes(body), final)
    except httpx.TimeoutException as exc:
        raise _FetchError(
            f"timed out ({type(exc).__name__}); the server did not answer in time"
        ) from None
    except httpx.TooManyRedirects:
        raise _FetchError("too many redirects") from None
    except NonPublicAddress as exc:
        raise _FetchError(str(exc)) from None
    except httpx.HTTPError as exc:
        raise _FetchError(f"request failed ({type(exc).__name__}: {exc})") from None


def _retry_after(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None
