"""Judgements worded by stage: what may come, what happened, what was stopped, what is history.

A live threat gets the ICD 203 likelihood sentence ("We judge it likely that Iran will try to
kill ..."). An attack carried out is reported as what happened, with its date; a foiled plot as
foiled, with whether the plotters were reported caught; a thread the assessor judged history
(its target since reported killed, or its event long past) says so and why. Nobody is ever the
subject of "will try to kill" once the reporting says they are dead.

The words are data: `judgement.by_stage` and `harm.*.done` in data/publish/review.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watchfloor.assess.records import ThreadAssessment

STAGE_KEYS = ("carried_out", "foiled", "history")


@dataclass(frozen=True)
class StageWords:
    titles: Mapping[str, str]  # stage key -> title template
    leads: Mapping[str, str]  # stage key -> the sentence in place of the likelihood sentence
    stage_verbs: Mapping[str, str]  # status -> "planned to", "considered a plan to" ...
    harm_done: Mapping[str, str]  # act -> "killed", "attacked" ...
    caught: str
    at_large: str
    dated: str  # "about {when}"
    undated: str  # "undated, reported by {reported}"

    @classmethod
    def from_data(cls, by_stage: Mapping[str, Any], harm: Mapping[str, Any]) -> StageWords:
        missing = [k for k in STAGE_KEYS if k not in by_stage.get("titles", {})]
        missing += [k for k in STAGE_KEYS if k not in by_stage.get("leads", {})]
        if missing:
            raise KeyError(f"judgement.by_stage lacks {', '.join(sorted(set(missing)))}")
        return cls(
            titles={str(k): str(v) for k, v in by_stage["titles"].items()},
            leads={str(k): str(v) for k, v in by_stage["leads"].items()},
            stage_verbs={str(k): str(v) for k, v in by_stage["stage_verbs"].items()},
            harm_done={str(act): str(words["done"]) for act, words in harm.items()},
            caught=str(by_stage["caught"]),
            at_large=str(by_stage["at_large"]),
            dated=str(by_stage["dated"]),
            undated=str(by_stage["undated"]),
        )


def stage_key(assessment: ThreadAssessment) -> str | None:
    """Which wording a thread takes; None: a live threat, worded with its likelihood."""
    if assessment.status in ("carried_out", "foiled"):
        return assessment.status
    if assessment.standing == "history":
        return "history"
    return None


def stage_values(assessment: ThreadAssessment, words: StageWords) -> dict[str, str]:
    """The placeholders the stage wordings use, beyond those of every judgement."""
    if assessment.happened:
        happened = words.dated.format(when=assessment.happened)
    else:
        happened = words.undated.format(reported=assessment.last_seen.isoformat())
    status = assessment.status
    return {
        "harm_done": words.harm_done.get(assessment.harm, assessment.harm),
        "happened": happened,
        "stage_verb": words.stage_verbs.get(status, status.replace("_", " ")),
        "standing_reason": assessment.standing_reason,
        "caught": words.caught if assessment.caught else words.at_large,
    }


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
