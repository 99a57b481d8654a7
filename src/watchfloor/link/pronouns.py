"""Pronouns: "he", "her" and, inside a quotation, "me" and "you".

A third-person pronoun is the person last named before it whose gender agrees (an honorific or
a gendered title says a mention's gender). Inside a quotation "me" is the speaker and "you" the
one addressed; in an interview transcript ("NAME: ...") "me" is the speaker of the turn.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from watchfloor.link.apposition import named_later
from watchfloor.link.docindex import DocIndex, from_mention
from watchfloor.link.records import TargetLink
from watchfloor.link.roles import RoleVocabulary

QUOTES = frozenset({'"', "\u201c", "\u201d", "``", "''"})
OPENING_QUOTES = frozenset({"\u201c", "``"})
CLOSING_QUOTES = frozenset({"\u201d", "''"})


SINGLE_QUOTES = frozenset({"'", "\u2018", "\u2019"})
# Tokens after a closing quotation mark read for its attribution ("..., the mayor said").
ATTRIBUTION_WINDOW = 6


def quotes(doc: Doc) -> dict[int, int]:
    """Token index -> index of the opening quotation mark, for tokens inside quotations."""
    inside: dict[int, int] = {}
    opening: int | None = None
    for token in doc:
        text = token.text
        if text in QUOTES or _single_opens(token) or _single_closes(token):
            if opening is None and text not in CLOSING_QUOTES and not _single_closes(token):
                opening = token.i
            elif opening is not None and text not in OPENING_QUOTES and not _single_opens(token):
                opening = None
            continue
        if token.is_sent_start and token.i > 0 and doc[token.i - 1].text == "\n\n":
            opening = None
        if opening is not None:
            inside[token.i] = opening
    return inside


def _single_opens(token: Token) -> bool:
    """A single quotation mark that opens: attached to the word after it, not to the one
    before it (an apostrophe, "the Smiths' house", is attached before)."""
    if token.text not in SINGLE_QUOTES or token.text == "\u2019" or token.whitespace_:
        return False
    return token.i == 0 or bool(token.nbor(-1).whitespace_) or token.nbor(-1).is_space


def _single_closes(token: Token) -> bool:
    """A single quotation mark right after the quotation's last punctuation ("me,'")."""
    if token.text not in SINGLE_QUOTES or token.text == "\u2018" or token.i == 0:
        return False
    before = token.nbor(-1)
    return before.is_punct and before.text not in SINGLE_QUOTES and not before.whitespace_


def speaker_after(doc: Doc, index: DocIndex, i: int, words: RoleVocabulary) -> TargetLink | None:
    """The person a quotation holding token i is attributed to after it closes: "'...,' Osei
    said", "..., said the mayor", "..., she told reporters". None when no attribution follows."""
    opening = index.quote_open.get(i)
    j = i
    while j < len(doc) and index.quote_open.get(j) == opening:
        j += 1
    window = range(j + 1, min(j + 1 + ATTRIBUTION_WINDOW, len(doc)))
    if not any(doc[k].lower_ in words.speech_verbs for k in window):
        return None
    for k in window:
        if doc[k].is_sent_start or doc[k].text in QUOTES:
            return None
        mention = next((m for m in index.mentions if m.start <= k < m.end), None)
        if mention is not None:
            return from_mention(mention, "pronoun")
        if doc[k].lower_ in words.person_pronouns:
            return resolve_pronoun(doc, index, k, words)
    # Attributed to someone the document does not name ("the driver said"): not whoever was
    # named before the quotation.
    return TargetLink(None)


def resolve_pronoun(doc: Doc, index: DocIndex, i: int, words: RoleVocabulary) -> TargetLink:
    """Who the pronoun doc[i] is: the last person named before it whose gender agrees; inside a
    quotation "me" and "you" are the person named last before the quotation."""
    word = doc[i].lower_
    before = [m for m in index.mentions if m.end <= i]
    if word in words.first_person or word in words.second_person:
        opening = index.quote_open.get(i)
        if opening is not None and word in words.first_person:
            speaker = speaker_after(doc, index, i, words)
            if speaker is not None:
                return speaker
        if opening is not None:
            # Inside a quotation "me" is the speaker and "you" the one addressed; both
            # are, unless the quotation is attributed after it, the person last named
            # before the quotation.
            quoted = [m for m in before if m.end <= opening]
            return from_mention(quoted[-1], "pronoun") if quoted else TargetLink(None)
        if word in words.first_person:
            # An interview turn: "SOFIA RENDAL: ... he would burn me alive."
            speakers = [m for m in before if m.end < len(doc) and doc[m.end].text == ":"]
            if speakers:
                return from_mention(speakers[-1], "pronoun")
        return TargetLink(None)
    gender = words.gender(word)
    noun = _nearer_subject_noun(doc, i, before[-1].end if before else 0, gender, words)
    if noun is not None:
        named = named_later(doc, index, noun, noun + 1, words.person_pronouns)
        return from_mention(named, "pronoun") if named is not None else TargetLink(None)
    for mention in reversed(before):
        if gender is None or mention.gender is None or mention.gender == gender:
            return from_mention(mention, "pronoun")
    named = named_later(doc, index, i, i + 1, words.person_pronouns)
    return from_mention(named, "pronoun") if named is not None else TargetLink(None)


SUBJECTS = frozenset({"nsubj", "nsubjpass", "nsubj:pass"})  # spaCy and UD labels


def _nearer_subject_noun(
    doc: Doc, i: int, after: int, gender: str | None, words: RoleVocabulary
) -> int | None:
    """A common noun of the same gender ("the man", "a woman") that is a subject in the
    pronoun's sentence after the last name, when the pronoun is a subject too: "Zelinsky said
    the man was inside when he was shot" is about the man, not the one who said it."""
    if gender is None or doc[i].dep_ not in SUBJECTS:
        return None
    start = max(doc[i].sent.start, after)
    for k in range(i - 1, start - 1, -1):
        token = doc[k]
        if token.pos_ == "NOUN" and token.dep_ in SUBJECTS and words.gender(token.lemma_) == gender:
            return k
    return None
