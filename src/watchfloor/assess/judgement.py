"""The judgement on a thread: an ICD 203 likelihood term, a confidence level kept apart from it,
and the rationale: each piece of evidence that moved the likelihood, linked to its text.

The likelihood is a weighted mean of component values 0..1 (likelihood.* in the configuration),
read as a percentage against the ICD 203 table. Confidence rests on corroboration and source
quality only: the first confidence rule the thread meets, else low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from watchfloor.assess.config import AssessConfig, LikelihoodTerm
from watchfloor.assess.grades import CredibilityGrade, Unit
from watchfloor.assess.records import (
    BehaviourFinding,
    Confidence,
    Effect,
    EvidenceRef,
    RationaleItem,
    Specificity,
    StatementEvidence,
    Trend,
)

COMPONENT_LABELS = {
    "target_identified": "target identified",
    "method": "method named",
    "place": "place named",
    "time": "time given",
    "actor_capability": "capable actor (a known state or organization)",
}


@dataclass(frozen=True)
class Judgement:
    likelihood: str
    likelihood_range: tuple[int, int]
    percent: int
    confidence: Confidence
    rationale: tuple[RationaleItem, ...]


@dataclass(frozen=True)
class JudgementInputs:
    statements: Sequence[StatementEvidence]
    units: dict[str, Unit]
    reliability: str
    credibility: CredibilityGrade
    credibility_value: int  # after an analyst override
    credibility_override: str | None  # the analyst's reason; None when not overridden
    specificity: Specificity
    status: str
    behaviours: Sequence[BehaviourFinding]
    trend: Trend
    dismissed: int


def term_for(percent: int, terms: Sequence[LikelihoodTerm]) -> LikelihoodTerm:
    """The ICD 203 term whose range holds `percent`; a shared bound goes to the higher term."""
    percent = min(max(percent, terms[0].low), terms[-1].high)
    for term in terms:
        if term.low <= percent < term.high:
            return term
    return terms[-1]


def judge(inputs: JudgementInputs, config: AssessConfig) -> Judgement:
    values = {
        "credibility": config.likelihood_credibility.get(
            inputs.credibility_value, config.likelihood_neutral
        ),
        "reliability": config.likelihood_reliability.get(
            inputs.reliability, config.likelihood_neutral
        ),
        "specificity": inputs.specificity.score,
        "behaviours": min(
            1.0,
            config.likelihood_neutral
            + config.likelihood_per_behaviour * len({b.behaviour for b in inputs.behaviours}),
        ),
        "status": config.likelihood_status.get(inputs.status, config.likelihood_neutral),
        "trend": config.likelihood_trend.get(inputs.trend.label, config.likelihood_neutral),
    }
    weights = config.likelihood_weights
    total = sum(weights.values()) or 1.0
    score = sum(weights[name] * value for name, value in values.items()) / total
    percent = int(score * 100 + 0.5)
    term = term_for(percent, config.terms)
    confidence = _confidence(inputs, config)
    rationale = _rationale(inputs, values, config)
    rationale.append(
        RationaleItem(
            "note",
            f"confidence {confidence}: {len(inputs.units)} independent origin"
            f"{'s' * (len(inputs.units) != 1)}, best source graded {inputs.reliability}, "
            f"credibility {inputs.credibility_value}",
        )
    )
    return Judgement(
        likelihood=term.term,
        likelihood_range=(term.low, term.high),
        percent=percent,
        confidence=confidence,
        rationale=tuple(rationale),
    )


def _confidence(inputs: JudgementInputs, config: AssessConfig) -> Confidence:
    origins = sum(1 for u in inputs.units.values() if u.supporting)
    rank = config.reliability_rank(inputs.reliability)
    for rule in config.confidence:
        if (
            origins >= rule.min_origins
            and rank <= config.reliability_rank(rule.reliability_at_least)
            and rank < len(config.reliability_order)
            and inputs.credibility_value <= rule.credibility_at_most
        ):
            return rule.level
    return "low"


def _effect(value: float, config: AssessConfig) -> Effect:
    delta = value - config.likelihood_neutral
    if abs(delta) < config.likelihood_note_band:
        return "note"
    return "raise" if delta > 0 else "lower"


def _rationale(
    inputs: JudgementInputs, values: dict[str, float], config: AssessConfig
) -> list[RationaleItem]:
    items = _credibility_items(inputs, values, config)
    best = next((u for u in inputs.units.values() if u.grade(config) == inputs.reliability), None)
    items.append(
        RationaleItem(
            _effect(values["reliability"], config),
            f"best source graded {inputs.reliability}"
            + (f" ({best.origin})" if best is not None else ""),
            _evidence(best.first) if best is not None else None,
        )
    )
    items += _specificity_items(inputs, config)
    for finding in inputs.behaviours:
        items.append(
            RationaleItem(
                "raise",
                f"warning behaviour: {finding.behaviour.replace('_', ' ')}",
                finding.evidence,
            )
        )
    holder = next(
        (s for s in sorted(inputs.statements, key=_order) if s.status == inputs.status), None
    )
    items.append(
        RationaleItem(
            _effect(values["status"], config),
            f"stage: {inputs.status.replace('_', ' ')}",
            holder.evidence if holder is not None else None,
        )
    )
    trend = inputs.trend
    items.append(
        RationaleItem(
            _effect(values["trend"], config),
            f"trend {trend.label}: {trend.reason}",
            trend.evidence[0] if trend.evidence else None,
        )
    )
    if inputs.dismissed:
        items.append(
            RationaleItem(
                "note",
                f"{inputs.dismissed} statement{'s' * (inputs.dismissed != 1)} dismissed by an "
                "analyst and left out",
            )
        )
    return items


def _credibility_items(
    inputs: JudgementInputs, values: dict[str, float], config: AssessConfig
) -> list[RationaleItem]:
    items: list[RationaleItem] = []
    effect = _effect(values["credibility"], config)
    grade = inputs.credibility
    if inputs.credibility_override is not None:
        items.append(
            RationaleItem(
                effect,
                f"credibility {inputs.credibility_value} set by an analyst "
                f"(computed {grade.value}): {inputs.credibility_override}",
            )
        )
    elif grade.rule == "confirmed":
        for unit in grade.supporting:
            items.append(
                RationaleItem(
                    effect,
                    f"credibility {grade.value}: independent report from {unit.origin} "
                    f"(graded {unit.grade(config)})",
                    _evidence(unit.first),
                )
            )
    elif grade.rule == "contradicted":
        denials = [s for s in inputs.statements if s.status in config.credibility.denying_statuses]
        for statement in denials:
            items.append(
                RationaleItem(
                    effect,
                    f"credibility {grade.value}: denied or contradicted in {statement.source}",
                    statement.evidence,
                )
            )
    elif grade.supporting:
        unit = grade.supporting[0]
        why = {
            "single": "one origin, not yet confirmed by another",
            "hedged": "one origin, and every statement is hedged or hypothetical",
            "doubtful": f"one origin, graded {unit.grade(config)}",
        }.get(grade.rule, grade.rule)
        items.append(
            RationaleItem(
                effect, f"credibility {grade.value}: {why} ({unit.origin})", _evidence(unit.first)
            )
        )
    else:
        items.append(RationaleItem(effect, f"credibility {grade.value}: no basis to judge"))
    return items


def _specificity_items(inputs: JudgementInputs, config: AssessConfig) -> list[RationaleItem]:
    items: list[RationaleItem] = []
    spec = inputs.specificity
    missing = []
    for component, label in COMPONENT_LABELS.items():
        if not getattr(spec, component):
            missing.append(label)
            continue
        giver = _giving(inputs.statements, component, config)
        detail = _detail(giver, component) if giver is not None else ""
        items.append(
            RationaleItem(
                "raise",
                f"specificity: {label}{detail}",
                giver.evidence if giver is not None else None,
            )
        )
    if missing:
        items.append(RationaleItem("lower", f"specificity: not given: {', '.join(missing)}"))
    return items


def _order(statement: StatementEvidence) -> tuple[object, ...]:
    return (statement.day, statement.document_id, statement.evidence.start)


def _evidence(statement: StatementEvidence | None) -> EvidenceRef | None:
    return statement.evidence if statement is not None else None


def _giving(
    statements: Sequence[StatementEvidence], component: str, config: AssessConfig
) -> StatementEvidence | None:
    def has(s: StatementEvidence) -> bool:
        if component == "target_identified":
            return bool(s.protectee or s.person_named)
        if component == "method":
            return bool(s.method)
        if component == "place":
            return bool(s.where)
        if component == "time":
            return bool(s.when)
        if config.actor_capability_requires_lineage:
            return bool(s.actor_lineage)
        return bool(s.actor_entity)

    return next((s for s in sorted(statements, key=_order) if has(s)), None)


def _detail(statement: StatementEvidence, component: str) -> str:
    value = {
        "target_identified": (
            statement.protectee_name or statement.protectee or statement.target_text
        ),
        "method": statement.method,
        "place": statement.where,
        "time": statement.when,
        "actor_capability": " > ".join(statement.actor_lineage) or statement.actor_entity,
    }[component]
    return f": {value}" if value else ""
