"""Resolve each statement's target to a protectee and its actor to a known entity.

Per document the linker finds, once, every watchlist name and alias (one PhraseMatcher on LOWER
for the whole watchlist, so a larger watchlist does not make a document slower), every title,
every known entity, and the chain of person mentions in reading order. A surname, a title with a
surname, or a pronoun then refers to the person last named before it. A target that names nobody
may still be a role phrase ("Washington's envoy in Pretoria"): its title, the organization whose
role it is (the sending state), and the jurisdiction where it is held (the receiving state)
select the watchlisted holder on the statement's date.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.link.catalog import ActorCatalog, EntityMention
from watchfloor.link.records import ActorLink, LinkMethod, TargetLink
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import Protectee, Role, Watchlist

PARTIAL_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
TEXT_KEY = "text:"
PHRASE_STOPS = frozenset({",", ";", "(", ")", ":", "who", "whom", "whose", "which", "that"})


@cache
def default_catalog() -> ActorCatalog:
    """The packaged catalog, read once per process."""
    return ActorCatalog.load()


@dataclass(frozen=True)
class _Mention:
    """A person named in the document (token offsets), and who it is."""

    start: int
    end: int
    person: str
    protectee: str | None
    method: LinkMethod
    surname: str


@dataclass(frozen=True)
class _Place:
    """An organization or place in a role phrase: its keys, most specific first."""

    start: int
    end: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Held:
    protectee: str
    role: Role
    title: str
    organization: tuple[str, ...]
    jurisdiction: tuple[str, ...]


@dataclass
class _DocIndex:
    mentions: list[_Mention]
    entities: list[EntityMention]
    places: list[_Place]
    titles: list[tuple[int, int, str]]


@dataclass(frozen=True)
class _RolePhrase:
    title: str
    organization: tuple[_Place, ...]
    jurisdiction: tuple[_Place, ...]
    former: bool
    vague: bool

    @property
    def specific(self) -> bool:
        """Names one position ("the US envoy to South Africa"), not "an envoy" or "envoys"."""
        return not self.vague and bool(self.organization or self.jurisdiction)


class Linker:
    """Links statements of documents against one watchlist and one actor catalog."""

    def __init__(
        self,
        watchlist: Watchlist,
        actors: ActorCatalog | None = None,
        nlp: Language | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.actors = actors or default_catalog()
        self.vocabulary = RoleVocabulary.load()
        self._title_words = self.vocabulary.title_words
        self._nlp = nlp
        self._built_vocab: object | None = None
        self._surnames: dict[str, list[str]] = defaultdict(list)
        self._holders: dict[tuple[str, str, str], list[_Held]] = defaultdict(list)
        self._held_by: dict[str, list[_Held]] = defaultdict(list)
        self._text_places: set[str] = set()
        for protectee in watchlist:
            surname = self._surname(protectee.name.split())
            if surname:
                self._surnames[surname].append(protectee.id)
            for role in protectee.roles:
                self._index_role(protectee, role)

    # -- public -------------------------------------------------------------------------------

    def link(
        self, doc: Doc, statements: Sequence[ThreatStatement], published: date
    ) -> list[tuple[TargetLink, ActorLink]]:
        """One (target, actor) pair per statement, in the order of `statements`."""
        nlp = self._ensure_matchers()
        index = self._index(doc, nlp, published)
        results: list[tuple[TargetLink, ActorLink]] = []
        for statement in statements:
            start, end = statement_dates(statement.when, published)
            target = self._target(doc, index, statement, start, end)
            actor = self._actor(doc, index, statement.actor)
            results.append((target, actor))
        return results

    # -- building -----------------------------------------------------------------------------

    def _index_role(self, protectee: Protectee, role: Role) -> None:
        title = self.vocabulary.canonical(role.title)
        organization = self._place_keys(role.organization) if role.organization else ()
        jurisdiction = self._place_keys(role.jurisdiction) if role.jurisdiction else ()
        held = _Held(protectee.id, role, title, organization, jurisdiction)
        self._held_by[protectee.id].append(held)
        # Indexed under every (organization, jurisdiction) pair a phrase could name, so a
        # lookup reads only the holders of that position, however long the watchlist. A
        # phrase's organization falls back to the jurisdiction for roles without one ("the
        # Texas governor" for a governor whose jurisdiction is Texas).
        for org in ("", *(organization or jurisdiction)):
            for jur in ("", *jurisdiction):
                self._holders[(title, org, jur)].append(held)
        for text in (role.organization, role.jurisdiction):
            if text and self.actors.resolve(text) is None:
                self._text_places.add(text)

    def _place_keys(self, text: str) -> tuple[str, ...]:
        entity = self.actors.resolve(text)
        if entity is not None:
            return self.actors.lineage(entity.id)
        return (TEXT_KEY + _norm(text),)

    def _ensure_matchers(self) -> Language:
        if self._nlp is None:
            from watchfloor import nlp as pipeline

            self._nlp = pipeline.load()
        nlp = self._nlp
        if self._built_vocab is nlp.vocab:
            return nlp
        self._names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._name_ids: dict[str, list[tuple[str, LinkMethod]]] = defaultdict(list)
        for method, texts, owners in self._name_patterns():
            docs = [nlp.make_doc(text) for text in texts]
            fresh = []
            for doc, owner in zip(docs, owners, strict=True):
                key = " ".join(t.lower_ for t in doc)
                if not self._name_ids[key]:
                    fresh.append(doc)
                self._name_ids[key].append((owner, method))
            self._names.add(method.upper(), fresh)
        self._titles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._titles.add("TITLE", [nlp.make_doc(t) for t in self.vocabulary.synonyms])
        self._places = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._places.add("PLACE", [nlp.make_doc(t) for t in sorted(self._text_places)])
        self._built_vocab = nlp.vocab
        return nlp

    def _name_patterns(self) -> list[tuple[LinkMethod, list[str], list[str]]]:
        names = [(p.name, p.id) for p in self.watchlist]
        aliases = [(a, p.id) for p in self.watchlist for a in p.aliases]
        return [
            ("name", [n for n, _ in names], [i for _, i in names]),
            ("alias", [a for a, _ in aliases], [i for _, i in aliases]),
        ]

    # -- one document -------------------------------------------------------------------------

    def _index(self, doc: Doc, nlp: Language, published: date) -> _DocIndex:
        entities = self.actors.mentions(doc, nlp)
        spans = [Span(doc, m.start, m.end, label=m.entity_id) for m in entities]
        for _, start, end in self._places(doc):
            spans.append(Span(doc, start, end, label=TEXT_KEY + _norm(doc[start:end].text)))
        places = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            keys = span.label_
            lineage = (keys,) if keys.startswith(TEXT_KEY) else self.actors.lineage(keys)
            places.append(_Place(span.start, span.end, lineage))
        titles = [
            (s.start, s.end, self.vocabulary.canonical(s.text))
            for s in sorted(
                filter_spans([doc[a:b] for _, a, b in self._titles(doc)]), key=lambda s: s.start
            )
        ]
        mentions = self._mentions(doc, entities, published)
        return _DocIndex(mentions, entities, places, titles)

    def _mentions(self, doc: Doc, entities: list[EntityMention], published: date) -> list[_Mention]:
        names = filter_spans([doc[a:b] for _, a, b in self._names(doc)])
        name_at = {s.start: s for s in names}
        in_name = {i for s in names for i in range(s.start, s.end)}
        persons = {e.start: e for e in doc.ents if e.label_ == "PERSON"}
        single_entities = {(m.start, m.end) for m in entities}
        lowercase_doc = not any(c.isupper() for c in doc.text[:5000])
        mentions: list[_Mention] = []
        last_by_surname: dict[str, _Mention] = {}

        def add(mention: _Mention) -> None:
            mentions.append(mention)
            if mention.surname:
                last_by_surname[mention.surname] = mention

        i = 0
        while i < len(doc):
            if i in name_at:
                span = name_at[i]
                owner, method = self._name_ids[" ".join(t.lower_ for t in span)][0]
                name = self.watchlist[owner].name.split()
                add(_Mention(span.start, span.end, owner, owner, method, self._surname(name)))
                i = span.end
                continue
            ent = persons.get(i)
            if ent is not None and not any(j in in_name for j in range(ent.start, ent.end)):
                mention = self._person_entity(doc, ent, single_entities, last_by_surname)
                if mention is not None:
                    add(mention)
                i = ent.end
                continue
            token = doc[i]
            if (
                i not in in_name
                and (token.text[:1].isupper() or lowercase_doc)
                and token.lower_ in last_by_surname
            ):
                previous = last_by_surname[token.lower_]
                titled = i > 0 and doc[i - 1].lower_ in self._title_words
                add(
                    _Mention(
                        i - 1 if titled else i,
                        i + 1,
                        previous.person,
                        previous.protectee,
                        "title_surname" if titled else "surname",
                        token.lower_,
                    )
                )
            elif token.text[:1].isupper() and i > 0 and doc[i - 1].lower_ in self._title_words:
                titled_owner = self._titled_protectee(doc[i - 1].lower_, token.lower_)
                if titled_owner is not None:
                    add(
                        _Mention(
                            i - 1, i + 1, titled_owner, titled_owner, "title_surname", token.lower_
                        )
                    )
            i += 1
        return mentions

    def _person_entity(
        self,
        doc: Doc,
        ent: Span,
        single_entities: set[tuple[int, int]],
        last_by_surname: dict[str, _Mention],
    ) -> _Mention | None:
        start = ent.start
        while start < ent.end and doc[start].lower_ in self._title_words:
            start += 1
        end = ent.end
        while end > start and doc[end - 1].lower_ in self.vocabulary.name_suffixes:
            end -= 1
        if start >= end or (start, end) in single_entities:
            # "Washington" tagged PERSON is the state when the catalog knows it.
            return None
        titled = start > ent.start
        core = doc[start:end]
        surname = core[-1].lower_
        previous = last_by_surname.get(surname)
        if previous is not None and (len(core) == 1 or core.text.lower() == previous.person):
            method: LinkMethod = "title_surname" if titled else "surname"
            return _Mention(
                ent.start, ent.end, previous.person, previous.protectee, method, surname
            )
        if len(core) == 1 and titled:
            owner = self._titled_protectee(doc[start - 1].lower_, surname)
            if owner is not None:
                return _Mention(ent.start, ent.end, owner, owner, "title_surname", surname)
        return _Mention(ent.start, ent.end, core.text.lower(), None, "none", surname)

    def _titled_protectee(self, title_word: str, surname: str) -> str | None:
        """A title + surname never introduced in the document ("Gen. Doe"): the one protectee
        with that surname, when the title is an honorific or one of their roles."""
        owners = self._surnames.get(surname, [])
        if len(owners) != 1:
            return None
        if title_word in self.vocabulary.honorifics:
            return owners[0]
        canonical = self.vocabulary.canonical(title_word)
        if any(held.title == canonical for held in self._held_by[owners[0]]):
            return owners[0]
        return None

    def _surname(self, words: Sequence[str]) -> str:
        words = [w for w in words if w.lower() not in self.vocabulary.name_suffixes]
        return words[-1].lower().strip(",") if words else ""

    # -- targets ------------------------------------------------------------------------------

    def _target(
        self, doc: Doc, index: _DocIndex, statement: ThreatStatement, start: date, end: date
    ) -> TargetLink:
        span = _span(doc, statement.target)
        if span is None:
            return TargetLink(None)
        inside = [m for m in index.mentions if m.end > span.start and m.start < span.end]
        for mention in inside:
            if mention.protectee is not None:
                return TargetLink(mention.protectee, mention.method, None, True)
        if inside:
            return TargetLink(None, "none", None, True)
        phrase = self._role_phrase(doc, span, index)
        if phrase is not None:
            holder = self._role_holder(phrase, index, span.start, start, end)
            if holder is not None:
                return TargetLink(holder.protectee, "role", _describe(holder.role), True)
        root = span.root
        if root.lower_ in self.vocabulary.person_pronouns:
            before = [m for m in index.mentions if m.end <= span.start]
            if before:
                antecedent = before[-1]
                method: LinkMethod = "pronoun" if antecedent.protectee else "none"
                return TargetLink(antecedent.protectee, method, None, True)
            return TargetLink(None)
        if phrase is not None:
            return TargetLink(None, "none", self._describe_phrase(phrase), phrase.specific)
        proper_person = (
            root.pos_ == "PROPN"
            # The extractor's judgement that the target is a person outranks an entity label.
            and (root.ent_type_ in ("", "PERSON") or statement.target_kind == "person")
            and not any(p.start <= root.i < p.end for p in index.places)
            and statement.target_kind not in ("group", "facility")
        )
        return TargetLink(None, "none", None, proper_person)

    def _role_phrase(self, doc: Doc, span: Span, index: _DocIndex) -> _RolePhrase | None:
        places = [p for p in index.places if p.start >= span.start and p.end <= span.end]
        titles = [
            t
            for t in index.titles
            if t[0] >= span.start
            and t[1] <= span.end
            and not any(p.start < t[1] and t[0] < p.end for p in places)
        ]
        if not titles:
            return None
        title_start, title_end, title = titles[0]
        words = self.vocabulary
        before = doc[span.start : title_start]
        former = any(t.lower_ in words.former or t.lower_ == "ex" for t in before)
        indefinite = any(t.lower_ in words.indefinite for t in before)
        plural = "Plur" in doc[title_end - 1].morph.get("Number", [])
        organization: list[_Place] = []
        jurisdiction: list[_Place] = []
        organization.extend(p for p in places if p.end <= title_start)
        # Follow the title's prepositional phrases up to a clause or list boundary.
        slot: list[_Place] | None = None
        i = title_end
        while i < span.end and doc[i].lower_ not in PHRASE_STOPS:
            token = doc[i]
            found = next((p for p in places if p.start == i), None)
            if token.lower_ in words.jurisdiction_prepositions:
                slot = jurisdiction
            elif token.lower_ in words.organization_prepositions:
                slot = organization
            elif found is not None:
                (organization if slot is None else slot).append(found)
                i = found.end
                continue
            elif slot is not None and token.pos_ == "PROPN" and token.ent_type_ != "PERSON":
                # An unknown name ("the ambassador to Atlantis") still rules out other places.
                j = i
                while j < span.end and doc[j].pos_ == "PROPN":
                    j += 1
                slot.append(_Place(i, j, (TEXT_KEY + _norm(doc[i:j].text),)))
                i = j
                continue
            i += 1
        return _RolePhrase(
            title, tuple(organization), tuple(jurisdiction), former, indefinite or plural
        )

    def _role_holder(
        self, phrase: _RolePhrase, index: _DocIndex, span_start: int, start: date, end: date
    ) -> _Held | None:
        if phrase.vague:
            return None
        if not phrase.organization and not phrase.jurisdiction:
            return self._recent_holder(phrase, index, span_start, start, end)
        org = phrase.organization[0].keys[0] if phrase.organization else ""
        jur = phrase.jurisdiction[0].keys[0] if phrase.jurisdiction else ""
        bucket = self._holders.get((phrase.title, org, jur))
        candidates = [
            held
            for held in bucket or []
            if _places_match(phrase, held) and _in_time(held.role, phrase.former, start, end)
        ]
        return self._choose(candidates, index, span_start, phrase.former)

    def _recent_holder(
        self, phrase: _RolePhrase, index: _DocIndex, span_start: int, start: date, end: date
    ) -> _Held | None:
        """A bare title ("the ambassador") is the protectee last named who holds it."""
        for mention in reversed([m for m in index.mentions if m.end <= span_start]):
            if mention.protectee is None:
                continue
            for held in self._held_by[mention.protectee]:
                if held.title == phrase.title and _in_time(held.role, phrase.former, start, end):
                    return held
        return None

    def _choose(
        self, candidates: list[_Held], index: _DocIndex, span_start: int, former: bool
    ) -> _Held | None:
        people = {held.protectee for held in candidates}
        if len(people) == 1:
            return candidates[0]
        if not people:
            return None
        for mention in reversed([m for m in index.mentions if m.end <= span_start]):
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
        # Terms that follow each other within the statement's month: the newer holder.
        # Terms that run side by side: the phrase is ambiguous, link nobody.
        return ordered[-1] if successive else None

    def _describe_phrase(self, phrase: _RolePhrase) -> str:
        text = ("former " if phrase.former else "") + phrase.title
        for word, places in (("of", phrase.organization), ("in", phrase.jurisdiction)):
            for place in places:
                text += f" {word} {self._place_name(place.keys[0])}"
        return text

    def _place_name(self, key: str) -> str:
        if key.startswith(TEXT_KEY):
            return key.removeprefix(TEXT_KEY)
        entity = self.actors.get(key)
        return entity.name if entity else key

    # -- actors -------------------------------------------------------------------------------

    def _actor(self, doc: Doc, index: _DocIndex, actor: TextSpan | None) -> ActorLink:
        span = _span(doc, actor)
        if span is None:
            return ActorLink(None)
        return self.actors.link_span(span, index.entities)


def statement_dates(when: str | None, published: date) -> tuple[date, date]:
    """The days a statement speaks of: its `when` if at least year-month, else `published`."""
    match = PARTIAL_DATE.fullmatch(when or "")
    if match is None:
        return published, published
    year, month = int(match[1]), int(match[2])
    try:
        if match[3]:
            day = date(year, month, int(match[3]))
            return day, day
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)
    except ValueError:
        return published, published


def _span(doc: Doc, text_span: TextSpan | None) -> Span | None:
    if text_span is None or text_span.start >= text_span.end:
        return None
    span = doc.char_span(text_span.start, text_span.end, alignment_mode="expand")
    return span if span is not None and len(span) else None


def _places_match(phrase: _RolePhrase, held: _Held) -> bool:
    organization = held.organization or held.jurisdiction
    return all(p.keys[0] in organization for p in phrase.organization) and all(
        p.keys[0] in held.jurisdiction for p in phrase.jurisdiction
    )


def _in_time(role: Role, former: bool, start: date, end: date) -> bool:
    return role.ended_before(start) if former else role.held_during(start, end)


def _describe(role: Role) -> str:
    text = role.title
    if role.organization:
        text += f" of {role.organization}"
    if role.jurisdiction:
        text += f" in {role.jurisdiction}"
    return text


def _norm(text: str) -> str:
    text = " ".join(text.lower().replace("\u2019", "'").split())
    return text.removesuffix("'s").removeprefix("the ")
