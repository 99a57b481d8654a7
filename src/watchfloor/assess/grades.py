"""The single grades of a set of statements: reliability, credibility, specificity, harm,
status, severity and imminence (domain.md section 2; the numbers in data/assess).

Independent corroboration is counted in origins: a unit is one origin source
(StatementEvidence.origin_source). Syndicated copies share their cluster's origin and two officials
quoted in one story share their document's source, so neither adds a unit.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from watchfloor.assess.config import SPECIFICITY_COMPONENTS, AssessConfig
from watchfloor.assess.records import Specificity, StatementEvidence


@dataclass
class Unit:
    """One independent origin and what its statements say."""

    origin: str
    own: str | None = None  # best grade of statements from the origin itself
    copies: str | None = None  # best grade of its copies elsewhere
    supporting: int = 0
    denying: int = 0
    unhedged: int = 0
    first: StatementEvidence | None = None

    def add(self, statement: StatementEvidence, config: AssessConfig) -> None:
        grade = statement.reliability
        if statement.source == statement.origin_source:
            if self.own is None or _better(grade, self.own, config):
                self.own = grade
        elif self.copies is None or _better(grade, self.copies, config):
            self.copies = grade
        rules = config.credibility
        if statement.status in rules.denying_statuses:
            self.denying += 1
        else:
            self.supporting += 1
            if not statement.hedged and statement.status not in rules.hedging_statuses:
                self.unhedged += 1
        if self.first is None or _order(statement) < _order(self.first):
            self.first = statement

    def grade(self, config: AssessConfig) -> str:
        """The origin's own grade; its copies' best grade when the origin itself is not stored."""
        best = self.own or self.copies
        if best is None or config.reliability_rank(best) >= len(config.reliability_order):
            return config.reliability_unknown
        return best


def _better(grade: str, than: str, config: AssessConfig) -> bool:
    return (config.reliability_rank(grade), grade) < (config.reliability_rank(than), than)


def _order(statement: StatementEvidence) -> tuple[date, int, int]:
    return (statement.day, statement.document_id, statement.evidence.start)


def units_of(statements: Iterable[StatementEvidence], config: AssessConfig) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for statement in statements:
        origin = statement.origin_source or statement.source
        unit = units.get(origin)
        if unit is None:
            unit = units[origin] = Unit(origin)
        unit.add(statement, config)
    return units


def best_grade(grades: Iterable[str], config: AssessConfig) -> str:
    """The best Admiralty letter; F (cannot be judged) only when nothing is graded."""
    ranked = sorted(set(grades), key=lambda g: (config.reliability_rank(g), g))
    if not ranked or config.reliability_rank(ranked[0]) >= len(config.reliability_order):
        return config.reliability_unknown
    return ranked[0]


def reliability(units: dict[str, Unit], config: AssessConfig) -> str:
    return best_grade((u.grade(config) for u in units.values()), config)


@dataclass(frozen=True)
class CredibilityGrade:
    value: int
    rule: str  # "confirmed", "single", "hedged", "doubtful", "contradicted", "no_basis"
    supporting: tuple[Unit, ...]  # the supporting units, best graded first


def credibility(units: dict[str, Unit], config: AssessConfig) -> CredibilityGrade:
    rules = config.credibility
    supporting = sorted(
        (u for u in units.values() if u.supporting),
        key=lambda u: (config.reliability_rank(u.grade(config)), u.origin),
    )
    denying = [u for u in units.values() if u.denying and not u.supporting]
    if not supporting and not denying:
        return CredibilityGrade(rules.no_basis, "no_basis", ())
    if denying and len(denying) >= len(supporting):
        return CredibilityGrade(rules.contradicted, "contradicted", tuple(supporting))
    credible = [u for u in supporting if u.grade(config) in rules.corroborating_grades]
    if len(credible) >= rules.confirm_min_origins:
        return CredibilityGrade(1, "confirmed", tuple(credible))
    if supporting[0].grade(config) in rules.doubtful_grades:
        return CredibilityGrade(rules.doubtful, "doubtful", tuple(supporting))
    if not any(u.unhedged for u in supporting):
        return CredibilityGrade(rules.hedged, "hedged", tuple(supporting))
    return CredibilityGrade(rules.single, "single", tuple(supporting))


def specificity(statements: Sequence[StatementEvidence], config: AssessConfig) -> Specificity:
    present = {
        "target_identified": any(s.protectee or s.person_named for s in statements),
        "method": any(s.method for s in statements),
        "place": any(s.where for s in statements),
        "time": any(s.when for s in statements),
        "actor_capability": any(
            s.actor_lineage if config.actor_capability_requires_lineage else s.actor_entity
            for s in statements
        ),
    }
    weights = config.specificity_weights
    total = sum(weights[c] for c in SPECIFICITY_COMPONENTS) or 1.0
    score = sum(weights[c] for c in SPECIFICITY_COMPONENTS if present[c]) / total
    return Specificity(**present, score=round(score, 3))


def harm(statements: Iterable[StatementEvidence], config: AssessConfig) -> str:
    order = config.harm_order
    return min(
        (s.act for s in statements),
        key=lambda act: (order.index(act) if act in order else len(order), act),
    )


def status(statements: Sequence[StatementEvidence], config: AssessConfig) -> str:
    """The most advanced live stage, unless a terminal stage (foiled) was reported after it;
    with no live stage, the latest stage reported."""
    live_order = config.live_statuses
    live = [s for s in statements if s.status in live_order]
    if live:
        last_live = max(s.day for s in live)
        ended = [
            s for s in statements if s.status in config.terminal_statuses and s.day >= last_live
        ]
        if ended:
            return max(ended, key=_order).status
        return max(live, key=lambda s: (live_order.index(s.status), _order(s))).status
    return max(statements, key=_order).status


def severity(act: str, stage: str, config: AssessConfig) -> int:
    raw = config.severity_act.get(act, 0) * config.severity_status_factor.get(stage, 1.0)
    return max(0, min(10, int(raw + 0.5)))


def when_range(value: str | None) -> tuple[date, date] | None:
    """The days an ISO date, possibly partial ("2020", "2020-09"), covers; None if unreadable."""
    if not value:
        return None
    parts = value.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return date(year, 1, 1), date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date(year, month, int(parts[2][:2]))
        return day, day
    except (ValueError, IndexError):
        return None


def imminence(
    statements: Iterable[StatementEvidence], config: AssessConfig, today: date
) -> tuple[str, int | None]:
    """From the nearest future `when`: imminent, near, or unspecified (further, or none);
    past when every dated statement lies before today. A coarse date that contains today
    ("2020" in 2020) says nothing about how soon."""
    future: list[int] = []
    past = current = 0
    for statement in statements:
        span = when_range(statement.when)
        if span is None:
            continue
        start, end = span
        if end < today:
            past += 1
        elif start > today:
            future.append((start - today).days)
        elif start == end:
            future.append(0)
        else:
            current += 1
    if future:
        days = min(future)
        if days <= config.imminent_days:
            return "imminent", days
        if days <= config.near_days:
            return "near", days
        return "unspecified", days
    if past and not current:
        return "past", None
    return "unspecified", None
