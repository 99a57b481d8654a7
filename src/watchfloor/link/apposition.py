"""Names set off beside a noun: "the ambassador at the time, Ingrid Solberg," and "a bartender
... The bartender, Jenna Morales, ...". A name in apposition says who a role or a common noun is.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from watchfloor.link.docindex import NOUNISH, PHRASE_STOPS, DocIndex, Mention, from_mention
from watchfloor.link.records import LinkMethod, TargetLink


def appositive_names(doc: Doc) -> list[Span]:
    """Runs of two or more capitalized proper nouns set off by commas after a noun."""
    names: list[Span] = []
    for comma in doc:
        if comma.text != "," or comma.i == 0 or doc[comma.i - 1].pos_ != "NOUN":
            continue
        end = comma.i + 1
        while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper():
            end += 1
        if end - comma.i - 1 >= 2 and (end == len(doc) or doc[end].is_punct):
            names.append(doc[comma.i + 1 : end])
    return names


def apposition_after(doc: Doc, index: DocIndex, i: int, steps: int = 4) -> Mention | None:
    """A person named in apposition after token i: ", Ingrid Solberg," or, after a short
    modifier, "at the time, Ingrid Solberg". One appositive in between is allowed
    ("the occupant, his former landlord, Gary Whitfield")."""
    if i >= len(doc):
        return None
    sentence_end = doc[min(i, len(doc) - 1)].sent.end
    j = i
    while (
        j < sentence_end
        and j - i < steps
        and doc[j].text != ","
        and doc[j].pos_ not in ("VERB", "AUX", "CCONJ", "PUNCT")
        and doc[j].lower_ not in PHRASE_STOPS
    ):
        j += 1
    if j >= sentence_end or doc[j].text != ",":
        return None
    starts = {m.start: m for m in index.mentions if m.method != "role"}
    k = j + 1
    for _ in range(2):
        mention = starts.get(k)
        if mention is not None:
            if mention.end >= len(doc) or doc[mention.end].is_punct:
                return mention
            return None
        # One appositive noun phrase between ("his former landlord,").
        n = k
        while (
            n < sentence_end
            and n - k < 5
            and doc[n].text != ","
            and doc[n].pos_ not in ("VERB", "AUX", "CCONJ", "PUNCT", "ADP")
        ):
            n += 1
        if n == k or n >= sentence_end or doc[n].text != ",":
            return None
        k = n + 1
    return None


def named_later(
    doc: Doc, index: DocIndex, head: int, group_end: int, person_pronouns: frozenset[str]
) -> Mention | None:
    """A person named in apposition after doc[head] (ending at group_end), or in apposition
    to the same noun in the next sentence ("a bartender ... The bartender, Jenna Doe, ...")."""
    appositive = apposition_after(doc, index, group_end)
    if appositive is not None:
        return appositive
    sentence = doc[head].sent
    if sentence.end >= len(doc):
        return None
    following = doc[sentence.end].sent
    noun = doc[head]
    pronoun = noun.lower_ in person_pronouns
    for token in following:
        if pronoun or token.lower_ == noun.lower_ or token.lemma_ == noun.lemma_:
            if token.pos_ not in NOUNISH:
                continue
            appositive = apposition_after(doc, index, token.i + 1, steps=0)
            if appositive is not None:
                return appositive
    return None


def apposition_link(mention: Mention) -> TargetLink:
    """The link to a person named beside the target: basis `apposition` when the name is the
    protectee's name or alias, else whatever the name itself rests on (a surname, a pronoun)."""
    method: LinkMethod | None = "apposition" if mention.method in ("name", "alias") else None
    return from_mention(mention, method)
