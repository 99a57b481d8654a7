"""The schemas of the shipped data files: word lists, catalogs, markings, review wording.

Each class names the file it describes. Some stages keep the schema of their own configuration
beside its reader (`assess.config.AssessFile`, `warn.config.CasesFile`,
`warn.policy.DutyToWarnFile`, `warn.drafting.NoticeFile`, `extract.finder.config.FinderConfig`).
Lists of words may be missing (the readers fall back to none), so their fields default to
empty; what is present must have the right shape. `datafiles.load_yaml` reads a file through
its schema; tests/test_datafiles.py loads every shipped file through its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from watchfloor.datafiles import Schema

Words = tuple[str, ...]
WordGroups = dict[str, tuple[str, ...]]


# -- lexicons/ (extract) ---------------------------------------------------------------------


class TriggerEntry(Schema):
    act: str
    kind: str
    patterns: Words
    targets: Words = ()
    objects: Words = ()
    status: str | None = None
    inherit: bool = False
    anaphoric: bool = False


class TriggersLexicon(Schema):
    """lexicons/triggers.yaml."""

    agent_verbs: Words = ()
    agent_complements: Words = ()
    actor_modifiers: Words = ()
    recipient_verbs: Words = ()
    message_verbs: Words = ()
    message_nouns: Words = ()
    triggers: tuple[TriggerEntry, ...] = ()


class StatusLexicon(Schema):
    """lexicons/status.yaml."""

    cues: WordGroups = Field(default_factory=dict)
    arrest_cues: Words = ()
    negations: Words = ()
    conditionals: Words = ()
    absences: Words = ()
    retractions: Words = ()
    forward_statuses: Words = ()
    hypothetical_modals: Words = ()
    conditional_modals: Words = ()
    future_auxiliaries: Words = ()
    past_auxiliaries: Words = ()
    boundaries: Words = ()


class AttributionLexicon(Schema):
    """lexicons/attribution.yaml."""

    according_to: Words = ()
    speech_verbs: Words = ()
    hedges: Words = ()
    threat_speech: Words = ()


class FiltersLexicon(Schema):
    """lexicons/filters.yaml."""

    figurative_phrases: Words = ()
    non_agents: Words = ()
    figurative_objects: Words = ()
    fiction_cues: Words = ()
    sports_cues: Words = ()
    advice_cues: Words = ()
    question_cues: Words = ()


class TargetsLexicon(Schema):
    """lexicons/targets.yaml."""

    person_nouns: Words = ()
    group_nouns: Words = ()
    facility_nouns: Words = ()
    quantity_nouns: Words = ()
    person_pronouns: Words = ()
    group_pronouns: Words = ()
    non_targets: Words = ()
    alternative_markers: Words = ()
    entity_kinds: dict[str, str] = Field(default_factory=dict)


class MethodsLexicon(Schema):
    """lexicons/methods.yaml."""

    methods: Words = ()
    motives: Words = ()


class ArticleEndLexicon(Schema):
    """lexicons/article_end.yaml."""

    markers: Words = ()


class SyntaxLexicon(Schema):
    """lexicons/syntax.yaml: dependency labels by role (a role may be missing)."""

    model_config = Schema.model_config | {"extra": "allow"}

    subject: Words = ()
    object: Words = ()


class DatesLexicon(Schema):
    """lexicons/dates.yaml."""

    months: dict[str, int]
    weekdays: dict[str, int]
    seasons: Words
    numbers: dict[str, int]
    units: dict[str, int]
    phrases: WordGroups
    weekday_future: Words
    weekday_either: Words
    weekday_past: Words
    dateline: str


class TemporalPhrase(Schema):
    rule: str | None = None
    days: int | None = None
    patterns: Words | None = None


class TemporalLexicon(Schema):
    """lexicons/temporal.yaml (assess)."""

    seasons: dict[str, tuple[int, int]] | None = None
    months: dict[str, int] | None = None
    numbers: dict[str, int] | None = None
    units: dict[str, int] | None = None
    phrases: tuple[TemporalPhrase, ...] | None = None


class BehavioursLexicon(Schema):
    """lexicons/behaviours.yaml (assess)."""

    shorthands: dict[str, str] | None = None
    behaviours: dict[str, Words | None] | None = None
    escalation: dict[str, Words | None] | None = None
    de_escalation: dict[str, Words | None] | None = None


# -- roles/, actors/, link/, geo/ (link) ---------------------------------------------------------


class TitlesFile(Schema):
    """roles/titles.yaml."""

    titles: WordGroups = Field(default_factory=dict)
    honorifics: Words = ()
    former: Words = ()
    jurisdiction_prepositions: Words = ()
    organization_prepositions: Words = ()
    indefinite: Words = ()
    person_pronouns: Words = ()
    name_suffixes: Words = ()
    possessive_pronouns: Words = ()
    first_person: Words = ()
    second_person: Words = ()
    masculine: Words = ()
    feminine: Words = ()
    generic_persons: WordGroups = Field(default_factory=dict)
    associate_prepositions: Words = ()
    associates: Words = ()
    related_titles: WordGroups = Field(default_factory=dict)
    organization_nouns: WordGroups = Field(default_factory=dict)
    speech_verbs: Words = ()


class CatalogEntity(Schema):
    id: str
    name: str
    kind: str | None = None
    aliases: Words = ()
    codes: Words = ()
    parent: str | None = None


class EntitiesFile(Schema):
    """actors/entities.yaml: the actor catalog."""

    proxy_markers: Words = ()
    entities: list[CatalogEntity]


class GenericActorsFile(Schema):
    """actors/generic.yaml: words of generic actor mentions."""

    collectives: Words
    members: Words
    determiners: Words
    modifiers: Words
    distinct: Words
    group_kinds: Words


class Country(Schema):
    id: str
    name: str
    names: Words = ()
    codes: Words = ()
    demonyms: Words = ()
    capitals: Words = ()
    metonyms: Words = ()


class CountriesFile(Schema):
    """geo/countries.yaml: places for the link stage."""

    countries: list[Country]


class LinkConfidenceFile(Schema):
    """link/confidence.yaml: how sure each basis of a target link is, 0..1."""

    name: float
    alias: float
    apposition: float
    title_surname: float
    role: float
    surname: float
    pronoun: float
    surname_unconfirmed: float
    none: float


# -- markings/ (publish) ---------------------------------------------------------------------


class Level(Schema):
    code: str
    banner: str
    portion: str


class Control(Schema):
    name: str
    portion: str
    max_level: str | None = None
    min_level: str | None = None
    release: str = "none"
    conflicts: Words = ()
    widens: bool = False


class MarkingVocabularyFile(Schema):
    """markings/vocabulary.yaml."""

    own_country: str
    levels: list[Level]
    lowest_classified: str
    sci_systems: Words
    dissemination: list[Control]
    non_ic: list[Control]
    tlp: Words
    tlp_aliases: dict[str, str] = Field(default_factory=dict)


class MarkingCountriesFile(Schema):
    """markings/countries.yaml: trigraphs and tetragraphs for REL TO."""

    trigraphs: dict[str, str]
    tetragraphs: WordGroups


class RollupFile(Schema):
    """markings/rollup.yaml."""

    model_config = Schema.model_config | {"extra": "forbid"}

    unmarked_classified_blocks_rel_to: bool = True
    own_country_only_becomes_noforn: bool = True
    tlp_beside_classification: bool = True
    controls: dict[str, Literal["any", "all"]] | None = None


class AccessFile(Schema):
    """markings/access.yaml (or the one `watchfloor init --organization` writes)."""

    model_config = Schema.model_config | {"extra": "forbid"}

    own_organization: str | None = None
    client_organizations: Words | None = None
    community_organizations: Words | None = None


# -- publish/ ------------------------------------------------------------------------------


class _Judgement(Schema):
    title: str
    sentences: list[str]
    by_stage: dict[str, object]  # StageWords.from_data says what it needs


class _HarmWords(Schema):
    verb: str
    phrase: str
    done: str = ""


class ReviewFile(Schema):
    """data/publish/review.yaml: the wording and audiences of the review (docs/products.md)."""

    window_days: int
    audiences: list[str]
    judgement: _Judgement
    unknown_actor: str
    unknown_actor_title: str
    harm: dict[str, _HarmWords]
    reliability: dict[str, str]
    credibility: dict[int, str]
    effects: dict[str, str]


# -- nlp/, finder/, evaluation/ ----------------------------------------------------------------


class TokenizerFile(Schema):
    """nlp/tokenizer.yaml."""

    punctuation_runs: Words = ()
    hyphen_prefixes: Words = ()


class StatusWords(Schema):
    status: str
    words: Words


class BaselineFile(Schema):
    """evaluation/baseline.yaml: the keyword baseline the extractor is compared with."""

    acts: WordGroups
    status_words: list[StatusWords]
    past_tense_status: str
    default_status: str


# -- share/ ------------------------------------------------------------------------------------


class TlpFile(Schema):
    """share/tlp.yaml: the official TLP 2.0 marking-definition ids, and others' ids we accept."""

    extension: str
    created: str
    tlp2: dict[str, str]
    aliases: dict[str, str] = Field(default_factory=dict)


class ConfidenceBand(Schema):
    min: int
    grade: int


class ScalesFile(Schema):
    """share/scales.yaml: Admiralty credibility to STIX confidence and back, reliability words,
    resource levels by actor kind."""

    credibility_to_confidence: dict[int, int]
    confidence_to_credibility: list[ConfidenceBand]
    reliability: dict[str, str]
    resource_levels: dict[str, str | None] = Field(default_factory=dict)
