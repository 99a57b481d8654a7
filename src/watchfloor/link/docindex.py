"""What the linker knows about one document, and the small token tests every part shares.

A `DocIndex` holds, in reading order, the people named (`Mention`: by name, alias, surname,
title and surname, or a specific role phrase), the known entities, the organizations and places
that role phrases may use, the titles, and which tokens stand inside a quotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from watchfloor.extract.records import TextSpan
from watchfloor.link.catalog import EntityMention
from watchfloor.link.records import LinkMethod, TargetLink

TEXT_KEY = "text:"
UNKNOWN_PLACE = TEXT_KEY + "?"
# A common noun standing for an organization in a role phrase ("the bank's CEO"): resolved to
# a named organization, or to the holders whose organization fits it (link/holders.py).
ORG_NOUN_KEY = "noun:"
PHRASE_STOPS = frozenset({",", ";", "(", ")", ":", "who", "whom", "whose", "which", "that"})
NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})


@dataclass(frozen=True)
class Mention:
    """A person named in the document (token offsets), and who it is."""

    start: int
    end: int
    person: str
    protectee: str | None
    method: LinkMethod
    surname: str
    gender: str | None = None
    role: str | None = None
    # Titles and nouns the document gives the person ("Mayor", "the blogger"): link/descriptions.py.
    described: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Place:
    """An organization or place in a role phrase: its keys, most specific first."""

    start: int
    end: int
    keys: tuple[str, ...]


# A title found in the text: (first token, end token, canonical title).
Title = tuple[int, int, str]


@dataclass
class DocIndex:
    mentions: list[Mention]
    entities: list[EntityMention]
    places: list[Place]
    titles: list[Title]
    quote_open: dict[int, int] = field(default_factory=dict)


def from_mention(mention: Mention, method: LinkMethod | None = None) -> TargetLink:
    if mention.protectee is None:
        return TargetLink(None, "none", None, True)
    if mention.method == "surname_unconfirmed":
        method = None  # a pronoun or a role noun is no surer than the name it points to
    return TargetLink(mention.protectee, method or mention.method, mention.role, True)


def around(mentions: Sequence[Mention], a: int, b: int) -> list[Mention]:
    """Mentions before doc[a:b], nearest first, then those after it, nearest first."""
    before = [m for m in mentions if m.end <= a]
    after = [m for m in mentions if m.start >= b]
    return [*reversed(before), *after]


def char_span(doc: Doc, text_span: TextSpan | None) -> Span | None:
    """The tokens of a statement's character span; None when it is empty."""
    if text_span is None or text_span.start >= text_span.end:
        return None
    span = doc.char_span(text_span.start, text_span.end, alignment_mode="expand")
    return span if span is not None and len(span) else None


def norm(text: str) -> str:
    text = " ".join(text.lower().replace("\u2019", "'").split())
    return text.removesuffix("'s").removeprefix("the ")


def is_possessive_mark(token: Token) -> bool:
    return (
        token.tag_ == "POS"
        or token.lower_ in ("'s", "\u2019s")
        or (token.text in ("'", "\u2019") and token.i > 0 and token.nbor(-1).lower_.endswith("s"))
    )


def namelike(token: Token) -> bool:
    """A word of a name after a preposition, whatever tag a parser gave "United" in "the
    United Nations"; a person's name is not a place."""
    if token.ent_type_ == "PERSON" or token.is_punct:
        return False
    return token.pos_ == "PROPN" or (token.text[:1].isupper() and not token.is_stop)
