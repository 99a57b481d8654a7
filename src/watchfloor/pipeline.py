"""One document through the stages that need no store: extract, link, and the duty-to-warn rule.

The CLI, the evaluation, the benchmarks and the store's ingest all call this, so a statement
means the same thing on every path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from watchfloor.extract import Extractor
from watchfloor.extract.records import FinderMode, ThreatStatement
from watchfloor.ingest.records import Document
from watchfloor.link import Linker, Watchlist
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.warn.policy import DutyToWarnPolicy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watchfloor.assess.service import ThreadChange


@dataclass(frozen=True)
class Finding:
    """A threat statement with its target and actor resolved and its warning flag decided."""

    statement: ThreatStatement
    target: TargetLink
    actor: ActorLink
    duty_to_warn: bool

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of `watchfloor extract --format jsonl` (design.md, Contracts)."""
        s = self.statement
        return {
            "actor": {
                "text": s.actor.text if s.actor else None,
                "entity": self.actor.entity,
            },
            "act": s.act,
            "target": {
                "text": s.target.text if s.target else None,
                "protectee": self.target.protectee,
                "basis": self.target.basis,
                "confidence": self.target.confidence,
            },
            "status": s.status,
            "duty_to_warn": self.duty_to_warn,
            "evidence": {"text": s.evidence.text, "start": s.evidence.start, "end": s.evidence.end},
            "attribution": s.attribution,
            "hedged": s.hedged,
            "when": s.when,
            "where": s.where,
            "method": s.method,
            "motive": s.motive,
            "found_by": s.found_by,
            "confidence": s.confidence,
        }

    @property
    def priority_key(self) -> tuple[bool, bool, int]:
        """Warnings first, then threats to protectees, then in reading order."""
        return (not self.duty_to_warn, self.target.protectee is None, self.statement.evidence.start)


class Analyzer:
    """Extract, link and flag the threat statements of documents against one watchlist."""

    def __init__(
        self,
        watchlist: Watchlist | None = None,
        policy: DutyToWarnPolicy | None = None,
        nlp: Language | None = None,
        finder: FinderMode | None = None,
    ) -> None:
        self.extractor = Extractor(nlp, finder=finder)
        self.finder: FinderMode = self.extractor.finder
        self.linker = Linker(watchlist or Watchlist.empty())
        self.policy = policy or DutyToWarnPolicy.load()

    def notes(self) -> list[str]:
        """What the last analysis skipped or cut, in words (empty when nothing was)."""
        return self.extractor.notes()

    def analyze(self, document: Document, published: date | None = None) -> list[Finding]:
        return next(self.analyze_many([document], published))[1]

    def analyze_many(
        self, documents: Iterable[Document], published: date | None = None, batch_size: int = 32
    ) -> Iterator[tuple[Document, list[Finding]]]:
        pending: list[Document] = []

        def run(items: list[Document]) -> Iterator[tuple[Document, list[Finding]]]:
            dated = [(d.text, published or d.published or date.today()) for d in items]
            results = self.extractor.extract_many(dated, batch_size=batch_size)
            for document, (_, day), (doc, statements) in zip(items, dated, results, strict=True):
                links = self.linker.link(doc, statements, day)
                findings = [
                    Finding(
                        statement=statement,
                        target=target,
                        actor=actor,
                        duty_to_warn=self.policy.owes_warning(
                            statement.act,
                            statement.status,
                            identifiable_person=self.policy.identifiable(
                                target.confidence, target.person_named
                            ),
                        ),
                    )
                    for statement, (target, actor) in zip(statements, links, strict=True)
                ]
                findings.sort(key=lambda f: f.priority_key)
                yield document, findings

        for document in documents:
            pending.append(document)
            if len(pending) >= batch_size:
                yield from run(pending)
                pending = []
        if pending:
            yield from run(pending)


# --- after a document is stored: the stages that read the store ------------------------------


def after_store(session: Session, document_id: int) -> None:
    """Called by the Ingestor inside a newly stored document's transaction: re-assess the
    threads the document touches, then hand the changes to the stages after assess."""
    from watchfloor.assess.service import reassess_documents

    after_changes(session, reassess_documents(session, [document_id]))


def after_changes(session: Session, changes: list[ThreadChange]) -> None:
    """Threads whose assessment was just recomputed (after a document, an override, or
    `watchfloor assess`), in the same transaction."""
    # == warn: open or re-triage duty-to-warn cases for the changed threads.
    from watchfloor.warn.cases import triage

    triage(session, changes)
