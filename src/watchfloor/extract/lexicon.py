"""The extract stage's word lists, read from the YAML files in watchfloor/data/lexicons.

Every list is data; this module only reads it and turns phrase strings into spaCy Matcher
patterns. The phrase syntax is described at the top of data/lexicons/triggers.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, get_args

from watchfloor import schemas
from watchfloor.datafiles import Schema, check_data, read_yaml
from watchfloor.errors import ConfigError, WatchfloorError
from watchfloor.extract.records import ACTS, STATUSES, TargetKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_DIR = DATA_DIR / "lexicons"
TITLES_FILE = DATA_DIR / "roles" / "titles.yaml"

DEFAULT_GAP = 3
TRIGGER_KINDS = ("verb", "noun", "after", "gap", "subject", "list", "last", "sequel")
TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)
APOSTROPHES = ("'", "’")
# What may stand in a gap: the words of a noun phrase ("take the ambassador's son hostage").
GAP_POS = ("DET", "PRON", "PROPN", "NOUN", "ADJ", "NUM", "PART", "SPACE", "X", "SYM")

TokenPattern = list[dict[str, Any]]


@dataclass(frozen=True)
class CompiledPattern:
    """One phrase as a Matcher pattern, with how many fixed words stand before/after its gap."""

    tokens: TokenPattern
    before_gap: int
    after_gap: int
    has_gap: bool


@dataclass(frozen=True)
class TriggerEntry:
    """Trigger phrases sharing an act, a kind and the target kinds that make them literal."""

    act: str
    kind: str
    patterns: tuple[CompiledPattern, ...]
    status: str | None
    targets: frozenset[str]
    # Head nouns that make the use literal whatever their kind ("mapped her route").
    objects: frozenset[str] = frozenset()
    # "the mayor is next" repeats the act reported before it.
    inherit: bool = False
    # "similar warnings" means something only after a harm reported before it.
    anaphoric: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Everything the extractor looks words up in."""

    triggers: tuple[TriggerEntry, ...]
    agent_verbs: frozenset[str]
    actor_modifiers: frozenset[str]
    agent_complements: frozenset[str]
    recipient_verbs: frozenset[str]
    message_verbs: frozenset[str]
    message_nouns: frozenset[str]
    status_cues: dict[str, tuple[CompiledPattern, ...]]
    arrest_cues: tuple[CompiledPattern, ...]
    negations: tuple[CompiledPattern, ...]
    conditionals: tuple[CompiledPattern, ...]
    hypothetical_modals: frozenset[str]
    conditional_modals: frozenset[str]
    future_auxiliaries: frozenset[str]
    past_auxiliaries: frozenset[str]
    boundaries: frozenset[str]
    forward_statuses: frozenset[str]
    absences: tuple[CompiledPattern, ...]
    retractions: tuple[CompiledPattern, ...]
    according_to: tuple[CompiledPattern, ...]
    speech_verbs: frozenset[str]
    threat_speech: frozenset[str]
    question_cues: tuple[CompiledPattern, ...]
    hedges: tuple[CompiledPattern, ...]
    figurative_phrases: tuple[CompiledPattern, ...]
    figurative_objects: frozenset[str]
    non_agents: frozenset[str]
    fiction_cues: tuple[CompiledPattern, ...]
    sports_cues: tuple[CompiledPattern, ...]
    advice_cues: tuple[CompiledPattern, ...]
    person_nouns: frozenset[str]
    role_titles: frozenset[str]
    group_nouns: frozenset[str]
    facility_nouns: frozenset[str]
    quantity_nouns: frozenset[str]
    person_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    non_targets: frozenset[str]
    alternative_markers: frozenset[str]
    entity_kinds: dict[str, str]
    methods: tuple[CompiledPattern, ...]
    motives: tuple[CompiledPattern, ...]
    article_end_markers: tuple[str, ...]
    deps: dict[str, frozenset[str]] = field(default_factory=dict)


# Each lexicon file and its schema (watchfloor.schemas).
LEXICONS: dict[str, type[Schema]] = {
    "triggers.yaml": schemas.TriggersLexicon,
    "status.yaml": schemas.StatusLexicon,
    "attribution.yaml": schemas.AttributionLexicon,
    "filters.yaml": schemas.FiltersLexicon,
    "targets.yaml": schemas.TargetsLexicon,
    "methods.yaml": schemas.MethodsLexicon,
    "article_end.yaml": schemas.ArticleEndLexicon,
    "syntax.yaml": schemas.SyntaxLexicon,
    "dates.yaml": schemas.DatesLexicon,
    "titles.yaml": schemas.TitlesFile,
}


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    hint = (
        "Reinstall watchfloor or point the extractor's lexicon_dir setting at a folder holding "
        "all the lexicon files."
    )
    data = read_yaml(path, hint=hint)
    if not isinstance(data, dict):
        raise ConfigError(f"lexicon {path} must be a mapping at the top level. Fix the file.")
    check_data(data, LEXICONS[name], path)
    return data


def _word(word: str) -> dict[str, Any]:
    if "@" in word.strip("@"):
        word, pos = word.rsplit("@", 1)
        return {**_word(word), "POS": pos}
    if word.startswith("="):
        return {"ORTH": word[1:]}
    options: list[str] = []
    for option in word.split("|"):
        options.append(option)
        # Typographic and typewriter apostrophes both occur in news copy.
        for plain, curly in (APOSTROPHES, APOSTROPHES[::-1]):
            if plain in option:
                options.append(option.replace(plain, curly))
    return {"LOWER": options[0]} if len(options) == 1 else {"LOWER": {"IN": options}}


def compile_phrase(phrase: str) -> CompiledPattern:
    """Turn "take|took *3 hostage" into a Matcher pattern (see triggers.yaml for the syntax)."""
    tokens: TokenPattern = []
    before = after = 0
    has_gap = False
    for word in str(phrase).split():
        if word.startswith("*") and (len(word) == 1 or word[1:].isdigit()):
            size = int(word[1:]) if len(word) > 1 else DEFAULT_GAP
            tokens.append({"POS": {"IN": list(GAP_POS)}, "OP": f"{{0,{size}}}"})
            has_gap = True
            continue
        tokens.append(_word(word))
        if has_gap:
            after += 1
        else:
            before += 1
    return CompiledPattern(tokens=tokens, before_gap=before, after_gap=after, has_gap=has_gap)


def _phrases(values: Any) -> tuple[CompiledPattern, ...]:
    return tuple(compile_phrase(str(value)) for value in values or ())


def _words(values: Any) -> frozenset[str]:
    return frozenset(str(value).lower() for value in values or ())


def _titles() -> frozenset[str]:
    """Single-word role titles (and the head word of longer ones) name persons."""
    try:
        data = _read(TITLES_FILE.parent, TITLES_FILE.name)
    except WatchfloorError:
        return frozenset()
    words: set[str] = set()
    for synonyms in (data.get("titles") or {}).values():
        for synonym in synonyms or ():
            words.add(_title_head(str(synonym)))
    return frozenset(words)


def _title_head(title: str) -> str:
    """The word of a title that names the person: the last one, or the last before "of" ("head
    of the embassy" is a head, not an embassy; "chief of staff" a chief)."""
    words = title.lower().split()
    if "of" in words[1:]:
        words = words[: words.index("of", 1)]
    return words[-1].rstrip(".")


def _check_entry(path: Path, number: int, entry: Any) -> None:
    """Catch a typo in a trigger entry at load time, naming the entry and the allowed values."""
    if not isinstance(entry, dict):
        raise WatchfloorError(f"{path}: trigger entry {number + 1} must be a mapping.")
    allowed = {"act": ACTS, "kind": TRIGGER_KINDS, "status": STATUSES}
    for key, values in allowed.items():
        value = entry.get(key)
        if (value is not None or key != "status") and value not in values:
            raise WatchfloorError(
                f"{path}: trigger entry {number + 1} has {key} {value!r}; "
                f"use one of {', '.join(values)}."
            )
    for kind in entry.get("targets") or ():
        if kind not in TARGET_KINDS:
            raise WatchfloorError(
                f"{path}: trigger entry {number + 1} lists target kind {kind!r}; "
                f"use {', '.join(TARGET_KINDS)}."
            )


@cache
def load_lexicon(directory: str = "") -> Lexicon:
    """Read the lexicon files once per folder ("" = the folder shipped with watchfloor)."""
    base = Path(directory) if directory else LEXICON_DIR
    triggers = _read(base, "triggers.yaml")
    status = _read(base, "status.yaml")
    attribution = _read(base, "attribution.yaml")
    filters = _read(base, "filters.yaml")
    targets = _read(base, "targets.yaml")
    methods = _read(base, "methods.yaml")
    article_end = _read(base, "article_end.yaml")
    syntax = _read(base, "syntax.yaml")
    entries = []
    for number, entry in enumerate(triggers.get("triggers") or ()):
        _check_entry(base / "triggers.yaml", number, entry)
        try:
            entries.append(
                TriggerEntry(
                    act=str(entry["act"]),
                    kind=str(entry["kind"]),
                    patterns=_phrases(entry["patterns"]),
                    status=entry.get("status"),
                    targets=frozenset(
                        entry.get("targets") or ("person", "group", "facility", "unknown")
                    ),
                    objects=_words(entry.get("objects")),
                    inherit=bool(entry.get("inherit", False)),
                    anaphoric=bool(entry.get("anaphoric", False)),
                )
            )
        except (KeyError, TypeError) as exc:
            raise WatchfloorError(
                f"{base / 'triggers.yaml'}: trigger entry {number + 1} lacks {exc}; "
                "each entry needs act, kind and patterns."
            ) from exc
    return Lexicon(
        triggers=tuple(entries),
        agent_verbs=_words(triggers.get("agent_verbs")),
        actor_modifiers=_words(triggers.get("actor_modifiers")),
        agent_complements=_words(triggers.get("agent_complements")),
        recipient_verbs=_words(triggers.get("recipient_verbs")),
        message_verbs=_words(triggers.get("message_verbs")),
        message_nouns=_words(triggers.get("message_nouns")),
        status_cues={k: _phrases(v) for k, v in (status.get("cues") or {}).items()},
        arrest_cues=_phrases(status.get("arrest_cues")),
        negations=_phrases(status.get("negations")),
        conditionals=_phrases(status.get("conditionals")),
        hypothetical_modals=_words(status.get("hypothetical_modals")),
        conditional_modals=_words(status.get("conditional_modals")),
        future_auxiliaries=_words(status.get("future_auxiliaries")),
        past_auxiliaries=_words(status.get("past_auxiliaries")),
        boundaries=_words(status.get("boundaries")),
        forward_statuses=_words(status.get("forward_statuses")),
        absences=_phrases(status.get("absences")),
        retractions=_phrases(status.get("retractions")),
        according_to=_phrases(attribution.get("according_to")),
        speech_verbs=_words(attribution.get("speech_verbs")),
        threat_speech=_words(attribution.get("threat_speech")),
        question_cues=_phrases(filters.get("question_cues")),
        hedges=_phrases(attribution.get("hedges")),
        figurative_phrases=_phrases(filters.get("figurative_phrases")),
        figurative_objects=_words(filters.get("figurative_objects")),
        non_agents=_words(filters.get("non_agents")),
        fiction_cues=_phrases(filters.get("fiction_cues")),
        sports_cues=_phrases(filters.get("sports_cues")),
        advice_cues=_phrases(filters.get("advice_cues")),
        person_nouns=_words(targets.get("person_nouns")) | _titles(),
        role_titles=_titles(),
        group_nouns=_words(targets.get("group_nouns")),
        facility_nouns=_words(targets.get("facility_nouns")),
        quantity_nouns=_words(targets.get("quantity_nouns")),
        person_pronouns=_words(targets.get("person_pronouns")),
        group_pronouns=_words(targets.get("group_pronouns")),
        non_targets=_words(targets.get("non_targets")),
        alternative_markers=_words(targets.get("alternative_markers")),
        entity_kinds={str(k): str(v) for k, v in (targets.get("entity_kinds") or {}).items()},
        methods=_phrases(methods.get("methods")),
        motives=_phrases(methods.get("motives")),
        article_end_markers=tuple(str(m) for m in article_end.get("markers") or ()),
        deps={str(k): _words(v) for k, v in syntax.items()},
    )
