"""The documents the finder learns from, each with the gold statements its corpus gives.

Only documents that `trains_on` allows are read, so the real-text set, the RAMS score and the
held-out pages never reach training. The test splits of the corpora are not read at all (EDOS's
test split included, to be safe).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from training.finder import gold
from watchfloor.evaluation.corpora import (
    CorpusDocument,
    GoldArgument,
    GoldEvent,
    read_articles,
    read_gvdb,
    read_muc4_raw,
    read_rams,
)
from watchfloor.evaluation.corpora.splits import trains_on
from watchfloor.evaluation.corpora.tokens import detokenize

Sentences = list[tuple[int, int]]
GoldFn = Callable[[CorpusDocument, Sentences], list[gold.GoldStatement]]


@dataclass(frozen=True)
class Source:
    """One corpus document, how to read gold statements off it, and how much it counts."""

    document: CorpusDocument
    gold: GoldFn | None
    weight: float = 1.0
    # Plain text only labelled by the rules (distillation): their misses are not negatives we
    # trust as much, so such documents weigh less.
    distilled: bool = False


def _none(doc: CorpusDocument, sentences: Sentences) -> list[gold.GoldStatement]:
    return []


def _rams(doc: CorpusDocument, sentences: Sentences) -> list[gold.GoldStatement]:
    return gold.rams_statements(doc)


def _geneva(doc: CorpusDocument, sentences: Sentences) -> list[gold.GoldStatement]:
    return gold.geneva_statements(doc)


REALTEXT = Path(__file__).resolve().parents[2] / "tests" / "data" / "realtext"


def all_sources(data: Path, edos_posts: int = 4000) -> Iterator[Source]:
    """Every training document, never one the real-text set labels (nor a copy of one)."""
    from watchfloor.evaluation.realtext import labelled_documents

    reserved = labelled_documents(REALTEXT) if REALTEXT.is_dir() else set()
    reserved |= {("muc4", doc) for corpus, doc in reserved if corpus == "muc4train"}
    for source in _sources(data, edos_posts, reserved):
        if (source.document.corpus, source.document.doc_id) not in reserved:
            yield source


def _sentences(doc: CorpusDocument) -> set[str]:
    return {doc.text[a:b] for a, b in doc.sentences}


def _sources(data: Path, edos_posts: int, reserved: set[tuple[str, str]]) -> Iterator[Source]:
    rams = list(read_rams(data / "events" / "rams"))
    # RAMS repeats windows of one article under several ids and urls: a training window may
    # share no sentence with any window that is scored or labelled.
    kept_out: set[str] = set()
    for d in rams:
        if not trains_on("rams", d.doc_id, d.meta.get("url")) or ("rams", d.doc_id) in reserved:
            kept_out |= _sentences(d)
    yield from (
        Source(d, _rams, 1.5)
        for d in rams
        if trains_on("rams", d.doc_id, d.meta.get("url")) and not _sentences(d) & kept_out
    )
    yield from (Source(d, _geneva, 1.0) for d in read_geneva(data / "events" / "geneva"))
    yield from (
        Source(d, gold.gvdb_statements, 1.0)
        for d in read_gvdb(data / "events" / "gvdb")
        if trains_on("gvdb", d.doc_id)
    )
    yield from (
        Source(d, gold.muc_statements, 1.0) for d in read_muc4_raw(data / "muc4" / "raw", "train")
    )
    yield from (
        Source(d, _none, 0.7, distilled=True)
        for d in read_articles(data / "article-extraction")
        if trains_on("articles", d.doc_id)
    )
    yield from (Source(d, _none, 0.7, distilled=True) for d in read_gum(data / "gum"))
    yield from read_edos(data / "threats" / "edos", edos_posts)


def read_geneva(directory: Path) -> Iterator[CorpusDocument]:
    """GENEVA's released training subsets and its validation and test files, one sentence each."""
    seen: set[str] = set()
    for name in ("train_union_of_released_subsets.jsonl", "val.json", "test.json"):
        with (directory / name).open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                key = row["wnd_id"]
                if key in seen:
                    continue
                seen.add(key)
                text, offsets = detokenize(row["tokens"])
                entities = {m["id"]: m for m in row["entity_mentions"]}
                events = []
                for event in row["event_mentions"]:
                    t = event["trigger"]
                    arguments = []
                    for argument in event["arguments"]:
                        m = entities.get(argument["entity_id"])
                        if m is None:
                            continue
                        a, b = offsets[m["start"]][0], offsets[m["end"] - 1][1]
                        arguments.append(GoldArgument(argument["role"], a, b, text[a:b]))
                    trigger = (offsets[t["start"]][0], offsets[t["end"] - 1][1])
                    events.append(GoldEvent(event["event_type"], trigger, tuple(arguments)))
                yield CorpusDocument(
                    "geneva", key, text, sentences=((0, len(text)),), events=tuple(events)
                )


def read_gum(directory: Path) -> Iterator[CorpusDocument]:
    for path in sorted(directory.glob("*.conllu")):
        lines = [
            line[len("# text = ") :]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")
        ]
        yield CorpusDocument("gum", path.stem, " ".join(lines))


EDOS_THREAT = "1.1 threats of harm"


def read_edos(directory: Path, limit: int) -> Iterator[Source]:
    """EDOS posts (train and dev splits only): its threats of harm as threats without spans,
    and a sample of the other posts, labelled by the rules."""
    path = directory / "edos_labelled_aggregated.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["split"] in ("train", "dev")]
    others = 0
    for row in rows:
        text = row["text"]
        document = CorpusDocument("edos", row["rewire_id"], text, sentences=((0, len(text)),))
        if row["label_vector"] == EDOS_THREAT:
            yield Source(document, _edos_threat, 1.0)
        elif row["label_vector"].startswith("1.2"):
            continue  # incitement against a group: not a threat to a person in our sense
        elif others < limit and int(row["rewire_id"].rsplit("-", 1)[-1]) % 3 == 0:
            others += 1
            yield Source(document, _none, 0.7, distilled=True)


def _edos_threat(doc: CorpusDocument, sentences: Sentences) -> list[gold.GoldStatement]:
    found = gold._harm_word(doc.text, 0, ("kill", "attack", "threaten"))
    act, trigger = found if found else ("threaten", None)
    return [gold.GoldStatement(act, "threatened", trigger, None, None, trigger_guessed=True)]
