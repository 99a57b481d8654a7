"""The link stage: watchlist files, target linking by name, pronoun and role, actor entities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

import watchfloor.nlp
from watchfloor.errors import WatchfloorError, WatchlistError
from watchfloor.extract.records import TargetKind, TextSpan, ThreatStatement
from watchfloor.link import (
    ActorCatalog,
    ActorLink,
    Linker,
    Protectee,
    TargetLink,
    Watchlist,
    load_watchlist,
    statement_dates,
)
from watchfloor.warn.policy import DutyToWarnPolicy

HERE = Path(__file__).resolve().parent
WATCHLISTS = HERE / "data" / "watchlists"
REPO = HERE.parent
PUBLISHED = date(2020, 9, 15)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return watchfloor.nlp.load()


@pytest.fixture(scope="module")
def watchlist() -> Watchlist:
    return load_watchlist(WATCHLISTS / "protectees.yaml")


@pytest.fixture(scope="module")
def linker(watchlist: Watchlist, nlp: Language) -> Linker:
    return Linker(watchlist, nlp=nlp)


def span_of(text: str, phrase: str, occurrence: int = 0) -> TextSpan:
    """The `occurrence`-th whole-word occurrence of `phrase` in `text`."""
    padded = f" {text} "
    starts = [
        i
        for i in range(len(text))
        if text.startswith(phrase, i)
        and not padded[i].isalnum()
        and not padded[i + len(phrase) + 1].isalnum()
    ]
    assert len(starts) > occurrence, f"{phrase!r} not in the test text {occurrence + 1} times"
    start = starts[occurrence]
    return TextSpan(phrase, start, start + len(phrase))


def statement(
    text: str,
    target: str | None,
    actor: str | None = None,
    when: str | None = None,
    occurrence: int = 0,
    kind: TargetKind = "unknown",
) -> ThreatStatement:
    target_span = span_of(text, target, occurrence) if target else None
    evidence = target_span or TextSpan(text, 0, len(text))
    return ThreatStatement(
        act="kill",
        status="threatened",
        evidence=evidence,
        trigger=evidence,
        actor=span_of(text, actor) if actor else None,
        target=target_span,
        target_kind=kind,
        when=when,
    )


def link_one(linker: Linker, nlp: Language, text: str, target: str, **kwargs: object) -> TargetLink:
    published = kwargs.pop("published", PUBLISHED)
    assert isinstance(published, date)
    doc = nlp(text)
    st = statement(text, target, **kwargs)  # type: ignore[arg-type]
    return linker.link(doc, [st], published)[0][0]


# -- watchlist files ----------------------------------------------------------------------------


def test_yaml_watchlist_loads_every_field(watchlist: Watchlist) -> None:
    assert [p.id for p in watchlist.protectees] == [
        "nora-castell",
        "peter-hale",
        "omar-saleh",
        "dana-whitfield",
        "rosa-vance",
    ]
    castell = watchlist["nora-castell"]
    assert castell.name == "Nora Castell"
    assert castell.aliases == ("Ambassador Castell", "N. Castell")
    role = castell.roles[0]
    assert (role.title, role.organization, role.jurisdiction) == (
        "Ambassador",
        "United States",
        "South Africa",
    )
    assert (role.since, role.until) == (date(2019, 11, 1), date(2021, 1, 20))
    assert castell.notify is not None and castell.notify.email == "security@example.org"
    assert len(watchlist["peter-hale"].roles) == 2
    assert watchlist.get("nobody") is None
    assert "omar-saleh" in watchlist and "nobody" not in watchlist
    assert len(watchlist) == 5


def test_csv_watchlist_equals_yaml(watchlist: Watchlist) -> None:
    from_csv = load_watchlist(WATCHLISTS / "protectees.csv")
    assert from_csv.protectees == watchlist.protectees


def test_empty_watchlist() -> None:
    empty = Watchlist.empty()
    assert empty.protectees == [] and len(empty) == 0


def test_empty_yaml_file_is_an_empty_watchlist(tmp_path: Path) -> None:
    path = tmp_path / "none.yaml"
    path.write_text("protectees: []\n", encoding="utf-8")
    assert load_watchlist(path).protectees == []


GOOD_ROLE = "{title: Ambassador, since: 2019-11-01, until: 2021-01-20}"
CSV_HEADER = "id,name,aliases,role_title,role_since,role_until\n"

BAD_FILES = [
    pytest.param(
        "dup.yaml",
        "protectees:\n  - {id: ann, name: Ann One}\n  - {id: ann, name: Ann Two}\n",
        ["entry ann", "field id", "duplicate"],
        id="yaml-duplicate-id",
    ),
    pytest.param(
        "date.yaml",
        "protectees:\n  - {id: ann, name: Ann, roles: [{title: Mayor, since: 2019-13-40}]}\n",
        ["entry ann", "roles.0.since", "bad date", "YYYY-MM-DD"],
        id="yaml-bad-date",
    ),
    pytest.param(
        "number.yaml",
        "protectees:\n  - {id: ann, name: Ann, roles: [{title: Mayor, until: 2019}]}\n",
        ["entry ann", "roles.0.until", "bad date"],
        id="yaml-year-is-not-a-date",
    ),
    pytest.param(
        "order.yaml",
        "protectees:\n  - {id: ann, name: Ann, roles: [{title: Mayor, since: 2021-01-01,"
        " until: 2020-01-01}]}\n",
        ["entry ann", "roles.0", "until (2020-01-01) is before since (2021-01-01)"],
        id="yaml-until-before-since",
    ),
    pytest.param(
        "unknown.yaml",
        f"protectees:\n  - {{id: ann, name: Ann, nickname: A, roles: [{GOOD_ROLE}]}}\n",
        ["entry ann", "field nickname", "unknown field"],
        id="yaml-unknown-field",
    ),
    pytest.param(
        "unknown_role.yaml",
        "protectees:\n  - {id: ann, name: Ann, roles: [{title: Mayor, city: Oslo}]}\n",
        ["entry ann", "roles.0.city", "unknown field"],
        id="yaml-unknown-role-field",
    ),
    pytest.param(
        "noname.yaml",
        "protectees:\n  - {id: ann}\n",
        ["entry ann", "field name", "missing"],
        id="yaml-missing-name",
    ),
    pytest.param(
        "noid.yaml",
        "protectees:\n  - {id: ann, name: Ann}\n  - {name: Bob}\n",
        ["entry #2", "field id", "missing"],
        id="yaml-missing-id",
    ),
    pytest.param(
        "broken.yaml",
        "protectees:\n  - {id: ann, name: [Ann\n",
        ["not valid YAML"],
        id="yaml-unreadable",
    ),
    pytest.param(
        "shape.yaml",
        "- id: ann\n  name: Ann\n",
        ["'protectees' list"],
        id="yaml-not-a-mapping",
    ),
    pytest.param(
        "dup.csv",
        CSV_HEADER + "ann,Ann One,,,,\nann,Ann Two,,,,\n",
        ["entry ann (row 3)", "field id", "duplicate"],
        id="csv-duplicate-id",
    ),
    pytest.param(
        "date.csv",
        CSV_HEADER + "ann,Ann,,Mayor,01/02/2020,\n",
        ["entry ann (row 2)", "roles.0.since", "bad date"],
        id="csv-bad-date",
    ),
    pytest.param(
        "order.csv",
        CSV_HEADER + "ann,Ann,,Mayor,2021-01-01,2020-01-01\n",
        ["entry ann (row 2)", "until (2020-01-01) is before since"],
        id="csv-until-before-since",
    ),
    pytest.param(
        "unknown.csv",
        "id,name,nickname\nann,Ann,A\n",
        ["field nickname", "unknown column"],
        id="csv-unknown-column",
    ),
    pytest.param(
        "noname.csv",
        CSV_HEADER + "ann,,,Mayor,2020-01-01,\n",
        ["entry ann (row 2)", "field name", "missing name"],
        id="csv-missing-name",
    ),
    pytest.param(
        "noid.csv",
        CSV_HEADER + "ann,Ann,,,,\n,Bob,,,,\n",
        ["entry row 3", "field id", "missing id"],
        id="csv-missing-id",
    ),
    pytest.param(
        "continuation.csv",
        CSV_HEADER + "ann,Ann,,Mayor,2020-01-01,\nann,,Annie,Judge,2021-01-01,\n",
        ["entry ann (row 3)", "field aliases", "continuation row"],
        id="csv-continuation-row-with-alias",
    ),
    pytest.param(
        "broken.csv",
        CSV_HEADER + 'ann,"Ann"x,,,,\n',
        ["unreadable CSV"],
        id="csv-unreadable",
    ),
    pytest.param(
        "list.txt",
        "ann\n",
        ["unknown watchlist format .txt"],
        id="unknown-extension",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES)
def test_invalid_watchlists_name_file_entry_and_field(
    tmp_path: Path, name: str, content: str, expected: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message


def test_missing_watchlist_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(WatchlistError, match="file not found") as caught:
        load_watchlist(path)
    assert str(path) in str(caught.value)


def test_duplicate_ids_rejected_in_memory_too() -> None:
    ann = Protectee(id="ann", name="Ann")
    with pytest.raises(WatchlistError, match="duplicate id"):
        Watchlist([ann, ann])


def test_statement_dates() -> None:
    assert statement_dates("2020-09", PUBLISHED) == (date(2020, 9, 1), date(2020, 9, 30))
    assert statement_dates("2020-01-08", PUBLISHED) == (date(2020, 1, 8), date(2020, 1, 8))
    # A year alone is the whole year.
    assert statement_dates("2020", PUBLISHED) == (date(2020, 1, 1), date(2020, 12, 31))
    assert statement_dates("2020-13", PUBLISHED) == (PUBLISHED, PUBLISHED)
    assert statement_dates(None, PUBLISHED) == (PUBLISHED, PUBLISHED)


# -- names, aliases, surnames, titles, pronouns ---------------------------------------------------

STORY = (
    "Nora Castell toured a school outside Durban on Tuesday. "
    "Police said a man had boasted online that he would shoot Castell at the ceremony. "
    "Ambassador Castell was moved to a safe house. "
    "Hours later a second account threatened to kidnap her as well. "
    "Separately, a caller vowed to attack Gen. Whitfield when Dana Whitfield visits the base. "
    "Investigators believe the caller also wanted to kill him. "
    "A blogger named Marcus Dorn said he would harm Dorn's rivals, and a teacher threatened Dorn."
)


@pytest.fixture(scope="module")
def story(nlp: Language) -> Doc:
    return nlp(STORY)


def test_name_alias_surname_and_pronoun(linker: Linker, story: Doc) -> None:
    statements = [
        statement(STORY, "Nora Castell"),
        statement(STORY, "Castell", occurrence=1),
        statement(STORY, "Ambassador Castell"),
        statement(STORY, "her"),
    ]
    links = [target for target, _ in linker.link(story, statements, PUBLISHED)]
    assert [(t.protectee, t.method) for t in links] == [
        ("nora-castell", "name"),
        ("nora-castell", "surname"),
        ("nora-castell", "alias"),
        ("nora-castell", "pronoun"),
    ]
    assert all(t.person_named for t in links)


def test_title_surname_and_pronoun_follow_the_last_person_named(linker: Linker, story: Doc) -> None:
    whitfield_title, him = linker.link(
        story, [statement(STORY, "Gen. Whitfield"), statement(STORY, "him")], PUBLISHED
    )
    # "Gen. Whitfield" comes before the full name: the title and the unique watchlisted surname
    # are not enough (her role is Commander, not General), so it must stay unlinked...
    assert whitfield_title[0].protectee is None
    # ...but "him" follows "Dana Whitfield", the last person named.
    assert (him[0].protectee, him[0].method) == ("dana-whitfield", "pronoun")


@pytest.mark.parametrize("titled", ["Commander Whitfield", "Gen. Whitfield", "Ms Whitfield"])
def test_title_surname_after_the_full_name(linker: Linker, nlp: Language, titled: str) -> None:
    text = (
        "Dana Whitfield flew to Doha. Two days later an officer threatened to kill "
        f"{titled} during the visit."
    )
    target = link_one(linker, nlp, text, titled)
    assert (target.protectee, target.method) == ("dana-whitfield", "title_surname")


def test_unlisted_person_is_named_but_not_linked(linker: Linker, story: Doc) -> None:
    (surname, _), (full, _) = linker.link(
        story, [statement(STORY, "Dorn", occurrence=1), statement(STORY, "Marcus Dorn")], PUBLISHED
    )
    assert surname == TargetLink(None, "none", None, True)
    assert full == TargetLink(None, "none", None, True)


def test_lowercase_text_still_matches_names(linker: Linker, nlp: Language) -> None:
    text = "the group posted that it would kill nora castell before the summit."
    target = link_one(linker, nlp, text, "nora castell")
    assert (target.protectee, target.method) == ("nora-castell", "name")


def test_surname_alone_without_earlier_name_is_not_linked(linker: Linker, nlp: Language) -> None:
    text = "The gang threatened to kill Castell, a shopkeeper in the old town."
    assert link_one(linker, nlp, text, "Castell").protectee is None


def test_results_follow_statement_order_and_missing_targets(linker: Linker, story: Doc) -> None:
    statements = [
        statement(STORY, "Ambassador Castell"),
        statement(STORY, None),
        statement(STORY, "Nora Castell"),
    ]
    links = linker.link(story, statements, PUBLISHED)
    assert [t.protectee for t, _ in links] == ["nora-castell", None, "nora-castell"]
    assert links[1] == (TargetLink(None), ActorLink(None))


# -- roles ---------------------------------------------------------------------------------------

ROLE_TEXT = "Militants said they would assassinate {phrase} if the talks failed."


def role_link(
    linker: Linker, nlp: Language, phrase: str, when: str | None = None, **kwargs: object
) -> TargetLink:
    return link_one(linker, nlp, ROLE_TEXT.format(phrase=phrase), phrase, when=when, **kwargs)


@pytest.mark.parametrize(
    "phrase",
    [
        "the American ambassador to South Africa",
        "Washington's envoy in Pretoria",
        "the US envoy to South Africa",
        "the U.S. ambassador in Cape Town",
        "the ambassador of the United States to South Africa",
        "America's envoy to the Republic of South Africa",
    ],
)
def test_role_phrase_variants_link_to_the_holder(
    linker: Linker, nlp: Language, phrase: str
) -> None:
    target = role_link(linker, nlp, phrase, when="2020-06")
    assert (target.protectee, target.method) == ("nora-castell", "role")
    assert target.role == "Ambassador of United States in South Africa"
    assert target.person_named


def test_role_holder_depends_on_the_statement_date(linker: Linker, nlp: Language) -> None:
    phrase = "the US ambassador to South Africa"
    assert role_link(linker, nlp, phrase, when="2020-06").protectee == "nora-castell"
    assert role_link(linker, nlp, phrase, when="2021-05-10").protectee == "peter-hale"
    # Between the two terms nobody held the post.
    vacant = role_link(linker, nlp, phrase, when="2021-02-10")
    assert vacant.protectee is None and vacant.method == "none"
    # A post is not a name: only a protectee or a person the report names is identifiable
    # (docs/evaluation.md, duty_to_warn).
    assert not vacant.person_named
    # A year alone: a holder during that year, the latest of successive ones.
    assert role_link(linker, nlp, phrase, when="2020").protectee == "nora-castell"
    assert role_link(linker, nlp, phrase, when="2021").protectee == "peter-hale"
    later = role_link(linker, nlp, phrase, published=date(2022, 1, 3))
    assert later.protectee == "peter-hale"


def test_former_role_holder(linker: Linker, nlp: Language) -> None:
    phrase = "the former US ambassador to South Africa"
    assert role_link(linker, nlp, phrase, when="2021-05").protectee == "nora-castell"
    assert role_link(linker, nlp, phrase, when="2020-05").protectee is None
    text = (
        "Nora Castell left Pretoria in January. In March a militia threatened to kill "
        "the former ambassador."
    )
    target = link_one(linker, nlp, text, "the former ambassador", when="2021-03")
    assert (target.protectee, target.method) == ("nora-castell", "role")
    # A bare title with no one of that title named before it links to nobody.
    text = "In March a militia threatened to kill the former ambassador."
    assert link_one(linker, nlp, text, "the former ambassador", when="2021-03").protectee is None


def test_organization_is_not_jurisdiction(linker: Linker, nlp: Language) -> None:
    theirs = role_link(linker, nlp, "the South African ambassador to the US", when="2020-06")
    assert theirs.protectee == "omar-saleh"
    ours = role_link(linker, nlp, "the American ambassador to South Africa", when="2020-06")
    assert ours.protectee == "nora-castell"
    pretoria = role_link(linker, nlp, "Pretoria's envoy in Washington", when="2020-06")
    assert pretoria.protectee == "omar-saleh"


def test_head_of_an_organization(linker: Linker, nlp: Language) -> None:
    for phrase in (
        "the head of US Central Command",
        "the commander of CENTCOM",
        "the chief of Central Command",
    ):
        target = role_link(linker, nlp, phrase, when="2020-02")
        assert (target.protectee, target.method) == ("dana-whitfield", "role"), phrase
    # Before her term began the post was not hers.
    assert (
        role_link(linker, nlp, "the head of US Central Command", when="2018-05").protectee is None
    )


def test_jurisdiction_only_role_accepts_either_phrasing(linker: Linker, nlp: Language) -> None:
    assert role_link(linker, nlp, "the governor of Texas", when="2020-06").protectee == "rosa-vance"


def test_other_posts_and_vague_phrases_do_not_link(linker: Linker, nlp: Language) -> None:
    for phrase in (
        "the US ambassador to Kenya",
        "the US ambassador to the United Nations",
        "the Saudi ambassador to South Africa",
    ):
        target = role_link(linker, nlp, phrase, when="2020-06")
        assert target.protectee is None, phrase
        assert not target.person_named, phrase
    # An indefinite title is no one in particular.
    vague = role_link(linker, nlp, "an American ambassador", when="2020-06")
    assert vague.protectee is None and not vague.person_named


def test_second_role_of_the_same_person(linker: Linker, nlp: Language) -> None:
    target = role_link(linker, nlp, "the American consul in Nairobi", when="2017-02")
    assert target.protectee == "peter-hale"


@pytest.mark.parametrize(
    ("phrase", "kind", "named"),
    [
        ("Saudi Arabia's ambassador to the United States", "person", False),
        ("US troops", "group", False),
        ("diplomats", "group", False),
        ("civilians", "group", False),
        ("the US embassy", "facility", False),
        ("Peter Lindqvist", "person", True),
    ],
)
def test_person_named(
    linker: Linker, nlp: Language, phrase: str, kind: TargetKind, named: bool
) -> None:
    target = role_link(linker, nlp, phrase, when="2020-06", kind=kind)
    assert target.protectee is None
    assert target.person_named is named


# -- references: bare titles, possessives, carriers, appositions, pronouns ------------------------


def _protectee(pid: str, name: str, *roles: dict[str, str]) -> Protectee:
    return Protectee.model_validate({"id": pid, "name": name, "roles": list(roles)})


@pytest.fixture(scope="module")
def wide(nlp: Language) -> Linker:
    """A watchlist with posts of several kinds; two people hold the French embassy in Chad."""
    return Linker(
        Watchlist(
            [
                _protectee(
                    "hugo-marlow",
                    "Hugo Marlow",
                    {
                        "title": "Ambassador",
                        "organization": "United Kingdom",
                        "jurisdiction": "Ghana",
                        "since": "2020-01-01",
                    },
                ),
                _protectee(
                    "ines-falk",
                    "Ines Falk",
                    {
                        "title": "Mayor",
                        "organization": "City of Uppsala",
                        "jurisdiction": "Uppsala",
                        "since": "2019-01-01",
                    },
                ),
                _protectee(
                    "petra-lind",
                    "Petra Lind",
                    {
                        "title": "Senator",
                        "organization": "United States Senate",
                        "jurisdiction": "Vermont",
                        "since": "2015-01-03",
                    },
                ),
                _protectee(
                    "ana-ruiz",
                    "Ana Ruiz",
                    {
                        "title": "Ambassador",
                        "organization": "France",
                        "jurisdiction": "Chad",
                        "since": "2018-01-01",
                        "until": "2022-06-30",
                    },
                ),
                _protectee(
                    "bo-ekland",
                    "Bo Ekland",
                    {
                        "title": "Ambassador",
                        "organization": "France",
                        "jurisdiction": "Chad",
                        "since": "2022-07-01",
                    },
                ),
                _protectee(
                    "clara-beaumont",
                    "Clara Beaumont",
                    {
                        "title": "Editor",
                        "organization": "The Harbour Gazette",
                        "since": "2016-05-01",
                    },
                ),
            ]
        ),
        nlp=nlp,
    )


DAY = date(2023, 6, 1)


def wide_link(
    linker: Linker, nlp: Language, text: str, target: str, occurrence: int = 0, **kwargs: object
) -> TargetLink:
    return link_one(linker, nlp, text, target, occurrence=occurrence, published=DAY, **kwargs)


def test_bare_title_refers_to_the_protectee_reached_earlier(wide: Linker, nlp: Language) -> None:
    text = (
        "Gunmen in Accra shouted threats at the British ambassador to Ghana on Monday. "
        "A day later a caller said the ambassador would be shot."
    )
    target = wide_link(wide, nlp, text, "the ambassador")
    assert (target.protectee, target.method, target.person_named) == ("hugo-marlow", "role", True)
    # "High commissioner" is a title of the same post.
    text = "Hugo Marlow flew to Kumasi. A gang had planned to seize the high commissioner there."
    assert wide_link(wide, nlp, text, "the high commissioner").protectee == "hugo-marlow"
    # A title nobody on the list holds does not borrow the last protectee.
    text = "Hugo Marlow flew to Kumasi. A gang had planned to seize the senator there."
    assert wide_link(wide, nlp, text, "the senator").protectee is None


def test_bare_title_introduced_just_after(wide: Linker, nlp: Language) -> None:
    text = (
        "A man was held at the gate after he swore he would kill the ambassador. "
        "The French ambassador was in Abeche that day."
    )
    # On the publication date the post is Ekland's, not his predecessor's.
    assert wide_link(wide, nlp, text, "the ambassador").protectee == "bo-ekland"


def test_generic_person_noun_refers_back(wide: Linker, nlp: Language) -> None:
    text = (
        "Police in Accra arrested two men over a plot against the British ambassador to Ghana. "
        "They had trailed the diplomat for a month."
    )
    assert wide_link(wide, nlp, text, "the diplomat").protectee == "hugo-marlow"
    text = (
        "Police in Accra arrested two men over a plot against the British ambassador to Ghana. "
        "They had trailed a diplomat for a month."
    )
    assert wide_link(wide, nlp, text, "a diplomat").protectee is None


@pytest.mark.parametrize(
    ("text", "target", "method"),
    [
        (
            "Ines Falk opened the fair. Vandals later tried to burn the mayor's house.",
            "the mayor's house",
            "role",
        ),
        (
            "A drone was flown over Ines Falk's summer cabin twice.",
            "Ines Falk's summer cabin",
            "name",
        ),
        ("Ines Falk said a stranger had filmed her office for weeks.", "her office", "pronoun"),
        (
            "Someone asked online for the private email address of Petra Lind.",
            "the private email address of Petra Lind",
            "name",
        ),
        (
            "The defendant had typed Petra Lind home address into a search engine.",
            "Petra Lind home address",
            "name",
        ),
        (
            "The cell had mapped the British ambassador to Ghana's morning runs.",
            "the British ambassador to Ghana's morning runs",
            "role",
        ),
    ],
)
def test_a_place_or_thing_of_a_person_is_that_person(
    wide: Linker, nlp: Language, text: str, target: str, method: str
) -> None:
    link = wide_link(wide, nlp, text, target)
    assert (link.protectee, link.method, link.person_named)[1:] == (method, True)
    assert link.protectee in ("ines-falk", "petra-lind", "hugo-marlow")


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Ines Falk opened the fair. Someone later punched the mayor's driver.",
            "the mayor's driver",
        ),
        ("An aide to Ines Falk was threatened outside the town hall.", "An aide to Ines Falk"),
        ("Ines Falk said a man had threatened to kill her bodyguard.", "her bodyguard"),
    ],
)
def test_people_around_a_protectee_are_someone_else(
    wide: Linker, nlp: Language, text: str, target: str
) -> None:
    assert wide_link(wide, nlp, text, target) == TargetLink(None)


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "A man offered cash to shoot a mayor in Sweden. The mayor, Ines Falk, was unhurt.",
            "a mayor in Sweden",
            TargetLink("ines-falk", "apposition", None, True),
        ),
        (
            "A man offered cash to kill a judge in Ohio. The judge, Mira Stone, was unhurt.",
            "a judge in Ohio",
            TargetLink(None, "none", None, True),
        ),
        # Named later, but not in apposition: the role phrase may be someone else.
        (
            "A man offered cash to kill a judge in Ohio. Later Judge Mira Stone spoke.",
            "a judge in Ohio",
            TargetLink(None, "none", "judge in ohio", False),
        ),
        # A hedged guess at a role is no name.
        (
            "A cell weighed seizing a senior diplomat, possibly the British ambassador to Ghana.",
            "a senior diplomat",
            TargetLink(None, "none", "senior-diplomat", False),
        ),
    ],
)
def test_an_indefinite_role_is_the_person_named_in_apposition_to_it(
    wide: Linker, nlp: Language, text: str, target: str, expected: TargetLink
) -> None:
    assert wide_link(wide, nlp, text, target) == expected


@pytest.mark.parametrize(
    ("text", "target", "named"),
    [
        # The target as given stops short of the associate in front of it.
        ("A bodyguard of Mayor Falk was shoved to the ground at the market.", "Mayor Falk", False),
        (
            "Two staffers for Senator Lind were followed home from the office.",
            "Senator Lind",
            False,
        ),
        ("A driver to Ines Falk, Tom Berg, was threatened at the depot.", "Ines Falk", True),
    ],
)
def test_an_associate_before_a_truncated_target_is_the_target(
    wide: Linker, nlp: Language, text: str, target: str, named: bool
) -> None:
    link = wide_link(wide, nlp, text, target)
    assert (link.protectee, link.person_named) == (None, named)


def test_a_name_after_a_preposition_without_an_associate_is_still_the_person(
    wide: Linker, nlp: Language
) -> None:
    text = "A parcel to Mayor Falk was found to contain a threat."
    assert wide_link(wide, nlp, text, "Mayor Falk").protectee == "ines-falk"


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Ines Falk opened the library. A blogger posted the path the mayor jogs every morning.",
            "the path",
        ),
        ("Ines Falk moved last year. A man photographed the house she rents in town.", "the house"),
    ],
)
def test_a_thing_given_without_its_relative_clause_is_the_clause_subject(
    wide: Linker, nlp: Language, text: str, target: str
) -> None:
    assert wide_link(wide, nlp, text, target).protectee == "ines-falk"


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Ines Falk opened the library. A blogger posted the path the mayor's driver takes.",
            "the path",
        ),
        (
            "Ines Falk spoke. Later a man photographed the house the aide rents in town.",
            "the house",
        ),
        ("Ines Falk spoke. A man filmed the gate. The mayor said nothing.", "the gate"),
    ],
)
def test_a_thing_described_by_someone_else_is_not_the_protectee(
    wide: Linker, nlp: Language, text: str, target: str
) -> None:
    assert wide_link(wide, nlp, text, target).protectee is None


def test_carriers_lead_to_the_person_inside(wide: Linker, nlp: Language) -> None:
    text = "Rebels planned to ambush a convoy carrying the British ambassador to Ghana."
    link = wide_link(wide, nlp, text, "a convoy carrying the British ambassador to Ghana")
    assert (link.protectee, link.method) == ("hugo-marlow", "role")
    text = "Clara Beaumont filed her column. That night someone set fire to the car of the editor."
    assert wide_link(wide, nlp, text, "the car of the editor").protectee == "clara-beaumont"


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "SOURCES SAY GUNMEN PLAN TO AMBUSH THE FRENCH AMBASSADOR TO CHAD NEAR THE BORDER.",
            "THE FRENCH AMBASSADOR TO CHAD",
        ),
        (
            "Police said a man had threatened the french ambassador to chad by phone.",
            "the french ambassador to chad",
        ),
        ("a caller said he would stab the french envoy in n'djamena", "the french envoy"),
    ],
)
def test_role_phrases_in_any_case(wide: Linker, nlp: Language, text: str, target: str) -> None:
    assert wide_link(wide, nlp, text, target).protectee == "bo-ekland"


def test_lowercase_country_code_only_before_a_title(linker: Linker, nlp: Language) -> None:
    text = "flash: militants vow to shoot the us ambassador to south africa. no further details"
    target = link_one(linker, nlp, text, "the us ambassador to south africa", when="2020-06")
    assert target.protectee == "nora-castell"
    # After a preposition of a role phrase too: South Africa's envoy to the US is Saleh.
    text = "flash: a caller threatened the south african envoy to the us. embassy informed"
    mirror = link_one(linker, nlp, text, "the south african envoy to the us", when="2020-06")
    assert mirror.protectee == "omar-saleh"


def test_year_only_dates_pick_the_holder_of_that_year(wide: Linker, nlp: Language) -> None:
    text = "In 2022, police foiled a plot to kill the French ambassador to Chad."
    phrase = "the French ambassador to Chad"
    assert wide_link(wide, nlp, text, phrase, when="2021").protectee == "ana-ruiz"
    # Both held the post in 2022: the latest one.
    assert wide_link(wide, nlp, text, phrase, when="2022").protectee == "bo-ekland"
    text = "In March 2021 a gang had watched the then French ambassador in N'Djamena."
    then = wide_link(wide, nlp, text, "the then French ambassador in N'Djamena", when="2021-03")
    assert then.protectee == "ana-ruiz"


def test_a_name_in_apposition_outranks_the_role(wide: Linker, nlp: Language) -> None:
    text = (
        "In 2021 a plot to kill the French ambassador at the time, Ana Ruiz, was broken up "
        "by police."
    )
    # Read by role alone the post on the statement's date would be Ekland's.
    link = wide_link(wide, nlp, text, "the French ambassador", when="2023-01")
    assert (link.protectee, link.method) == ("ana-ruiz", "apposition")
    text = "The Harbour Gazette said its editor, Clara Beaumont, had been followed home."
    link = wide_link(wide, nlp, text, "its editor")
    assert (link.protectee, link.method) == ("clara-beaumont", "apposition")


@pytest.mark.parametrize(
    ("text", "target", "named"),
    [
        (
            "A drunk guest threatened to stab a waiter who refused him. The waiter, Lars Holm, "
            "was unhurt.",
            "a waiter",
            True,
        ),
        (
            "A drunk guest threatened to stab a waiter who refused him. Nobody was hurt.",
            "a waiter",
            False,
        ),
        (
            "A man vowed to shoot the tenant, his former business partner, Mia Sandberg.",
            "the tenant",
            True,
        ),
        (
            "Relatives said the kidnappers had threatened to kill him. The trader, Obi Nnamdi, "
            "was taken from his shop.",
            "him",
            True,
        ),
        (
            "He said he had been told to shoot the governor of a northern province.",
            "the governor of a northern province",
            False,
        ),
        (
            "A man was charged with plotting to kill his business partner.",
            "his business partner",
            False,
        ),
    ],
)
def test_person_named_by_apposition_or_next_sentence(
    wide: Linker, nlp: Language, text: str, target: str, named: bool
) -> None:
    link = wide_link(wide, nlp, text, target)
    assert link.protectee is None
    assert link.person_named is named


def test_role_of_another_place_is_not_the_named_holder(wide: Linker, nlp: Language) -> None:
    text = (
        "Senator Petra Lind spoke in Burlington. Last year a man was jailed for plotting to "
        "seize the senator of a neighbouring state."
    )
    target = wide_link(wide, nlp, text, "the senator of a neighbouring state")
    assert target.protectee is None


def test_pronouns_prefer_gender_agreement(wide: Linker, nlp: Language) -> None:
    text = (
        "Ines Falk met Mr. Tam Rooke at the harbour office. "
        "A week later a caller threatened to kill her."
    )
    link = wide_link(wide, nlp, text, "her")
    assert (link.protectee, link.method) == ("ines-falk", "pronoun")
    text = "Ines Falk met Mr. Tam Rooke at the harbour office. A caller threatened to kill him."
    link = wide_link(wide, nlp, text, "him")
    assert link.protectee is None and link.person_named


def test_first_and_second_person_in_quotes_and_interviews(wide: Linker, nlp: Language) -> None:
    text = 'Asked about threats, Ines Falk said gangs had "put my name on a list".'
    assert wide_link(wide, nlp, text, "my name").protectee == "ines-falk"
    text = 'After the vote Ines Falk got a letter: "we know where you sleep".'
    assert wide_link(wide, nlp, text, "you").protectee == "ines-falk"
    text = "Q: Were you threatened? INES FALK: Yes. A man said he would stab me."
    assert wide_link(wide, nlp, text, "me").protectee == "ines-falk"
    # Outside quotes and transcripts "you" is the reader, nobody on the list.
    text = "Ines Falk spoke first. If you are threatened, call the police."
    assert wide_link(wide, nlp, text, "you").protectee is None


def test_surname_alone_confirmed_by_a_title_of_its_owner(wide: Linker, nlp: Language) -> None:
    text = "A letter said Falk would be next. The mayor has been given a guard."
    link = wide_link(wide, nlp, text, "Falk")
    assert (link.protectee, link.method) == ("ines-falk", "surname")
    # Without a title of hers the surname is still hers alone, but only as a weak link: the
    # duty to warn does not count it as making the target identifiable by itself.
    text = "A letter said Falk would be next. The baker has been given a guard."
    link = wide_link(wide, nlp, text, "Falk")
    assert (link.protectee, link.method) == ("ines-falk", "surname_unconfirmed")
    assert link.confidence < DutyToWarnPolicy.load().min_link_confidence


def test_first_of_coordinated_targets(wide: Linker, nlp: Language) -> None:
    text = "Ines Falk opened the fair. A man threatened the mayor and her deputy."
    assert wide_link(wide, nlp, text, "the mayor and her deputy").protectee == "ines-falk"


def test_large_watchlist_costs_about_the_same(nlp: Language) -> None:
    """Role and name lookups are indexed: 20,000 protectees do not slow a document down."""
    import time

    def protectees(n: int) -> list[Protectee]:
        return [
            _protectee(
                f"p{i}",
                f"Person{i} Surname{i}",
                {"title": "Ambassador", "organization": "France", "jurisdiction": f"Land{i}"},
            )
            for i in range(n)
        ]

    text = (
        "Hugo Marlow flew to Kumasi. The French ambassador to Chad said a gang had mapped "
        "her route, and the diplomat asked for the car of the editor to be checked. "
    ) * 5
    doc = nlp(text)
    st = statement(text, "her route")

    def cost(linker: Linker) -> float:
        linker.link(doc, [st], DAY)  # builds the matchers
        begin = time.perf_counter()
        for _ in range(20):
            linker.link(doc, [st] * 5, DAY)
        return time.perf_counter() - begin

    small = cost(Linker(Watchlist(protectees(10)), nlp=nlp))
    large = cost(Linker(Watchlist(protectees(20_000)), nlp=nlp))
    assert large < small * 1.5 + 0.05


# -- actors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "lineage"),
    [
        ("The Iranian government", ("Iran",)),
        ("Iran's regime", ("Iran",)),
        ("Tehran", ("Iran",)),
        ("the Islamic Republic", ("Iran",)),
        ("the US", ("United States",)),
        ("Washington", ("United States",)),
        ("Iran's Quds Force", ("Quds Force", "IRGC", "Iran")),
        ("the Islamic Revolutionary Guard Corps", ("IRGC", "Iran")),
        ("the Revolutionary Guards", ("IRGC", "Iran")),
        ("Islamic State", ("ISIS",)),
        ("Daesh", ("ISIS",)),
        ("Isis", ("ISIS",)),
        ("Hezbollah", ("Hezbollah",)),
        ("Hamas", ("Hamas",)),
        ("al-Qaeda", ("al-Qaeda",)),
        ("al-Shabaab", ("al-Shabaab",)),
        ("the Taliban", ("Taliban",)),
        ("the Houthis", ("Houthis",)),
        ("the Wagner Group", ("Wagner Group",)),
        ("Russia's GRU", ("GRU", "Russia")),
        ("the FSB", ("FSB", "Russia")),
        ("China's Ministry of State Security", ("MSS", "China")),
        ("Moscow", ("Russia",)),
        ("Pakistani agents", ("Pakistan",)),
    ],
)
def test_actor_normalization(linker: Linker, nlp: Language, actor: str, lineage: tuple) -> None:
    text = f"Officials said {actor} had threatened to kill the envoy."
    doc = nlp(text)
    _, link = linker.link(doc, [statement(text, "the envoy", actor=actor)], PUBLISHED)[0]
    assert link == ActorLink(lineage[0], lineage)


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("A note taped to the gate threatened to kill the envoy.", "A note"),
        ("Detectives said a man had planned to shoot the envoy.", "Detectives"),
        ("In Pretoria, police foiled a plot to kill the envoy.", "police"),
    ],
)
def test_investigators_and_messages_are_no_entity(
    linker: Linker, nlp: Language, text: str, actor: str
) -> None:
    doc = nlp(text)
    _, link = linker.link(doc, [statement(text, "the envoy", actor=actor)], PUBLISHED)[0]
    assert link == ActorLink(None)


def test_proxy_is_not_its_sponsor(linker: Linker, nlp: Language) -> None:
    text = "Iranian-backed militias threatened to attack the convoy."
    doc = nlp(text)
    _, link = linker.link(
        doc, [statement(text, "the convoy", "Iranian-backed militias")], PUBLISHED
    )[0]
    assert link.entity is None


def test_codes_are_case_sensitive(linker: Linker, nlp: Language) -> None:
    text = "He told us in a message that he would kill the envoy."
    doc = nlp(text)
    _, link = linker.link(doc, [statement(text, "the envoy", actor="us")], PUBLISHED)[0]
    assert link == ActorLink(None)
    text = "He said the US would kill the envoy."
    doc = nlp(text)
    _, link = linker.link(doc, [statement(text, "the envoy", actor="the US")], PUBLISHED)[0]
    assert link == ActorLink("United States", ("United States",))


def test_user_catalog_with_unknown_parent(tmp_path: Path) -> None:
    extra = tmp_path / "actors.yaml"
    extra.write_text("entities:\n  - {id: cell, name: Cell, parent: nowhere}\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match="entity cell: parent 'nowhere'"):
        ActorCatalog.load(extra)


def test_user_catalog_extends_the_packaged_one(tmp_path: Path, nlp: Language) -> None:
    extra = tmp_path / "actors.yaml"
    extra.write_text(
        "entities:\n"
        "  - id: northern-cell\n"
        "    name: Northern Cell\n"
        "    aliases: [the Cell of the North]\n"
        "    parent: quds-force\n"
        "    kind: militant\n",
        encoding="utf-8",
    )
    linker = Linker(Watchlist.empty(), ActorCatalog.load(extra), nlp=nlp)
    text = "Police said the Cell of the North planned to kill a judge."
    doc = nlp(text)
    _, link = linker.link(doc, [statement(text, "a judge", "the Cell of the North")], PUBLISHED)[0]
    assert link == ActorLink("Northern Cell", ("Northern Cell", "Quds Force", "IRGC", "Iran"))


# -- the seed article ----------------------------------------------------------------------------


@pytest.mark.shared
def test_seed_targets_link_to_the_watchlist(seed_text: str, nlp: Language) -> None:
    watchlist = Watchlist(
        [
            Protectee.model_validate(
                {
                    "id": "lana-marks",
                    "name": "Lana Marks",
                    "roles": [
                        {
                            "title": "Ambassador",
                            "organization": "United States",
                            "jurisdiction": "South Africa",
                            "since": "2019-11-01",
                            "until": "2021-01-20",
                        }
                    ],
                }
            ),
            Protectee.model_validate(
                {
                    "id": "kenneth-mckenzie",
                    "name": "Kenneth McKenzie",
                    "roles": [
                        {
                            "title": "Commander",
                            "organization": "US Central Command",
                            "since": "2019-03-28",
                        }
                    ],
                }
            ),
        ]
    )
    linker = Linker(watchlist, nlp=nlp)
    doc = nlp(seed_text)
    phrases = [
        ("the American ambassador to South Africa", 0, "lana-marks", "role"),
        ("the ambassador, Lana Marks", 0, "lana-marks", "apposition"),
        ("Marks", 2, "lana-marks", "surname"),
        ("Marks", 3, "lana-marks", "surname"),
        ("General Kenneth McKenzie, the head of US Central Command", 0, "kenneth-mckenzie", "name"),
        ("McKenzie", 2, "kenneth-mckenzie", "surname"),
    ]
    statements = [
        statement(seed_text, phrase, occurrence=n, when="2020-09") for phrase, n, _, _ in phrases
    ]
    links = linker.link(doc, statements, date(2020, 9, 1))
    assert [(t.protectee, t.method) for t, _ in links] == [(p, m) for _, _, p, m in phrases]
