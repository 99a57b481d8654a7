"""The one access decision (publish.access.decide) applied to queries, so that listings and
counts are computed after the filter and a withheld item leaves no trace.

A store holds few distinct document markings; each is decided once per request for the
principal's reader, and the cleared ones become an SQL `IN` list. A thread (and the case,
notices and judgement built from it) is visible only when every document it draws on is: its
grades and wording are made from all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, not_, select, true
from sqlalchemy.orm import Session

from watchfloor.errors import MarkingError
from watchfloor.publish.access import AccessPolicy, Reader, decide
from watchfloor.publish.markings import parse_marking
from watchfloor.store.models import Case, Document, Statement, Thread


def store_markings(session: Session) -> list[str]:
    """The distinct document markings, by a skip scan over ix_documents_marking (a few index
    probes per marking, not a pass over every document)."""
    step = select(func.min(Document.marking)).scalar_subquery()
    seen = select(step.label("m")).cte("seen", recursive=True)
    following = (
        select(func.min(Document.marking)).where(Document.marking > seen.c.m).scalar_subquery()
    )
    seen = seen.union_all(select(following).where(seen.c.m.is_not(None)))
    return [m for m in session.scalars(select(seen.c.m).where(seen.c.m.is_not(None)))]


@dataclass
class Clearance:
    """The markings one reader may see, decided once per request."""

    reader: Reader
    policy: AccessPolicy | None = None  # None: the access policy in force (publish.access)
    allowed: tuple[str, ...] = ()
    # True when the reader may read every marking the store holds now: no filter is needed.
    everything: bool = False
    _decided: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, reader: Reader, policy: AccessPolicy | None = None) -> Clearance:
        found = store_markings(session)
        clearance = cls(reader, policy)
        clearance.allowed = tuple(m for m in found if clearance.may_read(m))
        clearance.everything = len(clearance.allowed) == len(found)
        return clearance

    def may_read(self, marking: str) -> bool:
        if marking not in self._decided:
            try:
                parsed = parse_marking(marking)
            except MarkingError:
                self._decided[marking] = False  # an unreadable marking denies
            else:
                self._decided[marking] = bool(decide(self.reader, parsed, policy=self.policy))
        return self._decided[marking]

    def documents(self) -> Any:
        """A clause: the document is cleared for this reader."""
        if self.everything:
            return true()
        return Document.marking.in_(self.allowed)

    def threads(self) -> Any:
        """A clause: no document of the thread is withheld from this reader."""
        if self.everything:
            return Thread.statements > 0
        withheld = (
            select(Statement.id)
            .join(Document, Document.id == Statement.document_id)
            .where(Statement.thread_id == Thread.id, not_(Document.marking.in_(self.allowed)))
            .correlate(Thread)
        )
        return and_(Thread.statements > 0, not_(exists(withheld)))

    def cases(self) -> Any:
        """A clause: the case's thread is visible."""
        visible = select(Thread.id).where(Thread.id == Case.thread_id, self.threads())
        return exists(visible.correlate(Case))

    def thread_visible(self, session: Session, thread_id: int | None) -> bool:
        if thread_id is None:
            return False
        found = session.scalar(select(Thread.id).where(Thread.id == thread_id, self.threads()))
        return found is not None
