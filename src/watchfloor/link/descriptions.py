"""How the document itself describes the people it names, so a role noun can point back to them.

"Mayor Ines Duarte ... gunmen waited for the mayor": the watchlist need not know that Duarte is
a mayor; the report says so. Each person mention collects the titles and nouns written right
before the name ("Mayor", "the opposition leader", "dissident blogger") and in an apposition
right after it ("Ines Duarte, the mayor of Tula,"). A later definite noun ("the mayor", "the
blogger") is then the nearest person before it so described, whoever that is: a person the
watchlist does not know, named in between, takes the reference away from a protectee named
earlier.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from spacy.tokens import Doc, Token

from watchfloor.link.docindex import DocIndex, Mention, is_possessive_mark

# Words read before a name ("the veteran opposition leader Carla Mendes") and after its comma.
BEFORE_WINDOW = 4
AFTER_WINDOW = 6


def describe_mentions(doc: Doc, index: DocIndex, canonical: dict[int, str]) -> list[Mention]:
    """The mentions of the index with `described` filled. `canonical` maps a title's first
    token to its canonical title."""
    return [
        replace(m, described=_before(doc, m, canonical) | _after(doc, m, canonical))
        if m.method != "role"
        else m
        for m in index.mentions
    ]


def _word(token: Token, canonical: dict[int, str]) -> set[str]:
    words = {token.lemma_.lower(), token.lower_}
    if token.i in canonical:
        words.add(canonical[token.i])
    return words


def _before(doc: Doc, mention: Mention, canonical: dict[int, str]) -> frozenset[str]:
    found: set[str] = set()
    # Titles inside the mention's own span ("Mayor Ines Duarte" tagged as one person).
    for i in range(mention.start, mention.end):
        if i in canonical:
            found.add(canonical[i])
    i = mention.start - 1
    while i >= 0 and mention.start - i <= BEFORE_WINDOW:
        token = doc[i]
        if token.pos_ not in ("NOUN", "PROPN") or is_possessive_mark(token):
            if i in canonical:
                found.add(canonical[i])
            break
        if token.ent_type_ == "PERSON" and i not in canonical:
            break  # another person's name, not a title of this one
        found |= _word(token, canonical)
        i -= 1
    # A title found by the title matcher may start a token or two earlier ("prime minister").
    found |= {c for start, c in canonical.items() if i < start < mention.start}
    return frozenset(found)


def _after(doc: Doc, mention: Mention, canonical: dict[int, str]) -> frozenset[str]:
    """ "Ines Duarte, the mayor of Tula," or "Farid Osei, a blogger,": the appositive's head."""
    if mention.end >= len(doc) or doc[mention.end].text != ",":
        return frozenset()
    found: set[str] = set()
    j = mention.end + 1
    if j < len(doc) and doc[j].pos_ != "DET":
        return frozenset()
    j += 1
    while j < len(doc) and j - mention.end <= AFTER_WINDOW:
        token = doc[j]
        if j in canonical:
            found.add(canonical[j])
        if token.pos_ not in ("NOUN", "PROPN", "ADJ"):
            break
        if token.pos_ == "NOUN":
            found |= _word(token, canonical)
        j += 1
    return frozenset(found)


def described_antecedent(index: DocIndex, words: Collection[str], a: int) -> Mention | None:
    """The nearest person named before token a that the document described with one of
    `words` (canonical titles or noun lemmas)."""
    wanted = set(words)
    for mention in reversed(index.mentions):
        if mention.end <= a and mention.described & wanted:
            return mention
    return None
