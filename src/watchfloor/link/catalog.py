"""Known actors: states, their agencies and armed groups, with aliases and a hierarchy.

The catalog is every state of data/geo/countries.yaml plus data/actors/entities.yaml, optionally
extended by a user YAML in the same format. Mentions are found with two PhraseMatchers per
pipeline vocabulary: aliases on LOWER, codes ("US", "IRGC") on ORTH so that "us" and "in" stay
words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from watchfloor.datafiles import read_yaml
from watchfloor.errors import WatchfloorError
from watchfloor.link.records import ActorLink

DATA = Path(__file__).resolve().parent.parent / "data"
COUNTRIES_FILE = DATA / "geo" / "countries.yaml"
ENTITIES_FILE = DATA / "actors" / "entities.yaml"
LOWER_LETTERS = re.compile(r"[^\W\d_A-Z]")
UPPER_LETTERS = re.compile(r"[A-Z]")


@dataclass
class Entity:
    """One known actor. `parent` is the id of the entity it belongs to."""

    id: str
    name: str
    kind: str = "unknown"
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EntityMention:
    """A catalog entity found in a document, as token offsets."""

    start: int
    end: int
    entity_id: str


class _Matchers:
    """The matchers of one vocabulary and the token keys they were built from."""

    def __init__(self, catalog: ActorCatalog, nlp: Language) -> None:
        self.vocab = nlp.vocab
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.by_lower: dict[str, str] = {}
        self.by_orth: dict[str, str] = {}
        self.cased: set[str] = set()
        lower_patterns: list[Doc] = []
        for entity in catalog.entities:
            for alias, doc in zip(
                entity.aliases, (nlp.make_doc(a) for a in entity.aliases), strict=True
            ):
                key = " ".join(t.lower_ for t in doc)
                if key and key not in self.by_lower:
                    self.by_lower[key] = entity.id
                    lower_patterns.append(doc)
                    if alias != alias.lower():
                        self.cased.add(key)
            for doc in (nlp.make_doc(c) for c in entity.codes):
                key = " ".join(t.text for t in doc)
                if key and key not in self.by_orth:
                    self.by_orth[key] = entity.id
                    self.orth.add("CODE", [doc])
        self.lower.add("ALIAS", lower_patterns)


class ActorCatalog:
    """Entities by id, with alias lookup, lineage and mention finding."""

    def __init__(self, entities: Iterable[Entity], proxy_markers: Iterable[str] = ()) -> None:
        self._by_id: dict[str, Entity] = {}
        for entity in entities:
            self._by_id[entity.id] = entity
        self.proxy_markers = frozenset(m.lower() for m in proxy_markers)
        self._by_text: dict[str, str] = {}
        for entity in self._by_id.values():
            for alias in [entity.name, *entity.aliases]:
                self._by_text.setdefault(_norm(alias), entity.id)
            for code in entity.codes:
                self._by_text.setdefault(code, entity.id)
        self._matchers: dict[int, _Matchers] = {}
        for entity in self._by_id.values():
            self._check_parents(entity)

    @classmethod
    def load(cls, extra: str | Path | Sequence[str | Path] = ()) -> ActorCatalog:
        """States, the packaged entities, and any user catalogs (later files win)."""
        extras = [extra] if isinstance(extra, str | Path) else list(extra)
        entities: dict[str, Entity] = {e.id: e for e in _states(COUNTRIES_FILE)}
        markers: list[str] = []
        for path in [ENTITIES_FILE, *map(Path, extras)]:
            data = _read_yaml(path)
            markers.extend(str(m) for m in data.get("proxy_markers") or [])
            for number, item in enumerate(data.get("entities") or [], start=1):
                _merge(entities, item, f"{path}: entity #{number}")
        return cls(entities.values(), markers)

    @property
    def entities(self) -> list[Entity]:
        return list(self._by_id.values())

    def get(self, entity_id: str) -> Entity | None:
        return self._by_id.get(entity_id)

    def resolve(self, text: str) -> Entity | None:
        """The entity a whole name stands for ("the US", "Tehran", "Quds Force"), if known."""
        entity_id = self._by_text.get(text.strip()) or self._by_text.get(_norm(text))
        return self._by_id.get(entity_id) if entity_id else None

    def lineage(self, entity_id: str) -> tuple[str, ...]:
        """Ids from the entity up to its root: ("quds-force", "irgc", "IR")."""
        chain: list[str] = []
        current: str | None = entity_id
        while current and current not in chain and current in self._by_id:
            chain.append(current)
            current = self._by_id[current].parent
        return tuple(chain)

    def actor_link(self, entity_id: str | None) -> ActorLink:
        if entity_id is None or entity_id not in self._by_id:
            return ActorLink(None)
        names = tuple(self._by_id[i].name for i in self.lineage(entity_id))
        return ActorLink(names[0], names)

    def mentions(self, doc: Doc, nlp: Language) -> list[EntityMention]:
        """Entity mentions in a document, longest first where they overlap, in order."""
        matchers = self._matchers_for(nlp)
        lowercase_doc = _mostly_lowercase(doc)
        spans: list[Span] = []
        for _, start, end in matchers.lower(doc):
            span = doc[start:end]
            key = " ".join(t.lower_ for t in span)
            # "Chad", "Male" and "Jordan" are words too: a cased alias needs a cased mention.
            if key in matchers.cased and not lowercase_doc and span.text.islower():
                continue
            spans.append(Span(doc, start, end, label=matchers.by_lower[key]))
        for _, start, end in matchers.orth(doc):
            if _in_shouting(doc, start, end):
                continue
            span = doc[start:end]
            spans.append(Span(doc, start, end, label=matchers.by_orth[span.text_with_ws.strip()]))
        found: list[EntityMention] = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            if self._proxied(doc, span.end):
                continue
            found.append(EntityMention(span.start, span.end, span.label_))
        return found

    def link_span(self, span: Span, mentions: Sequence[EntityMention]) -> ActorLink:
        """The entity an actor span names: the one holding its head, else the most specific."""
        return self.actor_link(self.span_entity(span, mentions))

    def span_entity(self, span: Span, mentions: Sequence[EntityMention]) -> str | None:
        """The id of the entity `link_span` links the span to, if any."""
        inside = [m for m in mentions if m.end > span.start and m.start < span.end]
        if not inside:
            return None
        root = span.root.i
        for mention in inside:
            if mention.start <= root < mention.end:
                return mention.entity_id
        return max(inside, key=lambda m: len(self.lineage(m.entity_id))).entity_id

    def _matchers_for(self, nlp: Language) -> _Matchers:
        key = id(nlp.vocab)
        matchers = self._matchers.get(key)
        if matchers is None or matchers.vocab is not nlp.vocab:
            matchers = self._matchers[key] = _Matchers(self, nlp)
        return matchers

    def _proxied(self, doc: Doc, end: int) -> bool:
        # "Iranian-backed", "Iran-allied": the mention describes a sponsor, not the actor.
        if end + 1 < len(doc) and doc[end].text == "-":
            return doc[end + 1].lower_ in self.proxy_markers
        return end < len(doc) and doc[end].lower_.lstrip("-") in self.proxy_markers

    def _check_parents(self, entity: Entity) -> None:
        if entity.parent is not None and entity.parent not in self._by_id:
            raise WatchfloorError(
                f"actor catalog: entity {entity.id}: parent {entity.parent!r} is not a known id; "
                "use the id of a state (e.g. 'IR') or of another entity"
            )


def _states(path: Path) -> list[Entity]:
    data = _read_yaml(path)
    states: list[Entity] = []
    for item in data.get("countries") or []:
        aliases = [item["name"], *item.get("names", []), *item.get("demonyms", [])]
        aliases += [*item.get("capitals", []), *item.get("metonyms", [])]
        # Codes with dots ("U.S.") are unambiguous in any case; the rest are matched as written.
        codes = list(item.get("codes", []))
        aliases += [c for c in codes if "." in c]
        states.append(
            Entity(
                id=str(item["id"]),
                name=str(item["name"]),
                kind="state",
                aliases=list(dict.fromkeys(str(a) for a in aliases)),
                codes=[str(c) for c in codes],
            )
        )
    return states


def _merge(entities: dict[str, Entity], item: Any, where: str) -> None:
    if not isinstance(item, dict) or (not item.get("id") and not item.get("name")):
        raise WatchfloorError(f"{where}: each entity needs an id or a name")
    unknown = set(item) - {"id", "name", "aliases", "codes", "parent", "kind"}
    if unknown:
        raise WatchfloorError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    entity_id = str(item.get("id") or item["name"])
    existing = entities.get(entity_id)
    if existing is None:
        existing = entities[entity_id] = Entity(
            id=entity_id, name=str(item.get("name") or entity_id)
        )
    elif item.get("name"):
        existing.aliases.append(existing.name)
        existing.name = str(item["name"])
    existing.aliases = list(
        dict.fromkeys([*existing.aliases, existing.name, *map(str, item.get("aliases") or [])])
    )
    existing.codes = list(dict.fromkeys([*existing.codes, *map(str, item.get("codes") or [])]))
    if item.get("parent"):
        existing.parent = str(item["parent"])
    if item.get("kind"):
        existing.kind = str(item["kind"])


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, hint="Check the path of the actor catalog.")
    if not isinstance(data, dict):
        raise WatchfloorError(f"{path}: expected a mapping with an 'entities' list")
    return data


def _norm(text: str) -> str:
    text = " ".join(text.lower().replace("\u2019", "'").split())
    text = text.removesuffix("'s").removesuffix("'")
    return text.removeprefix("the ")


def _mostly_lowercase(doc: Doc) -> bool:
    sample = doc.text[:5000]
    lower = len(LOWER_LETTERS.findall(sample))
    return bool(lower) and len(UPPER_LETTERS.findall(sample)) < lower * 0.005


def _in_shouting(doc: Doc, start: int, end: int) -> bool:
    """A code inside an all-caps headline ("THREAT IN PRETORIA") is just a word."""
    window = [*doc[max(0, start - 4) : start], *doc[end : end + 4]]
    words = [t for t in window if t.is_alpha]
    return len(words) >= 3 and all(t.is_upper for t in words)
