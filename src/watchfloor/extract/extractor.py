"""The extract stage's entry point: text in, parsed Doc and threat statements out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from watchfloor.extract.components import STATEMENTS, TRIGGERS, register_extensions
from watchfloor.extract.records import FinderMode, TextSpan, ThreatStatement
from watchfloor.nlp.truecase import Truecaser, default_truecaser, lemma_words

logger = logging.getLogger(__name__)
# Where a Doc parsed from recased text keeps the text as it was given.
ORIGINAL_TEXT = "watchfloor_original_text"

# The components the extractor runs after the base pipeline, with their settings.
DEFAULT_COMPONENTS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    (TRIGGERS, {}),
    (STATEMENTS, {}),
)


def _default_mode() -> FinderMode:
    """The configured mode, falling back to the rules where no finder model is installed."""
    from watchfloor.extract.finder.config import load_config
    from watchfloor.extract.finder.model import PACKAGED

    mode = load_config().mode
    if mode == "combined" and not (PACKAGED / "finder.onnx").is_file():
        logger.warning(
            "%s is missing: extracting with the rules alone (reinstall watchfloor, or run "
            "`make train-finder`)",
            PACKAGED / "finder.onnx",
        )
        return "rules"
    return "combined" if mode == "combined" else "rules"


def _looks_english(doc: Doc) -> bool | None:
    """Whether English function words are as common as in English text (None: too short)."""
    words = [t for t in doc[:2000] if t.is_alpha]
    if len(words) < 30:
        return None
    return sum(t.is_stop for t in words) / len(words) >= 0.15


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
        finder: FinderMode | None = None,
        names: Iterable[str] = (),
    ) -> None:
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
        # Text in capitals is parsed recased (nlp/truecase.py); `names` (a watchlist's names and
        # aliases) are recased as written. What is reported keeps the original letters.
        packaged = default_truecaser()
        self.truecaser = Truecaser(packaged.table, packaged.gazetteer, lemma_words(nlp)).with_names(
            names
        )
        self._finder: Any = None
        self.finder: FinderMode = finder or _default_mode()
        if self.finder == "combined":
            # Importing registers the component; loading fails clearly without the model.
            from watchfloor.extract.finder.component import FINDER

            self._finder = nlp.create_pipe(FINDER)

    def _doc(self, text: str, published: date) -> Doc:
        if not isinstance(text, str):
            raise TypeError(f"Extractor needs text as str, got {type(text).__name__}")
        if not isinstance(published, date):
            raise TypeError(
                f"Extractor needs the publication date as datetime.date, got {published!r}"
            )
        cased = self.truecaser.truecase(text)
        doc = self.nlp.make_doc(cased)
        if cased != text:
            doc.user_data[ORIGINAL_TEXT] = text
        doc._.published = published
        return doc

    def _rules(self, doc: Doc) -> Doc:
        for component in self._components:
            doc = component(doc)
        return doc

    def extract(self, text: str, published: date) -> tuple[Doc, list[ThreatStatement]]:
        """Parse one text; relative dates resolve against `published`."""
        return next(self.extract_many([(text, published)]))

    def extract_many(
        self, items: Iterable[tuple[str, date]], batch_size: int = 32
    ) -> Iterator[tuple[Doc, list[ThreatStatement]]]:
        """Parse many texts in batches (nlp.pipe), yielding results in input order."""
        docs = (self._doc(text, published) for text, published in items)
        parsed = (self._rules(doc) for doc in self.nlp.pipe(docs, batch_size=batch_size))
        if self._finder is not None:
            parsed = self._finder.pipe(parsed, batch_size=batch_size)
        for doc in parsed:
            self._last_notes = dict(getattr(doc._, "finder_notes", None) or {})
            self._last_notes["english"] = _looks_english(doc)
            original = doc.user_data.get(ORIGINAL_TEXT)
            statements = list(doc._.threat_statements or [])
            if original is not None:
                statements = [original_letters(s, original, doc.text) for s in statements]
            yield doc, statements

    def notes(self) -> list[str]:
        """What the finder skipped or cut in the last document, in words."""
        notes = getattr(self, "_last_notes", {}) or {}
        out = []
        if notes.get("truncated"):
            out.append(
                f"{notes['truncated']} sentence(s) longer than the finder reads were cut to their "
                "first part for the trained finder; the rules read them whole"
            )
        if notes.get("english") is False:
            out.append(
                "the text does not look like English; the pipeline is trained on English, so "
                "statements in it may be missed"
            )
        return out


def original_letters(statement: ThreatStatement, original: str, cased: str) -> ThreatStatement:
    """The statement with every span and phrase in the letters of the original text (the Doc
    was parsed from a recased copy with the same offsets)."""

    def span(value: TextSpan | None) -> TextSpan | None:
        if value is None or cased[value.start : value.end] != value.text:
            return value
        return TextSpan(original[value.start : value.end], value.start, value.end)

    def phrase(value: str | None) -> str | None:
        if not value:
            return value
        at = cased.find(value, max(0, statement.evidence.start - 500))
        at = at if at >= 0 else cased.find(value)
        return original[at : at + len(value)] if at >= 0 else value

    return replace(
        statement,
        evidence=span(statement.evidence) or statement.evidence,
        trigger=span(statement.trigger) or statement.trigger,
        actor=span(statement.actor),
        target=span(statement.target),
        where=phrase(statement.where),
        method=phrase(statement.method),
        motive=phrase(statement.motive),
    )
