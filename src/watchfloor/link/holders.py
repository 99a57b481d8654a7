"""Who held a role when: the watchlist's roles indexed by title and place.

Every role is indexed under every (canonical title, organization, jurisdiction) key a phrase
could name, so a lookup reads only the holders of that position, however long the watchlist.
A role phrase read from a report (`RolePhrase`) then selects the protectee holding it on the
statement's dates; of several, the one the document mentions nearest, the latest of successive
terms, or nobody when terms run side by side.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from watchfloor.link.catalog import ActorCatalog
from watchfloor.link.docindex import ORG_NOUN_KEY, TEXT_KEY, DocIndex, Place, around, norm
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import Protectee, Role, Watchlist

# In `organization_nouns`: the noun stands for a state ("the country's president").
STATE_NOUN = ":state"


@dataclass(frozen=True)
class Held:
    protectee: str
    role: Role
    title: str
    organization: tuple[str, ...]
    jurisdiction: tuple[str, ...]


@dataclass(frozen=True)
class RolePhrase:
    title: str
    organization: tuple[Place, ...]
    jurisdiction: tuple[Place, ...]
    former: bool
    vague: bool

    @property
    def specific(self) -> bool:
        """Names one position ("the US envoy to South Africa"), not "an envoy" or "envoys"."""
        return not self.vague and bool(self.organization or self.jurisdiction)


class RoleIndex:
    """The roles of one watchlist, looked up by title and place."""

    def __init__(
        self, watchlist: Watchlist, actors: ActorCatalog, vocabulary: RoleVocabulary
    ) -> None:
        self.actors = actors
        self.vocabulary = vocabulary
        self.holders: dict[tuple[str, str, str], list[Held]] = defaultdict(list)
        self.held_by: dict[str, list[Held]] = defaultdict(list)
        self.text_places: set[str] = set()
        for protectee in watchlist:
            for role in protectee.roles:
                self._index_role(protectee, role)

    def _index_role(self, protectee: Protectee, role: Role) -> None:
        title = self.vocabulary.canonical(role.title)
        organization = self.place_keys(role.organization) if role.organization else ()
        jurisdiction = self.place_keys(role.jurisdiction) if role.jurisdiction else ()
        held = Held(protectee.id, role, title, organization, jurisdiction)
        self.held_by[protectee.id].append(held)
        # A phrase's organization falls back to the jurisdiction for roles without one ("the
        # Texas governor" for a governor whose jurisdiction is Texas).
        for org in ("", *(organization or jurisdiction)):
            for jur in ("", *jurisdiction):
                self.holders[(title, org, jur)].append(held)
        for text in (role.organization, role.jurisdiction):
            if text and self.actors.resolve(text) is None:
                self.text_places.add(text)

    def place_keys(self, text: str) -> tuple[str, ...]:
        entity = self.actors.resolve(text)
        if entity is not None:
            return self.actors.lineage(entity.id)
        return (TEXT_KEY + norm(text),)

    def holder(
        self, phrase: RolePhrase, index: DocIndex, a: int, b: int, start: date, end: date
    ) -> Held | None:
        """The protectee holding the phrase's role on the dates, if exactly one fits."""
        if phrase.vague:
            return None
        titles = self.vocabulary.covered(phrase.title)
        if not phrase.organization and not phrase.jurisdiction:
            return self.recent_holder(titles, phrase.former, index, a, b, start, end)
        if phrase.organization and phrase.organization[0].keys[0].startswith(ORG_NOUN_KEY):
            named = self._named_organization(phrase.organization[0], index, a)
            if named is None:
                return self._by_organization_noun(phrase, titles, index, a, b, start, end)
            phrase = replace(phrase, organization=(named, *phrase.organization[1:]))
        org = phrase.organization[0].keys[0] if phrase.organization else ""
        jur = phrase.jurisdiction[0].keys[0] if phrase.jurisdiction else ""
        candidates = [
            held
            for title in sorted(titles)
            for held in self.holders.get((title, org, jur)) or []
            if places_match(phrase, held) and in_time(held.role, phrase.former, start, end)
        ]
        return self._choose(candidates, index, a, b, phrase.former)

    def _named_organization(self, noun: Place, index: DocIndex, a: int) -> Place | None:
        """The organization a noun like "the bank" stands for: the nearest one named before it
        whose name fits the noun (data/roles/titles.yaml, organization_nouns)."""
        fitting = self.vocabulary.organization_noun(noun.keys[0].removeprefix(ORG_NOUN_KEY))
        for place in reversed([p for p in index.places if p.end <= a]):
            if self._fits(place.keys[0], fitting or frozenset()):
                return place
        return None

    def _fits(self, key: str, words: frozenset[str]) -> bool:
        """Whether the place of `key` is an organization of the kind the words describe."""
        entity = None if key.startswith(TEXT_KEY) else self.actors.get(key)
        if STATE_NOUN in words:
            return entity is not None and entity.kind == "state"
        if not key.startswith(TEXT_KEY) and (entity is None or entity.kind == "state"):
            return False
        return not words or bool(words & set(self._place_name(key).lower().split()))

    def _by_organization_noun(
        self,
        phrase: RolePhrase,
        titles: frozenset[str],
        index: DocIndex,
        a: int,
        b: int,
        start: date,
        end: date,
    ) -> Held | None:
        """ "The bank's CEO" with no bank named before it: the holder of the title whose
        organization's name fits the noun, when exactly one does."""
        noun = phrase.organization[0].keys[0].removeprefix(ORG_NOUN_KEY)
        words = self.vocabulary.organization_noun(noun) or frozenset()
        if STATE_NOUN in words:
            return None  # "the country's president" with no country named: any of them
        candidates = [
            held
            for title in sorted(titles)
            for held in self.holders.get((title, "", "")) or []
            if held.role.organization
            and self._fits(held.organization[0], words)
            and all(p.keys[0] in held.jurisdiction for p in phrase.jurisdiction)
            and in_time(held.role, phrase.former, start, end)
        ]
        return self._choose(candidates, index, a, b, phrase.former)

    def recent_holder(
        self,
        titles: frozenset[str],
        former: bool,
        index: DocIndex,
        a: int,
        b: int,
        start: date,
        end: date,
    ) -> Held | None:
        """A bare title ("the ambassador") or person noun ("the diplomat") is the protectee
        last mentioned who holds a matching title; with none before it, the first one
        mentioned in the next sentences."""
        for mention in around(index.mentions, a, b):
            if mention.protectee is None:
                continue
            for held in self.held_by[mention.protectee]:
                if held.title in titles and in_time(held.role, former, start, end):
                    return held
        return None

    def _choose(
        self, candidates: list[Held], index: DocIndex, a: int, b: int, former: bool
    ) -> Held | None:
        people = {held.protectee for held in candidates}
        if len(people) == 1:
            return candidates[0]
        if not people:
            return None
        for mention in around(index.mentions, a, b):
            if mention.protectee in people:
                return next(h for h in candidates if h.protectee == mention.protectee)
        if former:
            # "The former ambassador" is the latest one to have left.
            return max(candidates, key=lambda h: h.role.until or date.min)
        ordered = sorted(candidates, key=lambda h: h.role.since or date.min)
        successive = all(
            a.role.until is not None and b.role.since is not None and a.role.until < b.role.since
            for a, b in itertools.pairwise(ordered)
        )
        # Terms that follow each other within the statement's dates: the newer holder.
        # Terms that run side by side: the phrase is ambiguous, link nobody.
        return ordered[-1] if successive else None

    def describe_phrase(self, phrase: RolePhrase) -> str:
        text = ("former " if phrase.former else "") + phrase.title
        for word, places in (("of", phrase.organization), ("in", phrase.jurisdiction)):
            for place in places:
                text += f" {word} {self._place_name(place.keys[0])}"
        return text

    def _place_name(self, key: str) -> str:
        if key.startswith((TEXT_KEY, ORG_NOUN_KEY)):
            return key.removeprefix(TEXT_KEY).removeprefix(ORG_NOUN_KEY)
        entity = self.actors.get(key)
        return entity.name if entity else key


def places_match(phrase: RolePhrase, held: Held) -> bool:
    organization = held.organization or held.jurisdiction
    return all(p.keys[0] in organization for p in phrase.organization) and all(
        p.keys[0] in held.jurisdiction for p in phrase.jurisdiction
    )


def in_time(role: Role, former: bool, start: date, end: date) -> bool:
    return role.ended_before(start) if former else role.held_during(start, end)


def describe(role: Role) -> str:
    text = role.title
    if role.organization:
        text += f" of {role.organization}"
    if role.jurisdiction:
        text += f" in {role.jurisdiction}"
    return text
