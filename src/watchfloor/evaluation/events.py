"""Argument spans on event corpora: who attacked, who was attacked, who died (RAMS, WikiEvents).

Gold: the arguments of every attack, death and injury event (RAMS `conflict.attack`, `life.die`,
`life.injure`; WikiEvents `Conflict.Attack`, `Life.Die`, `Life.Injure`), in two classes:
the *actor* (attacker, killer, injurer) and the *target* (target, victim). A statement's target
span and actor span are the predictions.

A prediction counts only in a sentence that holds one of those gold events' triggers: RAMS
annotates one event per window and WikiEvents leaves many unannotated, so a statement elsewhere
is neither right nor wrong. Spans match when they overlap and are of the same class, one-to-one.

RAMS is scored on the half of its documents the finder never trains on (`trains_on`, split by
source article); WikiEvents (development split) is never trained on at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchfloor.evaluation.corpora import CorpusDocument, read_rams, read_wikievents
from watchfloor.evaluation.corpora.splits import trains_on
from watchfloor.evaluation.scoring import Prediction, f1, predict, ratio

if TYPE_CHECKING:
    from watchfloor.pipeline import Analyzer

KINDS = ("conflict.attack", "life.die", "life.injure")
ACTOR_ROLES = frozenset({"attacker", "killer", "injurer"})
TARGET_ROLES = frozenset({"target", "victim"})
Span = tuple[int, int]


def gold_spans(document: CorpusDocument) -> tuple[list[tuple[str, Span]], list[Span]]:
    """(class, span) of every scored argument, deduplicated, and the sentences they count in."""
    spans: set[tuple[str, Span]] = set()
    sentences: set[Span] = set()
    for event in document.events:
        if not event.kind.lower().startswith(KINDS) or event.trigger is None:
            continue
        sentence = document.sentence_at(event.trigger[0])
        if sentence is not None:
            sentences.add(sentence)
        for argument in event.arguments:
            role = argument.role.lower()
            kind = "actor" if role in ACTOR_ROLES else "target" if role in TARGET_ROLES else None
            if kind is not None:
                spans.add((kind, (argument.start, argument.end)))
    return sorted(spans), sorted(sentences)


def predicted_spans(
    predicted: Sequence[Prediction], sentences: Sequence[Span]
) -> list[tuple[str, Span]]:
    out: list[tuple[str, Span]] = []
    for p in predicted:
        at = p.trigger_start
        if at is None or not any(start <= at < end for start, end in sentences):
            continue
        if p.target_start is not None and p.target_end is not None:
            out.append(("target", (p.target_start, p.target_end)))
        if p.actor_start is not None and p.actor_end is not None:
            out.append(("actor", (p.actor_start, p.actor_end)))
    return out


@dataclass
class SpanCounts:
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    def summary(self) -> dict[str, Any]:
        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
        }


@dataclass
class EventScore:
    documents: int = 0
    by_class: dict[str, SpanCounts] = field(
        default_factory=lambda: {"actor": SpanCounts(), "target": SpanCounts()}
    )

    def add(self, gold: list[tuple[str, Span]], predicted: list[tuple[str, Span]]) -> None:
        self.documents += 1
        used: set[int] = set()
        for kind, span in gold:
            self.by_class[kind].gold += 1
            for j, (other_kind, other) in enumerate(predicted):
                if (
                    j not in used
                    and other_kind == kind
                    and span[0] < other[1]
                    and other[0] < span[1]
                ):
                    used.add(j)
                    self.by_class[kind].matched += 1
                    break
        for kind, _ in predicted:
            self.by_class[kind].predicted += 1

    def summary(self) -> dict[str, Any]:
        total = SpanCounts(
            sum(c.gold for c in self.by_class.values()),
            sum(c.predicted for c in self.by_class.values()),
            sum(c.matched for c in self.by_class.values()),
        )
        return {
            "documents": self.documents,
            "all": total.summary(),
            **{kind: counts.summary() for kind, counts in self.by_class.items()},
        }


def rams_scoring_half(directory: Path) -> list[CorpusDocument]:
    """RAMS development windows the finder never trains on, with an attack, death or injury."""
    return [
        d
        for d in read_rams(directory)
        if not trains_on("rams", d.doc_id, d.meta.get("url") or None) and gold_spans(d)[0]
    ]


def wikievents_documents(directory: Path) -> list[CorpusDocument]:
    return [d for d in read_wikievents(directory) if gold_spans(d)[0]]


def score_events(documents: Iterable[CorpusDocument], analyzer: Analyzer) -> EventScore:
    from watchfloor.ingest.records import Document

    chosen = list(documents)
    score = EventScore()
    inputs = [Document.from_text(d.text, source=f"{d.corpus}:{d.doc_id}") for d in chosen]
    for document, found in zip(chosen, predict(analyzer, inputs), strict=True):
        gold, sentences = gold_spans(document)
        score.add(gold, predicted_spans(found, sentences))
    return score
