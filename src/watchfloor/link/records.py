"""What the link stage hands on: who a statement's target and actor are."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from watchfloor.datafiles import read_yaml
from watchfloor.errors import ConfigError

CONFIDENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "link" / "confidence.yaml"

LinkMethod = Literal[
    "name",
    "alias",
    "apposition",
    "surname",
    "surname_unconfirmed",
    "title_surname",
    "pronoun",
    "role",
    "none",
]
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

    @property
    def basis(self) -> LinkMethod:
        """What the link rests on (docs/watchlist.md, "How targets are linked"): name, alias,
        apposition, title_surname, role, surname, surname_unconfirmed, pronoun, none."""
        return self.method

    @property
    def confidence(self) -> float:
        """How sure the link to the protectee is (0 without one): data/link/confidence.yaml."""
        if self.protectee is None:
            return 0.0
        return link_confidences().get(self.method, 0.0)


@cache
def link_confidences(path: Path = CONFIDENCE_FILE) -> dict[str, float]:
    raw = read_yaml(path) or {}
    try:
        table = {str(k): float(v) for k, v in raw.items()}
    except (AttributeError, TypeError, ValueError) as error:
        raise ConfigError(f"{path}: not a table of link bases and confidences ({error})") from error
    if any(not 0.0 <= v <= 1.0 for v in table.values()):
        raise ConfigError(f"{path}: every confidence must lie between 0 and 1")
    return table


@dataclass(frozen=True)
class ActorLink:
    """The known entity an actor normalizes to, with its parents ("Quds Force" → IRGC → Iran)."""

    entity: str | None
    lineage: tuple[str, ...] = field(default_factory=tuple)
    method: ActorMethod = "mention"
