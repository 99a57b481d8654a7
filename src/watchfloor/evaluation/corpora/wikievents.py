"""WikiEvents (development split): whole news documents with KAIROS events and arguments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from watchfloor.errors import InputError
from watchfloor.evaluation.corpora.records import CorpusDocument, GoldArgument, GoldEvent
from watchfloor.evaluation.corpora.tokens import ENDS_SENTENCE

WIKIEVENTS_FILE = "dev.jsonl"


def read_wikievents(directory: Path) -> Iterator[CorpusDocument]:
    """Every document of `directory/dev.jsonl`, sentences rejoined so each stands apart."""
    path = directory / WIKIEVENTS_FILE
    if not path.is_file():
        raise InputError(
            str(path), "not found; WikiEvents lives in ../shared/data/events/wikievents"
        )
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield _document(json.loads(line))


def _document(item: dict[str, Any]) -> CorpusDocument:
    # The corpus's own text runs headlines into the next sentence ("...in SyriaThe desert"), so
    # the sentences are joined again and every token offset is moved with its sentence.
    text = ""
    spans: list[tuple[int, int]] = []
    tokens: list[list[tuple[int, int]]] = []
    for words, sentence in item["sentences"]:
        if text:
            text += " " if text[-1] in ENDS_SENTENCE else "\n\n"
        shift = len(text) - words[0][1]
        tokens.append([(start + shift, end + shift) for _, start, end in words])
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
    entities = {m["id"]: m for m in item["entity_mentions"]}

    def chars(sent: int, first: int, last: int) -> tuple[int, int]:
        # Mentions count tokens over the whole document, not within their sentence.
        flat = [offset for offsets in tokens for offset in offsets]
        del sent
        return flat[first][0], flat[last - 1][1]

    events = []
    for event in item["event_mentions"]:
        trigger = event["trigger"]
        arguments = []
        for argument in event["arguments"]:
            mention = entities.get(argument["entity_id"])
            if mention is None:
                continue
            start, end = chars(mention["sent_idx"], mention["start"], mention["end"])
            arguments.append(GoldArgument(argument["role"], start, end, text[start:end]))
        events.append(
            GoldEvent(
                event["event_type"],
                chars(trigger["sent_idx"], trigger["start"], trigger["end"]),
                tuple(arguments),
            )
        )
    return CorpusDocument(
        corpus="wikievents",
        doc_id=str(item["doc_id"]),
        text=text,
        sentences=tuple(spans),
        events=tuple(events),
    )
