"""Pronouns: "he", "her" and, inside a quotation, "me" and "you".

A third-person pronoun is the person last named before it whose gender agrees (an honorific or
a gendered title says a mention's gender). Inside a quotation "me" is the speaker and "you" the
one addressed; in an interview transcript ("NAME: ...") "me" is the speaker of the turn.
"""

from __future__ import annotations

from spacy.tokens import Doc

from watchfloor.link.apposition import named_later
from watchfloor.link.docindex import DocIndex, from_mention
from watchfloor.link.records import TargetLink
from watchfloor.link.roles import RoleVocabulary

QUOTES = frozenset({'"', "\u201c", "\u201d", "``", "''"})
OPENING_QUOTES = frozenset({"\u201c", "``"})
CLOSING_QUOTES = frozenset({"\u201d", "''"})


def quotes(doc: Doc) -> dict[int, int]:
    """Token index -> index of the opening quotation mark, for tokens inside quotations."""
    inside: dict[int, int] = {}
    opening: int | None = None
    for token in doc:
        text = token.text
        if text in QUOTES:
            if opening is None and text not in CLOSING_QUOTES:
                opening = token.i
            elif opening is not None and text not in OPENING_QUOTES:
                opening = None
            continue
        if token.is_sent_start and token.i > 0 and doc[token.i - 1].text == "\n\n":
            opening = None
        if opening is not None:
            inside[token.i] = opening
    return inside


def resolve_pronoun(doc: Doc, index: DocIndex, i: int, words: RoleVocabulary) -> TargetLink:
    """Who the pronoun doc[i] is: the last person named before it whose gender agrees; inside a
    quotation "me" and "you" are the person named last before the quotation."""
    word = doc[i].lower_
    before = [m for m in index.mentions if m.end <= i]
    if word in words.first_person or word in words.second_person:
        opening = index.quote_open.get(i)
        if opening is not None:
            # Inside a quotation "me" is the speaker and "you" the one addressed; both
            # are, in a report, the person last named before the quotation.
            quoted = [m for m in before if m.end <= opening]
            return from_mention(quoted[-1], "pronoun") if quoted else TargetLink(None)
        if word in words.first_person:
            # An interview turn: "SOFIA RENDAL: ... he would burn me alive."
            speakers = [m for m in before if m.end < len(doc) and doc[m.end].text == ":"]
            if speakers:
                return from_mention(speakers[-1], "pronoun")
        return TargetLink(None)
    gender = words.gender(word)
    for mention in reversed(before):
        if gender is None or mention.gender is None or mention.gender == gender:
            return from_mention(mention, "pronoun")
    named = named_later(doc, index, i, i + 1, words.person_pronouns)
    return from_mention(named, "pronoun") if named is not None else TargetLink(None)
