"""Which thread a statement belongs to: its actor key × its target key.

Keys are built from stable values (an actor entity name, a watchlist id, normalized target words),
never from row ids, so the same statement lands in the same thread after re-ingest, re-analysis
or a rebuilt store. An analyst's actor merges are applied before the key is formed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

UNKNOWN = "unknown"
ARROW = "→"
PROTECTEE_PREFIX = "protectee:"
# A statement of a general threat (no act beyond threatening) by an unnamed actor is the first
# step of a plot the same report names an actor for, against the same target.
GENERAL_ACTS = frozenset({"threaten"})

_ARTICLES = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"['’]s\b")
_NON_WORD = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"\s+")


def resolve_actor(entity: str | None, merges: Mapping[str, str]) -> str | None:
    """The actor an entity counts as after the analyst's merges (followed in chains).

    Merge subjects are compared case-insensitively: `merges` maps a lower-cased actor name to
    the name it was merged into. A cycle (which merge_actors refuses to create) stops where it
    would repeat rather than looping.
    """
    if entity is None:
        return None
    seen = {entity.lower()}
    current = entity
    while (target := merges.get(current.lower())) is not None:
        if target.lower() in seen:
            break
        seen.add(target.lower())
        current = target
    return current


def actor_key(entity: str | None, merges: Mapping[str, str]) -> str:
    resolved = resolve_actor(entity, merges)
    return resolved if resolved else UNKNOWN


def normalize_target(text: str | None) -> str | None:
    """Target words folded so that "the British Envoy" and "British envoy's" agree."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = _POSSESSIVE.sub("", folded)
    folded = _NON_WORD.sub(" ", folded)
    folded = _SPACES.sub(" ", folded).strip()
    folded = _ARTICLES.sub("", folded)
    return folded or None


def target_key(protectee: str | None, target_text: str | None) -> str:
    if protectee:
        return PROTECTEE_PREFIX + protectee
    return normalize_target(target_text) or UNKNOWN


def thread_key(actor: str, target: str) -> str:
    return f"{actor}{ARROW}{target}"


def statement_key(sha256: str, trigger_start: int, trigger_end: int) -> str:
    """The stable key of a statement: its document's raw sha256 and its trigger's offsets."""
    return f"{sha256}:{trigger_start}:{trigger_end}"


def lineage_contains(lineage: str, actor: str) -> bool:
    """True when `actor` is one of the "|"-joined names of a stored lineage (any case)."""
    needle = actor.lower()
    return any(part.lower() == needle for part in lineage.split("|") if part)
