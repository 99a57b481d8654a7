"""One document through the stages that need no store: extract, link, and the duty-to-warn rule.

The CLI, the evaluation, the benchmarks and the store's ingest all call this, so a statement
means the same thing on every path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from spacy.language import Language

from watchfloor import hooks
from watchfloor.extract import Extractor
from watchfloor.extract.records import FinderMode, TextSpan, ThreatStatement
from watchfloor.ingest.records import Document
from watchfloor.link import Linker, Watchlist
from watchfloor.warn.policy import DutyToWarnPolicy
from watchfloor.warn.records import Finding

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watchfloor.assess.records import ThreadChange


class Analyzer:
    """Extract, link and flag the threat statements of documents against one watchlist."""

    def __init__(
        self,
        watchlist: Watchlist | None = None,
        policy: DutyToWarnPolicy | None = None,
        nlp: Language | None = None,
        finder: FinderMode | None = None,
    ) -> None:
        watchlist = watchlist or Watchlist.empty()
        names = [n for p in watchlist for n in (p.name, *p.aliases)]
        self.extractor = Extractor(nlp, finder=finder, names=names)
        self.finder: FinderMode = self.extractor.finder
        self.linker = Linker(watchlist)
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
            # A text longer than the pipeline takes at once (spaCy's max_length) is read in
            # pieces cut at paragraph breaks; offsets are put back onto the whole text.
            size = self.extractor.nlp.max_length
            pieces = [
                (index, offset, chunk, published or d.published or date.today())
                for index, d in enumerate(items)
                for offset, chunk in chunks(d.text, size)
            ]
            results = self.extractor.extract_many(
                [(chunk, day) for _, _, chunk, day in pieces], batch_size=batch_size
            )
            found: list[list[Finding]] = [[] for _ in items]
            for (index, offset, _, day), (doc, statements) in zip(pieces, results, strict=True):
                links = self.linker.link(doc, statements, day)
                found[index].extend(
                    Finding(
                        statement=shifted(statement, offset),
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
                )
            for document, findings in zip(items, found, strict=True):
                findings.sort(key=lambda f: f.priority_key)
                yield document, findings

        for document in documents:
            pending.append(document)
            if len(pending) >= batch_size:
                yield from run(pending)
                pending = []
        if pending:
            yield from run(pending)


def chunks(text: str, size: int) -> list[tuple[int, str]]:
    """`text` in pieces of at most `size` characters with their offsets, each cut after a
    paragraph break where there is one in its second half, else a line, a sentence, a space."""
    if len(text) <= size:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            for separator in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(separator, size // 2)
                if cut > 0:
                    end = start + cut + len(separator)
                    break
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def shifted(statement: ThreatStatement, offset: int) -> ThreatStatement:
    """The statement with its spans moved `offset` characters on (from a piece to the text)."""
    if not offset:
        return statement

    def move(span: TextSpan) -> TextSpan:
        return TextSpan(span.text, span.start + offset, span.end + offset)

    return replace(
        statement,
        evidence=move(statement.evidence),
        trigger=move(statement.trigger),
        actor=move(statement.actor) if statement.actor else None,
        target=move(statement.target) if statement.target else None,
    )


# --- after a document is stored: the stages that read the store ------------------------------
# They register themselves in watchfloor.hooks (assess on "documents stored", warn on "threads
# changed"); these two names stay for the callers that fire the events.


def after_store(session: Session, document_id: int) -> None:
    """Called by the Ingestor inside a newly stored document's transaction: the stages after
    the store bring their records up to date (hooks.documents_stored)."""
    hooks.documents_stored(session, [document_id])


def after_changes(session: Session, changes: Sequence[ThreadChange]) -> None:
    """Threads whose assessment was just recomputed (after a document, an override, or
    `watchfloor assess`), in the same transaction (hooks.threads_changed)."""
    hooks.threads_changed(session, changes)
