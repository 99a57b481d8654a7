"""The people a document names, in reading order: watchlist names and aliases, surnames, titles
with surnames, and everyone else the pipeline tags as a person.

One PhraseMatcher on LOWER finds every watchlist name and alias, so a longer watchlist does not
make a document slower. A surname, or a title with a surname, refers to the person last named
with that surname; never introduced, it is the one protectee bearing it only when the document
corroborates it (a title of theirs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from watchfloor.link.apposition import appositive_names
from watchfloor.link.catalog import EntityMention
from watchfloor.link.docindex import Mention
from watchfloor.link.holders import RoleIndex
from watchfloor.link.records import LinkMethod
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.watchlist import Watchlist


class NameIndex:
    """Finds the people of a document for one watchlist."""

    def __init__(self, watchlist: Watchlist, vocabulary: RoleVocabulary, roles: RoleIndex) -> None:
        self.watchlist = watchlist
        self.vocabulary = vocabulary
        self.roles = roles
        self.title_words = vocabulary.title_words
        self.surnames: dict[str, list[str]] = defaultdict(list)
        for protectee in watchlist:
            surname = self.surname(protectee.name.split())
            if surname:
                self.surnames[surname].append(protectee.id)

    def build(self, nlp: Language) -> None:
        """One PhraseMatcher on LOWER for every name and alias of the watchlist."""
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.name_ids: dict[str, list[tuple[str, LinkMethod]]] = defaultdict(list)
        for method, texts, owners in self._name_patterns():
            docs = [nlp.make_doc(text) for text in texts]
            fresh = []
            for doc, owner in zip(docs, owners, strict=True):
                key = " ".join(t.lower_ for t in doc)
                if not self.name_ids[key]:
                    fresh.append(doc)
                self.name_ids[key].append((owner, method))
            self.matcher.add(method.upper(), fresh)

    def _name_patterns(self) -> list[tuple[LinkMethod, list[str], list[str]]]:
        names = [(p.name, p.id) for p in self.watchlist]
        aliases = [(a, p.id) for p in self.watchlist for a in p.aliases]
        return [
            ("name", [n for n, _ in names], [i for _, i in names]),
            ("alias", [a for a, _ in aliases], [i for _, i in aliases]),
        ]

    def mentions(
        self, doc: Doc, entities: list[EntityMention], doc_titles: set[str]
    ) -> list[Mention]:
        names = filter_spans([doc[a:b] for _, a, b in self.matcher(doc)])
        name_at = {s.start: s for s in names}
        in_name = {i for s in names for i in range(s.start, s.end)}
        persons = _persons(doc, entities)
        single_entities = {(m.start, m.end) for m in entities}
        lowercase_doc = not any(c.isupper() for c in doc.text[:5000])
        mentions: list[Mention] = []
        last_by_surname: dict[str, Mention] = {}

        def add(mention: Mention) -> None:
            if hyphenated_modifier(doc, mention.start):
                return  # "anti-Osei fighters": a word about the person, not the person
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
                owner, method = self.name_ids[" ".join(t.lower_ for t in span)][0]
                name = self.watchlist[owner].name.split()
                add(Mention(span.start, span.end, owner, owner, method, self.surname(name)))
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
            found = self._token_mention(
                doc, i, i in in_name, lowercase_doc, last_by_surname, doc_titles
            )
            if found is not None:
                add(found)
            i += 1
        return mentions

    def _token_mention(
        self,
        doc: Doc,
        i: int,
        in_name: bool,
        lowercase_doc: bool,
        last_by_surname: dict[str, Mention],
        doc_titles: set[str],
    ) -> Mention | None:
        """A mention made by the one token at `i` (outside names and person entities): a
        surname seen before, a title and a surname, or a surname only the context vouches for.
        `in_name`: the token is inside a watchlist name (only a title may still claim it)."""
        token = doc[i]
        if (
            not in_name
            and (token.text[:1].isupper() or lowercase_doc)
            and token.lower_ in last_by_surname
        ):
            previous = last_by_surname[token.lower_]
            titled = i > 0 and doc[i - 1].lower_ in self.title_words
            return Mention(
                i - 1 if titled else i,
                i + 1,
                previous.person,
                previous.protectee,
                "title_surname" if titled else "surname",
                token.lower_,
            )
        if token.text[:1].isupper() and i > 0 and doc[i - 1].lower_ in self.title_words:
            titled_owner = self._titled_protectee(doc[i - 1].lower_, token.lower_)
            if titled_owner is not None:
                return Mention(
                    i - 1, i + 1, titled_owner, titled_owner, "title_surname", token.lower_
                )
            if doc[i - 1].lower_ in self.vocabulary.honorifics and token.is_alpha:
                # "MRS HERERA" where the tagger saw no person (all capitals): someone, with a
                # gender, so a later "she" is not given to a protectee named earlier.
                return Mention(i - 1, i + 1, token.lower_, None, "none", token.lower_)
            return None
        if token.text[:1].isupper() and not in_name:
            corroborated = self._corroborated_surname(token.lower_, doc_titles)
            if corroborated is not None:
                return Mention(i, i + 1, corroborated, corroborated, "surname", token.lower_)
            if token.pos_ == "PROPN" and token.ent_type_ in ("", "PERSON"):
                lone = self._lone_surname(doc, i, i + 1)
                if lone is not None:
                    return Mention(i, i + 1, lone, lone, "surname_unconfirmed", token.lower_)
        return None

    def _person_entity(
        self,
        doc: Doc,
        ent: Span,
        single_entities: set[tuple[int, int]],
        last_by_surname: dict[str, Mention],
        doc_titles: set[str],
    ) -> Mention | None:
        start = ent.start
        while start < ent.end and doc[start].lower_ in self.title_words:
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
            return Mention(ent.start, ent.end, previous.person, previous.protectee, method, surname)
        if len(core) == 1 and titled:
            owner = self._titled_protectee(doc[start - 1].lower_, surname)
            if owner is not None:
                return Mention(ent.start, ent.end, owner, owner, "title_surname", surname)
        if len(core) == 1 and not titled:
            owner = self._corroborated_surname(surname, doc_titles)
            if owner is not None:
                return Mention(ent.start, ent.end, owner, owner, "surname", surname)
            owner = self._lone_surname(doc, start, end)
            if owner is not None:
                return Mention(ent.start, ent.end, owner, owner, "surname_unconfirmed", surname)
        return Mention(ent.start, ent.end, core.text.lower(), None, "none", surname)

    def _lone_surname(self, doc: Doc, start: int, end: int) -> str | None:
        """A surname alone, never introduced and not corroborated ("'They were going to shoot
        me,' Osei said"), is the one protectee bearing it, as a weak link (basis
        `surname_unconfirmed`). Two protectees bearing it, a capitalized word joined to it
        ("Osei Holdings", "Kofi Osei": someone else), or an apposition saying who it is
        ("Castell, a shopkeeper,") leave it unlinked."""
        owners = self.surnames.get(doc[start:end].text.lower(), [])
        if len(owners) != 1:
            return None
        before = doc[start - 1] if start > 0 else None
        after = doc[end] if end < len(doc) else None
        if before is not None and (before.text[:1].isupper() and before.pos_ == "PROPN"):
            return None
        if before is not None and before.text == "-" and not before.whitespace_:
            return None  # "anti-Osei": a modifier, not the person
        if after is not None and (after.text[:1].isupper() and after.pos_ == "PROPN"):
            return None
        if (
            after is not None
            and after.text == ","
            and end + 1 < len(doc)
            and doc[end + 1].pos_ == "DET"
        ):
            return None
        return owners[0]

    def _corroborated_surname(self, surname: str, doc_titles: set[str]) -> str | None:
        """A surname never introduced ("Vaher's window") is the one protectee who bears it
        only when the document also names one of that protectee's titles ("the prime
        minister"): a surname alone is too common to link."""
        owners = self.surnames.get(surname, [])
        if len(owners) != 1:
            return None
        if any(held.title in doc_titles for held in self.roles.held_by[owners[0]]):
            return owners[0]
        return None

    def _titled_protectee(self, title_word: str, surname: str) -> str | None:
        """A title + surname never introduced in the document ("Gen. Doe"): the one protectee
        with that surname, when the title is an honorific or one of their roles."""
        owners = self.surnames.get(surname, [])
        if len(owners) != 1:
            return None
        if title_word in self.vocabulary.honorifics:
            return owners[0]
        canonical = self.vocabulary.canonical(title_word)
        if any(held.title == canonical for held in self.roles.held_by[owners[0]]):
            return owners[0]
        return None

    def surname(self, words: Sequence[str]) -> str:
        words = [w for w in words if w.lower() not in self.vocabulary.name_suffixes]
        return words[-1].lower().strip(",") if words else ""

    # -- targets ------------------------------------------------------------------------------


def hyphenated_modifier(doc: Doc, start: int) -> bool:
    """Whether a name starting at `start` is the second half of a hyphenated word ("anti-Osei",
    "pro-Mendes", "Lopez-Silva"): then it is not a mention of the person on its own."""
    if start < 2:
        return False
    hyphen = doc[start - 1]
    return hyphen.text == "-" and not hyphen.whitespace_ and not doc[start - 2].whitespace_


def _persons(doc: Doc, entities: list[EntityMention]) -> dict[int, Span]:
    """The person entities by start, with the appositive names the recognizer missed."""
    persons: dict[int, Span] = {e.start: e for e in doc.ents if e.label_ == "PERSON"}
    in_entity = {i for m in entities for i in range(m.start, m.end)}
    for appositive in appositive_names(doc):
        # "The prosecutor, Andres Villalobos, ...": a name set off after a noun is a
        # person, whatever label the entity recognizer gave it.
        if appositive.start not in persons and not any(
            i in in_entity for i in range(appositive.start, appositive.end)
        ):
            persons[appositive.start] = appositive
    return persons
