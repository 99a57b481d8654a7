"""Resolve each statement's target to a protectee and its actor to a known entity.

Per document the linker finds, once, every watchlist name and alias (one PhraseMatcher on LOWER
for the whole watchlist, so a larger watchlist does not make a document slower), every title,
every known entity, and the chain of person mentions in reading order. A surname, a title with a
surname, or a pronoun then refers to the person last named before it. A target that names nobody
may still be a role phrase ("Washington's envoy in Pretoria"): its title, the organization whose
role it is (the sending state), and the jurisdiction where it is held (the receiving state)
select the watchlisted holder on the statement's date.

A target is read by its head noun. A name, pronoun or title at the head is the person. A thing at
the head ("her route", "the governor's residence", "a convoy carrying the ambassador") stands for
the person it belongs to or carries: a warning about someone's home is a warning to them. A
person around someone ("his driver", "an aide to the mayor") is someone else. A name in
apposition ("the ambassador at the time, Ingrid Solberg") outranks the role. Every specific role
phrase in the document is resolved once, so a later "the ambassador" or "the diplomat" can refer
back to a protectee reached by role, and a bare title with no antecedent looks ahead a little
("... kill the ambassador. The French ambassador was not in the building").
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.link.catalog import ActorCatalog, EntityMention
from watchfloor.link.coref import GenericActors
from watchfloor.link.records import ActorLink, LinkMethod, TargetLink
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import Protectee, Role, Watchlist

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
TEXT_KEY = "text:"
PHRASE_STOPS = frozenset({",", ";", "(", ")", ":", "who", "whom", "whose", "which", "that"})
QUOTES = frozenset({'"', "\u201c", "\u201d", "``", "''"})
OPENING_QUOTES = frozenset({"\u201c", "``"})
CLOSING_QUOTES = frozenset({"\u201d", "''"})
# Sentences after a bare title in which its referent may still be introduced.
LOOKAHEAD_SENTENCES = 2
UNKNOWN_PLACE = TEXT_KEY + "?"
NOUNISH = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})


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
    gender: str | None = None
    role: str | None = None


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
    quote_open: dict[int, int] = field(default_factory=dict)


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
        self.generic_actors = GenericActors.load()
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
        actors = self._actors(doc, index, statements)
        results: list[tuple[TargetLink, ActorLink]] = []
        for statement, actor in zip(statements, actors, strict=True):
            start, end = statement_dates(statement.when, published)
            target = self._target(doc, index, statement, start, end)
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
        mentions = self._mentions(doc, entities, {t for _, _, t in titles})
        index = _DocIndex(mentions, entities, places, titles, _quotes(doc))
        index.mentions = sorted(
            mentions + self._role_mentions(doc, index, published), key=lambda m: m.start
        )
        return index

    def _role_mentions(self, doc: Doc, index: _DocIndex, published: date) -> list[_Mention]:
        """Every specific role phrase that names a protectee, so later references can use it."""
        found: list[_Mention] = []
        named = {i for m in index.mentions for i in range(m.start, m.end)}
        for title in index.titles:
            start, end, _ = title
            after = doc[end] if end < len(doc) else None
            if start in named or (
                # "Governor Lena Hargrove": the title of a name, not a role phrase.
                after is not None and (after.i in named or after.ent_type_ == "PERSON")
            ):
                continue
            a, b = self._role_extent(doc, index, start, end)
            phrase = self._role_phrase(doc, index, title, a, b)
            if not phrase.specific:
                continue
            holder = self._role_holder(phrase, index, a, b, published, published)
            if holder is not None:
                found.append(
                    _Mention(
                        a,
                        b,
                        holder.protectee,
                        holder.protectee,
                        "role",
                        "",
                        None,
                        _describe(holder.role),
                    )
                )
        return found

    def _mentions(
        self, doc: Doc, entities: list[EntityMention], doc_titles: set[str]
    ) -> list[_Mention]:
        names = filter_spans([doc[a:b] for _, a, b in self._names(doc)])
        name_at = {s.start: s for s in names}
        in_name = {i for s in names for i in range(s.start, s.end)}
        persons = {e.start: e for e in doc.ents if e.label_ == "PERSON"}
        in_entity = {i for m in entities for i in range(m.start, m.end)}
        for appositive in _appositive_names(doc):
            # "The prosecutor, Andres Villalobos, ...": a name set off after a noun is a
            # person, whatever label the entity recognizer gave it.
            if appositive.start not in persons and not any(
                i in in_entity for i in range(appositive.start, appositive.end)
            ):
                persons[appositive.start] = appositive
        single_entities = {(m.start, m.end) for m in entities}
        lowercase_doc = not any(c.isupper() for c in doc.text[:5000])
        mentions: list[_Mention] = []
        last_by_surname: dict[str, _Mention] = {}

        def add(mention: _Mention) -> None:
            before = doc[mention.start - 1].lower_ if mention.start > 0 else ""
            gender = self.vocabulary.gender(doc[mention.start].lower_) or self.vocabulary.gender(
                before
            )
            if gender is not None:
                mention = replace(mention, gender=gender)
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
                mention = self._person_entity(
                    doc, ent, single_entities, last_by_surname, doc_titles
                )
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
            elif token.text[:1].isupper() and i not in in_name:
                corroborated = self._corroborated_surname(token.lower_, doc_titles)
                if corroborated is not None:
                    add(_Mention(i, i + 1, corroborated, corroborated, "surname", token.lower_))
            i += 1
        return mentions

    def _person_entity(
        self,
        doc: Doc,
        ent: Span,
        single_entities: set[tuple[int, int]],
        last_by_surname: dict[str, _Mention],
        doc_titles: set[str],
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
        if len(core) == 1 and not titled:
            owner = self._corroborated_surname(surname, doc_titles)
            if owner is not None:
                return _Mention(ent.start, ent.end, owner, owner, "surname", surname)
        return _Mention(ent.start, ent.end, core.text.lower(), None, "none", surname)

    def _corroborated_surname(self, surname: str, doc_titles: set[str]) -> str | None:
        """A surname never introduced ("Vaher's window") is the one protectee who bears it
        only when the document also names one of that protectee's titles ("the prime
        minister"): a surname alone is too common to link."""
        owners = self._surnames.get(surname, [])
        if len(owners) != 1:
            return None
        if any(held.title in doc_titles for held in self._held_by[owners[0]]):
            return owners[0]
        return None

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
        self, doc: Doc, index: _DocIndex, span: Span
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
                if found < len(doc) and _is_possessive_mark(doc[found]):
                    return None
                return j, found
            if doc[k].pos_ not in ("ADJ", "PROPN"):
                return None
            k += 1
        return None

    def _refer(
        self, doc: Doc, index: _DocIndex, a: int, b: int, start: date, end: date, depth: int
    ) -> TargetLink:
        """Who the phrase doc[a:b] refers to, read from its head noun."""
        words = self.vocabulary
        # The first of coordinated targets is the one read ("the judge and her clerk").
        b = next((i for i in range(a + 1, b) if _ends_phrase(doc[i])), b)
        possessive = _possessive(doc, a, b, words.possessive_pronouns)
        head_start = possessive + 1 if possessive is not None else a
        head, group_end = _head(doc, head_start, b)
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
            return _from_mention(mention)
        if lower in words.person_pronouns or lower in words.first_person:
            return self._pronoun(doc, index, head)
        if lower in words.second_person:
            return self._pronoun(doc, index, head)
        appositive = self._apposition_after(doc, index, group_end)
        if appositive is not None:
            return _from_mention(appositive)
        if lower in words.associates or token.lemma_.lower() in words.associates:
            return self._someone_else(doc, index, head, group_end)
        title = next((t for t in index.titles if t[0] <= head < t[1]), None)
        if title is not None:
            return self._role_target(doc, index, title, start, end)
        generic = words.generic_persons.get(lower) or words.generic_persons.get(
            token.lemma_.lower()
        )
        if generic is not None:
            if not _indefinite(doc, head_start, head, words.indefinite):
                held = self._recent_holder(generic, False, index, a, b, start, end)
                if held is not None:
                    return TargetLink(held.protectee, "role", _describe(held.role), True)
            return self._someone_else(doc, index, head, group_end)
        if depth < 2:
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
            inside = next(
                (m for m in index.mentions if a <= m.start and m.end <= b and m.method != "role"),
                None,
            )
            if inside is not None:
                return _from_mention(inside)
            j = group_end
            while j < b and (doc[j].pos_ in ("ADP", "VERB", "AUX", "PART", "SCONJ")):
                j += 1
            if group_end < j < b:
                carried = self._refer(doc, index, j, b, start, end, depth + 1)
                if carried.protectee is not None or carried.person_named:
                    return carried
            for i in range(head_start, head):
                if doc[i].lower_ in words.person_pronouns:
                    return self._pronoun(doc, index, i)
            # "the route the mayor cycles to work": a person inside the phrase.
            for title in index.titles:
                if a <= title[0] and title[1] <= b and not title[0] <= head < title[1]:
                    role = self._role_target(doc, index, title, start, end)
                    if role.protectee is not None:
                        return role
        return self._someone_else(doc, index, head, group_end)

    def _someone_else(self, doc: Doc, index: _DocIndex, head: int, group_end: int) -> TargetLink:
        """A person the watchlist does not know: named only by apposition or the next sentence
        ("a bartender ... The bartender, Jenna Doe, ...")."""
        named = self._named_later(doc, index, head, group_end)
        if named is not None:
            return _from_mention(named)
        return TargetLink(None)

    def _named_later(
        self, doc: Doc, index: _DocIndex, head: int, group_end: int
    ) -> _Mention | None:
        appositive = self._apposition_after(doc, index, group_end)
        if appositive is not None:
            return appositive
        sentence = doc[head].sent
        if sentence.end >= len(doc):
            return None
        following = doc[sentence.end].sent
        noun = doc[head]
        pronoun = noun.lower_ in self.vocabulary.person_pronouns
        for token in following:
            if pronoun or token.lower_ == noun.lower_ or token.lemma_ == noun.lemma_:
                if token.pos_ not in NOUNISH:
                    continue
                appositive = self._apposition_after(doc, index, token.i + 1, steps=0)
                if appositive is not None:
                    return appositive
        return None

    def _apposition_after(
        self, doc: Doc, index: _DocIndex, i: int, steps: int = 4
    ) -> _Mention | None:
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

    def _pronoun(self, doc: Doc, index: _DocIndex, i: int) -> TargetLink:
        words = self.vocabulary
        word = doc[i].lower_
        before = [m for m in index.mentions if m.end <= i]
        if word in words.first_person or word in words.second_person:
            opening = index.quote_open.get(i)
            if opening is not None:
                # Inside a quotation "me" is the speaker and "you" the one addressed; both
                # are, in a report, the person last named before the quotation.
                quoted = [m for m in before if m.end <= opening]
                return _from_mention(quoted[-1], "pronoun") if quoted else TargetLink(None)
            if word in words.first_person:
                # An interview turn: "SOFIA RENDAL: ... he would burn me alive."
                speakers = [m for m in before if m.end < len(doc) and doc[m.end].text == ":"]
                if speakers:
                    return _from_mention(speakers[-1], "pronoun")
            return TargetLink(None)
        gender = words.gender(word)
        for mention in reversed(before):
            if gender is None or mention.gender is None or mention.gender == gender:
                return _from_mention(mention, "pronoun")
        named = self._named_later(doc, index, i, i + 1)
        return _from_mention(named, "pronoun") if named is not None else TargetLink(None)

    def _role_target(
        self, doc: Doc, index: _DocIndex, title: tuple[int, int, str], start: date, end: date
    ) -> TargetLink:
        a, b = self._role_extent(doc, index, title[0], title[1])
        phrase = self._role_phrase(doc, index, title, a, b)
        holder = self._role_holder(phrase, index, a, b, start, end)
        if holder is not None:
            return TargetLink(holder.protectee, "role", _describe(holder.role), True)
        # "a federal judge in Ohio ... The judge, Amara Quist, ...": a role phrase, however
        # vague, is the person the report names in apposition to it or to its repetition.
        named = self._named_later(doc, index, title[1] - 1, b)
        if named is not None:
            return _from_mention(named)
        return TargetLink(None, "none", self._describe_phrase(phrase), False)

    def _role_extent(self, doc: Doc, index: _DocIndex, start: int, end: int) -> tuple[int, int]:
        """The role phrase around a title: its modifiers ("the British", "Washington's") and
        the places after it ("to Kenya", "of a neighbouring state")."""
        place_at = {p.start: p for p in index.places}
        place_end = {p.end: p for p in index.places}
        a = start
        while a > 0 and start - a < 6:
            prev = doc[a - 1]
            if (a) in place_end:
                a = place_end[a].start
            elif prev.pos_ in ("ADJ", "PROPN", "NOUN", "NUM") or _is_possessive_mark(prev):
                a -= 1
            elif prev.pos_ == "DET" or prev.lower_ in ("the", "a", "an"):
                a -= 1
                break
            else:
                break
        words = self.vocabulary
        b = end
        while b < len(doc):
            prep = doc[b].lower_
            if prep not in words.jurisdiction_prepositions | words.organization_prepositions:
                break
            j = b + 1
            if j < len(doc) and doc[j].lower_ == "the":
                j += 1
            if j >= len(doc):
                break
            if j in place_at:
                b = place_at[j].end
            elif doc[j].lower_ in words.indefinite and prep in words.organization_prepositions:
                j += 1
                while j < len(doc) and doc[j].pos_ in ("ADJ", "NOUN", "PROPN"):
                    j += 1
                b = j
            elif _namelike(doc[j]):
                while j < len(doc) and _namelike(doc[j]):
                    j += 1
                b = j
            else:
                run = self._resolve_run(doc, j)
                if run is None:
                    break
                b = run.end
        return a, b

    def _resolve_run(self, doc: Doc, i: int) -> _Place | None:
        """A known state or body in words the catalog matcher passed over ("iraq" in mixed
        case, "US" in all-caps): safe only inside a role phrase."""
        for length in (3, 2, 1):
            tokens = doc[i : i + length]
            if len(tokens) < length or not all(t.is_alpha for t in tokens):
                continue
            entity = self.actors.resolve(tokens.text)
            if entity is None and length == 1 and len(tokens.text) <= 3:
                entity = self.actors.resolve(tokens.text.upper())
            if entity is not None:
                return _Place(i, i + length, self.actors.lineage(entity.id))
        return None

    def _role_phrase(
        self, doc: Doc, index: _DocIndex, title: tuple[int, int, str], a: int, b: int
    ) -> _RolePhrase:
        title_start, title_end, canonical = title
        places = [p for p in index.places if p.start >= a and p.end <= b]
        words = self.vocabulary
        before = doc[a:title_start]
        former = any(t.lower_ in words.former or t.lower_ == "ex" for t in before)
        indefinite = any(t.lower_ in words.indefinite for t in before)
        plural = "Plur" in doc[title_end - 1].morph.get("Number", [])
        organization: list[_Place] = [p for p in places if p.end <= title_start]
        jurisdiction: list[_Place] = []
        covered = {i for p in places for i in range(p.start, p.end)}
        for token in before:
            if token.i not in covered and token.is_alpha and token.lower_ not in words.former:
                found = self._resolve_run(doc, token.i)
                if found is not None and found.end <= title_start:
                    organization.append(found)
                    covered.update(range(found.start, found.end))
        # Follow the title's prepositional phrases.
        slot: list[_Place] | None = None
        i = title_end
        while i < b:
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
            elif slot is organization and token.lower_ in words.indefinite:
                # "the governor of a neighbouring state": some other post than any listed.
                slot.append(_Place(i, b, (UNKNOWN_PLACE,)))
                break
            elif slot is not None and token.is_alpha and token.lower_ != "the":
                resolved = self._resolve_run(doc, i)
                if resolved is not None:
                    slot.append(resolved)
                    i = resolved.end
                    continue
                if _namelike(token):
                    # An unknown name ("the ambassador to Atlantis") still rules out others.
                    j = i
                    while j < b and _namelike(doc[j]):
                        j += 1
                    slot.append(_Place(i, j, (TEXT_KEY + _norm(doc[i:j].text),)))
                    i = j
                    continue
            i += 1
        return _RolePhrase(
            canonical, tuple(organization), tuple(jurisdiction), former, indefinite or plural
        )

    def _role_holder(
        self, phrase: _RolePhrase, index: _DocIndex, a: int, b: int, start: date, end: date
    ) -> _Held | None:
        if phrase.vague:
            return None
        if not phrase.organization and not phrase.jurisdiction:
            return self._recent_holder(
                frozenset({phrase.title}), phrase.former, index, a, b, start, end
            )
        org = phrase.organization[0].keys[0] if phrase.organization else ""
        jur = phrase.jurisdiction[0].keys[0] if phrase.jurisdiction else ""
        bucket = self._holders.get((phrase.title, org, jur))
        candidates = [
            held
            for held in bucket or []
            if _places_match(phrase, held) and _in_time(held.role, phrase.former, start, end)
        ]
        return self._choose(candidates, index, a, b, phrase.former)

    def _recent_holder(
        self,
        titles: frozenset[str],
        former: bool,
        index: _DocIndex,
        a: int,
        b: int,
        start: date,
        end: date,
    ) -> _Held | None:
        """A bare title ("the ambassador") or person noun ("the diplomat") is the protectee
        last mentioned who holds a matching title; with none before it, the first one
        mentioned in the next sentences."""
        for mention in _around(index.mentions, a, b):
            if mention.protectee is None:
                continue
            for held in self._held_by[mention.protectee]:
                if held.title in titles and _in_time(held.role, former, start, end):
                    return held
        return None

    def _choose(
        self, candidates: list[_Held], index: _DocIndex, a: int, b: int, former: bool
    ) -> _Held | None:
        people = {held.protectee for held in candidates}
        if len(people) == 1:
            return candidates[0]
        if not people:
            return None
        for mention in _around(index.mentions, a, b):
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

    def _actors(
        self, doc: Doc, index: _DocIndex, statements: Sequence[ThreatStatement]
    ) -> list[ActorLink]:
        """Each statement's actor: the entity its words name, else, for a generic description
        ("the group"), the one entity the document's other actors name (link/coref.py)."""
        spans = [_span(doc, statement.actor) for statement in statements]
        named = [
            (span, self.actors.span_entity(span, index.entities) if span is not None else None)
            for span in spans
        ]
        catalog = self.actors
        referred = self.generic_actors.antecedents(
            doc,
            named,
            lambda entity_id: entity.kind if (entity := catalog.get(entity_id)) else "unknown",
            catalog.proxy_markers,
        )
        links = [catalog.actor_link(entity_id) for _, entity_id in named]
        for position, entity_id in referred.items():
            links[position] = replace(catalog.actor_link(entity_id), method="coreference")
        return links


def statement_dates(when: str | None, published: date) -> tuple[date, date]:
    """The days a statement speaks of: its `when` (a day, a month or a year), else `published`.

    A year alone ("In 2023, police foiled a plot against the ambassador") is the whole year: a
    role is read as held during it, and of successive holders the latest one is chosen.
    """
    match = PARTIAL_DATE.fullmatch(when or "")
    if match is None:
        return published, published
    year = int(match[1])
    try:
        if match[2] is None:
            return date(year, 1, 1), date(year, 12, 31)
        month = int(match[2])
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


def _is_possessive_mark(token: Token) -> bool:
    return (
        token.tag_ == "POS"
        or token.lower_ in ("'s", "\u2019s")
        or (token.text in ("'", "\u2019") and token.i > 0 and token.nbor(-1).lower_.endswith("s"))
    )


def _possessive(doc: Doc, a: int, b: int, pronouns: frozenset[str]) -> int | None:
    """The last possessive mark in doc[a:b] that has a possessed noun after it."""
    for i in range(b - 2, a - 1, -1):
        token = doc[i]
        marked = (i > a and _is_possessive_mark(token)) or token.lower_ in pronouns
        if marked and doc[i + 1].pos_ in NOUNISH | {"ADJ", "VERB"}:
            return i
    return None


def _head(doc: Doc, a: int, b: int) -> tuple[int | None, int]:
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


def _indefinite(doc: Doc, a: int, head: int, indefinite: frozenset[str]) -> bool:
    return any(doc[i].lower_ in indefinite for i in range(a, head)) or (
        "Plur" in doc[head].morph.get("Number", [])
    )


def _from_mention(mention: _Mention, method: LinkMethod | None = None) -> TargetLink:
    if mention.protectee is None:
        return TargetLink(None, "none", None, True)
    return TargetLink(mention.protectee, method or mention.method, mention.role, True)


def _around(mentions: Sequence[_Mention], a: int, b: int) -> list[_Mention]:
    """Mentions before doc[a:b], nearest first, then those after it, nearest first."""
    before = [m for m in mentions if m.end <= a]
    after = [m for m in mentions if m.start >= b]
    return [*reversed(before), *after]


def _quotes(doc: Doc) -> dict[int, int]:
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


def _appositive_names(doc: Doc) -> list[Span]:
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


def _ends_phrase(token: Token) -> bool:
    return (
        token.pos_ == "CCONJ"
        or token.text in (",", ";", "(", ":")
        or (token.lower_ in PHRASE_STOPS and token.pos_ == "PRON")
    )


def _namelike(token: Token) -> bool:
    """A word of a name after a preposition, whatever tag a parser gave "United" in "the
    United Nations"; a person's name is not a place."""
    if token.ent_type_ == "PERSON" or token.is_punct:
        return False
    return token.pos_ == "PROPN" or (token.text[:1].isupper() and not token.is_stop)
