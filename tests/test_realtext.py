"""The real-text set: its labels against ../shared/data, and how a system is scored on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchfloor.evaluation.realtext import (
    SHARED_DATA,
    RealDocument,
    RealSentence,
    RealStatement,
    load_realtext,
)
from watchfloor.evaluation.realtext_score import RealScore, lexicon_words, pair, unseen
from watchfloor.evaluation.scoring import Prediction

REALTEXT = Path(__file__).resolve().parent / "data" / "realtext"
TEXT = (
    "Gunmen shot the mayor of Tula on Sunday. The council killed the budget bill. "
    "Rebels vowed to defenestrate the governor."
)


def _at(word: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


def _gold(trigger: str, target: str, act: str = "attack", warn: bool = False) -> RealStatement:
    return RealStatement(act, "carried_out", _at(trigger), _at(target), None, None, warn)


def _predicted(
    trigger: str, target: str | None, act: str = "attack", warn: bool = False
) -> Prediction:
    t_start, t_end = _at(trigger)
    span = _at(target) if target else (None, None)
    return Prediction(
        act=act,
        status="carried_out",
        target_text=target,
        target_start=span[0],
        target_end=span[1],
        protectee=None,
        duty_to_warn=warn,
        trigger_text=trigger,
        trigger_start=t_start,
        trigger_end=t_end,
    )


def _document() -> RealDocument:
    first = TEXT.index(" The council")
    second = TEXT.index(" Rebels")
    return RealDocument(
        corpus="test",
        doc_id="1",
        split="dev",
        text=TEXT,
        published=date(2020, 1, 1),
        sentences=(
            RealSentence(0, first, "threat", (_gold("shot", "the mayor of Tula", warn=True),)),
            RealSentence(first + 1, second, "figurative", ()),
            RealSentence(
                second + 1,
                len(TEXT),
                "threat",
                (
                    RealStatement(
                        "kill",
                        "threatened",
                        _at("defenestrate"),
                        _at("the governor"),
                        None,
                        None,
                        False,
                    ),
                ),
            ),
        ),
    )


def test_pairs_prefer_trigger_overlap_and_are_one_to_one() -> None:
    gold = [_gold("shot", "the mayor of Tula")]
    by_target = _predicted("Gunmen", "the mayor of Tula")
    by_trigger = _predicted("shot", "Gunmen")
    pairs, misses, extras = pair(gold, [by_target, by_trigger])
    assert pairs == [(gold[0], by_trigger)] and misses == [] and extras == [by_target]
    # A target overlap alone still matches when nothing shares the trigger.
    pairs, misses, extras = pair(gold, [by_target])
    assert pairs == [(gold[0], by_target)] and not misses and not extras
    pairs, misses, extras = pair(gold, [_predicted("Sunday", None)])
    assert not pairs and misses == gold and len(extras) == 1


def test_a_document_scores_matches_misses_negatives_and_warnings() -> None:
    score = RealScore()
    score.add(
        _document(),
        [
            _predicted("shot", "the mayor of Tula", warn=True),
            _predicted("killed", "the budget bill", act="kill"),
        ],
    )
    summary = score.summary()
    assert (summary["expected"], summary["predicted"], summary["matched"]) == (2, 2, 1)
    assert summary["precision"] == 0.5 and summary["recall"] == 0.5
    assert summary["warnings_owed"] == 1 and summary["warning_recall"] == 1.0
    assert summary["negatives"] == 1 and summary["negatives_with_statement"] == 1
    assert summary["negatives_by_kind"] == {"figurative": {"sentences": 1, "with_statement": 1}}
    # "defenestrate" is in no trigger pattern of the lexicons, and was missed.
    assert summary["unseen_trigger_statements"] == 1 and summary["unseen_trigger_recall"] == 0.0
    assert [m["trigger"] for m in score.misses] == ["defenestrate"]
    assert score.false_positives[0]["sentence_kind"] == "figurative"


def test_predictions_outside_labelled_sentences_are_not_counted() -> None:
    document = _document()
    only_first = RealDocument(**{**document.__dict__, "sentences": document.sentences[:1]})
    score = RealScore()
    score.add(only_first, [_predicted("killed", "the budget bill", act="kill")])
    assert score.summary()["predicted"] == 0 and score.summary()["recall"] == 0.0


def test_unseen_reads_the_trigger_lexicon() -> None:
    words = lexicon_words()
    assert {"kill", "killed", "shot"} <= words
    assert not unseen(TEXT, _at("shot")) and unseen(TEXT, _at("defenestrate"))


@pytest.fixture(scope="module")
def realtext() -> list:  # type: ignore[type-arg]
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the real-text set's corpora are not at {SHARED_DATA} (../shared is absent)")
    return load_realtext(REALTEXT)


def test_the_committed_set_is_large_mixed_and_split_by_document(realtext) -> None:  # type: ignore[no-untyped-def]
    documents = [d for f in realtext for d in f.documents]
    sentences = [s for d in documents for s in d.sentences]
    negatives = [s for s in sentences if s.negative]
    assert len(sentences) >= 300 and len(negatives) >= len(sentences) / 3
    assert {"figurative", "fiction"} <= {s.kind for s in negatives}
    assert {d.split for d in documents} == {"dev", "heldout"}
    # One split per document: no document lends sentences to both sides.
    keys = [(d.corpus, d.doc_id) for d in documents]
    assert len(keys) == len(set(keys))
    owed = [st for s in sentences for st in s.statements if st.duty_to_warn]
    assert len(owed) >= 40


def test_rules_on_the_dev_split_are_scored_consistently(realtext) -> None:  # type: ignore[no-untyped-def]
    from watchfloor.evaluation.realtext_score import score_realtext
    from watchfloor.link import Watchlist, load_watchlist
    from watchfloor.pipeline import Analyzer

    score = score_realtext(
        realtext,
        "dev",
        lambda path: Analyzer(load_watchlist(path) if path else Watchlist.empty(), finder="rules"),
    )
    summary = score.summary()
    assert summary["matched"] + len(score.misses) == summary["expected"]
    assert summary["matched"] + len(score.false_positives) == summary["predicted"]
    # The rules find some real statements and are not silent on everything else either.
    assert 0 < summary["matched"] < summary["expected"]
    assert summary["negatives"] > 100
