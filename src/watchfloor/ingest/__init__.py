"""ingest: files, URLs, feeds and STIX bundles become Documents, and Documents go into the store.

- records: `Document`, the vocabulary every later stage reads.
- files, feeds, folders, guard, dating, dedup: reading and checking what comes in.
- ingestion: `Ingestor` runs items through analysis into the store, one transaction per document.
- watching: `watch_round` polls the feeds and hands new items to the Ingestor.
- neardup: `Fingerprinter`, near-duplicate detection over MinHash signatures.

The ingestion names load on first use (module `__getattr__`): they import the store, and the
store imports `ingest.records`, so loading them eagerly here would make an import circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.ingest.records import Document
from watchfloor.lazy import lazy_attribute

if TYPE_CHECKING:
    from watchfloor.ingest.ingestion import (
        Ingestor,
        Item,
        Outcome,
        SourceSpec,
        Summary,
        file_item,
        retry_items,
    )
    from watchfloor.ingest.neardup import Fingerprinter
    from watchfloor.ingest.watching import FeedReport, watch_round

_LAZY = {
    "Ingestor": "ingestion",
    "Item": "ingestion",
    "Outcome": "ingestion",
    "SourceSpec": "ingestion",
    "Summary": "ingestion",
    "file_item": "ingestion",
    "retry_items": "ingestion",
    "Fingerprinter": "neardup",
    "FeedReport": "watching",
    "watch_round": "watching",
}

__all__ = [
    "Document",
    "FeedReport",
    "Fingerprinter",
    "Ingestor",
    "Item",
    "Outcome",
    "SourceSpec",
    "Summary",
    "file_item",
    "retry_items",
    "watch_round",
]

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.ingest.feeds import fetch_url as fetch_url
    from watchfloor.ingest.feeds import load_feeds as load_feeds
    from watchfloor.ingest.feeds import new_client as new_client
    from watchfloor.ingest.files import read_document as read_document
    from watchfloor.ingest.folders import iter_paths as iter_paths

_LAZY = {
    **_LAZY,
    **{
        "fetch_url": "feeds",
        "iter_paths": "folders",
        "load_feeds": "feeds",
        "new_client": "feeds",
        "read_document": "files",
    },
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
