"""publish stage: marked portions, cleared readers, and the products built from them.

Markings (`markings`, `rollup`, `vocabulary`) parse, check, write and roll up classification
markings and TLP labels; `access.decide` is the one access decision every data path asks.
"""

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
