"""Board priority from the raise/lower rules of domain.md section 4 (priority.* in the
configuration).

priority = (severity + base + the weight of each raise rule met) x the factor of each lower rule
met, never below floor x the unlowered value, so lowering never reaches zero. With evidence of
pathway behaviour (planning, watching the target, a planned or attempted stage) no lower rule
applies: such evidence is never discounted, threat or no threat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from watchfloor.assess.config import AssessConfig
from watchfloor.assess.records import BehaviourFinding, Specificity, StatementEvidence, Trend


@dataclass(frozen=True)
class PriorityInputs:
    statements: Sequence[StatementEvidence]
    severity: int
    specificity: Specificity
    behaviours: Sequence[BehaviourFinding]
    trend: Trend
    burst: bool
    credibility: int
    reliability: str
    independent_origins: int
    status: str
    last_seen: date
    history: bool = False  # assess.standing: history, not a live threat


@dataclass(frozen=True)
class Priority:
    value: float
    notes: tuple[str, ...]  # each rule that moved it, in words


def prioritize(inputs: PriorityInputs, config: AssessConfig, today: date) -> Priority:
    rules = config.priority
    seen = {b.behaviour for b in inputs.behaviours}
    spec = inputs.specificity
    met_raise = {
        "watchlisted_target": any(s.protectee for s in inputs.statements),
        "watchlisted_target_with_place_or_time": any(s.protectee for s in inputs.statements)
        and (spec.place or spec.time),
        "reporting_burst": inputs.burst,
        "growing_specificity": inputs.trend.label == "escalating",
        "independent_corroboration": inputs.credibility in rules.corroborated_credibility,
        "reliable_source": inputs.reliability in rules.reliable_grades,
    }
    for behaviour in seen:
        met_raise[behaviour] = True
    pathway = (
        bool(seen & rules.pathway_behaviours)
        or any(s.act in rules.pathway_acts for s in inputs.statements)
        or any(s.status in rules.pathway_statuses for s in inputs.statements)
    )
    operational = spec.method or spec.place or spec.time or bool(seen)
    met_lower = {
        "howling": inputs.status in rules.howling_statuses and not operational,
        "single_weak_report": inputs.independent_origins <= 1
        and (
            inputs.reliability in rules.weak_grades or inputs.credibility in rules.weak_credibility
        ),
        "vague_group_target": all(
            s.target_kind == "group" and not s.protectee and not s.person_named
            for s in inputs.statements
        ),
        "stale": (today - inputs.last_seen).days > config.trend.stale_days,
    }
    value = inputs.severity + rules.base
    notes = []
    for name in sorted(n for n, met in met_raise.items() if met):
        weight = rules.raise_weights.get(name, 0.0)
        if weight:
            value += weight
            notes.append(f"priority raised by {name.replace('_', ' ')} (+{weight:g})")
    lowered = value
    for name in sorted(n for n, met in met_lower.items() if met):
        factor = rules.lower_factors.get(name, 1.0)
        if factor == 1.0:
            continue
        if pathway:
            notes.append(
                f"priority not lowered by {name.replace('_', ' ')}: pathway behaviour is "
                "never discounted"
            )
            continue
        lowered *= factor
        notes.append(f"priority lowered by {name.replace('_', ' ')} (x{factor:g})")
    floor = value * rules.floor
    if lowered < floor:
        notes.append(f"priority held at the floor ({rules.floor:g} of {value:g})")
        lowered = floor
    if inputs.history:
        # History stays visible below every live thread: a live thread never falls under
        # floor x base, and this maps any value into [0, floor x base), keeping history's order.
        lowered = rules.floor * rules.base * lowered / (lowered + rules.history_scale)
        notes.append("priority below every live thread: history, kept as context")
    return Priority(value=round(lowered, 3), notes=tuple(notes))
