"""The article-extraction benchmark's pages: real news articles with their ground-truth text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from watchfloor.errors import InputError
from watchfloor.evaluation.corpora.records import CorpusDocument

GROUND_TRUTH = "ground-truth.json"


def read_articles(directory: Path) -> Iterator[CorpusDocument]:
    """Every article of `directory/ground-truth.json`, by its page hash, in sorted order."""
    path = directory / GROUND_TRUTH
    if not path.is_file():
        raise InputError(
            str(path), "not found; the pages live in ../shared/data/article-extraction"
        )
    items = json.loads(path.read_text(encoding="utf-8"))
    for key in sorted(items):
        item = items[key]
        yield CorpusDocument(
            corpus="articles",
            doc_id=key,
            text=str(item.get("articleBody") or ""),
            meta={"url": str(item.get("url", ""))},
        )
