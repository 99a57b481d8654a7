"""What the extract stage hands on: threat statements found in one document's text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Act = Literal["kill", "kidnap", "attack", "threaten", "surveil"]
Status = Literal[
    "threatened",
    "considered",
    "planned",
    "attempted",
    "carried_out",
    "foiled",
    "denied",
    "hypothetical",
]
TargetKind = Literal["person", "group", "facility", "unknown"]
# Which part of the extract stage found a statement: the hand-written rules, the trained finder,
# or both (the rules' reading is kept and the finder's score is attached).
FoundBy = Literal["rules", "model", "both"]
# What the extract stage runs: the rules alone, or the rules combined with the trained finder.
FinderMode = Literal["rules", "combined"]

ACTS: tuple[str, ...] = get_args(Act)
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True)
class TextSpan:
    """A piece of the document text; `start`/`end` are character offsets into Document.text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ThreatStatement:
    """One statement that someone threatens, plots or carries out violence against someone.

    `when` is an ISO date, possibly partial ("2020", "2020-09", "2020-01-08"), resolved against
    the publication date; `where`, `method` and `motive` are short phrases from the text.
    `confidence` is the trained finder's probability that the statement is real, where it saw
    the sentence.
    """

    act: Act
    status: Status
    evidence: TextSpan
    trigger: TextSpan
    actor: TextSpan | None
    target: TextSpan | None
    target_kind: TargetKind = "unknown"
    attribution: str | None = None
    hedged: bool = False
    when: str | None = None
    where: str | None = None
    method: str | None = None
    motive: str | None = None
    found_by: FoundBy = "rules"
    confidence: float | None = None
