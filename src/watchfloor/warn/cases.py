"""Duty-to-warn cases: opened by triage, moved through the states of domain.md section 1 by the
people the case policy permits, every move recorded as a case event and in the audit log.

All functions work in the caller's transaction, so a case change, its notices in the outbox and
its audit entries commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from watchfloor import hooks
from watchfloor.assess.records import ThreadAssessment
from watchfloor.errors import CaseError
from watchfloor.link.protectees import StoredWatchlist
from watchfloor.link.watchlist import load_watchlist
from watchfloor.settings import setting
from watchfloor.store import audit
from watchfloor.store.models import Acknowledgement, Case, CaseEvent, Notice, utcnow
from watchfloor.warn import drafting
from watchfloor.warn.config import SYSTEM_ACTOR, CasePolicy, Contact
from watchfloor.warn.duty import ThreadRule, grades, sharpened
from watchfloor.warn.outbox import queue_notice
from watchfloor.warn.users import SYSTEM, Actor, PermissionDenied, actor

WATCHLIST_ENV = "WATCHFLOOR_WATCHLIST"


class ThreadChangeLike(Protocol):
    """What triage needs of assess.service.ThreadChange."""

    @property
    def thread_id(self) -> int: ...
    @property
    def before(self) -> ThreadAssessment | None: ...
    @property
    def after(self) -> ThreadAssessment: ...


@dataclass(frozen=True)
class TriageOutcome:
    case_id: int
    action: str  # "opened" | "retriaged"
    changes: tuple[str, ...] = ()


def _json(value: Any) -> str:
    return audit.canonical(value)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError(f"case {case_id} does not exist; `watchfloor cases` lists them")
    return case


def _event(
    session: Session,
    case: Case,
    who: str,
    kind: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            actor=who,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            details=_json(details or {}),
        )
    )


def transition(
    session: Session,
    case: Case,
    to_state: str,
    who: Actor,
    policy: CasePolicy,
    details: dict[str, Any] | None = None,
) -> None:
    """Move a case, if its state allows the move and `who` holds a role that may make it."""
    allowed = policy.transitions.get(case.state, frozenset())
    if to_state not in allowed:
        raise CaseError(
            f"case {case.id} is {case.state}; it cannot move to {to_state} "
            f"(from {case.state}: {', '.join(sorted(allowed)) or 'nothing'})"
        )
    needed = policy.enter.get(to_state, frozenset())
    if not who.roles & needed:
        raise PermissionDenied(
            f"{who.name} (roles: {', '.join(sorted(who.roles)) or 'none'}) may not move a case to "
            f"{to_state}; that needs one of: {', '.join(sorted(needed)) or 'nobody'}"
        )
    before = case.state
    case.state = to_state
    case.updated_at = utcnow()
    _event(
        session, case, who.name, "transition", from_state=before, to_state=to_state, details=details
    )
    audit.append(
        session,
        actor=who.name,
        action="case.transition",
        subject_type="case",
        subject_id=case.id,
        details={"from": before, "to": to_state, **(details or {})},
    )


# -- triage -----------------------------------------------------------------------------------


def _deadline(policy: CasePolicy, imminence: str, start: datetime) -> datetime:
    hours = policy.deadline_hours.get(imminence, max(policy.deadline_hours.values()))
    return start + timedelta(hours=hours)


def _contacts(protectee: str | None, watchlist: Any) -> list[dict[str, str | None]]:
    if protectee is None or watchlist is None:
        return []
    person = watchlist.get(protectee)
    if person is None or person.notify is None:
        return []
    return [Contact(person.notify.email, person.notify.webhook).to_json()]


def _watchlist_from_env() -> Any:
    path = setting(WATCHLIST_ENV)
    return load_watchlist(Path(path)) if path else None


def triage(
    session: Session,
    changes: Sequence[ThreadChangeLike],
    *,
    rule: ThreadRule | None = None,
    policy: CasePolicy | None = None,
    watchlist: Any = None,
    now: datetime | None = None,
) -> list[TriageOutcome]:
    """Open a case for each thread that newly owes a warning; re-triage the open case of a
    thread whose grades changed, recording before and after."""
    if not changes:
        return []
    rule = rule or ThreadRule.load()
    policy = policy or CasePolicy.load()
    now = now or utcnow()
    outcomes: list[TriageOutcome] = []
    for change in changes:
        after = change.after
        existing = list(
            session.scalars(
                select(Case).where(Case.thread_id == change.thread_id).order_by(Case.id.desc())
            )
        )
        current = next((c for c in existing if c.state != "closed"), None)
        decision = rule.decide(after)
        new_grades = grades(after)
        if current is not None:
            outcome = _retriage(
                session, current, new_grades, decision.owed, decision.reasons, policy, now
            )
            if outcome:
                outcomes.append(outcome)
            continue
        if not decision.owed:
            continue
        if existing and not sharpened(json.loads(existing[0].grades), new_grades):
            # Closed with these grades already: only reporting that sharpens it reopens the duty.
            continue
        if watchlist is None:
            watchlist = _watchlist_from_env() or StoredWatchlist(session)
        case = Case(
            thread_id=change.thread_id,
            thread_key=after.key,
            protectee=after.protectee,
            target_label=after.target,
            actor_label=after.actor,
            state="intake",
            harm=after.harm,
            grades=_json(new_grades),
            rationale=_json(list(decision.reasons)),
            notify=_json(_contacts(after.protectee, watchlist)),
            opened_at=now,
            deadline=_deadline(policy, after.imminence, now),
            updated_at=now,
        )
        name_target(case, watchlist)
        session.add(case)
        session.flush()
        _event(
            session, case, SYSTEM_ACTOR, "opened", to_state="intake", details={"grades": new_grades}
        )
        audit.append(
            session,
            actor=SYSTEM_ACTOR,
            action="case.open",
            subject_type="case",
            subject_id=case.id,
            details={"thread": after.key, "grades": new_grades, "deadline": case.deadline},
        )
        transition(session, case, "triage", SYSTEM, policy)
        transition(
            session, case, "duty_determined", SYSTEM, policy, {"rationale": list(decision.reasons)}
        )
        outcomes.append(TriageOutcome(case.id, "opened"))
    return outcomes


def _retriage(
    session: Session,
    case: Case,
    new_grades: dict[str, Any],
    owed: bool,
    reasons: tuple[str, ...],
    policy: CasePolicy,
    now: datetime,
) -> TriageOutcome | None:
    old = json.loads(case.grades)
    if old == new_grades:
        return None
    changes = sharpened(old, new_grades)
    details: dict[str, Any] = {
        "before": old,
        "after": new_grades,
        "sharpened": changes,
        "still_owed": owed,
        "reasons": list(reasons),
    }
    if changes:
        earlier = _deadline(policy, new_grades["imminence"], now)
        if earlier < case.deadline:
            details["deadline"] = {"before": case.deadline, "after": earlier}
            case.deadline = earlier
            case.deadline_escalated_at = None
    case.grades = _json(new_grades)
    case.updated_at = now
    _event(session, case, SYSTEM_ACTOR, "retriaged", details=details)
    audit.append(
        session,
        actor=SYSTEM_ACTOR,
        action="case.retriage",
        subject_type="case",
        subject_id=case.id,
        details=details,
    )
    return TriageOutcome(case.id, "retriaged", tuple(changes))


# -- people's steps -----------------------------------------------------------------------------


def _people(case: Case, watchlist: Any) -> Any:
    """The watchlist given (--watchlist, $WATCHFLOOR_WATCHLIST), else the store's copy."""
    if watchlist is not None:
        return watchlist
    session = object_session(case)
    return StoredWatchlist(session) if session is not None else None


def contacts_of(case: Case, watchlist: Any = None) -> list[Contact]:
    stored = [Contact(**c) for c in json.loads(case.notify or "[]")]
    watchlist = _people(case, watchlist)
    if watchlist is not None:
        fresh = [Contact(**c) for c in _contacts(case.protectee, watchlist)]
        if fresh:
            return fresh
    return stored


def name_target(case: Case, watchlist: Any) -> None:
    """Use the protectee's name from the watchlist where the case only knows their id."""
    watchlist = _people(case, watchlist)
    person = watchlist.get(case.protectee) if watchlist is not None and case.protectee else None
    if person is not None and case.target_label in (case.protectee, ""):
        case.target_label = person.name


def _limits(case: Case, watchlist: Any, policy: CasePolicy | None) -> list[str]:
    policy = policy or CasePolicy.load()
    addresses = [a for c in contacts_of(case, watchlist) for a in (c.email, c.webhook) if a]
    return [policy.release_limit(a) for a in addresses] or [policy.release_default]


def draft(
    session: Session, case: Case, watchlist: Any = None, policy: CasePolicy | None = None
) -> tuple[str, str]:
    name_target(case, watchlist)
    limits = _limits(case, watchlist, policy)
    return drafting.draft_warning(case, drafting.releasable(session, case, limits))


def warn(
    session: Session,
    case_id: int,
    who_name: str,
    policy: CasePolicy,
    *,
    subject: str | None = None,
    body: str | None = None,
    watchlist: Any = None,
) -> list[Notice]:
    """Queue the reviewed warning to every notify contact of the protectee and move the case
    to warn_pending, all in this transaction."""
    who = actor(session, who_name)
    case = get_case(session, case_id)
    name_target(case, watchlist)
    facts = drafting.releasable(session, case, _limits(case, watchlist, policy))
    drafted_subject, drafted_body = drafting.draft_warning(case, facts)
    subject = subject or drafted_subject
    body = body or drafted_body
    drafting.check(subject + "\n" + body, facts)
    contacts = contacts_of(case, watchlist)
    if not any(c.email or c.webhook for c in contacts):
        raise CaseError(
            f"case {case.id}: no notify contact for {case.protectee or case.target_label}; add "
            f"notify: {{email: ...}} to the watchlist entry and load it with `watchfloor "
            f"watchlist load FILE` (or pass --watchlist, or set {WATCHLIST_ENV})"
        )
    case.notify = _json([c.to_json() for c in contacts])
    transition(session, case, "warn_pending", who, policy)
    notices: list[Notice] = []
    for contact in contacts:
        for channel, address in (("email", contact.email), ("webhook", contact.webhook)):
            if address:
                notices.append(
                    queue_notice(
                        session,
                        case,
                        kind="warning",
                        channel=channel,
                        recipient=address,
                        recipient_kind=policy.notify_recipient_kind,
                        subject=subject,
                        body=body,
                        by=who.name,
                    )
                )
    return notices


def propose_waiver(
    session: Session, case_id: int, who_name: str, policy: CasePolicy, *, code: str, reason: str
) -> Case:
    who = actor(session, who_name)
    case = get_case(session, case_id)
    if code not in policy.enabled_codes():
        raise CaseError(f"waiver code {code!r} is not one of {', '.join(policy.enabled_codes())}")
    if not reason or not reason.strip():
        raise CaseError("a waiver needs a written justification; give --reason")
    transition(
        session, case, "waiver_proposed", who, policy, {"code": code, "reason": reason.strip()}
    )
    case.waiver_code = code
    case.waiver_reason = reason.strip()
    case.waiver_proposed_by = who.name
    return case


def decide_waiver(
    session: Session,
    case_id: int,
    who_name: str,
    policy: CasePolicy,
    *,
    approve: bool,
    reason: str | None = None,
) -> Case:
    """Approve or reject a proposed waiver: a different person than the proposer, who holds
    the approver role."""
    who = actor(session, who_name)
    case = get_case(session, case_id)
    if case.state != "waiver_proposed":
        raise CaseError(f"case {case.id} is {case.state}; there is no waiver proposed to decide")
    if who.name == case.waiver_proposed_by:
        raise PermissionDenied(
            f"{who.name} proposed this waiver; another person with the "
            f"{policy.approver_role} role must decide it"
        )
    if policy.approver_role not in who.roles:
        raise PermissionDenied(f"{who.name} does not hold the {policy.approver_role} role")
    details = {"code": case.waiver_code, "proposed_by": case.waiver_proposed_by}
    if reason:
        details["reason"] = reason
    transition(
        session, case, "waiver_approved" if approve else "waiver_rejected", who, policy, details
    )
    return case


def move(
    session: Session,
    case_id: int,
    who_name: str,
    policy: CasePolicy,
    to_state: str,
    *,
    reason: str | None = None,
) -> Case:
    """A plain move (monitor, close, dispute, escalate) by a permitted person."""
    who = actor(session, who_name)
    case = get_case(session, case_id)
    transition(session, case, to_state, who, policy, {"reason": reason} if reason else None)
    return case


def mark_delivered(session: Session, case: Case, policy: CasePolicy) -> bool:
    """After a warning notice is sent: when every warning notice of the case is out, record
    the delivery (channels, deliverer, recipients, time, text hash)."""
    if case.state != "warn_pending":
        return False
    notices = list(
        session.scalars(select(Notice).where(Notice.case_id == case.id, Notice.kind == "warning"))
    )
    pending = [n for n in notices if n.status != "sent"]
    if pending or not notices:
        return False
    transition(
        session,
        case,
        "warning_delivered",
        SYSTEM,
        policy,
        {
            "channels": sorted({n.channel for n in notices}),
            "deliverer": sorted({n.queued_by for n in notices}),
            "recipients": [n.recipient for n in notices],
            "recipient_kind": sorted({n.recipient_kind for n in notices}),
            "sent_at": max(n.sent_at for n in notices if n.sent_at is not None),
            "text_hash": sorted({n.text_hash for n in notices}),
        },
    )
    return True


def check_deadlines(
    session: Session, policy: CasePolicy, *, now: datetime | None = None
) -> list[int]:
    """Escalate every case whose deadline passed with no warning delivered and no waiver
    approved: a notice to the escalation contact, a case event, an audit entry. Once per
    deadline."""
    now = now or utcnow()
    overdue = list(
        session.scalars(
            select(Case)
            .where(Case.state.in_(sorted(policy.deadline_states)))
            .where(Case.deadline < now)
            .where(Case.deadline_escalated_at.is_(None))
            .order_by(Case.id)
        )
    )
    contact = policy.escalation
    for case in overdue:
        case.deadline_escalated_at = now
        subject, body = drafting.draft_escalation(case)
        queued = []
        for channel, address in (("email", contact.email), ("webhook", contact.webhook)):
            if address:
                notice = queue_notice(
                    session,
                    case,
                    kind="escalation",
                    channel=channel,
                    recipient=address,
                    recipient_kind="escalation",
                    subject=subject,
                    body=body,
                    by=SYSTEM_ACTOR,
                )
                queued.append(notice.id)
        details = {"deadline": case.deadline, "state": case.state, "notices": queued}
        if not queued:
            details["problem"] = "no escalation contact configured"
        _event(session, case, SYSTEM_ACTOR, "deadline_missed", details=details)
        audit.append(
            session,
            actor=SYSTEM_ACTOR,
            action="case.deadline_missed",
            subject_type="case",
            subject_id=case.id,
            details=details,
        )
    return [c.id for c in overdue]


# -- reading --------------------------------------------------------------------------------


def list_cases(session: Session, *, state: str | None = None, limit: int = 100) -> list[Case]:
    query = select(Case).order_by(Case.deadline, Case.id).limit(limit)
    if state:
        query = query.where(Case.state == state)
    return list(session.scalars(query))


def summary(case: Case) -> dict[str, Any]:
    g = json.loads(case.grades)
    return {
        "id": case.id,
        "state": case.state,
        "thread": case.thread_key,
        "thread_id": case.thread_id,
        "protectee": case.protectee,
        "target": case.target_label,
        "actor": case.actor_label,
        "harm": case.harm,
        "admiralty": g.get("admiralty"),
        "specificity": g.get("specificity"),
        "imminence": g.get("imminence"),
        "opened_at": case.opened_at.isoformat(),
        "deadline": case.deadline.isoformat(),
        "overdue_escalated_at": case.deadline_escalated_at.isoformat()
        if case.deadline_escalated_at
        else None,
        "waiver": {
            "code": case.waiver_code,
            "reason": case.waiver_reason,
            "proposed_by": case.waiver_proposed_by,
        }
        if case.waiver_code
        else None,
    }


def show(session: Session, case_id: int, reader: str) -> dict[str, Any]:
    """The whole case for a person: grades, rationale, events, notices, acknowledgements.
    The read itself is audited."""
    who = actor(session, reader)
    case = get_case(session, case_id)
    events = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )
    notices = list(
        session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))
    )
    acknowledged = {
        a.notice_id: a.acknowledged_at.isoformat()
        for a in session.scalars(
            select(Acknowledgement).where(Acknowledgement.notice_id.in_([n.id for n in notices]))
        )
        if a.acknowledged_at is not None
    }
    audit.append(
        session, actor=who.name, action="case.read", subject_type="case", subject_id=case.id
    )
    return {
        **summary(case),
        "grades": json.loads(case.grades),
        "rationale": json.loads(case.rationale),
        "notify": json.loads(case.notify or "[]"),
        "events": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "from": e.from_state,
                "to": e.to_state,
                "details": json.loads(e.details),
            }
            for e in events
        ],
        "notices": [
            {
                "id": n.id,
                "kind": n.kind,
                "channel": n.channel,
                "recipient": n.recipient,
                "status": n.status,
                "attempts": n.attempts,
                "sent_at": n.sent_at.isoformat() if n.sent_at else None,
                "last_error": n.last_error,
                "acknowledged_at": acknowledged.get(n.id),
            }
            for n in notices
        ],
    }


hooks.on_threads_changed(triage)
