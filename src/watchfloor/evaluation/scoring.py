"""Scoring predicted threat statements against the labelled set.

A prediction matches an expected statement when the act is the same (strictly: kill and attack
are different acts, because the duty-to-warn rule and the reader treat them differently) and the
predicted target span overlaps the labelled target substring. Matching is one-to-one and greedy:
candidate pairs are taken best first (same status, then longer overlap, then reading order), so
the result does not depend on the order the extractor emits statements in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from watchfloor.evaluation.cases import EvalCase, ExpectedStatement

if TYPE_CHECKING:
    from watchfloor.ingest.records import Document
    from watchfloor.pipeline import Analyzer, Finding


@dataclass(frozen=True)
class Prediction:
    """What the scorer needs of one predicted statement (from a Finding, or from the baseline)."""

    act: str
    status: str
    target_text: str | None
    target_start: int | None
    target_end: int | None
    protectee: str | None
    duty_to_warn: bool
    evidence: str = ""
    trigger_text: str | None = None
    trigger_start: int | None = None
    trigger_end: int | None = None
    actor_start: int | None = None
    actor_end: int | None = None

    @classmethod
    def from_finding(cls, finding: Finding) -> Prediction:
        s = finding.statement
        return cls(
            act=s.act,
            status=s.status,
            target_text=s.target.text if s.target else None,
            target_start=s.target.start if s.target else None,
            target_end=s.target.end if s.target else None,
            protectee=finding.target.protectee,
            duty_to_warn=finding.duty_to_warn,
            evidence=s.evidence.text,
            trigger_text=s.trigger.text,
            trigger_start=s.trigger.start,
            trigger_end=s.trigger.end,
            actor_start=s.actor.start if s.actor else None,
            actor_end=s.actor.end if s.actor else None,
        )


def predict(analyzer: Analyzer, documents: Sequence[Document]) -> list[list[Prediction]]:
    """The system's predictions per document, in the order of `documents`: what every scored
    set (labelled, real text, events, MUC-4) compares with its gold."""
    return [
        [Prediction.from_finding(f) for f in findings]
        for _, findings in analyzer.analyze_many(documents)
    ]


@dataclass(frozen=True)
class Pair:
    expected: ExpectedStatement
    predicted: Prediction


@dataclass(frozen=True)
class CaseResult:
    """One report scored: its matched pairs, misses (false negatives) and false positives."""

    case: EvalCase
    pairs: tuple[Pair, ...]
    misses: tuple[ExpectedStatement, ...]
    false_positives: tuple[Prediction, ...]


def _overlap(expected: ExpectedStatement, predicted: Prediction) -> int:
    if predicted.target_start is None or predicted.target_end is None:
        return 0
    return max(
        0,
        min(expected.target.end, predicted.target_end)
        - max(expected.target.start, predicted.target_start),
    )


def match(
    expected: Sequence[ExpectedStatement], predicted: Sequence[Prediction]
) -> tuple[list[Pair], list[ExpectedStatement], list[Prediction]]:
    """Greedy one-to-one matching: (pairs, unmatched expected, unmatched predicted)."""
    candidates: list[tuple[tuple[int, int, int, int], int, int]] = []
    for i, e in enumerate(expected):
        for j, p in enumerate(predicted):
            if p.act != e.act:
                continue
            overlap = _overlap(e, p)
            if overlap > 0:
                rank = (0 if p.status == e.status else 1, -overlap, i, j)
                candidates.append((rank, i, j))
    candidates.sort()
    used_e: set[int] = set()
    used_p: set[int] = set()
    matched: dict[int, int] = {}
    for _, i, j in candidates:
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        matched[i] = j
    pairs = [Pair(expected[i], predicted[matched[i]]) for i in sorted(matched)]
    misses = [e for i, e in enumerate(expected) if i not in used_e]
    false_positives = [p for j, p in enumerate(predicted) if j not in used_p]
    return pairs, misses, false_positives


def score_case(case: EvalCase, predicted: Sequence[Prediction]) -> CaseResult:
    pairs, misses, fps = match(case.expected, predicted)
    return CaseResult(case, tuple(pairs), tuple(misses), tuple(fps))


def ratio(numerator: int, denominator: int) -> float | None:
    """A share, or None when there is nothing to divide by (shown as n/a, never as 0 or 1)."""
    return numerator / denominator if denominator else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class SetScore:
    """The numbers `watchfloor eval` prints for one system on the labelled set."""

    reports: int = 0
    negatives: int = 0
    expected: int = 0
    predicted: int = 0
    true_positives: int = 0
    linked_right: int = 0
    status_right: int = 0
    warn_expected: int = 0
    warn_predicted: int = 0
    warn_hits: int = 0
    negative_fp: int = 0
    negative_reports_hit: int = 0
    per_act: dict[str, dict[str, int]] = field(default_factory=dict)
    status_confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    results: list[CaseResult] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return ratio(self.true_positives, self.predicted)

    @property
    def recall(self) -> float | None:
        return ratio(self.true_positives, self.expected)

    @property
    def f1(self) -> float | None:
        return f1(self.precision, self.recall)

    @property
    def link_accuracy(self) -> float | None:
        return ratio(self.linked_right, self.true_positives)

    @property
    def status_accuracy(self) -> float | None:
        return ratio(self.status_right, self.true_positives)

    @property
    def warn_precision(self) -> float | None:
        return ratio(self.warn_hits, self.warn_predicted)

    @property
    def warn_recall(self) -> float | None:
        return ratio(self.warn_hits, self.warn_expected)

    def add(self, result: CaseResult) -> None:
        self.results.append(result)
        case = result.case
        self.reports += 1
        self.negatives += case.negative
        n_predicted = len(result.pairs) + len(result.false_positives)
        self.expected += len(case.expected)
        self.predicted += n_predicted
        self.true_positives += len(result.pairs)
        if case.negative:
            self.negative_fp += n_predicted
            self.negative_reports_hit += n_predicted > 0
        for pair in result.pairs:
            e, p = pair.expected, pair.predicted
            self.linked_right += p.protectee == e.protectee
            self.status_right += p.status == e.status
            row = self.status_confusion.setdefault(e.status, {})
            row[p.status] = row.get(p.status, 0) + 1
            self.warn_hits += e.duty_to_warn and p.duty_to_warn
            self._act(e.act)["tp"] += 1
        for e in case.expected:
            self.warn_expected += e.duty_to_warn
        for e in result.misses:
            self._act(e.act)["fn"] += 1
        for p in result.false_positives:
            self._act(p.act)["fp"] += 1
        for p in (pair.predicted for pair in result.pairs):
            self.warn_predicted += p.duty_to_warn
        for p in result.false_positives:
            self.warn_predicted += p.duty_to_warn

    def _act(self, act: str) -> dict[str, int]:
        return self.per_act.setdefault(act, {"tp": 0, "fp": 0, "fn": 0})

    def summary(self) -> dict[str, Any]:
        """The headline numbers as a JSON-ready mapping."""
        per_act = {}
        for act, c in sorted(self.per_act.items()):
            p = ratio(c["tp"], c["tp"] + c["fp"])
            r = ratio(c["tp"], c["tp"] + c["fn"])
            per_act[act] = {**c, "precision": p, "recall": r, "f1": f1(p, r)}
        return {
            "reports": self.reports,
            "negative_reports": self.negatives,
            "expected": self.expected,
            "predicted": self.predicted,
            "true_positives": self.true_positives,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "link_accuracy": self.link_accuracy,
            "status_accuracy": self.status_accuracy,
            "duty_to_warn": {
                "expected": self.warn_expected,
                "predicted": self.warn_predicted,
                "precision": self.warn_precision,
                "recall": self.warn_recall,
            },
            "negatives": {
                "false_positives": self.negative_fp,
                "reports_with_false_positives": self.negative_reports_hit,
            },
            "per_act": per_act,
            "status_confusion": self.status_confusion,
        }

    def errors(self) -> list[dict[str, Any]]:
        """Every miss, false positive and wrong link or status, with its report id."""
        out: list[dict[str, Any]] = []
        for result in self.results:
            rid = result.case.id
            for e in result.misses:
                out.append(
                    {
                        "report": rid,
                        "kind": "miss",
                        "act": e.act,
                        "status": e.status,
                        "target": e.target.text,
                        "protectee": e.protectee,
                    }
                )
            for p in result.false_positives:
                out.append(
                    {
                        "report": rid,
                        "kind": "false_positive",
                        "act": p.act,
                        "status": p.status,
                        "target": p.target_text,
                        "protectee": p.protectee,
                        "evidence": p.evidence[:200],
                    }
                )
            for pair in result.pairs:
                e, p = pair.expected, pair.predicted
                if p.protectee != e.protectee:
                    out.append(
                        {
                            "report": rid,
                            "kind": "wrong_link",
                            "act": e.act,
                            "target": e.target.text,
                            "expected": e.protectee,
                            "got": p.protectee,
                        }
                    )
                if p.status != e.status:
                    out.append(
                        {
                            "report": rid,
                            "kind": "wrong_status",
                            "act": e.act,
                            "target": e.target.text,
                            "expected": e.status,
                            "got": p.status,
                        }
                    )
                if p.duty_to_warn != e.duty_to_warn:
                    out.append(
                        {
                            "report": rid,
                            "kind": "wrong_warning",
                            "act": e.act,
                            "target": e.target.text,
                            "expected": e.duty_to_warn,
                            "got": p.duty_to_warn,
                        }
                    )
        return out


def score_set(cases: Sequence[EvalCase], predictions: Iterable[Sequence[Prediction]]) -> SetScore:
    """Score predictions given in the same order as `cases`."""
    total = SetScore()
    for case, predicted in zip(cases, predictions, strict=True):
        total.add(score_case(case, predicted))
    return total
