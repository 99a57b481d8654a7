"""The assessment's numbers, read from YAML: weights, thresholds, ICD 203 terms, priority rules.

The packaged default is data/assess/assessment.yaml; WATCHFLOOR_ASSESS_CONFIG names another file
with the same keys. docs/assess.md says what each key changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from watchfloor.errors import WatchfloorError
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
CONFIDENCE_LEVELS = ("low", "moderate", "high")


@dataclass(frozen=True)
class CredibilityRules:
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


@dataclass(frozen=True)
class TrendRules:
    stale_days: int
    cue_recent_days: int
    phrase_step: float
    rise: float
    severity_rise: int
    burst_days: int
    burst_factor: float
    burst_min: int


@dataclass(frozen=True)
class LikelihoodTerm:
    term: str
    synonym: str
    low: int
    high: int


@dataclass(frozen=True)
class ConfidenceRule:
    level: str
    min_origins: int
    reliability_at_least: str
    credibility_at_most: int


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
class StandingRules:
    past_statuses: frozenset[str]  # stages that report what happened, not what may come
    foiled_statuses: frozenset[str]
    history_after_days: int
    fatal_acts: frozenset[str]  # with a fatal status, the target is dead
    fatal_statuses: frozenset[str]
    caught_words: frozenset[str]  # in a foiled plot's sentence: the plotters were caught


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
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise WatchfloorError(
                f"cannot read the assessment configuration {path}: {exc}. Point "
                f"{CONFIG_ENV_VAR} at a readable file or unset it."
            ) from exc
        except yaml.YAMLError as exc:
            raise WatchfloorError(f"{path}: not valid YAML ({exc}). Fix the file.") from exc
        if not isinstance(data, dict):
            raise WatchfloorError(f"{path}: must be a mapping of settings. Fix the file.")
        try:
            return cls._parse(data, str(path))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise WatchfloorError(
                f"{path}: not a valid assessment configuration: {type(exc).__name__} {exc}. "
                f"Compare it with {DEFAULT_CONFIG_FILE}."
            ) from exc

    @classmethod
    def _parse(cls, data: dict[str, Any], source: str) -> AssessConfig:
        cred = data["credibility"]
        trend = data["trend"]
        like = data["likelihood"]
        prio = data["priority"]
        weights = {str(k): float(v) for k, v in data["specificity"]["weights"].items()}
        _require(source, "specificity.weights", weights, SPECIFICITY_COMPONENTS)
        like_weights = {str(k): float(v) for k, v in like["weights"].items()}
        _require(source, "likelihood.weights", like_weights, LIKELIHOOD_COMPONENTS)
        terms = tuple(
            LikelihoodTerm(
                term=str(t["term"]),
                synonym=str(t.get("synonym", "")),
                low=int(t["range"][0]),
                high=int(t["range"][1]),
            )
            for t in like["terms"]
        )
        if not terms or any(a.high != b.low for a, b in pairwise(terms)):
            raise ValueError("likelihood.terms must be non-empty, ordered and contiguous")
        confidence = tuple(
            ConfidenceRule(
                level=str(r["level"]),
                min_origins=int(r["min_origins"]),
                reliability_at_least=str(r["reliability_at_least"]),
                credibility_at_most=int(r["credibility_at_most"]),
            )
            for r in data["confidence"]
        )
        for rule in confidence:
            if rule.level not in CONFIDENCE_LEVELS:
                raise ValueError(f"confidence level {rule.level!r}; use low, moderate or high")
        return cls(
            reliability_order=tuple(str(g) for g in data["reliability"]["order"]),
            reliability_unknown=str(data["reliability"]["unknown"]),
            credibility=CredibilityRules(
                confirm_min_origins=int(cred["confirm_min_origins"]),
                corroborating_grades=frozenset(map(str, cred["corroborating_grades"])),
                doubtful_grades=frozenset(map(str, cred["doubtful_grades"])),
                hedged=int(cred["hedged"]),
                single=int(cred["single"]),
                doubtful=int(cred["doubtful"]),
                contradicted=int(cred["contradicted"]),
                no_basis=int(cred["no_basis"]),
                denying_statuses=frozenset(map(str, cred["denying_statuses"])),
                hedging_statuses=frozenset(map(str, cred["hedging_statuses"])),
            ),
            specificity_weights=weights,
            actor_capability_requires_lineage=bool(
                data["specificity"]["actor_capability_requires_lineage"]
            ),
            harm_order=tuple(map(str, data["harm_order"])),
            live_statuses=tuple(map(str, data["status"]["live"])),
            terminal_statuses=frozenset(map(str, data["status"]["terminal"])),
            severity_act={str(k): int(v) for k, v in data["severity"]["act"].items()},
            severity_status_factor={
                str(k): float(v) for k, v in data["severity"]["status_factor"].items()
            },
            imminent_days=int(data["imminence"]["imminent_days"]),
            near_days=int(data["imminence"]["near_days"]),
            behaviour_window=int(data["windows"]["behaviour"]),
            context_window=int(data["windows"]["context"]),
            cue_phrase_window=int(data["windows"]["cue_phrase"]),
            trend=TrendRules(
                stale_days=int(trend["stale_days"]),
                cue_recent_days=int(trend["cue_recent_days"]),
                phrase_step=float(trend["phrase_step"]),
                rise=float(trend["rise"]),
                severity_rise=int(trend["severity_rise"]),
                burst_days=int(trend["burst_days"]),
                burst_factor=float(trend["burst_factor"]),
                burst_min=int(trend["burst_min"]),
            ),
            likelihood_weights=like_weights,
            likelihood_credibility={int(k): float(v) for k, v in like["credibility"].items()},
            likelihood_reliability={str(k): float(v) for k, v in like["reliability"].items()},
            likelihood_per_behaviour=float(like["per_behaviour"]),
            likelihood_status={str(k): float(v) for k, v in like["status"].items()},
            likelihood_trend={str(k): float(v) for k, v in like["trend"].items()},
            likelihood_neutral=float(like["neutral"]),
            likelihood_note_band=float(like["note_band"]),
            terms=terms,
            confidence=confidence,
            priority=PriorityRules(
                base=float(prio["base"]),
                floor=float(prio["floor"]),
                pathway_behaviours=frozenset(map(str, prio["pathway_behaviours"])),
                pathway_acts=frozenset(map(str, prio["pathway_acts"])),
                pathway_statuses=frozenset(map(str, prio["pathway_statuses"])),
                raise_weights={str(k): float(v) for k, v in prio["raise"].items()},
                lower_factors={str(k): float(v) for k, v in prio["lower"].items()},
                weak_grades=frozenset(map(str, prio["weak_grades"])),
                weak_credibility=frozenset(int(v) for v in prio["weak_credibility"]),
                corroborated_credibility=frozenset(
                    int(v) for v in prio["corroborated_credibility"]
                ),
                reliable_grades=frozenset(map(str, prio["reliable_grades"])),
                howling_statuses=frozenset(map(str, prio["howling_statuses"])),
                history_scale=float(prio["history_scale"]),
            ),
            standing=_standing(data["standing"]),
            source=source,
        )

    def reliability_rank(self, grade: str) -> int:
        """0 for the best grade; unknown (F) and unlisted grades rank after every listed one."""
        order = self.reliability_order
        return order.index(grade) if grade in order else len(order)


def _standing(data: dict[str, Any]) -> StandingRules:
    return StandingRules(
        past_statuses=frozenset(map(str, data["past_statuses"])),
        foiled_statuses=frozenset(map(str, data["foiled_statuses"])),
        history_after_days=int(data["history_after_days"]),
        fatal_acts=frozenset(map(str, data["fatal_acts"])),
        fatal_statuses=frozenset(map(str, data["fatal_statuses"])),
        caught_words=frozenset(str(w).lower() for w in data["caught_words"]),
    )


def _require(source: str, key: str, values: dict[str, float], names: tuple[str, ...]) -> None:
    missing = [n for n in names if n not in values]
    if missing:
        raise ValueError(f"{key} lacks {', '.join(missing)} (in {source})")
