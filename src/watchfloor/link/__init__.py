"""link stage: who a statement's target and actor are.

- `load_watchlist(path)` reads a YAML or CSV watchlist into a `Watchlist` of `Protectee`s.
- `Linker(watchlist, actors=None).link(doc, statements, published)` returns one
  `(TargetLink, ActorLink)` per statement, in order.
- `ActorCatalog.load(extra=...)` is the catalog of known actors (every state, agencies, armed
  groups) that actors normalize to.
- A generic actor ("the group", "an armed cell") is read as the one entity the document's other
  actors name before it (`coref.GenericActors`, words in data/actors/generic.yaml).
"""

from watchfloor.link.catalog import ActorCatalog, Entity
from watchfloor.link.linker import Linker, statement_dates
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import Notify, Protectee, Role, Watchlist, load_watchlist

__all__ = [
    "ActorCatalog",
    "ActorLink",
    "Entity",
    "Linker",
    "Notify",
    "Protectee",
    "Role",
    "RoleVocabulary",
    "TargetLink",
    "Watchlist",
    "load_watchlist",
    "statement_dates",
]
