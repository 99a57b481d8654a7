"""`watchfloor watch`: poll the configured feeds and pages, ingest what is new, remember state.

Polling itself (conditional GET, parsing, backoff) is watchfloor.ingest.feeds; this module
keeps each feed's state (etag, last_modified, failures, next_due, items seen) in the store and
hands new items to the Ingestor. A feed that is down or malformed is logged with its name and
backed off; the other feeds go on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from watchfloor.errors import PipelineNotFound
from watchfloor.ingest import feeds as feedlib
from watchfloor.ingest.ingestion import Ingestor, Item, Outcome, SourceSpec
from watchfloor.ingest.records import Document
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction

log = logging.getLogger(__name__)


@dataclass
class FeedReport:
    """What one feed did in one round."""

    name: str
    polled: bool
    ok: bool = True
    error: str | None = None
    warning: str | None = None
    next_due: datetime | None = None
    outcomes: list[Outcome] = field(default_factory=list)


def _to_poll_state(memory: repo.FeedMemory) -> feedlib.FeedState:
    return feedlib.FeedState(
        etag=memory.etag,
        last_modified=memory.last_modified,
        failures=memory.failures,
        next_due=memory.next_due_at,
        last_error=memory.last_error,
    )


def _item_loader(
    client: httpx.Client, feed: feedlib.FeedSpec, item: feedlib.FeedItem, max_bytes: int
) -> Callable[[], Document]:
    def load() -> Document:
        # A feed's own full content is used as is; a summary-only entry is fetched from its
        # link, because summaries are teasers that cut the sentences that matter.
        if item.document is not None or item.content or not item.link:
            return feedlib.item_document(item, feed, max_bytes)
        document = feedlib.fetch_url(client, item.link, max_bytes)
        if document.published is None and item.published is not None:
            document = dataclasses.replace(document, published=item.published.date())
        return document

    return load


def watch_round(
    engine: Engine,
    client: httpx.Client,
    feeds: list[feedlib.FeedSpec],
    make_ingestor: Callable[[SourceSpec], Ingestor],
    *,
    now: datetime | None = None,
    max_bytes: int = feedlib.DEFAULT_MAX_BYTES,
) -> Iterator[FeedReport]:
    """Poll every feed that is due, ingest its new items, persist its state; one report each.

    A feed that fails in a way nobody foresaw (a parser bug, a value no database takes) is
    reported as failed and the round goes on to the next feed."""
    now = now or datetime.now(UTC)
    for feed in feeds:
        try:
            yield _watch_one(engine, client, feed, make_ingestor, now, max_bytes)
        except PipelineNotFound:
            raise  # configuration, not a bad feed: stop and say so
        except Exception as exc:
            log.exception("feed %s (%s) failed unexpectedly", feed.name, feed.url)
            yield FeedReport(feed.name, polled=True, ok=False, error=f"{type(exc).__name__}: {exc}")


def _watch_one(
    engine: Engine,
    client: httpx.Client,
    feed: feedlib.FeedSpec,
    make_ingestor: Callable[[SourceSpec], Ingestor],
    now: datetime,
    max_bytes: int,
) -> FeedReport:
    with transaction(engine) as session:
        memory = repo.load_feed_state(session, feed.name, feed.url)
    state = _to_poll_state(memory)
    if not state.is_due(now):
        return FeedReport(feed.name, polled=False, next_due=state.next_due)
    result = feedlib.poll(client, feed, state, now=now)
    report = FeedReport(
        feed.name,
        polled=True,
        ok=result.ok,
        error=result.error,
        warning=result.warning,
        next_due=result.state.next_due,
    )
    if not result.ok:
        log.warning(
            "feed %s (%s) failed %d time(s) in a row: %s; next try %s",
            feed.name,
            feed.url,
            result.state.failures,
            result.error,
            result.state.next_due,
        )
    elif result.warning:
        log.warning("feed %s (%s): %s", feed.name, feed.url, result.warning)
    new_keys: list[str] = []
    if result.ok and result.items:
        source = SourceSpec(
            feed.source, kind=feed.source_kind, reliability=feed.reliability, url=feed.url
        )
        items: list[Item] = []
        for item in result.items:
            key = _text(item.key) if item.key is not None else None
            # A watched page keeps its address while its content changes; only an exact
            # repeat of its bytes (the sha256 check) makes it old news.
            if feed.kind == "feed" and key is not None:
                if key in memory.seen:
                    continue
                new_keys.append(key)
            location = _text(item.link or f"{feed.url}#{key or item.title or 'item'}")
            items.append(Item(location, _item_loader(client, feed, item, max_bytes), None, source))
        report.outcomes = list(make_ingestor(source).run(items))
    memory.etag = result.state.etag
    memory.last_modified = result.state.last_modified
    memory.failures = result.state.failures
    memory.last_error = result.state.last_error
    memory.next_due_at = result.state.next_due
    memory.last_polled_at = now
    if result.ok:
        memory.last_success_at = now
    # Saved after the items: a round killed half way polls again and finds the stored
    # items as repeats, instead of marking unstored items as seen.
    with transaction(engine) as session:
        repo.save_feed_state(session, memory, new_keys)
    return report


def _text(value: str) -> str:
    """A feed's string as a database takes it: a lone surrogate becomes U+FFFD."""
    return value.encode("utf-8", "replace").decode("utf-8")
