"""Every kind of link the issue names, each with what it rests on (`basis`) and how sure it is.

Apposition and a role before the name, a role noun pointing back to the person the document
described so, the first person inside a quotation attributed to a speaker, a surname alone,
looser titles of a post, corporate roles, and kin and associates (never the protectee). The
sentences are invented in the manner of wire and court reporting; the protectees are fictional.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language

import watchfloor.nlp
from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.link import Linker, TargetLink, load_watchlist
from watchfloor.link.records import link_confidences
from watchfloor.warn.policy import DutyToWarnPolicy

WATCHLIST = """
protectees:
  - id: farid-osei
    name: Farid Osei
  - id: carla-mendes
    name: Carla Mendes
    roles: [{title: Leader, organization: Popular Renewal Party, since: 2015-01-01}]
  - id: ines-duarte
    name: Ines Duarte
  - id: paulo-reis
    name: Paulo Reis
    roles: [{title: Ambassador, organization: Brazil, jurisdiction: Angola, since: 2020-01-01}]
  - id: hanna-lund
    name: Hanna Lund
    roles: [{title: Chief Executive, organization: Nordvik Bank, since: 2018-01-01}]
  - id: tomas-berg
    name: Tomas Berg
    roles: [{title: Founder, organization: Kestrel Robotics, since: 2010-01-01}]
  - id: amina-otieno
    name: Amina Otieno
    roles: [{title: Foreign Minister, organization: Kenya, since: 2022-01-01}]
  - id: ana-silva
    name: Ana Silva
  - id: rui-silva
    name: Rui Silva
"""
DAY = date(2024, 5, 1)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return watchfloor.nlp.load()


@pytest.fixture(scope="module")
def linker(nlp: Language, tmp_path_factory: pytest.TempPathFactory) -> Linker:
    path: Path = tmp_path_factory.mktemp("kinds") / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return Linker(load_watchlist(path), nlp=nlp)


def link(linker: Linker, nlp: Language, text: str, target: str) -> TargetLink:
    # The last whole-word occurrence: a name may come first in full ("Farid Osei ... Osei").
    start = [m.start() for m in re.finditer(rf"\b{re.escape(target)}\b", text)][-1]
    span = TextSpan(target, start, start + len(target))
    whole = TextSpan(text, 0, len(text))
    st = ThreatStatement(
        act="kill", status="threatened", evidence=whole, trigger=whole, actor=None, target=span
    )
    return linker.link(nlp(text), [st], DAY)[0][0]


def check(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    found = link(linker, nlp, text, target)
    assert (found.protectee, found.basis) == expected, text
    assert found.confidence == (link_confidences()[expected[1]] if expected[0] else 0.0)


# -- apposition and a role before the name ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "Police said a dissident blogger, Farid Osei, had been told he would be shot.",
            "a dissident blogger",
            ("farid-osei", "apposition"),
        ),
        (
            "Prosecutors say the men planned to abduct the party's leader, Carla Mendes, "
            "before the vote.",
            "the party's leader",
            ("carla-mendes", "apposition"),
        ),
        (
            "A caller vowed to hang the opposition leader Carla Mendes from a lamp post.",
            "the opposition leader",
            ("carla-mendes", "apposition"),
        ),
        (
            "Two men were charged with plotting to bomb the car of a prominent critic. The "
            "critic, Farid Osei, was abroad at the time.",
            "a prominent critic",
            ("farid-osei", "apposition"),
        ),
        # Someone the watchlist does not know, named in apposition: nobody on the list.
        (
            "Gunmen shot a local trader, Kofi Mensah, outside his shop in the old quarter.",
            "a local trader",
            (None, "none"),
        ),
    ],
)
def test_apposition_and_role_before_the_name(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


def test_a_name_of_someone_else_in_apposition_is_a_named_person_not_a_protectee(
    linker: Linker, nlp: Language
) -> None:
    text = "Gunmen shot a local trader, Kofi Mensah, outside his shop in the old quarter."
    assert link(linker, nlp, text, "a local trader") == TargetLink(None, "none", None, True)


# -- a role noun pointing back ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "Mayor Ines Duarte closed the market early. That evening two gunmen waited for the "
            "mayor outside the town hall.",
            "the mayor",
            ("ines-duarte", "role"),
        ),
        (
            "Ines Duarte, the mayor of Vila Serrana, has had threats for months. On Sunday a "
            "man was arrested for stalking the mayor.",
            "the mayor",
            ("ines-duarte", "role"),
        ),
        (
            "Officers questioned the dissident blogger Farid Osei on Monday. By Friday a crowd "
            "had gathered outside, promising to beat the blogger.",
            "the blogger",
            ("farid-osei", "role"),
        ),
        # Another mayor named in between takes the reference: not the protectee.
        (
            "Mayor Ines Duarte met Mayor Jonas Pereira of the next town. Later a man "
            "threatened to shoot the mayor.",
            "the mayor",
            (None, "none"),
        ),
        # A role nobody was given in the document points back to nobody.
        (
            "Mayor Ines Duarte opened the session. A man in the gallery threatened the judge.",
            "the judge",
            (None, "none"),
        ),
    ],
)
def test_a_role_noun_points_back_to_the_person_so_described(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


# -- pronouns, also the first person inside an attributed quotation -----------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "'They were going to shoot me,' Farid Osei told the court on Tuesday.",
            "me",
            ("farid-osei", "pronoun"),
        ),
        (
            "\u201cThey told me I would not live to see the election,\u201d said Carla Mendes.",
            "me",
            ("carla-mendes", "pronoun"),
        ),
        (
            'Ines Duarte met reporters at noon. "A man followed me home twice," she said.',
            "me",
            ("ines-duarte", "pronoun"),
        ),
        (
            "Farid Osei was in court when the verdict came. Minutes later a man outside swore "
            "he would kill him.",
            "him",
            ("farid-osei", "pronoun"),
        ),
        # A man spoken of as the subject, after the name: the pronoun is about him.
        (
            "Farid Osei said the man was standing by the door when he was stabbed.",
            "he",
            (None, "none"),
        ),
        (
            "Farid Osei told police that a woman had been waiting when she was shot.",
            "she",
            (None, "none"),
        ),
        # ...but not a noun of the other gender, nor one that is no subject.
        (
            "Farid Osei said a woman had shouted at him before he was stabbed.",
            "he",
            ("farid-osei", "pronoun"),
        ),
        # A woman named only with an honorific (in capitals, untagged) comes between.
        (
            "FARID OSEI LEFT THE CITY. MRS HERERA WAS WELL KNOWN, AND SHE WAS MURDERED.",
            "SHE",
            (None, "none"),
        ),
        # Attributed to a speaker the document does not name: not the person named before.
        (
            "Farid Osei arrived at the depot. 'Somebody wants me dead,' the driver said.",
            "me",
            (None, "none"),
        ),
    ],
)
def test_pronouns_and_quoted_speakers(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


# -- a surname alone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        # Introduced by full name first: a sure link.
        (
            "Farid Osei landed in Accra. Hours later a man threatened to stab Osei at the hotel.",
            "Osei",
            ("farid-osei", "surname"),
        ),
        # Never introduced, one protectee bears it: a weak link.
        (
            "A caller said he would shoot Osei at the airport.",
            "Osei",
            ("farid-osei", "surname_unconfirmed"),
        ),
        # Two protectees bear it: nobody.
        ("Gunmen vowed to kill Silva before the vote.", "Silva", (None, "none")),
        # The apposition says who it is: someone else.
        (
            "The gang threatened to torch the stall of Osei, a fruit seller, on Sunday.",
            "Osei",
            (None, "none"),
        ),
        # Another first name: someone else.
        ("Police said a man had beaten Kwame Osei with a pipe.", "Kwame Osei", (None, "none")),
        # A hyphenated modifier is about the person, not the person.
        (
            "Farid Osei spoke in Accra. Police said a mob had attacked anti-Osei protesters.",
            "anti-Osei protesters",
            (None, "none"),
        ),
    ],
)
def test_a_surname_alone(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


def test_an_unconfirmed_surname_alone_is_too_weak_to_warn() -> None:
    policy = DutyToWarnPolicy.load()
    weak = TargetLink("farid-osei", "surname_unconfirmed")
    assert weak.confidence < policy.min_link_confidence
    assert not policy.identifiable(weak.confidence, person_named=False)
    for basis in ("name", "alias", "apposition", "role", "surname", "pronoun"):
        assert policy.identifiable(TargetLink("x", basis).confidence, person_named=False)


# -- looser titles of a post ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "Investigators said the cell planned to kill Brazil's senior diplomat in Angola.",
            "Brazil's senior diplomat in Angola",
            ("paulo-reis", "role"),
        ),
        (
            "Paulo Reis arrived in Luanda on Monday. A day later a man threatened the head of "
            "mission by phone.",
            "the head of mission",
            ("paulo-reis", "role"),
        ),
        (
            "Paulo Reis presented his credentials in Luanda. Police later said a gang had "
            "tracked the envoy for weeks.",
            "the envoy",
            ("paulo-reis", "role"),
        ),
        (
            "A note left at the gate said Brazil's top diplomat in Luanda would be shot.",
            "Brazil's top diplomat in Luanda",
            ("paulo-reis", "role"),
        ),
        # Another sending state: another post.
        (
            "Investigators said the cell planned to kill Portugal's senior diplomat in Angola.",
            "Portugal's senior diplomat in Angola",
            (None, "none"),
        ),
    ],
)
def test_role_synonyms(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


# -- corporate roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        (
            "Nordvik Bank posted record profits. A man later threatened to kill the bank's "
            "chief executive.",
            "the bank's chief executive",
            ("hanna-lund", "role"),
        ),
        (
            "Shareholders were told that a letter had threatened the lender's CEO and her family.",
            "the lender's CEO",
            ("hanna-lund", "role"),
        ),
        (
            "Kestrel Robotics unveiled a new drone. Protesters vowed to hurt the company's "
            "founder.",
            "the company's founder",
            ("tomas-berg", "role"),
        ),
        (
            "A man was charged with threatening to shoot the founder of the firm.",
            "the founder of the firm",
            ("tomas-berg", "role"),
        ),
        # No insurer on the list: nobody, not the bank's chief executive.
        (
            "Osterby Insurance reported losses. A man threatened to kill the insurer's chief "
            "executive.",
            "the insurer's chief executive",
            (None, "none"),
        ),
        # "The country" is the state the report named before it.
        (
            "Police in Kenya arrested a man who had threatened to kill the country's foreign "
            "minister.",
            "the country's foreign minister",
            ("amina-otieno", "role"),
        ),
        (
            "A Kenyan court heard that the cell had planned to abduct the foreign minister of "
            "the republic.",
            "the foreign minister of the republic",
            ("amina-otieno", "role"),
        ),
        (
            "Police in Uganda arrested a man who had threatened to kill the country's foreign "
            "minister.",
            "the country's foreign minister",
            (None, "none"),
        ),
        (
            "A man had threatened to kill the country's foreign minister, a court heard.",
            "the country's foreign minister",
            (None, "none"),
        ),
        # The only founder on the list founded no bank.
        (
            "A caller said the bank's founder would not live to see the merger.",
            "the bank's founder",
            (None, "none"),
        ),
    ],
)
def test_corporate_roles_and_organization_nouns(
    linker: Linker, nlp: Language, text: str, target: str, expected: tuple[str | None, str]
) -> None:
    check(linker, nlp, text, target, expected)


# -- kin and associates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Mayor Ines Duarte said gunmen had kidnapped the mayor's brother near the farm.",
            "the mayor's brother",
        ),
        ("A note under the door threatened Carla Mendes's husband.", "Carla Mendes's husband"),
        ("The son of Paulo Reis was seized outside his school in Luanda.", "The son of Paulo Reis"),
        (
            "Farid Osei has gone into hiding. Men came for his widowed sister-in-law instead.",
            "his widowed sister-in-law",
        ),
        (
            "Kestrel Robotics unveiled a drone. A man threatened the founder's bodyguard.",
            "the founder's bodyguard",
        ),
    ],
)
def test_kin_and_associates_are_their_own_targets(
    linker: Linker, nlp: Language, text: str, target: str
) -> None:
    found = link(linker, nlp, text, target)
    assert found.protectee is None and found.basis == "none", text
