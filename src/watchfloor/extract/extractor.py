"""The extract stage's entry point: text in, parsed Doc and threat statements out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from watchfloor.errors import PipelineNotFound
from watchfloor.extract.components import STATEMENTS, TRIGGERS, register_extensions
from watchfloor.extract.records import FinderMode, ThreatStatement

# The components the extractor runs after the base pipeline, with their settings.
DEFAULT_COMPONENTS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    (TRIGGERS, {}),
    (STATEMENTS, {}),
)


class Extractor:
    """Find threat statements in text with a spaCy pipeline plus watchfloor's own components.

    The base pipeline is shared and left untouched: the extract components are created from
    their registered factories and run on each parsed Doc. A pipeline that already contains
    them (added with `nlp.add_pipe`) is used as it is.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        components: Iterable[tuple[str, Mapping[str, Any]]] = DEFAULT_COMPONENTS,
        finder: FinderMode = "rules",
    ) -> None:
        if finder == "combined":
            # The trained finder is not packaged yet (issue 12 builds it).
            raise PipelineNotFound(
                "the trained finder is not packaged in this build; use the rules alone "
                "(finder='rules') or build it with `make train-finder`"
            )
        if nlp is None:
            from watchfloor.nlp import load

            nlp = load()
        register_extensions()
        self.nlp = nlp
        self._components: list[Callable[[Doc], Doc]] = [
            nlp.create_pipe(name, config=dict(config))
            for name, config in components
            if name not in nlp.pipe_names
        ]

    def _doc(self, text: str, published: date) -> Doc:
        if not isinstance(text, str):
            raise TypeError(f"Extractor needs text as str, got {type(text).__name__}")
        if not isinstance(published, date):
            raise TypeError(
                f"Extractor needs the publication date as datetime.date, got {published!r}"
            )
        doc = self.nlp.make_doc(text)
        doc._.published = published
        return doc

    def _finish(self, doc: Doc) -> tuple[Doc, list[ThreatStatement]]:
        for component in self._components:
            doc = component(doc)
        return doc, list(doc._.threat_statements or [])

    def extract(self, text: str, published: date) -> tuple[Doc, list[ThreatStatement]]:
        """Parse one text; relative dates resolve against `published`."""
        return self._finish(self.nlp(self._doc(text, published)))

    def extract_many(
        self, items: Iterable[tuple[str, date]], batch_size: int = 32
    ) -> Iterator[tuple[Doc, list[ThreatStatement]]]:
        """Parse many texts in batches (nlp.pipe), yielding results in input order."""
        docs = (self._doc(text, published) for text, published in items)
        for doc in self.nlp.pipe(docs, batch_size=batch_size):
            yield self._finish(doc)
