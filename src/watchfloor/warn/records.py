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
        return {
            "actor": {
                "text": s.actor.text if s.actor else None,
                "entity": self.actor.entity,
            },
            "act": s.act,
            "target": {
                "text": s.target.text if s.target else None,
                "protectee": self.target.protectee,
                "basis": self.target.basis,
                "confidence": self.target.confidence,
            },
            "status": s.status,
            "duty_to_warn": self.duty_to_warn,
            "evidence": {"text": s.evidence.text, "start": s.evidence.start, "end": s.evidence.end},
            "attribution": s.attribution,
            "hedged": s.hedged,
            "when": s.when,
            "where": s.where,
            "method": s.method,
            "motive": s.motive,
            "found_by": s.found_by,
            "confidence": s.confidence,
        }

    @property
    def priority_key(self) -> tuple[bool, bool, int]:
        """Warnings first, then threats to protectees, then in reading order."""
        return (not self.duty_to_warn, self.target.protectee is None, self.statement.evidence.start)
