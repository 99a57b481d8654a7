"""Extension points: what an earlier stage asks of a later one, declared here, implemented
where it belongs and registered by name.

The warn stage must mark a notice and check it against each recipient's release limit, but the
marking scheme lives in publish, a later stage that warn may not import. warn asks this registry
for the scheme; the built-in one (publish.scheme) registers itself when first asked for, as
a plugin would. A deployment with another scheme registers its own before anything runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Protocol

from watchfloor.errors import WatchfloorError

# Modules that register the built-in implementations, loaded on first use.
DEFAULT_PLUGINS: tuple[str, ...] = ("watchfloor.publish.scheme",)


class MarkingScheme(Protocol):
    def releasable(self, limit: str, marking: str) -> bool:
        """True when a reader cleared to `limit` may see text marked `marking`."""

    def combine(self, markings: Sequence[str]) -> str:
        """The marking of text drawn from parts marked `markings` (their roll-up)."""


_schemes: list[MarkingScheme] = []


def register_marking_scheme(scheme: MarkingScheme) -> None:
    _schemes.insert(0, scheme)  # the latest registration wins


def marking_scheme() -> MarkingScheme:
    if not _schemes:
        for name in DEFAULT_PLUGINS:
            importlib.import_module(name)
    if not _schemes:
        raise WatchfloorError("no marking scheme is registered; notices cannot be marked")
    return _schemes[0]
