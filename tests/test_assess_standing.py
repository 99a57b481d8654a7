"""Live threats versus history, protectees first, cues that belong to their thread and one plot
in one thread (issue 13, points 1-4), on statements written by hand."""

from __future__ import annotations

import dataclasses
from datetime import date

from assess_support import report, statement

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.context import plot_actor
from watchfloor.assess.grading import assess_thread
from watchfloor.assess.records import EvidenceRef, StatementEvidence, ThreadOverrides
from watchfloor.assess.standing import Death, deaths_in, roles_in
from watchfloor.publish.review import ReviewConfig, judgement_text

CONFIG = AssessConfig.load()
NONE = ThreadOverrides()
TODAY = date(2031, 6, 1)


def _assess(statements: list[StatementEvidence], **kwargs: object) -> object:
    return assess_thread(
        "Northland→envoy",
        statements,
        kwargs.pop("signals", []),  # type: ignore[arg-type]
        overrides=NONE,
        config=CONFIG,
        today=kwargs.pop("today", TODAY),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def _unlisted(**fields: object) -> StatementEvidence:
    return statement(protectee=None, **fields)  # type: ignore[arg-type]


# --- standing -------------------------------------------------------------------------------


def test_an_attack_carried_out_long_ago_on_an_unlisted_target_is_history() -> None:
    old = _unlisted(document_id=1, day=TODAY, status="carried_out", when="2030-01")
    a = _assess([old])
    assert a.standing == "history", a.standing_reason
    assert a.happened == "2030-01"
    assert "not on the watchlist" in a.standing_reason
    # Below any live thread of far lower grade.
    live = _assess([_unlisted(document_id=2, day=TODAY, act="surveil", status="threatened")])
    assert live.standing == "live" and live.priority > a.priority


def test_a_recent_attack_and_any_attack_on_a_protectee_stay_live() -> None:
    recent = _unlisted(document_id=1, day=TODAY, status="carried_out", when="2031-05-28")
    assert _assess([recent]).standing == "live"
    protected = statement(document_id=1, day=TODAY, status="carried_out", when="2030-01")
    a = _assess([protected])
    assert a.standing == "live" and a.happened == "2030-01"


def test_a_temporal_phrase_of_the_sentence_dates_an_undated_attack() -> None:
    text = "Gunmen attacked the envoy earlier this year."
    found, signals = report(
        3, date(2031, 9, 30), text, status="carried_out", protectee=None, person_named=False
    )
    a = _assess([found], signals=signals, today=date(2031, 9, 30))
    assert a.standing == "history", a.standing_reason


def test_a_target_reported_killed_is_history_whatever_the_stage() -> None:
    killed = dataclasses.replace(
        _unlisted(document_id=5, day=TODAY, status="carried_out"),
        target_text="the general, Qassem Example",
    )
    deaths = deaths_in([killed], CONFIG)
    assert [(d.name, d.roles) for d in deaths] == [("example", frozenset({"general"}))]
    by_name = dataclasses.replace(
        _unlisted(document_id=6, day=TODAY, status="planned"), target_text="Example"
    )
    by_role = dataclasses.replace(
        _unlisted(document_id=5, day=TODAY, status="planned", person_named=False),
        target_text="a powerful general",
    )
    for planned in (by_name, by_role):
        assert _assess([planned]).standing == "live"
        a = _assess([planned], deaths=deaths)
        assert a.standing == "history" and "killed" in a.standing_reason
    # The role alone names nobody in another report: a general there is somebody else.
    elsewhere = dataclasses.replace(by_role, document_id=7)
    assert _assess([elsewhere], deaths=deaths).standing == "live"
    # A death reported after the day of judgement is not known on it.
    later = [dataclasses.replace(d, day=date(2031, 7, 1)) for d in deaths]
    assert _assess([by_name], deaths=later).standing == "live"


def test_a_report_text_gives_the_dead_person_a_role_in_an_appositive() -> None:
    text = "Officials said that since the general, Qassem Example, was killed in May, ..."
    assert roles_in(text, "example") == {"general"}
    assert roles_in("A powerful commander, Jo Example Junior, spoke.", "junior") == {"commander"}
    assert roles_in(text, "other") == frozenset()
    assert roles_in("The envoy, who arrived, Example said.", "example") == frozenset()


def test_a_dead_protectee_is_never_history() -> None:
    death = Death(9, TODAY, "envoy", frozenset(), EvidenceRef(9, 0, 5, "x"))
    assert _assess([statement(document_id=9, day=TODAY)], deaths=[death]).standing == "live"


# --- protectees first -----------------------------------------------------------------------


def test_a_watchlisted_target_ranks_above_an_unlinked_one_of_the_same_grade() -> None:
    listed = _assess([statement(document_id=1, day=TODAY, status="threatened")])
    unlinked = _assess([_unlisted(document_id=1, day=TODAY, status="threatened")])
    assert listed.admiralty == unlinked.admiralty and listed.severity == unlinked.severity
    assert listed.priority > unlinked.priority
    assert any("watchlisted target" in n for n in listed.notes)


# --- cues belong to their thread --------------------------------------------------------------


def test_an_escalation_cue_in_another_sentence_does_not_move_the_thread() -> None:
    mine = "Officials said a cell is planning to kill the envoy."
    other = " The dispute between the two states has deepened in recent weeks."
    found, signals = report(1, TODAY, mine + other, status="planned")
    # The statement's own sentence is its evidence; the cue sits in the next sentence.
    found = dataclasses.replace(
        found, evidence=EvidenceRef(1, 0, len(mine), mine), trigger=EvidenceRef(1, 0, 5, mine[:5])
    )
    assert any(s.signal.kind == "escalation" for s in signals)
    assert _assess([found], signals=signals).trend.label == "new"
    own = "Officials said the plot to kill the envoy has deepened in recent weeks."
    found, signals = report(2, TODAY, own, status="planned")
    assert _assess([found], signals=signals).trend.label == "escalating"


# --- one plot, one thread ---------------------------------------------------------------------


def test_an_unnamed_statement_joins_the_one_named_actor_of_its_report() -> None:
    named = {(1, "protectee:envoy"): {"Northland": {"kill"}}}
    assert plot_actor(named, 1, "protectee:envoy", "kill") == "Northland"
    # A general threat is the first step of the named plot, whatever its act.
    assert plot_actor(named, 1, "protectee:envoy", "threaten") == "Northland"
    # Another act, another report, another target, or two named actors: left unknown.
    assert plot_actor(named, 1, "protectee:envoy", "kidnap") is None
    assert plot_actor(named, 2, "protectee:envoy", "kill") is None
    assert plot_actor(named, 1, "protectee:other", "kill") is None
    both = {(1, "protectee:envoy"): {"Northland": {"kill"}, "Southland": {"kill"}}}
    assert plot_actor(both, 1, "protectee:envoy", "threaten") is None


# --- judgements worded by stage ---------------------------------------------------------------


def test_judgements_are_worded_by_stage() -> None:
    config = ReviewConfig.load()
    live = _assess([statement(document_id=1, day=TODAY)])
    assert "will try to kill" in judgement_text(live, config)[1]
    done = _assess([_unlisted(document_id=1, day=TODAY, status="carried_out", when="2030-01")])
    title, body = judgement_text(done, config)
    assert "will" not in body.split(".")[0] and "killed the envoy" in body and "2030-01" in body
    assert "killed" in title
    caught = dataclasses.replace(
        _unlisted(document_id=1, day=TODAY, status="foiled", when="2021"),
        evidence=EvidenceRef(1, 0, 40, "Police arrested the men who plotted it."),
    )
    foiled = _assess([caught])
    _, body = judgement_text(foiled, config)
    assert "was foiled" in body and "caught" in body and "at large" not in body
    free = _assess([_unlisted(document_id=1, day=TODAY, status="foiled", when="2021")])
    assert "may still be at large" in judgement_text(free, config)[1]
    dead = Death(4, TODAY, "envoy", frozenset(), EvidenceRef(4, 0, 5, "x"))
    history = _assess([_unlisted(document_id=4, day=TODAY, status="planned")], deaths=[dead])
    _, body = judgement_text(history, config)
    assert body.startswith("History, not a live threat") and "will try" not in body
