"""Grades, judgement and priority of threads built by hand (no store, no spaCy)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from assess_support import report, signals_of, statement

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.grading import assess_thread
from watchfloor.assess.records import (
    StatementEvidence,
    StoredSignal,
    ThreadAssessment,
    ThreadOverrides,
)

CONFIG = AssessConfig.load()
DAY = date(2024, 3, 4)
KEY = "Northland→protectee:envoy-1"


def assess(
    statements: list[StatementEvidence],
    signals: list[StoredSignal] | None = None,
    overrides: ThreadOverrides | None = None,
    today: date = DAY,
) -> ThreadAssessment:
    return assess_thread(
        KEY,
        statements,
        signals or [],
        overrides=overrides or ThreadOverrides(),
        config=CONFIG,
        today=today,
    )


def origin_report(document_id: int, source: str, **fields: object) -> StatementEvidence:
    return statement(document_id=document_id, day=DAY, source=source, **fields)  # type: ignore[arg-type]


def test_syndicated_copies_do_not_corroborate_an_independent_origin_does() -> None:
    original = origin_report(1, "Wire One", cluster_id=7)
    alone = assess([original])
    copies = [
        origin_report(n, f"Paper {n}", origin_source="Wire One", cluster_id=7, reliability="A")
        for n in (2, 3, 4)
    ]
    syndicated = assess([original, *copies])
    assert syndicated.credibility == alone.credibility == 2
    assert syndicated.independent_origins == 1
    assert syndicated.clusters == 1 and syndicated.documents == 4
    # The copies' grade is not the origin's grade.
    assert syndicated.reliability == "B"
    independent = assess([original, *copies, origin_report(5, "Wire Two", cluster_id=8)])
    assert independent.credibility == 1
    assert independent.independent_origins == 2
    assert any("independent report from Wire Two" in i.reason for i in independent.rationale)


def test_two_officials_quoted_in_one_story_are_one_origin() -> None:
    first = origin_report(1, "Wire One", start=0, text="One official said the plot is live.")
    second = origin_report(1, "Wire One", start=60, text="A second official agreed.")
    result = assess([first, second])
    assert result.independent_origins == 1
    assert result.credibility != 1


def test_credibility_grades_hedging_denial_and_weak_sources() -> None:
    assert assess([origin_report(1, "Wire One", hedged=True)]).credibility == 3
    assert assess([origin_report(1, "Blog", reliability="E")]).credibility == 4
    denied = [
        origin_report(1, "Wire One"),
        origin_report(2, "Wire Two", status="denied"),
    ]
    assert assess(denied).credibility == 5
    # Two E-graded origins never confirm each other.
    weak = [origin_report(1, "Blog", reliability="E"), origin_report(2, "Forum", reliability="E")]
    assert assess(weak).credibility == 4


def test_reliability_is_the_best_origin_and_f_is_unknown_not_better_than_e() -> None:
    assert (
        assess(
            [origin_report(1, "X", reliability="E"), origin_report(2, "Y", reliability="F")]
        ).reliability
        == "E"
    )
    assert assess([origin_report(1, "X", reliability="F")]).reliability == "F"
    mixed = [origin_report(1, "X", reliability="C"), origin_report(2, "Y", reliability="A")]
    assert assess(mixed).reliability == "A"


def test_a_dismissed_statement_drops_out_of_everything() -> None:
    kept = origin_report(1, "Wire One", where="the capital")
    false_positive = origin_report(2, "Wire Two", when="2024-03-06", method="car bomb")
    both = assess([kept, false_positive])
    assert both.credibility == 1 and both.specificity.method
    result = assess(
        [kept, false_positive],
        overrides=ThreadOverrides(dismissed_statements=frozenset({false_positive.key})),
    )
    assert result.statements == 1
    assert result.statement_ids == (kept.statement_id,)
    assert result.document_ids == (1,)
    assert result.credibility == 2
    assert not result.specificity.method and not result.specificity.time
    assert result.imminence == "unspecified"
    assert any("dismissed" in i.reason for i in result.rationale)
    everything = assess(
        [kept], overrides=ThreadOverrides(dismissed_statements=frozenset({kept.key}))
    )
    assert everything.statements == 0 and everything.priority == 0


def test_a_credibility_override_holds_and_is_explained() -> None:
    statements = [origin_report(1, "Wire One"), origin_report(2, "Wire Two")]
    override = ThreadOverrides(credibility=4, credibility_reason="sources share one informant")
    result = assess(statements, overrides=override)
    assert result.credibility == 4 and result.credibility_overridden
    assert any("sources share one informant" in i.reason for i in result.rationale)
    again = assess([*statements, origin_report(3, "Wire Three")], overrides=override)
    assert again.credibility == 4
    assert assess(statements).credibility_overridden is False


def test_likelihood_term_moves_with_the_evidence() -> None:
    weak = assess(
        [
            origin_report(
                1,
                "Blog",
                reliability="D",
                hedged=True,
                status="threatened",
                protectee=None,
                person_named=False,
                lineage=(),
            )
        ]
    )
    strong_reports = [
        report(
            n,
            DAY - timedelta(days=3 - n),
            "The cell bought a rifle and mapped out the envoy's route to the summit.",
            source=f"Wire {n}",
            reliability="A",
            where="the capital",
            when="2024-03-08",
            method="shooting",
        )
        for n in (1, 2, 3)
    ]
    strong = assess([s for s, _ in strong_reports], signals_of(strong_reports))
    terms = [t.term for t in CONFIG.terms]
    assert terms.index(strong.likelihood) > terms.index(weak.likelihood)
    assert strong.likelihood_range[0] >= weak.likelihood_range[1]
    assert strong.confidence == "high" and weak.confidence == "low"
    assert {b.behaviour for b in strong.behaviours} == {"planning"}
    assert strong.imminence == "imminent" and strong.imminence_days == 4
    moved = [i for i in strong.rationale if i.effect == "raise" and i.evidence is not None]
    assert any("warning behaviour: planning" in i.reason for i in moved)


def test_priority_follows_the_raise_and_lower_rules() -> None:
    plain = [origin_report(1, "Wire One", status="considered")]
    planning = report(
        2, DAY, "He bought a rifle last week, the envoy's staff said.", status="considered"
    )
    with_planning = assess([*plain, planning[0]], planning[1])
    assert with_planning.priority > assess(plain).priority
    # A single report from a weak source is lowered, never to zero.
    weak = assess([origin_report(1, "Blog", reliability="E", status="considered")])
    assert 0 < weak.priority < assess(plain).priority
    assert any("single weak report" in n for n in weak.notes)
    # Howling (threatened, no operational detail) is lowered...
    howl = assess([origin_report(1, "Blog", reliability="E", status="threatened")])
    # ...but watching the target with no threat at all is never discounted.
    watched, signals = report(
        3,
        DAY,
        "Two men photographed the envoy's residence at night.",
        source="Blog",
        reliability="E",
        status="threatened",
    )
    pathway = assess([watched], signals)
    assert not any(n.startswith("priority lowered") for n in pathway.notes)
    assert any("never discounted" in n for n in pathway.notes)
    assert pathway.priority > howl.priority
    stale = assess(plain, today=DAY + timedelta(days=365))
    assert 0 < stale.priority < assess(plain).priority


def test_same_inputs_same_output_in_any_order_and_json_round_trip() -> None:
    reports = [
        report(
            n,
            DAY - timedelta(days=20 - 5 * n),
            "Officials say the threat has become more specific in recent weeks.",
            source=f"Wire {n % 2}",
            where="the capital" if n > 2 else None,
        )
        for n in range(1, 5)
    ]
    statements = [s for s, _ in reports]
    signals = signals_of(reports)
    first = assess(statements, signals)
    shuffled = statements[:]
    random.Random(7).shuffle(shuffled)
    assert assess(shuffled, list(reversed(signals))) == first
    assert ThreadAssessment.from_json(first.to_json()) == first
    assert first.to_json()["admiralty"] == f"{first.reliability}{first.credibility}"
