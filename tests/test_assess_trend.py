"""Trends over report series written for these tests, and the seed article on its own."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from assess_support import report, signals_of, statement

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.grading import assess_thread
from watchfloor.assess.records import (
    EvidenceRef,
    StatementEvidence,
    StoredSignal,
    ThreadAssessment,
    ThreadOverrides,
)
from watchfloor.assess.signals import find_signals
from watchfloor.extract.records import TextSpan
from watchfloor.ingest.records import Document

CONFIG = AssessConfig.load()
NONE = ThreadOverrides()
START = date(2024, 5, 6)


def assess(
    statements: list[StatementEvidence], signals: list[StoredSignal], today: date
) -> ThreadAssessment:
    return assess_thread(
        "Northland→protectee:envoy-1",
        statements,
        signals,
        overrides=NONE,
        config=CONFIG,
        today=today,
    )


def test_a_series_that_grows_more_specific_over_weeks_escalates() -> None:
    week = timedelta(days=7)
    series = [
        report(1, START, "Northland wants the envoy dead, an official said.", status="threatened"),
        report(
            2,
            START + week,
            "Northland is planning to kill the envoy in the capital.",
            where="the capital",
        ),
        report(
            3,
            START + 2 * week,
            "A Northland cell plans to shoot the envoy in the capital.",
            where="the capital",
            method="shooting",
        ),
        report(
            4,
            START + 3 * week,
            "The cell plans to shoot the envoy at the June summit.",
            where="the capital",
            method="shooting",
            when="2024-06-10",
        ),
    ]
    result = assess([s for s, _ in series], signals_of(series), START + 3 * week)
    assert result.trend.label == "escalating"
    assert "specificity rose" in result.trend.reason
    specs = [p.specificity for p in result.trend.series]
    assert specs == sorted(specs) and specs[0] < specs[-1]
    assert [p.day for p in result.trend.series] == [START + n * week for n in range(4)]
    assert result.trend.evidence[-1] == series[-1][0].evidence


def test_a_report_that_calls_the_plot_off_fades() -> None:
    series = [
        report(
            1, START, "Northland is planning to kill the envoy in the capital.", where="the capital"
        ),
        report(
            2,
            START + timedelta(days=10),
            "Northland planned to kill the envoy, but officials say the plot was called off.",
            where="the capital",
        ),
    ]
    result = assess([s for s, _ in series], signals_of(series), START + timedelta(days=12))
    assert result.trend.label == "fading"
    assert "called off" in result.trend.reason
    text = series[1][0].evidence.text
    cue = result.trend.evidence[0]
    assert cue.document_id == 2 and text[cue.start : cue.end] == "called off"


def test_silence_fades_and_lowers_priority_without_zeroing_it() -> None:
    series = [report(1, START, "Northland threatened the envoy.", status="threatened")]
    fresh = assess([s for s, _ in series], signals_of(series), START)
    silent = assess([s for s, _ in series], signals_of(series), START + timedelta(days=200))
    assert fresh.trend.label == "new"
    assert silent.trend.label == "fading"
    assert "no reporting for 200 days" in silent.trend.reason
    assert 0 < silent.priority < fresh.priority


def test_the_same_picture_repeated_is_stable() -> None:
    series = [
        report(
            n,
            START + timedelta(days=5 * n),
            "Northland plans to kill the envoy.",
            where="the capital",
        )
        for n in range(1, 4)
    ]
    result = assess([s for s, _ in series], signals_of(series), START + timedelta(days=16))
    assert result.trend.label == "stable"


def test_an_escalation_cue_far_from_the_thread_does_not_count() -> None:
    filler = " Unrelated trade news followed." * 40
    text = "Northland plans to kill the envoy." + filler + " Tariffs have become more specific."
    first = statement(document_id=1, day=START, text="Northland plans to kill the envoy.")
    signals = [StoredSignal(1, s) for s in find_signals(text, START)]
    assert any(s.signal.kind == "escalation" for s in signals)
    result = assess([first], signals, START)
    assert result.trend.label == "new"


MARKS = """protectees:
  - id: lana-marks
    name: Lana Marks
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01, until: 2021-01-20}
"""
SEED_DAY = date(2020, 9, 13)


@pytest.mark.shared
def test_the_seed_article_escalates_on_its_own_temporal_phrases(
    seed_text: str, tmp_path: Path
) -> None:
    from watchfloor.link import load_watchlist
    from watchfloor.pipeline import Analyzer

    watchlist = tmp_path / "marks.yaml"
    watchlist.write_text(MARKS, encoding="utf-8")
    analyzer = Analyzer(load_watchlist(watchlist))
    findings = analyzer.analyze(Document.from_text(seed_text, "seed"), SEED_DAY)
    # One plot, one thread: the unnamed "general threat" statements about the ambassador join
    # Iran's thread (as the store puts them), and the cue "has become more specific" is in one
    # of them; cues from other sentences no longer count.
    thread = [
        f
        for f in findings
        if f.actor.entity in ("Iran", None) and f.target.protectee == "lana-marks"
    ]
    assert len(thread) >= 4
    statements = [
        StatementEvidence(
            statement_id=number,
            key=f"seed:{f.statement.trigger.start}:{f.statement.trigger.end}",
            document_id=1,
            day=SEED_DAY,
            cluster_id=None,
            source="seed",
            origin_source="seed",
            reliability="B",
            act=f.statement.act,
            status=f.statement.status,
            evidence=_ref(f.statement.evidence),
            trigger=_ref(f.statement.trigger),
            actor_entity=f.actor.entity,
            actor_lineage=f.actor.lineage,
            target_text=f.statement.target.text if f.statement.target else None,
            target_kind=f.statement.target_kind,
            protectee=f.target.protectee,
            person_named=f.target.person_named,
            attribution=f.statement.attribution,
            hedged=f.statement.hedged,
            when=f.statement.when,
            where=f.statement.where,
            method=f.statement.method,
            duty_to_warn=f.duty_to_warn,
        )
        for number, f in enumerate(thread, 1)
    ]
    signals = [StoredSignal(1, s) for s in find_signals(seed_text, SEED_DAY)]
    result = assess_thread(
        "Iran→protectee:lana-marks",
        statements,
        signals,
        overrides=NONE,
        config=CONFIG,
        today=SEED_DAY,
    )
    trend = result.trend
    assert trend.label == "escalating"
    assert "specific" in trend.reason and "specificity" in trend.reason
    temporal = {(s.start, s.end) for s in find_signals(seed_text) if s.kind == "temporal"}
    pointed = [e for e in trend.evidence if (e.start, e.end) in temporal]
    assert pointed, trend.evidence
    for ref in trend.evidence:
        assert seed_text[ref.start : ref.end] == ref.text
    # The series reaches back before the report: the earlier, general phase is less specific.
    assert trend.series[0].day < SEED_DAY
    assert trend.series[0].specificity < trend.series[-1].specificity
    # One origin: not confirmed, so neither credibility 1 nor high confidence.
    assert result.independent_origins == 1
    assert result.credibility != 1
    assert result.confidence != "high"
    assert result.harm == "kill"
    assert result.actor == "Iran" and result.protectee == "lana-marks"
    assert result.specificity.target_identified and result.specificity.actor_capability
    assert result.likelihood in {t.term for t in CONFIG.terms}
    low, high = result.likelihood_range
    assert low < high
    assert all(
        seed_text[i.evidence.start : i.evidence.end] == i.evidence.text
        for i in result.rationale
        if i.evidence is not None
    )


def _ref(span: TextSpan) -> EvidenceRef:
    return EvidenceRef(1, span.start, span.end, span.text)
