"""Resolve each statement's target to a protectee and its actor to a known entity.

Per document the linker finds, once, every watchlist name and alias (link/names.py), every
title, every known entity, and the chain of person mentions in reading order; every specific
role phrase in the document is resolved once to its holder on the publication date
(link/holders.py, link/rolephrase.py), so a later "the ambassador" or "the diplomat" can refer
back to a protectee reached by role. Each target is then read from its head noun
(link/targets.py): names, pronouns (link/pronouns.py), apposition (link/apposition.py), roles,
things that stand for their owner, and people around someone who are someone else.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from watchfloor.extract.records import ThreatStatement
from watchfloor.link.catalog import ActorCatalog
from watchfloor.link.coref import GenericActors
from watchfloor.link.descriptions import describe_mentions
from watchfloor.link.docindex import TEXT_KEY, DocIndex, Mention, Place, char_span, norm
from watchfloor.link.holders import RoleIndex, describe
from watchfloor.link.names import NameIndex
from watchfloor.link.pronouns import quotes
from watchfloor.link.records import ActorLink, TargetLink
from watchfloor.link.rolephrase import RolePhraseReader
from watchfloor.link.roles import RoleVocabulary
from watchfloor.link.targets import TargetResolver
from watchfloor.link.watchlist import Watchlist

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@cache
def default_catalog() -> ActorCatalog:
    """The packaged catalog, read once per process."""
    return ActorCatalog.load()


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
        self._nlp = nlp
        self._built_vocab: object | None = None
        self.roles = RoleIndex(watchlist, self.actors, self.vocabulary)
        self.names = NameIndex(watchlist, self.vocabulary, self.roles)
        self.reader = RolePhraseReader(self.vocabulary, self.actors)
        self.targets = TargetResolver(self.vocabulary, self.roles, self.reader)

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
            target = self.targets.target(doc, index, statement, start, end)
            results.append((target, actor))
        return results

    def _ensure_matchers(self) -> Language:
        if self._nlp is None:
            from watchfloor import nlp as pipeline

            self._nlp = pipeline.load()
        nlp = self._nlp
        if self._built_vocab is nlp.vocab:
            return nlp
        self.names.build(nlp)
        self._titles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._titles.add("TITLE", [nlp.make_doc(t) for t in self.vocabulary.synonyms])
        self._places = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._places.add("PLACE", [nlp.make_doc(t) for t in sorted(self.roles.text_places)])
        self._built_vocab = nlp.vocab
        return nlp

    # -- one document -------------------------------------------------------------------------

    def _index(self, doc: Doc, nlp: Language, published: date) -> DocIndex:
        entities = self.actors.mentions(doc, nlp)
        spans = [Span(doc, m.start, m.end, label=m.entity_id) for m in entities]
        for _, start, end in self._places(doc):
            spans.append(Span(doc, start, end, label=TEXT_KEY + norm(doc[start:end].text)))
        places = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            keys = span.label_
            lineage = (keys,) if keys.startswith(TEXT_KEY) else self.actors.lineage(keys)
            places.append(Place(span.start, span.end, lineage))
        titles = [
            (s.start, s.end, self.vocabulary.canonical(s.text))
            for s in sorted(
                filter_spans([doc[a:b] for _, a, b in self._titles(doc)]), key=lambda s: s.start
            )
        ]
        mentions = self.names.mentions(doc, entities, {t for _, _, t in titles})
        index = DocIndex(mentions, entities, places, titles, quotes(doc))
        index.mentions = sorted(
            mentions + self._role_mentions(doc, index, published), key=lambda m: m.start
        )
        index.mentions = describe_mentions(doc, index, {t[0]: t[2] for t in titles})
        return index

    def _role_mentions(self, doc: Doc, index: DocIndex, published: date) -> list[Mention]:
        """Every specific role phrase that names a protectee, so later references can use it."""
        found: list[Mention] = []
        named = {i for m in index.mentions for i in range(m.start, m.end)}
        for title in index.titles:
            start, end, _ = title
            after = doc[end] if end < len(doc) else None
            if start in named or (
                # "Governor Lena Hargrove": the title of a name, not a role phrase.
                after is not None and (after.i in named or after.ent_type_ == "PERSON")
            ):
                continue
            a, b = self.reader.extent(doc, index, start, end)
            phrase = self.reader.phrase(doc, index, title, a, b)
            if not phrase.specific:
                continue
            holder = self.roles.holder(phrase, index, a, b, published, published)
            if holder is not None:
                found.append(
                    Mention(
                        a,
                        b,
                        holder.protectee,
                        holder.protectee,
                        "role",
                        "",
                        None,
                        describe(holder.role),
                    )
                )
        return found

    def _actors(
        self, doc: Doc, index: DocIndex, statements: Sequence[ThreatStatement]
    ) -> list[ActorLink]:
        """Each statement's actor: the entity its words name, else, for a generic description
        ("the group"), the one entity the document's other actors name (link/coref.py)."""
        spans = [char_span(doc, statement.actor) for statement in statements]
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
