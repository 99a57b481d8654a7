"""Argument spans on RAMS and WikiEvents: what counts as gold, as predicted, and as a match."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchfloor.evaluation.corpora import CorpusDocument, GoldArgument, GoldEvent
from watchfloor.evaluation.corpora.splits import trains_on
from watchfloor.evaluation.events import (
    EventScore,
    gold_spans,
    predicted_spans,
    rams_scoring_half,
)
from watchfloor.evaluation.scoring import Prediction

EVENTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "events"
TEXT = "Rebels shot two guards at the gate. Prices rose in March. Police arrested a man."


def _span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def _argument(role: str, word: str) -> GoldArgument:
    start, end = _span(word)
    return GoldArgument(role, start, end, word)


def _document() -> CorpusDocument:
    first, second = TEXT.index("Prices"), TEXT.index("Police")
    return CorpusDocument(
        corpus="test",
        doc_id="1",
        text=TEXT,
        sentences=((0, first - 1), (first, second - 1), (second, len(TEXT))),
        events=(
            GoldEvent(
                "conflict.attack.firearmattack",
                _span("shot"),
                (
                    _argument("attacker", "Rebels"),
                    _argument("victim", "two guards"),
                    _argument("place", "the gate"),
                ),
            ),
            GoldEvent("justice.arrest", _span("arrested"), (_argument("jailer", "Police"),)),
        ),
    )


def _prediction(trigger: str, target: str | None, actor: str | None) -> Prediction:
    target_span = _span(target) if target else (None, None)
    actor_span = _span(actor) if actor else (None, None)
    return Prediction(
        act="attack",
        status="carried_out",
        target_text=target,
        target_start=target_span[0],
        target_end=target_span[1],
        protectee=None,
        duty_to_warn=False,
        trigger_start=_span(trigger)[0],
        trigger_end=_span(trigger)[1],
        actor_start=actor_span[0],
        actor_end=actor_span[1],
    )


def test_gold_takes_attackers_and_victims_of_violent_events_only() -> None:
    gold, sentences = gold_spans(_document())
    assert gold == [("actor", _span("Rebels")), ("target", _span("two guards"))]
    assert sentences == [_document().sentences[0]]


def test_predictions_count_only_in_sentences_of_scored_events() -> None:
    _, sentences = gold_spans(_document())
    predicted = predicted_spans(
        [_prediction("shot", "two guards", "Rebels"), _prediction("arrested", "a man", "Police")],
        sentences,
    )
    assert predicted == [("target", _span("two guards")), ("actor", _span("Rebels"))]


def test_spans_match_by_overlap_within_their_class() -> None:
    gold, _ = gold_spans(_document())
    score = EventScore()
    # The actor span is given as a target: it matches nothing, and the victim is found.
    score.add(gold, [("target", _span("Rebels")), ("target", _span("guards"))])
    summary = score.summary()
    assert summary["target"]["matched"] == 1 and summary["target"]["predicted"] == 2
    assert summary["actor"]["matched"] == 0 and summary["actor"]["recall"] == 0.0
    assert summary["all"]["precision"] == 0.5 and summary["all"]["recall"] == 0.5


def test_the_rams_scoring_half_is_never_trained_on() -> None:
    if not (EVENTS / "rams").is_dir():
        pytest.skip(f"RAMS is not at {EVENTS / 'rams'} (../shared is absent)")
    documents = rams_scoring_half(EVENTS / "rams")
    assert len(documents) > 50
    assert not any(trains_on("rams", d.doc_id, d.meta.get("url") or None) for d in documents)
    assert all(gold_spans(d)[0] for d in documents)
