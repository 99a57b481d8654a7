"""Duty-to-warn cases on both stores: triage, re-triage, roles, waivers, deadlines,
acknowledgements and the audit trail (with threads and assessments built by hand)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from warn_support import Change, add_thread, assessment, sharper

from watchfloor.store import audit
from watchfloor.store.engine import transaction
from watchfloor.store.models import Acknowledgement, AuditEntry, Case, CaseEvent, Notice
from watchfloor.warn import acks, cases
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.users import PermissionDenied, add_user

POLICY = CasePolicy.load()
RULE = ThreadRule.load()


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("WATCHFLOOR_SECRET_KEY", "cases-test-key-with-at-least-32-bytes")
    monkeypatch.setenv("WATCHFLOOR_HOME", str(tmp_path))


@pytest.fixture
def staffed(store: Engine) -> Iterator[Engine]:
    with transaction(store) as s:
        add_user(s, "root", ["admin"], email=None, by=None, policy=POLICY)
        add_user(s, "ana", ["analyst"], email=None, by="root", policy=POLICY)
        add_user(s, "dora", ["duty_officer", "approver"], email=None, by="root", policy=POLICY)
        add_user(s, "abe", ["approver"], email=None, by="root", policy=POLICY)
    yield store


def open_case(engine: Engine, **kwargs: object) -> int:
    a = assessment(**kwargs)  # type: ignore[arg-type]
    with transaction(engine) as s:
        thread_id = add_thread(s, a)
        outcomes = cases.triage(s, [Change(thread_id, None, a)], rule=RULE, policy=POLICY)
    assert [o.action for o in outcomes] == ["opened"]
    return outcomes[0].case_id


def test_a_thread_that_owes_a_warning_opens_a_case_with_a_deadline(staffed: Engine) -> None:
    case_id = open_case(staffed, imminence="near")
    with transaction(staffed) as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert case.state == "duty_determined"
        assert case.deadline - case.opened_at == timedelta(hours=POLICY.deadline_hours["near"])
        kinds = [(e.kind, e.to_state) for e in s.scalars(select(CaseEvent).order_by(CaseEvent.id))]
        assert kinds == [
            ("opened", "intake"),
            ("transition", "triage"),
            ("transition", "duty_determined"),
        ]
        assert any("impending" in r for r in json.loads(case.rationale))
        actions = [e.action for e in audit.entries_for(s, "case", case_id)]
        assert actions == ["case.open", "case.transition", "case.transition"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"credibility": 5},
        {"specificity": 0.1},
        {"harm": "surveil"},
        {"status": "foiled"},
        {"imminence": "past"},
        {"protectee": None, "target_identified": False},
    ],
)
def test_a_thread_that_does_not_owe_opens_nothing(store: Engine, kwargs: dict[str, object]) -> None:
    a = assessment(**kwargs)  # type: ignore[arg-type]
    assert not RULE.decide(a).owed
    with transaction(store) as s:
        thread_id = add_thread(s, a)
        assert cases.triage(s, [Change(thread_id, None, a)], rule=RULE, policy=POLICY) == []
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_more_specific_reporting_retriages_the_open_case_visibly(staffed: Engine) -> None:
    first = assessment(specificity=0.45, imminence="unspecified", credibility=3)
    with transaction(staffed) as s:
        thread_id = add_thread(s, first)
        [opened] = cases.triage(s, [Change(thread_id, None, first)], rule=RULE, policy=POLICY)
        deadline = s.get(Case, opened.case_id).deadline  # type: ignore[union-attr]
    later = sharper(first, specificity=0.8, imminence="near", credibility=2)
    with transaction(staffed) as s:
        [again] = cases.triage(s, [Change(thread_id, first, later)], rule=RULE, policy=POLICY)
    assert again.case_id == opened.case_id and again.action == "retriaged"
    assert any(c.startswith("specificity 0.45") for c in again.changes)
    assert any(c.startswith("credibility 3") for c in again.changes)
    with transaction(staffed) as s:
        shown = cases.show(s, opened.case_id, "ana")
        case = s.get(Case, opened.case_id)
        assert case is not None and case.deadline < deadline  # nearer harm, nearer deadline
        assert audit.entries_for(s, "case", opened.case_id)[-1].action == "case.read"
    [event] = [e for e in shown["events"] if e["kind"] == "retriaged"]
    assert event["details"]["before"]["specificity"] == 0.45
    assert event["details"]["after"]["specificity"] == 0.8
    assert event["details"]["before"]["admiralty"] == "B3"
    assert event["details"]["after"]["admiralty"] == "B2"
    # The same grades again change nothing and record nothing.
    with transaction(staffed) as s:
        assert cases.triage(s, [Change(thread_id, later, later)], rule=RULE, policy=POLICY) == []


def test_only_permitted_roles_move_a_case(staffed: Engine) -> None:
    case_id = open_case(staffed)
    with transaction(staffed) as s, pytest.raises(PermissionDenied, match="needs one of"):
        cases.move(s, case_id, "ana", POLICY, "waiver_proposed")
    with transaction(staffed) as s, pytest.raises(PermissionDenied, match="unknown"):
        cases.move(s, case_id, "mallory", POLICY, "disputed")
    with transaction(staffed) as s, pytest.raises(cases.CaseError, match="cannot move to closed"):
        cases.move(s, case_id, "dora", POLICY, "closed")
    with transaction(staffed) as s:
        cases.move(s, case_id, "ana", POLICY, "disputed", reason="sources disagree")
        cases.move(s, case_id, "abe", POLICY, "escalated")
        assert s.get(Case, case_id).state == "escalated"  # type: ignore[union-attr]


def test_a_waiver_needs_a_code_a_reason_and_a_second_approver(staffed: Engine) -> None:
    case_id = open_case(staffed)
    with transaction(staffed) as s, pytest.raises(cases.CaseError, match="not one of"):
        cases.propose_waiver(s, case_id, "dora", POLICY, code="TOO_BUSY", reason="x")
    with transaction(staffed) as s, pytest.raises(cases.CaseError, match="justification"):
        cases.propose_waiver(s, case_id, "dora", POLICY, code="ALREADY_AWARE", reason=" ")
    with transaction(staffed) as s:
        cases.propose_waiver(
            s, case_id, "dora", POLICY, code="ALREADY_AWARE", reason="briefed in person"
        )
    # dora holds the approver role, but proposed it: another person must decide.
    with transaction(staffed) as s, pytest.raises(PermissionDenied, match="proposed this"):
        cases.decide_waiver(s, case_id, "dora", POLICY, approve=True)
    with transaction(staffed) as s, pytest.raises(PermissionDenied):
        cases.decide_waiver(s, case_id, "ana", POLICY, approve=True)
    with transaction(staffed) as s:
        cases.decide_waiver(s, case_id, "abe", POLICY, approve=True)
        cases.move(s, case_id, "abe", POLICY, "closed")
        actions = [(e.actor, e.action) for e in audit.entries_for(s, "case", case_id)][-3:]
        details = json.loads(audit.entries_for(s, "case", case_id)[-2].details)
    assert actions == [
        ("dora", "case.transition"),
        ("abe", "case.transition"),
        ("abe", "case.transition"),
    ]
    assert details == {
        "from": "waiver_proposed",
        "to": "waiver_approved",
        "code": "ALREADY_AWARE",
        "proposed_by": "dora",
    }


def test_a_missed_deadline_escalates_once_to_the_configured_contact(staffed: Engine) -> None:
    case_id = open_case(staffed, imminence="imminent")
    with transaction(staffed) as s:
        deadline = s.get(Case, case_id).deadline  # type: ignore[union-attr]
        assert cases.check_deadlines(s, POLICY, now=deadline - timedelta(minutes=1)) == []
        assert cases.check_deadlines(s, POLICY, now=deadline + timedelta(minutes=1)) == [case_id]
        assert cases.check_deadlines(s, POLICY, now=deadline + timedelta(hours=1)) == []
        [notice] = s.scalars(select(Notice))
        assert (notice.kind, notice.recipient) == ("escalation", POLICY.escalation.email)
        assert f"case {case_id}" in notice.body.lower()
        kinds = [e.kind for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))]
        assert "deadline_missed" in kinds
        assert "case.deadline_missed" in [e.action for e in audit.entries_for(s, "case", case_id)]


def test_warning_notices_commit_with_the_case_change_or_not_at_all(staffed: Engine) -> None:
    case_id = open_case(staffed)
    contacts = {"amara-okafor": {"email": "desk@example.org", "webhook": "http://127.0.0.1:9/x"}}
    watchlist = _watchlist(contacts)
    with pytest.raises(RuntimeError), transaction(staffed) as s:
        cases.warn(s, case_id, "dora", POLICY, watchlist=watchlist)
        raise RuntimeError("crash before commit")
    with transaction(staffed) as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 0
        assert s.get(Case, case_id).state == "duty_determined"  # type: ignore[union-attr]
        notices = cases.warn(s, case_id, "dora", POLICY, watchlist=watchlist)
        assert sorted(n.channel for n in notices) == ["email", "webhook"]
        assert s.get(Case, case_id).state == "warn_pending"  # type: ignore[union-attr]
        assert all("[[ACK_TOKEN]]" in n.body for n in notices)


def test_acknowledgement_is_recorded_once_and_tokens_are_stored_hashed(staffed: Engine) -> None:
    case_id = open_case(staffed)
    with transaction(staffed) as s:
        [notice] = cases.warn(
            s, case_id, "dora", POLICY, watchlist=_watchlist({"amara-okafor": {"email": "d@x.org"}})
        )
        token = acks.token_for(notice)
        stored = s.scalar(select(Acknowledgement.token_hash))
    assert stored == acks.token_hash(token) and token not in (stored or "")
    with transaction(staffed) as s:
        first = acks.acknowledge(s, token)
    with transaction(staffed) as s:
        second = acks.acknowledge(s, token)
        with pytest.raises(acks.AckError):
            acks.acknowledge(s, token[:-2] + "xx")
        actions = [e.action for e in audit.entries_for(s, "notice", notice.id)]
    assert first.first and not second.first
    assert second.acknowledged_at == first.acknowledged_at
    assert actions == ["notice.queued", "notice.acknowledged", "notice.acknowledged_again"]


def test_audit_verify_catches_an_edit_behind_the_applications_back(staffed: Engine) -> None:
    case_id = open_case(staffed)
    with transaction(staffed) as s:
        cases.show(s, case_id, "ana")
        result = audit.verify(s)
        assert result.ok and result.entries >= 8
        target = audit.entries_for(s, "case", case_id)[1].id
    with staffed.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET actor = 'someone-else' WHERE id = :id"), {"id": target}
        )
    with transaction(staffed) as s:
        broken = audit.verify(s)
        count = s.scalar(select(func.count()).select_from(AuditEntry))
    assert not broken.ok and broken.broken_at == target
    assert count == result.entries


def _watchlist(contacts: dict[str, dict[str, str]]) -> object:
    from watchfloor.link.watchlist import Notify, Protectee, Watchlist

    return Watchlist(
        Protectee(id=pid, name=pid.replace("-", " ").title(), notify=Notify(**c))
        for pid, c in contacts.items()
    )
