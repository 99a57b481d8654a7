"""RAMS 1.0 (development split): five-sentence news windows with one annotated event each."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from watchfloor.errors import InputError
from watchfloor.evaluation.corpora.records import CorpusDocument, GoldArgument, GoldEvent
from watchfloor.evaluation.corpora.tokens import join_sentences

RAMS_FILE = "dev.jsonlines"
# Role names are written per event ("evt089arg01victim"); the role is the tail.
ROLE = re.compile(r"^evt\d+arg\d+(.+)$")


def read_rams(directory: Path) -> Iterator[CorpusDocument]:
    """Every window of `directory/dev.jsonlines`, in file order."""
    path = directory / RAMS_FILE
    if not path.is_file():
        raise InputError(str(path), "not found; RAMS lives in ../shared/data/events/rams")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _document(path, number, json.loads(line))


def _document(path: Path, number: int, item: dict[str, object]) -> CorpusDocument:
    sentences = item.get("sentences")
    if not isinstance(sentences, list):
        raise InputError(f"{path}:{number}", "no sentences")
    text, spans, per_sentence = join_sentences(sentences)
    flat = [offset for offsets in per_sentence for offset in offsets]

    def chars(first: int, last: int) -> tuple[int, int]:
        return flat[first][0], flat[last][1]

    events = []
    for first, last, labels in item.get("evt_triggers", []):  # type: ignore[attr-defined]
        kind = labels[0][0]
        arguments = []
        for trigger, argument, role in item.get("gold_evt_links", []):  # type: ignore[attr-defined]
            if (trigger[0], trigger[1]) != (first, last):
                continue
            match = ROLE.match(role)
            start, end = chars(argument[0], argument[1])
            arguments.append(
                GoldArgument(match.group(1) if match else role, start, end, text[start:end])
            )
        events.append(GoldEvent(kind, chars(first, last), tuple(arguments)))
    return CorpusDocument(
        corpus="rams",
        doc_id=str(item["doc_key"]),
        text=text,
        sentences=tuple(spans),
        events=tuple(events),
        meta={"url": str(item.get("source_url", ""))},
    )
