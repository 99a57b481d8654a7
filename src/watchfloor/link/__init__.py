"""link stage: who a statement's target and actor are.

- `load_watchlist(path)` reads a YAML, JSON or CSV watchlist into a `Watchlist` of `Protectee`s;
  `parse_watchlist(text, source, fmt)` reads one handed in (an upload), `watchlist_from_data`
  one already parsed (a JSON body), `protectee_from_data` one entry (the web editor).
- `Linker(watchlist, actors=None).link(doc, statements, published)` returns one
  `(TargetLink, ActorLink)` per statement, in order; each `TargetLink` says what it rests on
  (`basis`: name, alias, apposition, title_surname, role, surname, surname_unconfirmed,
  pronoun) and how sure it is (`confidence`, data/link/confidence.yaml). Its parts: `names`
  (names, aliases, surnames), `holders` (who held a role when), `rolephrase` (reading a role
  phrase), `descriptions` (what the document calls a person), `apposition`, `pronouns` (also
  quoted speakers), `targets` (a target read from its head noun).
- `ActorCatalog.load(extra=...)` is the catalog of known actors (every state, agencies, armed
  groups) that actors normalize to.
- A generic actor ("the group", "an armed cell") is read as the one entity the document's other
  actors name before it (`coref.GenericActors`, words in data/actors/generic.yaml).
- protectees: the watchlist as stored (`load_protectees`, `list_protectees`, `StoredWatchlist`);
  sync: loading a watchlist file into the store and re-assessing what it touches. These load on
  first use (module `__getattr__`), since they import the store, which imports `link.records`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.lazy import lazy_attribute
from watchfloor.link.catalog import ActorCatalog, Entity
from watchfloor.link.linker import Linker, statement_dates
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import (
    Notify,
    Protectee,
    Role,
    Watchlist,
    load_watchlist,
    parse_watchlist,
    protectee_from_data,
    watchlist_format,
    watchlist_from_data,
)

if TYPE_CHECKING:
    from watchfloor.link.protectees import (
        LoadSummary,
        StoredProtectee,
        StoredWatchlist,
        list_protectees,
        load_protectees,
        protectee_names,
    )

_LAZY = {
    name: "protectees"
    for name in (
        "LoadSummary",
        "StoredProtectee",
        "StoredWatchlist",
        "list_protectees",
        "load_protectees",
        "protectee_names",
    )
}

__all__ = [
    "ActorCatalog",
    "ActorLink",
    "Entity",
    "Linker",
    "LoadSummary",
    "Notify",
    "Protectee",
    "Role",
    "RoleVocabulary",
    "StoredProtectee",
    "StoredWatchlist",
    "TargetLink",
    "Watchlist",
    "list_protectees",
    "load_protectees",
    "load_watchlist",
    "parse_watchlist",
    "protectee_from_data",
    "protectee_names",
    "statement_dates",
    "watchlist_format",
    "watchlist_from_data",
]

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.link.sync import current_watchlist as current_watchlist
    from watchfloor.link.sync import file_sha256 as file_sha256
    from watchfloor.link.sync import sync_watchlist as sync_watchlist

_LAZY = {
    **_LAZY,
    **{
        "current_watchlist": "sync",
        "file_sha256": "sync",
        "sync_watchlist": "sync",
    },
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
