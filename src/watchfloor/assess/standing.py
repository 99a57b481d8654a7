"""A thread's standing: a live threat, or history kept as context.

History is what no longer calls for protection: a threat against a person the reporting says
was killed (nobody will try to kill a dead man), or an attack carried out (or a plot foiled)
long before the day of judgement on someone who is not on the watchlist. Threads against
watchlisted people stay live whatever their stage: a carried-out attack on a protectee is the
gravest thing on the board, not background.

Deaths come from the reports themselves: a carried-out kill of a person, reported on or before
the day of judgement. A thread's target is that person when its words end in the person's name
("Soleimani", "Qassem Soleimani"), or, for an unnamed target in the same report, when its head
noun is the role the report gives the dead person ("a powerful Iranian general" where the report
says "the general, Qassem Soleimani").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.grades import when_range
from watchfloor.assess.records import EvidenceRef, Signal, StatementEvidence
from watchfloor.assess.threads import normalize_target

StandingLabel = Literal["live", "history"]

_WORD = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Death:
    """A person a report says was killed."""

    document_id: int
    day: date  # the report's day
    name: str  # the name's last word, folded ("soleimani")
    # Head nouns of the roles the report gives the person ("the general, Qassem Soleimani"),
    # folded: from the statement's own target words, and from the report's text (roles_in).
    roles: frozenset[str]
    evidence: EvidenceRef


@dataclass(frozen=True)
class Standing:
    label: StandingLabel
    reason: str
    # When what the thread reports happened (ISO, possibly partial), for a past stage the text
    # dates; None when it does not.
    happened: str | None = None
    evidence: EvidenceRef | None = None
    # For a foiled plot: whether its report says the plotters were caught (arrested, charged).
    caught: bool | None = None


def _last_word(text: str | None) -> str | None:
    words = _WORD.findall(normalize_target(text) or "")
    return words[-1] if words else None


def death_of(
    act: str,
    status: str,
    target_kind: str,
    target_text: str | None,
    day: date,
    evidence: EvidenceRef,
    config: AssessConfig,
) -> Death | None:
    """The death a statement reports, if it reports one of a person."""
    rules = config.standing
    if act not in rules.fatal_acts or status not in rules.fatal_statuses:
        return None
    if target_kind != "person" or not target_text:
        return None
    role_part, _, name_part = target_text.rpartition(",")
    name = _last_word(name_part if role_part else target_text)
    if name is None:
        return None
    role = _last_word(role_part) if role_part else None
    return Death(evidence.document_id, day, name, frozenset({role} if role else ()), evidence)


# "the general, Qassem Soleimani", "a powerful Iranian general, Qassem Soleimani": an article,
# up to three words, the role noun, a comma, then the name (up to three capitalized words).
_APPOSITIVE = re.compile(
    r"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w’'-]+\s+){0,3}?([a-z][\w-]*),\s+"
    r"(?:[A-Z][\w’'.-]*\s+){0,3}([A-Z][\w’'-]*)"
)


def roles_in(text: str, name: str) -> frozenset[str]:
    """The roles a report's text gives a person in an appositive, by the name's last word."""
    return frozenset(
        m.group(1).lower() for m in _APPOSITIVE.finditer(text) if _last_word(m.group(2)) == name
    )


def deaths_in(statements: Iterable[StatementEvidence], config: AssessConfig) -> list[Death]:
    found = (
        death_of(s.act, s.status, s.target_kind, s.target_text, s.day, s.evidence, config)
        for s in statements
    )
    return [d for d in found if d is not None]


def _dead(
    statements: Sequence[StatementEvidence], deaths: Sequence[Death], today: date
) -> Death | None:
    """The death of this thread's target, if a report up to `today` tells of one."""
    known = [d for d in deaths if d.day <= today]
    for statement in statements:
        last = _last_word(statement.target_text)
        if last is None:
            continue
        for death in known:
            if last == death.name:
                return death
            same_report = death.document_id == statement.document_id
            if same_report and not statement.person_named and last in death.roles:
                return death
    return None


def _event_day(
    statement: StatementEvidence, signals: Sequence[Signal], config: AssessConfig
) -> tuple[date, str | None, bool]:
    """When a past-stage statement's event happened, its date as written, and whether the text
    dates it at all: its own date, else the date a temporal phrase of its sentence points to,
    else (undated) its report's day."""
    span = when_range(statement.when)
    if span is not None:
        # A coarse date ("2020") of something already done ends, at the latest, at its report.
        return min(span[1], statement.day), statement.when, True
    ev = statement.evidence
    for signal in signals:
        if signal.kind == "temporal" and signal.days_before and ev.start <= signal.start < ev.end:
            return statement.day - timedelta(days=signal.days_before), None, True
    return statement.day, None, False


@dataclass(frozen=True)
class _Event:
    day: date
    happened: str | None  # None: the text does not date it
    evidence: EvidenceRef
    caught: bool | None


def _past_event(
    statements: Sequence[StatementEvidence],
    status: str,
    signals: Mapping[int, Sequence[Signal]],
    config: AssessConfig,
) -> _Event | None:
    """For a thread at a past stage: the latest statement of that stage, and when it happened."""
    rules = config.standing
    holders = [s for s in statements if s.status == status]
    if status not in rules.past_statuses or not holders:
        return None
    events = [(_event_day(s, signals.get(s.document_id, ()), config), s) for s in holders]
    # A statement that dates the event outranks one that only has its report's day.
    dated = [e for e in events if e[0][2]] or events
    (day, when, known), latest = max(dated, key=lambda pair: pair[0][0])
    caught = None
    if status in rules.foiled_statuses:
        words = _WORD.findall(latest.evidence.text.lower())
        caught = any(w in rules.caught_words for w in words)
    return _Event(day, (when or day.isoformat()) if known else None, latest.evidence, caught)


def standing(
    statements: Sequence[StatementEvidence],
    status: str,
    signals: Mapping[int, Sequence[Signal]],
    deaths: Sequence[Death],
    config: AssessConfig,
    today: date,
) -> Standing:
    """`statements`: the thread's statements that count (not dismissed), in reading order;
    `status`: the thread's stage; `signals`: temporal phrases by document."""
    event = _past_event(statements, status, signals, config)
    happened = event.happened if event else None
    caught = event.caught if event else None
    if any(s.protectee for s in statements):
        return Standing("live", "the target is on the watchlist", happened, caught=caught)
    death = _dead(statements, deaths, today)
    if death is not None:
        return Standing(
            "history",
            f"the target was reported killed (report of {death.day.isoformat()})",
            happened,
            death.evidence,
            caught,
        )
    if event is None:
        return Standing("live", f"stage {status.replace('_', ' ')}")
    age = (today - event.day).days
    after = config.standing.history_after_days
    when = event.happened or f"undated, reported {event.day.isoformat()}"
    if age > after:
        return Standing(
            "history",
            f"{status.replace('_', ' ')} about {when}, {age} days before "
            f"{today.isoformat()}, against someone not on the watchlist",
            happened,
            event.evidence,
            caught,
        )
    return Standing(
        "live",
        f"{status.replace('_', ' ')} ({when}), within {after} days",
        happened,
        event.evidence,
        caught,
    )
