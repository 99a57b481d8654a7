"""The assessment's numbers, read from YAML: weights, thresholds, ICD 203 terms, priority rules.

The packaged default is data/assess/assessment.yaml; WATCHFLOOR_ASSESS_CONFIG names another file
with the same keys. docs/assess.md says what each key changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from watchfloor.datafiles import Schema, load_yaml
from watchfloor.settings import setting

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "data" / "assess" / "assessment.yaml"
CONFIG_ENV_VAR = "WATCHFLOOR_ASSESS_CONFIG"
SPECIFICITY_COMPONENTS = ("target_identified", "method", "place", "time", "actor_capability")
LIKELIHOOD_COMPONENTS = (
    "credibility",
    "reliability",
    "specificity",
    "behaviours",
    "status",
    "trend",
)


@dataclass(frozen=True)
class LikelihoodTerm:
    term: str
    synonym: str
    low: int
    high: int


@dataclass(frozen=True)
class PriorityRules:
    base: float
    floor: float
    pathway_behaviours: frozenset[str]
    pathway_acts: frozenset[str]
    pathway_statuses: frozenset[str]
    raise_weights: dict[str, float]
    lower_factors: dict[str, float]
    weak_grades: frozenset[str]
    weak_credibility: frozenset[int]
    corroborated_credibility: frozenset[int]
    reliable_grades: frozenset[str]
    howling_statuses: frozenset[str]
    history_scale: float


@dataclass(frozen=True)
class AssessConfig:
    reliability_order: tuple[str, ...]  # best first
    reliability_unknown: str
    credibility: CredibilityRules
    specificity_weights: dict[str, float]
    actor_capability_requires_lineage: bool
    harm_order: tuple[str, ...]  # gravest first
    live_statuses: tuple[str, ...]  # least advanced first
    terminal_statuses: frozenset[str]
    severity_act: dict[str, int]
    severity_status_factor: dict[str, float]
    imminent_days: int
    near_days: int
    behaviour_window: int
    context_window: int
    cue_phrase_window: int
    trend: TrendRules
    likelihood_weights: dict[str, float]
    likelihood_credibility: dict[int, float]
    likelihood_reliability: dict[str, float]
    likelihood_per_behaviour: float
    likelihood_status: dict[str, float]
    likelihood_trend: dict[str, float]
    likelihood_neutral: float
    likelihood_note_band: float
    terms: tuple[LikelihoodTerm, ...]
    confidence: tuple[ConfidenceRule, ...]
    priority: PriorityRules
    standing: StandingRules
    source: str = "<built in>"

    @classmethod
    def load(cls, path: Path | None = None) -> AssessConfig:
        path = path or Path(setting(CONFIG_ENV_VAR) or DEFAULT_CONFIG_FILE)
        hint = f"Point {CONFIG_ENV_VAR} at a readable file or unset it."
        return cls.from_file(load_yaml(path, AssessFile, hint=hint), str(path))

    @classmethod
    def from_file(cls, data: AssessFile, source: str) -> AssessConfig:
        like, prio = data.likelihood, data.priority
        return cls(
            reliability_order=tuple(data.reliability.order),
            reliability_unknown=data.reliability.unknown,
            credibility=data.credibility,
            specificity_weights=dict(data.specificity.weights),
            actor_capability_requires_lineage=data.specificity.actor_capability_requires_lineage,
            harm_order=tuple(data.harm_order),
            live_statuses=tuple(data.status.live),
            terminal_statuses=frozenset(data.status.terminal),
            severity_act=dict(data.severity.act),
            severity_status_factor=dict(data.severity.status_factor),
            imminent_days=data.imminence.imminent_days,
            near_days=data.imminence.near_days,
            behaviour_window=data.windows.behaviour,
            context_window=data.windows.context,
            cue_phrase_window=data.windows.cue_phrase,
            trend=data.trend,
            likelihood_weights=dict(like.weights),
            likelihood_credibility=dict(like.credibility),
            likelihood_reliability=dict(like.reliability),
            likelihood_per_behaviour=like.per_behaviour,
            likelihood_status=dict(like.status),
            likelihood_trend=dict(like.trend),
            likelihood_neutral=like.neutral,
            likelihood_note_band=like.note_band,
            terms=tuple(
                LikelihoodTerm(t.term, t.synonym, t.range[0], t.range[1]) for t in like.terms
            ),
            confidence=tuple(data.confidence),
            priority=PriorityRules(
                base=prio.base,
                floor=prio.floor,
                pathway_behaviours=prio.pathway_behaviours,
                pathway_acts=prio.pathway_acts,
                pathway_statuses=prio.pathway_statuses,
                raise_weights=dict(prio.raise_),
                lower_factors=dict(prio.lower),
                weak_grades=prio.weak_grades,
                weak_credibility=prio.weak_credibility,
                corroborated_credibility=prio.corroborated_credibility,
                reliable_grades=prio.reliable_grades,
                howling_statuses=prio.howling_statuses,
                history_scale=prio.history_scale,
            ),
            standing=data.standing,
            source=source,
        )

    def reliability_rank(self, grade: str) -> int:
        """0 for the best grade; unknown (F) and unlisted grades rank after every listed one."""
        order = self.reliability_order
        return order.index(grade) if grade in order else len(order)


# -- the schema of assessment.yaml ---------------------------------------------------------------


class _Reliability(Schema):
    order: list[str]
    unknown: str


class CredibilityRules(Schema):
    confirm_min_origins: int
    corroborating_grades: frozenset[str]
    doubtful_grades: frozenset[str]
    hedged: int
    single: int
    doubtful: int
    contradicted: int
    no_basis: int
    denying_statuses: frozenset[str]
    hedging_statuses: frozenset[str]


def _requires(names: tuple[str, ...]) -> Callable[[dict[str, float]], dict[str, float]]:
    def check(values: dict[str, float]) -> dict[str, float]:
        missing = [n for n in names if n not in values]
        if missing:
            raise ValueError(f"lacks {', '.join(missing)}")
        return values

    return check


class _Specificity(Schema):
    weights: Annotated[dict[str, float], AfterValidator(_requires(SPECIFICITY_COMPONENTS))]
    actor_capability_requires_lineage: bool


class _Status(Schema):
    live: list[str]
    terminal: frozenset[str]


class _Severity(Schema):
    act: dict[str, int]
    status_factor: dict[str, float]


class _Imminence(Schema):
    imminent_days: int
    near_days: int


class _Windows(Schema):
    behaviour: int
    context: int
    cue_phrase: int


class TrendRules(Schema):
    stale_days: int
    cue_recent_days: int
    phrase_step: float
    rise: float
    severity_rise: int
    burst_days: int
    burst_factor: float
    burst_min: int


class _Term(Schema):
    term: str
    synonym: str = ""
    range: tuple[int, int]


def _contiguous(terms: list[_Term]) -> list[_Term]:
    if not terms or any(a.range[1] != b.range[0] for a, b in pairwise(terms)):
        raise ValueError("must be non-empty, ordered and contiguous")
    return terms


class _Likelihood(Schema):
    weights: Annotated[dict[str, float], AfterValidator(_requires(LIKELIHOOD_COMPONENTS))]
    credibility: dict[int, float]
    reliability: dict[str, float]
    per_behaviour: float
    status: dict[str, float]
    trend: dict[str, float]
    neutral: float
    note_band: float
    terms: Annotated[list[_Term], AfterValidator(_contiguous)]


class ConfidenceRule(Schema):
    level: Literal["low", "moderate", "high"]
    min_origins: int
    reliability_at_least: str
    credibility_at_most: int


class _Priority(Schema):
    base: float
    floor: float
    pathway_behaviours: frozenset[str]
    pathway_acts: frozenset[str]
    pathway_statuses: frozenset[str]
    raise_: dict[str, float] = Field(alias="raise")
    lower: dict[str, float]
    weak_grades: frozenset[str]
    weak_credibility: frozenset[int]
    corroborated_credibility: frozenset[int]
    reliable_grades: frozenset[str]
    howling_statuses: frozenset[str]
    history_scale: float


def _lower_words(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word.lower() for word in words)


class StandingRules(Schema):
    """past_statuses report what happened, not what may come; a fatal act with a fatal status
    means the target is dead; caught_words, in a foiled plot's sentence, say the plotters were
    caught."""

    past_statuses: frozenset[str]
    foiled_statuses: frozenset[str]
    history_after_days: int
    fatal_acts: frozenset[str]
    fatal_statuses: frozenset[str]
    caught_words: Annotated[frozenset[str], AfterValidator(_lower_words)]


class AssessFile(Schema):
    """data/assess/assessment.yaml (docs/assess.md says what each key changes)."""

    reliability: _Reliability
    credibility: CredibilityRules
    specificity: _Specificity
    harm_order: list[str]
    status: _Status
    severity: _Severity
    imminence: _Imminence
    windows: _Windows
    trend: TrendRules
    likelihood: _Likelihood
    confidence: list[ConfidenceRule]
    priority: _Priority
    standing: StandingRules
