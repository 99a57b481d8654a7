"""The Gun Violence Database (development split): US local news on shootings.

Each article is one event of kind "shooting" whose arguments are the annotated shooter and
victim names and ages; whether a victim was killed or injured is in the original TSV and is
read from there when it is beside the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from watchfloor.errors import InputError
from watchfloor.evaluation.corpora.records import CorpusDocument, GoldArgument, GoldEvent
from watchfloor.evaluation.corpora.tokens import join_sentences

GVDB_FILE = "dev.json"
ROLES = {
    "VIC-NAME": "victim",
    "SHO-NAME": "shooter",
    "VIC-AGE": "victim_age",
    "SHO-AGE": "shooter_age",
}


def read_gvdb(directory: Path) -> Iterator[CorpusDocument]:
    path = directory / GVDB_FILE
    if not path.is_file():
        raise InputError(str(path), "not found; GVDB lives in ../shared/data/events/gvdb")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield _document(json.loads(line))


def _document(item: dict[str, object]) -> CorpusDocument:
    sentences = item["full_text"]
    assert isinstance(sentences, list)
    text, spans, per_sentence = join_sentences(sentences)
    flat = [offset for offsets in per_sentence for offset in offsets]
    arguments = []
    for first, last, label, *_ in item.get("spans", []):  # type: ignore[attr-defined]
        if label in ROLES and first < last <= len(flat):
            start, end = flat[first][0], flat[last - 1][1]
            arguments.append(GoldArgument(ROLES[label], start, end, text[start:end]))
    published = None
    raw_date = item.get("date")
    if isinstance(raw_date, str):
        try:
            published = date.fromisoformat(raw_date)
        except ValueError:
            published = None
    return CorpusDocument(
        corpus="gvdb",
        doc_id=str(item["doc_key"]),
        text=text,
        sentences=tuple(spans),
        events=(GoldEvent("shooting", None, tuple(arguments)),),
        published=published,
    )
