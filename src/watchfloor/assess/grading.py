"""assess_thread: the statements of one thread and the signals of their documents in, one
ThreadAssessment out. Pure and deterministic: no store, no clock (`today` is an argument).

The grades are in grades.py, the trend in trend.py, the judgement in judgement.py and the
board priority in priority.py; this module picks the evidence each needs and assembles the record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from watchfloor.assess import grades
from watchfloor.assess.config import AssessConfig
from watchfloor.assess.judgement import Judgement, JudgementInputs, judge, term_for
from watchfloor.assess.priority import Priority, PriorityInputs, prioritize
from watchfloor.assess.records import (
    BehaviourFinding,
    EvidenceRef,
    RationaleItem,
    Signal,
    Specificity,
    StatementEvidence,
    StoredSignal,
    ThreadAssessment,
    ThreadOverrides,
    Trend,
)
from watchfloor.assess.signals import redate
from watchfloor.assess.standing import Death, Standing, standing
from watchfloor.assess.trend import build_trend, has_burst
from watchfloor.errors import WatchfloorError

KEY_ARROW = "→"
UNKNOWN_ACTOR = "unknown"
CONTEXT_KINDS = frozenset({"temporal", "escalation", "de_escalation"})


def _order(statement: StatementEvidence) -> tuple[date, int, int, int]:
    return (
        statement.day,
        statement.document_id,
        statement.evidence.start,
        statement.statement_id,
    )


def assess_thread(
    key: str,
    statements: Sequence[StatementEvidence],
    signals: Sequence[StoredSignal],
    *,
    overrides: ThreadOverrides,
    config: AssessConfig,
    today: date,
    deaths: Sequence[Death] = (),
) -> ThreadAssessment:
    """`deaths`: the people the reports of these statements (and any others up to `today`)
    say were killed, for the thread's standing (assess.standing)."""
    if not statements:
        raise WatchfloorError(f"thread {key!r}: no statements to assess")
    if overrides.credibility is not None and not 1 <= overrides.credibility <= 6:
        raise WatchfloorError(
            f"thread {key!r}: credibility override {overrides.credibility} is not 1-6"
        )
    ordered = sorted(statements, key=_order)
    live = [s for s in ordered if s.key not in overrides.dismissed_statements]
    if not live:
        return _all_dismissed(key, ordered, overrides, config)
    graded = _grade(live, signals, overrides, config, today, deaths)
    judgement = judge(_judgement_inputs(graded, overrides, len(ordered) - len(live)), config)
    return _assessment(key, graded, judgement, _priority(graded, config, today), overrides)


@dataclass(frozen=True)
class _Graded:
    """The grades of one thread's live statements, before the judgement and the priority."""

    live: list[StatementEvidence]
    units: dict[str, grades.Unit]
    reliability: str
    computed: grades.CredibilityGrade
    credibility: int
    specificity: Specificity
    harm: str
    status: str
    severity: int
    imminence: str
    imminence_days: int | None
    days: dict[int, date]
    behaviours: tuple[BehaviourFinding, ...]
    trend: Trend
    stands: Standing


def _grade(
    live: list[StatementEvidence],
    signals: Sequence[StoredSignal],
    overrides: ThreadOverrides,
    config: AssessConfig,
    today: date,
    deaths: Sequence[Death],
) -> _Graded:
    units = grades.units_of(live, config)
    computed = grades.credibility(units, config)
    harm = grades.harm(live, config)
    status = grades.status(live, config)
    imminence, imminence_days = grades.imminence(live, config, today)
    days = {s.document_id: s.day for s in live}
    near = _near_signals(live, signals, config)
    behaviours = tuple(
        BehaviourFinding(
            behaviour=signal.label,  # type: ignore[arg-type]
            evidence=EvidenceRef(document_id, signal.start, signal.end, signal.text),
        )
        for document_id, signal in near
        if signal.kind == "behaviour"
    )
    context: dict[int, list[Signal]] = defaultdict(list)
    for document_id, signal in near:
        if signal.kind in CONTEXT_KINDS:
            context[document_id].append(redate(signal, days[document_id]))
    return _Graded(
        live=live,
        units=units,
        reliability=grades.reliability(units, config),
        computed=computed,
        credibility=(
            overrides.credibility if overrides.credibility is not None else computed.value
        ),
        specificity=grades.specificity(live, config),
        harm=harm,
        status=status,
        severity=grades.severity(harm, status, config),
        imminence=imminence,
        imminence_days=imminence_days,
        days=days,
        behaviours=behaviours,
        trend=build_trend(live, context, _credibility_by_day(live, config), config, today),
        stands=standing(live, status, context, deaths, config, today),
    )


def _judgement_inputs(
    graded: _Graded, overrides: ThreadOverrides, dismissed: int
) -> JudgementInputs:
    return JudgementInputs(
        statements=graded.live,
        units=graded.units,
        reliability=graded.reliability,
        credibility=graded.computed,
        credibility_value=graded.credibility,
        credibility_override=(
            (overrides.credibility_reason or "no reason given")
            if overrides.credibility is not None
            else None
        ),
        specificity=graded.specificity,
        status=graded.status,
        behaviours=graded.behaviours,
        trend=graded.trend,
        dismissed=dismissed,
    )


def _priority(graded: _Graded, config: AssessConfig, today: date) -> Priority:
    return prioritize(
        PriorityInputs(
            statements=graded.live,
            severity=graded.severity,
            specificity=graded.specificity,
            behaviours=graded.behaviours,
            trend=graded.trend,
            burst=has_burst(graded.live, config),
            credibility=graded.credibility,
            reliability=graded.reliability,
            independent_origins=len(graded.units),
            status=graded.status,
            last_seen=graded.live[-1].day,
            history=graded.stands.label == "history",
        ),
        config,
        today,
    )


def _assessment(
    key: str,
    graded: _Graded,
    judgement: Judgement,
    priority: Priority,
    overrides: ThreadOverrides,
) -> ThreadAssessment:
    live = graded.live
    actor, lineage = _actor(key, live)
    return ThreadAssessment(
        key=key,
        actor=actor,
        actor_lineage=lineage,
        target=_target(live),
        protectee=_most_common(s.protectee for s in live),
        first_seen=live[0].day,
        last_seen=live[-1].day,
        statements=len(live),
        documents=len(graded.days),
        clusters=_clusters(live),
        independent_origins=len(graded.units),
        reliability=graded.reliability,
        credibility=graded.credibility,
        credibility_overridden=overrides.credibility is not None,
        specificity=graded.specificity,
        harm=graded.harm,
        status=graded.status,
        severity=graded.severity,
        imminence=graded.imminence,
        imminence_days=graded.imminence_days,
        behaviours=graded.behaviours,
        trend=graded.trend,
        likelihood=judgement.likelihood,
        likelihood_range=judgement.likelihood_range,
        confidence=judgement.confidence,
        priority=priority.value,
        rationale=judgement.rationale,
        duty_to_warn_statements=sum(1 for s in live if s.duty_to_warn),
        document_ids=tuple(sorted(graded.days)),
        statement_ids=tuple(sorted(s.statement_id for s in live)),
        notes=priority.notes,
        standing=graded.stands.label,
        standing_reason=graded.stands.reason,
        happened=graded.stands.happened,
        caught=graded.stands.caught,
    )


def _near_signals(
    statements: Sequence[StatementEvidence],
    signals: Sequence[StoredSignal],
    config: AssessConfig,
) -> list[tuple[int, Signal]]:
    """The signals that belong to the thread, in document and reading order, each once.

    A warning behaviour counts within its window of one of the thread's statements. A temporal
    phrase or an escalation cue counts only inside the sentence of one of them: "the threat has
    become more specific", said of one target, must not make the next paragraph's thread about
    another target escalate.
    """
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for statement in statements:
        spans[statement.document_id].append((statement.evidence.start, statement.evidence.end))
    found: set[tuple[int, Signal]] = set()
    for stored in signals:
        around = spans.get(stored.document_id)
        if not around:
            continue
        signal = stored.signal
        if signal.kind == "behaviour":
            window = config.behaviour_window
            near = any(signal.end > a - window and signal.start < b + window for a, b in around)
        else:
            near = any(a <= signal.start and signal.end <= b for a, b in around)
        if near:
            found.add((stored.document_id, signal))
    return sorted(found, key=lambda ds: (ds[0], ds[1].start, ds[1].end, ds[1].kind, ds[1].label))


def _credibility_by_day(
    statements: Sequence[StatementEvidence], config: AssessConfig
) -> dict[date, int]:
    """The computed credibility with the reports up to and including each day."""
    units: dict[str, grades.Unit] = {}
    result: dict[date, int] = {}
    for index, statement in enumerate(statements):  # in day order
        origin = statement.origin_source or statement.source
        units.setdefault(origin, grades.Unit(origin)).add(statement, config)
        if index + 1 == len(statements) or statements[index + 1].day != statement.day:
            result[statement.day] = grades.credibility(units, config).value
    return result


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))


def _actor(key: str, statements: Sequence[StatementEvidence]) -> tuple[str | None, tuple[str, ...]]:
    """The thread's actor from its key (merges already applied there), with its lineage."""
    if KEY_ARROW in key:
        actor: str | None = key.split(KEY_ARROW, 1)[0] or None
        if actor == UNKNOWN_ACTOR:
            actor = None
    else:
        actor = _most_common(s.actor_entity for s in statements)
    if actor is None:
        return None, ()
    for statement in statements:
        if statement.actor_entity == actor and statement.actor_lineage:
            return actor, statement.actor_lineage
    for statement in statements:
        if actor in statement.actor_lineage:
            lineage = statement.actor_lineage
            return actor, lineage[lineage.index(actor) :]
    return actor, ()


def _target(statements: Sequence[StatementEvidence]) -> str:
    protectee = _most_common(s.protectee for s in statements)
    if protectee:
        return next(
            (s.protectee_name for s in statements if s.protectee == protectee and s.protectee_name),
            protectee,
        )
    return _most_common(s.target_text for s in statements) or "unknown"


def _clusters(statements: Sequence[StatementEvidence]) -> int:
    """Distinct near-duplicate clusters; a document in none is a cluster of its own."""
    return len(
        {
            ("cluster", s.cluster_id) if s.cluster_id is not None else ("document", s.document_id)
            for s in statements
        }
    )


def _all_dismissed(
    key: str,
    statements: Sequence[StatementEvidence],
    overrides: ThreadOverrides,
    config: AssessConfig,
) -> ThreadAssessment:
    """Every statement dismissed as a false positive: kept, visible, and last on the board."""
    term = term_for(config.terms[0].low, config.terms)
    actor, lineage = _actor(key, statements)
    reason = f"all {len(statements)} statements dismissed by an analyst"
    credibility = overrides.credibility or config.credibility.no_basis
    return ThreadAssessment(
        key=key,
        actor=actor,
        actor_lineage=lineage,
        target=_target(statements),
        protectee=_most_common(s.protectee for s in statements),
        first_seen=statements[0].day,
        last_seen=statements[-1].day,
        statements=0,
        documents=0,
        clusters=0,
        independent_origins=0,
        reliability=config.reliability_unknown,
        credibility=credibility,
        credibility_overridden=overrides.credibility is not None,
        specificity=Specificity(False, False, False, False, False, 0.0),
        harm=grades.harm(statements, config),
        status=grades.status(statements, config),
        severity=0,
        imminence="unspecified",
        imminence_days=None,
        behaviours=(),
        trend=Trend(label="fading", reason=reason, series=()),
        likelihood=term.term,
        likelihood_range=(term.low, term.high),
        confidence="low",
        priority=0.0,
        rationale=(RationaleItem("note", reason),),
        duty_to_warn_statements=0,
        notes=(reason,),
    )
