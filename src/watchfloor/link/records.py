"""What the link stage hands on: who a statement's target and actor are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LinkMethod = Literal["name", "alias", "surname", "title_surname", "pronoun", "role", "none"]


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
