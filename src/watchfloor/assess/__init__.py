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

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.assess.overrides import dismiss_statement as dismiss_statement
    from watchfloor.assess.overrides import grade_source as grade_source
    from watchfloor.assess.overrides import merge_actors as merge_actors
    from watchfloor.assess.overrides import set_thread_credibility as set_thread_credibility
    from watchfloor.assess.service import STANDINGS as STANDINGS
    from watchfloor.assess.service import reassess_all as reassess_all
    from watchfloor.assess.views import get_thread as get_thread
    from watchfloor.assess.views import list_threads as list_threads

_LAZY = {
    **_LAZY,
    **{
        "STANDINGS": "service",
        "dismiss_statement": "overrides",
        "get_thread": "views",
        "grade_source": "overrides",
        "list_threads": "views",
        "merge_actors": "overrides",
        "reassess_all": "service",
        "set_thread_credibility": "overrides",
    },
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
