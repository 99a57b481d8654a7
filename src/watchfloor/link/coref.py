"""Generic actor descriptions ("the group", "an armed cell") read as the actor a document names.

A report often names the actor once ("a cell linked to al-Shabaab") and describes it afterwards
("the group had photographed the convoy"); a headline often describes what the first paragraph
names. Read apart, those statements would make a second thread with an unknown actor. A generic
description is read as a known entity only when exactly one entity qualifies: named by another
statement's actor before it or in its paragraph (a headline counts as part of the paragraph after
it), and either named with the same head noun ("a cell linked to X" ... "the cell") or of a kind
any group word may describe (`group_kinds` in data/actors/generic.yaml). Two candidates leave it
unresolved: attribution is never guessed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from watchfloor.datafiles import check_data, read_yaml
from watchfloor.errors import WatchfloorError
from watchfloor.schemas import GenericActorsFile

GENERIC_FILE = Path(__file__).resolve().parent.parent / "data" / "actors" / "generic.yaml"
FIELDS = ("collectives", "members", "determiners", "modifiers", "distinct", "group_kinds")
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")


@dataclass(frozen=True)
class GenericActors:
    """The words of data/actors/generic.yaml (see that file for what each list means)."""

    collectives: frozenset[str]
    members: frozenset[str]
    determiners: frozenset[str]
    modifiers: frozenset[str]
    distinct: frozenset[str]
    group_kinds: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> GenericActors:
        path = path or GENERIC_FILE
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise WatchfloorError(f"{path}: expected a mapping with the lists {', '.join(FIELDS)}")
        words: dict[str, frozenset[str]] = {}
        for name in FIELDS:
            value = data.get(name)
            if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
                raise WatchfloorError(f"{path}: field {name}: expected a list of words")
            words[name] = frozenset(w.lower() for w in value)
        check_data(data, GenericActorsFile, path)
        return cls(**words)

    def head(self, span: Span, proxy_markers: frozenset[str] = frozenset()) -> Token | None:
        """The head noun of a span that is only a generic group description, else None."""
        tokens = [t for t in span if not t.is_space]
        while tokens and tokens[-1].is_punct:
            tokens.pop()
        if not tokens:
            return None
        head = tokens[-1]
        if head.pos_ != "NOUN" or head.ent_type_:
            return None
        plural = "Plur" in head.morph.get("Number", [])
        if not (
            (_matches(head, self.collectives) and not plural)
            or (_matches(head, self.members) and plural)
        ):
            return None
        for token in tokens[:-1]:
            if not self._modifies(token, proxy_markers):
                return None
        return head

    def describes(self, head: Token, named_head: Token, kind: str) -> bool:
        """Whether a generic head may stand for an entity named with `named_head`."""
        return kind in self.group_kinds or _lemma(head) == _lemma(named_head)

    def antecedents(
        self,
        doc: Doc,
        actors: Sequence[tuple[Span | None, str | None]],
        kind_of: Callable[[str], str],
        proxy_markers: frozenset[str] = frozenset(),
    ) -> dict[int, str]:
        """Position in `actors` -> entity id, for the generic unresolved actors that refer to
        exactly one entity id named by the others (span, entity id or None)."""
        paragraphs = _Paragraphs(doc.text)
        named = [(span, entity) for span, entity in actors if span is not None and entity]
        found: dict[int, str] = {}
        for position, (span, entity) in enumerate(actors):
            if span is None or entity is not None:
                continue
            head = self.head(span, proxy_markers)
            if head is None:
                continue
            where = paragraphs.of(span.start_char)
            candidates = {
                other
                for earlier, other in named
                if (earlier.start < span.start or paragraphs.of(earlier.start_char) == where)
                and self.describes(head, earlier.root, kind_of(other))
            }
            if len(candidates) == 1:
                found[position] = candidates.pop()
        return found

    def _modifies(self, token: Token, proxy_markers: frozenset[str]) -> bool:
        """A word allowed before the head: it adds nothing that could name another actor."""
        if _matches(token, self.distinct) or token.lower_ in proxy_markers:
            return False
        if token.pos_ == "NUM" or (token.is_punct and token.text == "-"):
            return True
        if token.ent_type_:
            # "Kenyan", "Sahel": a name or a demonym is more than a repetition.
            return False
        if token.pos_ == "DET":
            return token.lower_ in self.determiners
        if token.pos_ == "NOUN":
            return _matches(token, self.modifiers)
        # "heavily armed"; a participle tagged as a verb ("armed") when it modifies the head.
        return token.pos_ in ("ADJ", "ADV") or (token.pos_ == "VERB" and token.dep_ == "amod")


class _Paragraphs:
    """Paragraph numbers by character offset; a headline shares the number of the paragraph
    after it, since it summarizes that paragraph."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text)]
        first = text[: self.starts[1]] if len(self.starts) > 1 else ""
        self.headline = bool(first.strip()) and "\n" not in first.strip()
        self.headline = self.headline and not SENTENCE_END.search(first)

    def of(self, offset: int) -> int:
        number = bisect.bisect_right(self.starts, offset) - 1
        return max(number, 1) if self.headline else number


def _lemma(token: Token) -> str:
    return (token.lemma_ or token.text).lower()


def _matches(token: Token, words: frozenset[str]) -> bool:
    return token.lower_ in words or _lemma(token) in words
