"""The documents and gold events the corpus readers hand out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class GoldArgument:
    """One annotated argument of an event: its role as the corpus names it, and where it is."""

    role: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class GoldEvent:
    """One annotated event. `kind` is the corpus's own type name ("life.die", "ATTACK").

    `trigger` is None where the corpus marks no trigger (MUC-4 templates, GVDB); `stage` is
    MUC-4's stage of execution (accomplished, attempted, threatened) where the corpus has it.
    """

    kind: str
    trigger: tuple[int, int] | None
    arguments: tuple[GoldArgument, ...] = ()
    stage: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def role(self, *names: str) -> list[GoldArgument]:
        wanted = {n.lower() for n in names}
        return [a for a in self.arguments if a.role.lower() in wanted]


@dataclass(frozen=True)
class CorpusDocument:
    """One document of a corpus, with its text as watchfloor reads it."""

    corpus: str
    doc_id: str
    text: str
    sentences: tuple[tuple[int, int], ...] = ()
    events: tuple[GoldEvent, ...] = ()
    published: date | None = None
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return None


def sentence_hash(text: str) -> str:
    """A short fingerprint of a sentence, so a label file can tell when its text has moved."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]
