"""Extension points: what an earlier stage asks of a later one, declared here, implemented
where it belongs and registered by name. Stages talk forward through this registry only, so
an earlier stage never imports a later one and a new stage plugs in without editing another.

    hook                 fired by                         built-in listeners, in order
    -------------------  -------------------------------  -----------------------------------
    documents stored     ingest (Ingestor, after a        assess: re-assess the documents'
                         document), link (watchlist sync)  threads, then fire "threads changed"
    threads changed      assess (via the hook above),     warn: open or re-triage duty-to-warn
                         CLI overrides and `assess`        cases; share: push changed threads
                                                           to a TAXII collection or a webhook
    marking scheme       warn asks for it                  publish.scheme

Both events run inside the caller's transaction (the session passed in), listeners in the
order they registered. The built-in listeners register themselves when their modules load;
this registry loads those modules (`DEFAULT_PLUGINS`) the first time an event fires or a
scheme is asked for, as it would a plugin. A deployment adds its own listeners, or its own
marking scheme, before anything runs.

The warn stage must mark a notice and check it against each recipient's release limit, but the
marking scheme lives in publish, a later stage that warn may not import. warn asks this registry
for the scheme; the built-in one (publish.scheme) registers itself when first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from watchfloor.errors import WatchfloorError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watchfloor.assess.records import ThreadChange

# Modules that register the built-in implementations, loaded on first use.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "watchfloor.publish.scheme",
    "watchfloor.assess.service",
    "watchfloor.warn.cases",
    "watchfloor.share.push",
)


class MarkingScheme(Protocol):
    def releasable(self, limit: str, marking: str) -> bool:
        """True when a reader cleared to `limit` may see text marked `marking`."""

    def combine(self, markings: Sequence[str]) -> str:
        """The marking of text drawn from parts marked `markings` (their roll-up)."""


# A listener's return value is ignored (triage returns its outcomes for its own callers).
DocumentsStored = Callable[["Session", Sequence[int]], object]
ThreadsChanged = Callable[["Session", Sequence["ThreadChange"]], object]

_schemes: list[MarkingScheme] = []
_documents_stored: list[DocumentsStored] = []
_threads_changed: list[ThreadsChanged] = []
_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        for name in DEFAULT_PLUGINS:
            importlib.import_module(name)


def register_marking_scheme(scheme: MarkingScheme) -> None:
    _schemes.insert(0, scheme)  # the latest registration wins


def marking_scheme() -> MarkingScheme:
    if not _schemes:
        for name in DEFAULT_PLUGINS:
            importlib.import_module(name)
    if not _schemes:
        raise WatchfloorError("no marking scheme is registered; notices cannot be marked")
    return _schemes[0]


def on_documents_stored(listener: DocumentsStored) -> DocumentsStored:
    """Call `listener(session, document_ids)` after documents are stored or relabelled."""
    if listener not in _documents_stored:  # a module loaded twice registers once
        _documents_stored.append(listener)
    return listener


def on_threads_changed(listener: ThreadsChanged) -> ThreadsChanged:
    """Call `listener(session, changes)` after threads are re-assessed."""
    if listener not in _threads_changed:
        _threads_changed.append(listener)
    return listener


def documents_stored(session: Session, document_ids: Sequence[int]) -> None:
    """Documents `document_ids` were stored (or what they refer to changed), in `session`'s
    transaction: the later stages bring their records up to date."""
    _load_plugins()
    for listener in list(_documents_stored):
        listener(session, document_ids)


def threads_changed(session: Session, changes: Sequence[ThreadChange]) -> None:
    """Threads whose assessment was just recomputed (after a document, an override, or
    `watchfloor assess`), in `session`'s transaction."""
    _load_plugins()
    for listener in list(_threads_changed):
        listener(session, changes)
