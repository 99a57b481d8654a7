"""The duty to warn judged on a thread: credible, specific and impending harm to someone
identifiable (ICD 191), with the thresholds in the `thread:` section of the duty-to-warn policy
file (see warn.policy for which file that is)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchfloor.assess.records import ThreadAssessment
from watchfloor.errors import ConfigError
from watchfloor.settings import setting
from watchfloor.warn.policy import (
    DEFAULT_POLICY_FILE,
    POLICY_ENV_VAR,
    DutyToWarnPolicy,
    read_policy,
)


@dataclass(frozen=True)
class Decision:
    owed: bool
    reasons: tuple[str, ...]  # why it is owed, or which condition fails


@dataclass(frozen=True)
class ThreadRule:
    statement_rule: DutyToWarnPolicy
    max_credibility: int
    min_specificity: float
    imminence: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> ThreadRule:
        path = path or Path(setting(POLICY_ENV_VAR) or DEFAULT_POLICY_FILE)
        statement_rule = DutyToWarnPolicy.load(path)
        section = read_policy(path).thread
        if section is None:
            # A user's file from before thread thresholds existed keeps the packaged ones.
            section = read_policy(DEFAULT_POLICY_FILE).thread
        if section is None:
            raise ConfigError(f"{DEFAULT_POLICY_FILE}: thread: missing. Reinstall watchfloor.")
        return cls(
            statement_rule=statement_rule,
            max_credibility=section.max_credibility,
            min_specificity=section.min_specificity,
            imminence=section.imminence,
        )

    def decide(self, a: ThreadAssessment) -> Decision:
        failed: list[str] = []
        held: list[str] = []
        rule = self.statement_rule
        if a.harm in rule.harm_acts:
            held.append(f"harm {a.harm} is grave (kill, serious bodily injury or kidnap)")
        else:
            failed.append(f"harm {a.harm} is not one of {', '.join(sorted(rule.harm_acts))}")
        if a.status in rule.live_statuses:
            held.append(f"stage {a.status}: the harm is still ahead")
        else:
            failed.append(f"stage {a.status} is not live")
        identifiable = a.protectee is not None or a.specificity.target_identified
        if identifiable or not rule.require_identifiable_person:
            held.append(f"target {a.target} is identifiable")
        else:
            failed.append("the target is not identifiable")
        if a.credibility <= self.max_credibility:
            held.append(
                f"credible: information graded {a.credibility} (at most {self.max_credibility})"
            )
        else:
            failed.append(f"credibility {a.credibility} is worse than {self.max_credibility}")
        if a.specificity.score >= self.min_specificity:
            held.append(
                f"specific: score {a.specificity.score:.2f} (at least {self.min_specificity:.2f})"
            )
        else:
            failed.append(
                f"specificity {a.specificity.score:.2f} is below {self.min_specificity:.2f}"
            )
        if a.imminence in self.imminence:
            held.append(f"impending: {a.imminence}")
        else:
            failed.append(f"imminence {a.imminence} is not impending")
        return Decision(not failed, tuple(failed or held))


def grades(a: ThreadAssessment) -> dict[str, Any]:
    """The grades a case keeps from a triage: what a re-triage compares against."""
    return {
        "harm": a.harm,
        "status": a.status,
        "reliability": a.reliability,
        "credibility": a.credibility,
        "admiralty": a.admiralty,
        "specificity": round(a.specificity.score, 3),
        "specific": {
            "target": a.specificity.target_identified,
            "method": a.specificity.method,
            "place": a.specificity.place,
            "time": a.specificity.time,
            "capability": a.specificity.actor_capability,
        },
        "imminence": a.imminence,
        "imminence_days": a.imminence_days,
        "likelihood": a.likelihood,
        "likelihood_range": list(a.likelihood_range),
        "confidence": a.confidence,
        "trend": a.trend.label,
        "statements": a.statements,
        "independent_origins": a.independent_origins,
    }


IMMINENCE_ORDER = ("past", "unspecified", "near", "imminent")


def sharpened(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """How a thread became more specific, more credible or closer; empty when it did not."""
    changes: list[str] = []
    if after["specificity"] > before["specificity"]:
        changes.append(f"specificity {before['specificity']:.2f} → {after['specificity']:.2f}")
    if after["credibility"] < before["credibility"]:
        changes.append(f"credibility {before['credibility']} → {after['credibility']}")
    b, a = before["imminence"], after["imminence"]
    if (
        b in IMMINENCE_ORDER
        and a in IMMINENCE_ORDER
        and IMMINENCE_ORDER.index(a) > (IMMINENCE_ORDER.index(b))
    ):
        changes.append(f"imminence {b} → {a}")
    return changes
