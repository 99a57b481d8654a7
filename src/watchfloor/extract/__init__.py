"""extract stage: find threat statements in a document's text.

`Extractor(nlp).extract(text, published)` returns the parsed Doc and its `ThreatStatement`s.
The work is done by two spaCy components registered by name, `watchfloor_threat_triggers` and
`watchfloor_threat_statements`, which can also be added to any pipeline with `nlp.add_pipe`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.extract.records import ACTS, STATUSES, TextSpan, ThreatStatement

if TYPE_CHECKING:
    from watchfloor.extract.components import STATEMENTS, TRIGGERS
    from watchfloor.extract.extractor import Extractor

__all__ = ["ACTS", "STATEMENTS", "STATUSES", "TRIGGERS", "Extractor", "TextSpan", "ThreatStatement"]


def __getattr__(name: str) -> Any:
    # The store and the CLI read the records; spaCy loads only when the extractor is asked for.
    if name == "Extractor":
        from watchfloor.extract.extractor import Extractor

        return Extractor
    if name in ("STATEMENTS", "TRIGGERS"):
        from watchfloor.extract import components

        return getattr(components, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
