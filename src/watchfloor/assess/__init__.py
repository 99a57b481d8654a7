"""assess: threads of statements about one (actor, target) pair, graded as reporting accumulates.

- records: what goes in (StatementEvidence, Signal) and what comes out (ThreadAssessment,
  ThreadChange).
- service: re-assessing threads in the store (`reassess_documents`), reading them as of a day
  (`assess_as_of`, `threads_active`) and the source grades (`source_grades`); it listens on
  the "documents stored" hook (watchfloor.hooks).

The service names load on first use (module `__getattr__`): the service imports the store and
the link stage, which a reader of the records alone need not load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.assess.records import ThreadAssessment, ThreadChange
from watchfloor.lazy import lazy_attribute

if TYPE_CHECKING:
    from watchfloor.assess.service import (
        assess_as_of,
        reassess_documents,
        source_grades,
        threads_active,
    )

_LAZY = {
    name: "service"
    for name in ("assess_as_of", "reassess_documents", "source_grades", "threads_active")
}

__all__ = [
    "ThreadAssessment",
    "ThreadChange",
    "assess_as_of",
    "reassess_documents",
    "source_grades",
    "threads_active",
]


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
