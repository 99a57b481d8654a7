"""publish stage: marked portions, cleared readers, and the products built from them.

Markings (`markings`, `rollup`, `vocabulary`) parse, check, write and roll up classification
markings and TLP labels; `access.decide` is the one access decision every data path asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.lazy import lazy_attribute
from watchfloor.publish.access import AccessDecision, AccessPolicy, Reader, decide
from watchfloor.publish.markings import Marking, MarkingError, make_marking, parse_marking
from watchfloor.publish.rollup import RollupRules, dominates, release_countries, rollup

__all__ = [
    "AccessDecision",
    "AccessPolicy",
    "Marking",
    "MarkingError",
    "Reader",
    "RollupRules",
    "decide",
    "dominates",
    "make_marking",
    "parse_marking",
    "release_countries",
    "rollup",
]

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.publish.access import policy_path as policy_path
    from watchfloor.publish.access import set_own_organization as set_own_organization
    from watchfloor.publish.readers import add_reader as add_reader
    from watchfloor.publish.readers import get_reader as get_reader
    from watchfloor.publish.readers import list_readers as list_readers
    from watchfloor.publish.readers import make_reader as make_reader
    from watchfloor.publish.readers import remove_reader as remove_reader
    from watchfloor.publish.render import render_for as render_for
    from watchfloor.publish.review import Distribution as Distribution
    from watchfloor.publish.review import ReviewError as ReviewError
    from watchfloor.publish.review import add_portion as add_portion
    from watchfloor.publish.review import build_review as build_review
    from watchfloor.publish.review import load_review as load_review
    from watchfloor.publish.sources import list_sources as list_sources
    from watchfloor.publish.sources import mark_source as mark_source

_LAZY = {
    "Distribution": "review",
    "ReviewError": "review",
    "add_portion": "review",
    "add_reader": "readers",
    "build_review": "review",
    "get_reader": "readers",
    "list_readers": "readers",
    "list_sources": "sources",
    "load_review": "review",
    "make_reader": "readers",
    "mark_source": "sources",
    "policy_path": "access",
    "remove_reader": "readers",
    "render_for": "render",
    "set_own_organization": "access",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
