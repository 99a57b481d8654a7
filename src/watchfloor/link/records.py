"""What the link stage hands on: who a statement's target and actor are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LinkMethod = Literal["name", "alias", "surname", "title_surname", "pronoun", "role", "none"]
# "mention": the actor's own words name the entity; "coreference": a generic description ("the
# group") read as the one entity the document named before it (link/coref.py).
ActorMethod = Literal["mention", "coreference"]


@dataclass(frozen=True)
class TargetLink:
    """The protectee a target resolves to (None: not on the watchlist) and how it was reached."""

    protectee: str | None
    method: LinkMethod = "none"
    role: str | None = None
    person_named: bool = False


@dataclass(frozen=True)
class ActorLink:
    """The known entity an actor normalizes to, with its parents ("Quds Force" → IRGC → Iran)."""

    entity: str | None
    lineage: tuple[str, ...] = field(default_factory=tuple)
    method: ActorMethod = "mention"
