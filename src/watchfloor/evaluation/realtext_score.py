"""Scoring a system on the real-text set (`tests/data/realtext`), one split at a time.

Only labelled sentences count: a document may be labelled in windows, and a statement the system
finds outside them is neither right nor wrong. Within a labelled sentence a predicted statement
matches a labelled one when their triggers overlap, or else when both name a target and the
targets overlap; matching is one-to-one, trigger overlaps first. The act is not part of the
match (kill and attack blur in real reporting) but is scored on the matched pairs, as the status
is. A negative sentence "gives a statement" when any predicted trigger lies in it.

A labelled trigger is *unseen* when none of its words is a word of any trigger pattern of the
lexicons (`data/lexicons/triggers.yaml`): the recall on those measures what the trained finder
adds beyond the word lists.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchfloor.datafiles import load_yaml
from watchfloor.evaluation.realtext import RealDocument, RealFile, RealSentence, RealStatement
from watchfloor.evaluation.scoring import Prediction, f1, predict, ratio
from watchfloor.schemas import TriggersLexicon

if TYPE_CHECKING:
    from watchfloor.pipeline import Analyzer

LEXICON = Path(__file__).resolve().parents[1] / "data" / "lexicons" / "triggers.yaml"
WORD = re.compile(r"[a-z][a-z'’-]*")


@cache
def lexicon_words(path: Path = LEXICON) -> frozenset[str]:
    """Every word of every trigger pattern, lowercased (inflections are listed in the file)."""
    lexicon = load_yaml(path, TriggersLexicon)
    words: set[str] = set()
    for entry in lexicon.triggers:
        for pattern in entry.patterns:
            for option in str(pattern).replace("|", " ").split():
                words.update(WORD.findall(option.split("@", 1)[0].lstrip("=").lower()))
    return frozenset(words)


def unseen(text: str, trigger: tuple[int, int]) -> bool:
    words = WORD.findall(text[trigger[0] : trigger[1]].lower())
    return not any(w in lexicon_words() for w in words)


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _span(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None and end is not None else None


@dataclass
class RealScore:
    """Counts over the labelled sentences of one split, for one system."""

    documents: int = 0
    sentences: int = 0
    negatives: int = 0
    expected: int = 0
    predicted: int = 0
    matched: int = 0
    act_right: int = 0
    status_right: int = 0
    warnings_owed: int = 0
    warnings_found: int = 0
    warnings_predicted: int = 0
    negatives_hit: int = 0
    negatives_hit_by_kind: Counter[str] = field(default_factory=Counter)
    negatives_by_kind: Counter[str] = field(default_factory=Counter)
    unseen_expected: int = 0
    unseen_matched: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)

    def add(self, document: RealDocument, predicted: Sequence[Prediction]) -> None:
        self.documents += 1
        for sentence in document.sentences:
            inside = [
                p
                for p in predicted
                if p.trigger_start is not None and sentence.start <= p.trigger_start < sentence.end
            ]
            self._sentence(document, sentence, inside)

    def _sentence(
        self, document: RealDocument, sentence: RealSentence, inside: list[Prediction]
    ) -> None:
        self.sentences += 1
        self.predicted += len(inside)
        self.warnings_predicted += sum(p.duty_to_warn for p in inside)
        if sentence.negative:
            self.negatives += 1
            self.negatives_by_kind[sentence.kind] += 1
            if inside:
                self.negatives_hit += 1
                self.negatives_hit_by_kind[sentence.kind] += 1
            self.false_positives.extend(_describe(document, p, sentence.kind) for p in inside)
            return
        pairs, misses, extra = pair(sentence.statements, inside)
        self.false_positives.extend(_describe(document, p, "labelled") for p in extra)
        for gold in sentence.statements:
            self.expected += 1
            self.warnings_owed += gold.duty_to_warn
            if unseen(document.text, gold.trigger):
                self.unseen_expected += 1
                self.unseen_matched += gold not in misses
        for gold, found in pairs:
            self.matched += 1
            self.act_right += found.act == gold.act
            self.status_right += found.status == gold.status
            self.warnings_found += gold.duty_to_warn and found.duty_to_warn
        for gold in misses:
            self.misses.append(
                {
                    "document": f"{document.corpus}:{document.doc_id}",
                    "trigger": document.text[gold.trigger[0] : gold.trigger[1]],
                    "act": gold.act,
                    "status": gold.status,
                    "duty_to_warn": gold.duty_to_warn,
                    "sentence": " ".join(document.text[sentence.start : sentence.end].split()),
                }
            )

    def summary(self) -> dict[str, Any]:
        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.expected)
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "negatives": self.negatives,
            "expected": self.expected,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
            "act_accuracy": ratio(self.act_right, self.matched),
            "status_accuracy": ratio(self.status_right, self.matched),
            "warnings_owed": self.warnings_owed,
            "warning_recall": ratio(self.warnings_found, self.warnings_owed),
            "warning_precision": ratio(self.warnings_found, self.warnings_predicted),
            "negatives_with_statement": self.negatives_hit,
            "negative_rate": ratio(self.negatives_hit, self.negatives),
            "negatives_by_kind": {
                kind: {"sentences": n, "with_statement": self.negatives_hit_by_kind[kind]}
                for kind, n in sorted(self.negatives_by_kind.items())
            },
            "unseen_trigger_statements": self.unseen_expected,
            "unseen_trigger_recall": ratio(self.unseen_matched, self.unseen_expected),
        }


def pair(
    gold: Sequence[RealStatement], predicted: Sequence[Prediction]
) -> tuple[list[tuple[RealStatement, Prediction]], list[RealStatement], list[Prediction]]:
    """One-to-one pairs, trigger overlaps before target overlaps; then misses and extras."""
    candidates: list[tuple[int, int, int]] = []
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            if _overlaps(g.trigger, _span(p.trigger_start, p.trigger_end)):
                candidates.append((0, i, j))
            elif _overlaps(g.target, _span(p.target_start, p.target_end)):
                candidates.append((1, i, j))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs: list[tuple[RealStatement, Prediction]] = []
    for _, i, j in sorted(candidates):
        if i in used_gold or j in used_predicted:
            continue
        used_gold.add(i)
        used_predicted.add(j)
        pairs.append((gold[i], predicted[j]))
    misses = [g for i, g in enumerate(gold) if i not in used_gold]
    extras = [p for j, p in enumerate(predicted) if j not in used_predicted]
    return pairs, misses, extras


def _describe(document: RealDocument, p: Prediction, kind: str) -> dict[str, Any]:
    return {
        "document": f"{document.corpus}:{document.doc_id}",
        "sentence_kind": kind,
        "act": p.act,
        "status": p.status,
        "trigger": p.trigger_text,
        "target": p.target_text,
    }


def score_realtext(
    files: Sequence[RealFile], split: str, analyzer_for: Callable[[Path | None], Analyzer]
) -> RealScore:
    """Score every document of `split`; `analyzer_for(watchlist path)` gives the Analyzer."""
    from watchfloor.ingest.records import Document

    score = RealScore()
    for real_file in files:
        chosen = [d for d in real_file.documents if d.split == split]
        if not chosen:
            continue
        analyzer = analyzer_for(real_file.watchlist)
        documents = [
            Document.from_text(d.text, source=f"{d.corpus}:{d.doc_id}", published=d.published)
            for d in chosen
        ]
        for real, found in zip(chosen, predict(analyzer, documents), strict=True):
            score.add(real, found)
    return score
