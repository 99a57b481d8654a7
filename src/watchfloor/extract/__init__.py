"""extract stage: find threat statements in a document's text.

`Extractor(nlp).extract(text, published)` returns the parsed Doc and its `ThreatStatement`s.
The work is done by two spaCy components registered by name, `watchfloor_threat_triggers` and
`watchfloor_threat_statements`, which can also be added to any pipeline with `nlp.add_pipe`.
"""

from watchfloor.extract.components import STATEMENTS, TRIGGERS
from watchfloor.extract.extractor import Extractor
from watchfloor.extract.records import ACTS, STATUSES, TextSpan, ThreatStatement

__all__ = ["ACTS", "STATEMENTS", "STATUSES", "TRIGGERS", "Extractor", "TextSpan", "ThreatStatement"]
