"""The trend of a thread: its grades over time, and whether the threat is new, escalating,
stable or fading, with the reason in words.

Points come from two places. Each day with reporting is a point. And a report that dates phases
of its own story ("a general threat since the spring", "more specific in recent weeks") gives a
point per phase at the report's day minus the phrase's days_before; an escalation cue marks the
phases before it as less specific by trend.phrase_step (a de-escalation cue, more specific), so
one report can show a change on its own. Points from phrases have `statements` 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from watchfloor.assess import grades
from watchfloor.assess.config import AssessConfig
from watchfloor.assess.records import (
    EvidenceRef,
    Signal,
    StatementEvidence,
    Trend,
    TrendLabel,
    TrendPoint,
)

CUE_KINDS = ("escalation", "de_escalation")


@dataclass(frozen=True)
class _Cue:
    document_id: int
    day: date
    signal: Signal
    anchor: Signal | None  # the temporal phrase that dates it


@dataclass(frozen=True)
class _Phases:
    """What one report says about its own phases."""

    document_id: int
    day: date
    points: tuple[tuple[TrendPoint, Signal], ...]
    cues: tuple[_Cue, ...]


def _anchor_days(cue: _Cue) -> int:
    """How long before the report a cue's change happened (0: at the report)."""
    return (cue.anchor.days_before or 0) if cue.anchor else 0


def _ref(document_id: int, signal: Signal) -> EvidenceRef:
    return EvidenceRef(document_id, signal.start, signal.end, signal.text)


def _distance(a: Signal, b: Signal) -> int:
    return max(0, max(a.start, b.start) - min(a.end, b.end))


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def _phases(
    document_id: int,
    day: date,
    statements: Sequence[StatementEvidence],
    signals: Sequence[Signal],
    credibility: int,
    config: AssessConfig,
) -> _Phases:
    temporals = [s for s in signals if s.kind == "temporal" and s.days_before]
    cues = []
    for signal in signals:
        if signal.kind not in CUE_KINDS:
            continue
        near = [t for t in temporals if _distance(t, signal) <= config.cue_phrase_window]
        anchor = min(near, key=lambda t: (_distance(t, signal), t.start)) if near else None
        cues.append(_Cue(document_id, day, signal, anchor))
    spec = grades.specificity(statements, config).score
    sev = grades.severity(
        grades.harm(statements, config), grades.status(statements, config), config
    )
    points = []
    step = config.trend.phrase_step
    for phrase in temporals:
        assert phrase.days_before is not None
        # Each cue dated after this phase marks a change between the phase and the report.
        later = [c for c in cues if _anchor_days(c) < phrase.days_before]
        change = sum(1 if c.signal.kind == "escalation" else -1 for c in later)
        point = TrendPoint(
            day=day - timedelta(days=phrase.days_before),
            statements=0,
            specificity=_clamp(spec - step * change),
            severity=sev,
            credibility=credibility,
        )
        points.append((point, phrase))
    return _Phases(document_id, day, tuple(points), tuple(cues))


def build_trend(
    statements: Sequence[StatementEvidence],
    context: Mapping[int, Sequence[Signal]],
    credibility_on: Mapping[date, int],
    config: AssessConfig,
    today: date,
) -> Trend:
    """`context`: the temporal and cue signals near the thread, by document, dated against the
    document's day; `credibility_on`: the thread's credibility with the reports up to each day."""
    by_day: dict[date, list[StatementEvidence]] = defaultdict(list)
    by_document: dict[int, list[StatementEvidence]] = defaultdict(list)
    for statement in statements:
        by_day[statement.day].append(statement)
        by_document[statement.document_id].append(statement)
    real = {
        day: TrendPoint(
            day=day,
            statements=len(items),
            specificity=grades.specificity(items, config).score,
            severity=grades.severity(
                grades.harm(items, config), grades.status(items, config), config
            ),
            credibility=credibility_on[day],
        )
        for day, items in sorted(by_day.items())
    }
    phases = [
        _phases(
            document_id,
            items[0].day,
            items,
            context.get(document_id, ()),
            credibility_on[items[0].day],
            config,
        )
        for document_id, items in sorted(by_document.items(), key=lambda kv: (kv[1][0].day, kv[0]))
    ]
    derived: dict[date, TrendPoint] = {}
    for phase in phases:
        for point, _ in phase.points:
            if point.day not in real and point.day not in derived:
                derived[point.day] = point
    series = tuple(sorted([*real.values(), *derived.values()], key=lambda p: p.day))
    label, reason, evidence = _label(statements, real, series, phases, config, today)
    return Trend(label=label, reason=reason, series=series, evidence=evidence)


def _label(
    statements: Sequence[StatementEvidence],
    real: Mapping[date, TrendPoint],
    series: tuple[TrendPoint, ...],
    phases: Sequence[_Phases],
    config: AssessConfig,
    today: date,
) -> tuple[TrendLabel, str, tuple[EvidenceRef, ...]]:
    rules = config.trend
    first, last = min(real), max(real)
    silent = (today - last).days
    if silent > rules.stale_days:
        return (
            "fading",
            f"no reporting for {silent} days (last on {last.isoformat()}; "
            f"fading after {rules.stale_days})",
            (),
        )
    cues = [c for p in phases for c in p.cues]
    if cues:
        latest = max(cues, key=lambda c: (c.day, c.document_id, c.signal.start))
        if (last - latest.day).days <= rules.cue_recent_days:
            return _cue_label(latest, phases)
    if len(series) == 1:
        count = series[0].statements
        return (
            "new",
            f"first reported on {first.isoformat()} ({count} statement{'s' * (count != 1)}), "
            "with nothing in it that dates the threat earlier",
            (),
        )
    half = len(series) // 2
    early, late = series[:half], series[half:]
    spec_early = sum(p.specificity for p in early) / len(early)
    spec_late = sum(p.specificity for p in late) / len(late)
    sev_early = max(p.severity for p in early)
    sev_late = max(p.severity for p in late)
    span = f"between {series[0].day.isoformat()} and {series[-1].day.isoformat()}"
    ends = _statement_refs(statements)
    if spec_late - spec_early >= rules.rise:
        return (
            "escalating",
            f"specificity rose from {spec_early:.2f} to {spec_late:.2f} {span} "
            f"({len(real)} reporting days)",
            ends,
        )
    if sev_late - sev_early >= rules.severity_rise:
        return "escalating", f"severity rose from {sev_early} to {sev_late} {span}", ends
    if spec_early - spec_late >= rules.rise:
        return (
            "fading",
            f"specificity fell from {spec_early:.2f} to {spec_late:.2f} {span}",
            ends,
        )
    if sev_early - sev_late >= rules.severity_rise:
        return "fading", f"severity fell from {sev_early} to {sev_late} {span}", ends
    burst = _burst(real, first, last, config)
    if burst is not None:
        return "escalating", burst, ends
    return (
        "stable",
        f"specificity {spec_early:.2f} then {spec_late:.2f} and severity {sev_early} then "
        f"{sev_late} {span}: no change of {rules.rise:.2f} or more",
        ends,
    )


def _cue_label(
    cue: _Cue, phases: Sequence[_Phases]
) -> tuple[TrendLabel, str, tuple[EvidenceRef, ...]]:
    phase = next(p for p in phases if p.document_id == cue.document_id)
    refs = [_ref(cue.document_id, cue.signal)]
    dated = ""
    if cue.anchor is not None and cue.anchor.days_before:
        when = cue.day - timedelta(days=cue.anchor.days_before)
        dated = f', dated "{cue.anchor.text}" (about {when.isoformat()})'
        refs.append(_ref(cue.document_id, cue.anchor))
    anchor_days = _anchor_days(cue)
    before = [(p, s) for p, s in phase.points if (s.days_before or 0) > anchor_days]
    after = [(p, s) for p, s in phase.points if (s.days_before or 0) <= anchor_days]
    change = ""
    if before:
        earliest, phrase = min(before, key=lambda ps: ps[0].day)
        refs.append(_ref(cue.document_id, phrase))
        now = after[0][0].specificity if after else None
        if now is None:
            now = max(p.specificity for p, _ in phase.points)
        change = (
            f', after an earlier phase "{phrase.text}" (about {earliest.day.isoformat()}): '
            f"specificity {earliest.specificity:.2f} then {now:.2f}"
        )
    if cue.signal.kind == "escalation":
        label: TrendLabel = "escalating"
        says = "escalation"
    else:
        label = "fading"
        says = "de-escalation"
    reason = (
        f'the report of {cue.day.isoformat()} says "{cue.signal.text}" '
        f"({says}: {cue.signal.label.replace('_', ' ')}){dated}{change}"
    )
    refs.sort(key=lambda r: (r.document_id, r.start))
    return label, reason, tuple(refs)


def has_burst(statements: Sequence[StatementEvidence], config: AssessConfig) -> bool:
    """Whether target-related reporting sped up lately (a priority raise rule)."""
    counts: dict[date, int] = defaultdict(int)
    for statement in statements:
        counts[statement.day] += 1
    if not counts:
        return False
    return _burst(counts, min(counts), max(counts), config) is not None


def _burst(
    real: Mapping[date, TrendPoint] | Mapping[date, int],
    first: date,
    last: date,
    config: AssessConfig,
) -> str | None:
    rules = config.trend
    window = timedelta(days=rules.burst_days)
    if last - first < window:
        return None  # nothing before the window to compare with
    counts = {d: p if isinstance(p, int) else p.statements for d, p in real.items()}
    recent = sum(n for d, n in counts.items() if d > last - window)
    before = sum(n for d, n in counts.items() if last - 2 * window < d <= last - window)
    if recent >= rules.burst_min and recent >= rules.burst_factor * max(1, before):
        return (
            f"reporting burst: {recent} statements in the {rules.burst_days} days to "
            f"{last.isoformat()} against {before} in the {rules.burst_days} days before"
        )
    return None


def _statement_refs(statements: Sequence[StatementEvidence]) -> tuple[EvidenceRef, ...]:
    """The first and the latest statement: where the change shows."""
    ordered = sorted(statements, key=lambda s: (s.day, s.document_id, s.evidence.start))
    picks = [ordered[0], ordered[-1]] if len(ordered) > 1 else ordered[:1]
    return tuple(p.evidence for p in picks)
