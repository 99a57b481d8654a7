"""The built-in marking scheme behind hooks.marking_scheme: the markings of publish."""

from __future__ import annotations

from collections.abc import Sequence

from watchfloor.errors import WatchfloorError
from watchfloor.hooks import register_marking_scheme
from watchfloor.publish.markings import parse_marking
from watchfloor.publish.rollup import dominates, rollup


class PublishScheme:
    def releasable(self, limit: str, marking: str) -> bool:
        # Deny by default: a marking or limit that does not parse releases nothing.
        try:
            return dominates(parse_marking(limit), parse_marking(marking))
        except WatchfloorError:
            return False

    def combine(self, markings: Sequence[str]) -> str:
        return rollup([parse_marking(m) for m in markings]).banner()


register_marking_scheme(PublishScheme())
