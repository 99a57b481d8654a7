"""Who a statement's target is, read from its head noun.

A name, pronoun or title at the head is the person. A thing at the head ("her route", "the
governor's residence", "a convoy carrying the ambassador") stands for the person it belongs to
or carries: a warning about someone's home is a warning to them. A person around someone ("his
driver", "an aide to the mayor") is someone else. A name in apposition outranks a role.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from watchfloor.extract.records import ThreatStatement
from watchfloor.link.apposition import apposition_after, apposition_link, named_later
from watchfloor.link.descriptions import described_antecedent
from watchfloor.link.docindex import (
    NOUNISH,
    PHRASE_STOPS,
    DocIndex,
    Mention,
    Title,
    char_span,
    from_mention,
    is_possessive_mark,
)
from watchfloor.link.holders import RoleIndex, describe
from watchfloor.link.pronouns import resolve_pronoun
from watchfloor.link.records import TargetLink
from watchfloor.link.rolephrase import RolePhraseReader
from watchfloor.link.roles import RoleVocabulary


class TargetResolver:
    """Resolves target phrases with one role vocabulary, role index and role phrase reader."""

    def __init__(
        self, vocabulary: RoleVocabulary, roles: RoleIndex, reader: RolePhraseReader
    ) -> None:
        self.vocabulary = vocabulary
        self.roles = roles
        self.reader = reader

    def target(
        self, doc: Doc, index: DocIndex, statement: ThreatStatement, start: date, end: date
    ) -> TargetLink:
        span = char_span(doc, statement.target)
        if span is None:
            return TargetLink(None)
        # "An aide to Mayor Ekberg" given as "Mayor Ekberg": the person hurt is the aide.
        span = doc[self._associate_before(doc, span.start) : span.end]
        link = self._refer(doc, index, span.start, span.end, start, end, 0)
        if link.protectee is None and not link.person_named:
            subject = self._contact_clause_subject(doc, index, span)
            if subject is not None:
                # "the route the mayor cycles to work" given as "the route": a thing is the
                # person of the relative clause that describes it.
                owner = self._refer(doc, index, *subject, start, end, 1)
                if owner.protectee is not None or owner.person_named:
                    return owner
            root = span.root
            proper_person = (
                root.pos_ == "PROPN"
                # The extractor's judgement that the target is a person outranks an entity label.
                and (root.ent_type_ in ("", "PERSON") or statement.target_kind == "person")
                and not any(p.start <= root.i < p.end for p in index.places)
                and not any(t[0] <= root.i < t[1] for t in index.titles)
                and statement.target_kind not in ("group", "facility")
            )
            if proper_person:
                return replace(link, person_named=True)
        return link

    def _associate_before(self, doc: Doc, a: int) -> int:
        """Where a target starts once the associate noun in front of it is included: "an aide
        to" or "the son of" before a name makes the aide or the son the target."""
        words = self.vocabulary
        if a < 2 or doc[a - 1].lower_ not in words.associate_prepositions:
            return a
        noun = doc[a - 2]
        if noun.lower_ not in words.associates and noun.lemma_.lower() not in words.associates:
            return a
        k = a - 2
        while k > 0 and a - k < 6 and doc[k - 1].pos_ in ("DET", "ADJ", "NUM", "PRON"):
            k -= 1
            if doc[k].pos_ == "DET":
                break
        return k

    def _contact_clause_subject(
        self, doc: Doc, index: DocIndex, span: Span
    ) -> tuple[int, int] | None:
        """The subject of a relative clause without "that" right after a thing noun ("the
        route [the mayor] cycles", "the house [she] rents"), when that subject is a person."""
        words = self.vocabulary
        last = doc[span.end - 1]
        j = span.end
        if (
            j >= len(doc)
            or last.pos_ != "NOUN"
            or doc[j].is_sent_start
            or any(t[0] <= last.i < t[1] for t in index.titles)
            or last.lower_ in words.associates
            or last.lemma_.lower() in words.associates
            or last.lower_ in words.generic_persons
            or last.lemma_.lower() in words.generic_persons
        ):
            return None
        first = doc[j]
        if first.pos_ == "PRON" and "Nom" in first.morph.get("Case", []):
            return j, j + 1
        k = j + 1 if first.pos_ == "DET" else j
        while k < len(doc) and k - j < 4:
            mention = next((m for m in index.mentions if m.start == k), None)
            title = next((t for t in index.titles if t[0] == k), None)
            found = mention.end if mention is not None else title[1] if title else None
            if found is not None:
                # "the route the mayor's driver takes": the subject is someone else.
                if found < len(doc) and is_possessive_mark(doc[found]):
                    return None
                return j, found
            if doc[k].pos_ not in ("ADJ", "PROPN"):
                return None
            k += 1
        return None

    def _refer(
        self, doc: Doc, index: DocIndex, a: int, b: int, start: date, end: date, depth: int
    ) -> TargetLink:
        """Who the phrase doc[a:b] refers to, read from its head noun."""
        words = self.vocabulary
        # The first of coordinated targets is the one read ("the judge and her clerk").
        b = next((i for i in range(a + 1, b) if ends_phrase(doc[i])), b)
        possessive = possessor_mark(doc, a, b, words.possessive_pronouns)
        head_start = possessive + 1 if possessive is not None else a
        head, group_end = head_of(doc, head_start, b)
        if head is None:
            return TargetLink(None)
        ending = next((t for t in index.titles if t[1] == group_end and t[0] >= head_start), None)
        if ending is not None:
            # "the Halvorsen Energy chief executive": the title is the head, whatever its tags.
            head = ending[1] - 1
        token = doc[head]
        lower = token.lower_
        mention = next(
            (m for m in index.mentions if m.start <= head < m.end and m.method != "role"), None
        )
        if mention is not None:
            return from_mention(mention)
        if lower in {*words.person_pronouns, *words.first_person, *words.second_person}:
            return resolve_pronoun(doc, index, head, self.vocabulary)
        appositive = _appositive(doc, index, group_end, b, token.pos_ == "NOUN")
        if appositive is not None:
            return apposition_link(appositive)
        if lower in words.associates or token.lemma_.lower() in words.associates:
            return self._someone_else(doc, index, head, group_end)
        title = next((t for t in index.titles if t[0] <= head < t[1]), None)
        if (
            title is None
            and possessive is None
            and token.pos_ == "NOUN"
            and not indefinite(doc, head_start, head, words.indefinite)
        ):
            # "a dissident blogger, Farid Osei, ... the blogger": the nearest person so described.
            described = described_antecedent(index, {token.lemma_.lower(), lower}, head_start)
            if described is not None:
                return from_mention(described, "role" if described.protectee else None)
        if title is not None:
            return self._role_target(doc, index, title, start, end)
        generic = words.generic_persons.get(lower) or words.generic_persons.get(
            token.lemma_.lower()
        )
        if generic is not None and not indefinite(doc, head_start, head, words.indefinite):
            held = self.roles.recent_holder(generic, False, index, a, b, start, end)
            if held is not None:
                return TargetLink(held.protectee, "role", describe(held.role), True)
        if generic is not None:
            return self._someone_else(doc, index, head, group_end)
        if depth < 2:
            through = self._through_a_thing(
                doc, index, (a, b), (start, end), depth, possessive, (head_start, head, group_end)
            )
            if through is not None:
                return through
        return self._someone_else(doc, index, head, group_end)

    def _through_a_thing(
        self,
        doc: Doc,
        index: DocIndex,
        span: tuple[int, int],
        window: tuple[date, date],
        depth: int,
        possessive: int | None,
        heads: tuple[int, int, int],
    ) -> TargetLink | None:
        """The person a thing in doc[a:b] stands for, or None: `heads` is where the head group
        starts, the head, and where the group ends."""
        words = self.vocabulary
        (a, b), (start, end), (head_start, head, group_end) = span, window, heads
        # A thing stands for the person it belongs to ("her route", "the governor's
        # residence") or carries ("a convoy carrying the ambassador").
        if possessive is not None:
            owner_span = (
                (possessive, possessive + 1)
                if doc[possessive].lower_ in words.possessive_pronouns
                else (a, possessive)
            )
            owner = self._refer(doc, index, *owner_span, start, end, depth + 1)
            if owner.protectee is not None or owner.person_named:
                return owner
        j = group_end
        while j < b and (doc[j].pos_ in ("ADP", "VERB", "AUX", "PART", "SCONJ")):
            j += 1
        carried = (
            self._refer(doc, index, j, b, start, end, depth + 1) if group_end < j < b else None
        )
        if carried is not None and carried.protectee is not None:
            # "a convoy carrying the ambassador on the Gao road": who it carries, before any
            # other name in the phrase (a place name the tagger read as a person).
            return carried
        inside = next(
            (m for m in index.mentions if a <= m.start and m.end <= b and m.method != "role"),
            None,
        )
        if inside is not None:
            return from_mention(inside)
        if carried is not None and carried.person_named:
            return carried
        for i in range(head_start, head):
            if doc[i].lower_ in words.person_pronouns:
                return resolve_pronoun(doc, index, i, self.vocabulary)
        # "the route the mayor cycles to work": a person inside the phrase.
        for title in index.titles:
            if a <= title[0] and title[1] <= b and not title[0] <= head < title[1]:
                role = self._role_target(doc, index, title, start, end)
                if role.protectee is not None:
                    return role
        return None

    def _someone_else(self, doc: Doc, index: DocIndex, head: int, group_end: int) -> TargetLink:
        """A person the watchlist does not know: named only by apposition or the next sentence
        ("a bartender ... The bartender, Jenna Doe, ...")."""
        named = named_later(doc, index, head, group_end, self.vocabulary.person_pronouns)
        if named is not None:
            return apposition_link(named)
        return TargetLink(None)

    def _role_target(
        self, doc: Doc, index: DocIndex, title: Title, start: date, end: date
    ) -> TargetLink:
        a, b = self.reader.extent(doc, index, title[0], title[1])
        phrase = self.reader.phrase(doc, index, title, a, b)
        if not (phrase.vague or phrase.organization or phrase.jurisdiction):
            # "Mayor Ines Duarte ... waited for the mayor": the nearest person the document
            # itself gave that title, before any protectee who holds it.
            wanted = self.vocabulary.covered(phrase.title) | {doc[title[1] - 1].lemma_.lower()}
            described = described_antecedent(index, wanted, a)
            if described is not None:
                return from_mention(described, "role" if described.protectee else None)
        holder = self.roles.holder(phrase, index, a, b, start, end)
        if holder is not None:
            return TargetLink(holder.protectee, "role", describe(holder.role), True)
        # "a federal judge in Ohio ... The judge, Amara Quist, ...": a role phrase, however
        # vague, is the person the report names in apposition to it or to its repetition.
        named = named_later(doc, index, title[1] - 1, b, self.vocabulary.person_pronouns)
        if named is not None:
            return apposition_link(named)
        return TargetLink(None, "none", self.roles.describe_phrase(phrase), False)


def possessor_mark(doc: Doc, a: int, b: int, pronouns: frozenset[str]) -> int | None:
    """The last possessive mark in doc[a:b] that has a possessed noun after it."""
    for i in range(b - 2, a - 1, -1):
        token = doc[i]
        marked = (i > a and is_possessive_mark(token)) or token.lower_ in pronouns
        if marked and doc[i + 1].pos_ in NOUNISH | {"ADJ", "VERB"}:
            return i
    return None


def head_of(doc: Doc, a: int, b: int) -> tuple[int | None, int]:
    """The head token of the noun group that starts at a, and where that group ends."""
    end = a
    while end < b:
        token = doc[end]
        if token.lower_ in PHRASE_STOPS or token.pos_ in ("ADP", "PUNCT", "CCONJ"):
            break
        if token.pos_ == "VERB" and end > a and doc[end - 1].pos_ in ("NOUN", "PROPN"):
            # "a convoy carrying ...": the participle starts a modifier of the noun.
            break
        end += 1
    if end == a:
        return (a if a < b else None), max(end, a + 1 if a < b else a)
    nouns = [i for i in range(a, end) if doc[i].pos_ in NOUNISH]
    return (nouns[-1] if nouns else end - 1), end


def indefinite(doc: Doc, a: int, head: int, indefinite: frozenset[str]) -> bool:
    return any(doc[i].lower_ in indefinite for i in range(a, head)) or (
        "Plur" in doc[head].morph.get("Number", [])
    )


def ends_phrase(token: Token) -> bool:
    return (
        token.pos_ == "CCONJ"
        or token.text in (",", ";", "(", ":")
        or (token.lower_ in PHRASE_STOPS and token.pos_ == "PRON")
    )


def _appositive(
    doc: Doc, index: DocIndex, group_end: int, b: int, noun_head: bool
) -> Mention | None:
    """The mention set beside the phrase: "Carla Mendes, the opposition leader", or "the
    opposition leader Carla Mendes" given as "the opposition leader"."""
    appositive = apposition_after(doc, index, group_end)
    if appositive is None and group_end == b and noun_head:
        appositive = next((m for m in index.mentions if m.start == b and m.method != "role"), None)
    return appositive
