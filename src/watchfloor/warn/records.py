"""warn records: a threat statement with its links resolved and its duty-to-warn flag decided.

`Finding` is what one document's analysis yields (pipeline.Analyzer) and what the store persists
and the JSON contract prints, so it lives in a `records` module every floor may import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watchfloor.extract.records import ThreatStatement
from watchfloor.link.records import ActorLink, TargetLink


@dataclass(frozen=True)
class Finding:
    """A threat statement with its target and actor resolved and its warning flag decided."""

    statement: ThreatStatement
    target: TargetLink
    actor: ActorLink
    duty_to_warn: bool

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of `watchfloor extract --format jsonl` (design.md, Contracts)."""
        s = self.statement
        return Contract(
            actor_text=s.actor.text if s.actor else None,
            actor_entity=self.actor.entity,
            act=s.act,
            target_text=s.target.text if s.target else None,
            protectee=self.target.protectee,
            basis=self.target.basis,
            link_confidence=self.target.confidence,
            status=s.status,
            duty_to_warn=self.duty_to_warn,
            evidence_text=s.evidence.text,
            evidence_start=s.evidence.start,
            evidence_end=s.evidence.end,
            attribution=s.attribution,
            hedged=s.hedged,
            when=s.when,
            where=s.where,
            method=s.method,
            motive=s.motive,
            found_by=s.found_by,
            confidence=s.confidence,
        ).to_json()

    @property
    def priority_key(self) -> tuple[bool, bool, int]:
        """Warnings first, then threats to protectees, then in reading order."""
        return (not self.duty_to_warn, self.target.protectee is None, self.statement.evidence.start)


@dataclass(frozen=True)
class Contract:
    """The values of one statement's JSON contract (design.md, Contracts), flat: from a
    `Finding` just analysed or from a statement row of the store, built into JSON one way."""

    actor_text: str | None
    actor_entity: str | None
    act: str
    target_text: str | None
    protectee: str | None
    basis: str
    link_confidence: float
    status: str
    duty_to_warn: bool
    evidence_text: str
    evidence_start: int
    evidence_end: int
    attribution: str | None
    hedged: bool
    when: str | None
    where: str | None
    method: str | None
    motive: str | None
    found_by: str
    confidence: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "actor": {"text": self.actor_text, "entity": self.actor_entity},
            "act": self.act,
            "target": {
                "text": self.target_text,
                "protectee": self.protectee,
                "basis": self.basis,
                "confidence": self.link_confidence,
            },
            "status": self.status,
            "duty_to_warn": self.duty_to_warn,
            "evidence": {
                "text": self.evidence_text,
                "start": self.evidence_start,
                "end": self.evidence_end,
            },
            "attribution": self.attribution,
            "hedged": self.hedged,
            "when": self.when,
            "where": self.where,
            "method": self.method,
            "motive": self.motive,
            "found_by": self.found_by,
            "confidence": self.confidence,
        }
