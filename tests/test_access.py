"""The access decision: examples with their reasons, deny by default, and its laws."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markings_strategies import LEVELS, VOCAB, markings, readers, sci_entries

from watchfloor.publish import (
    AccessPolicy,
    Marking,
    Reader,
    decide,
    parse_marking,
    rollup,
)
from watchfloor.publish.access import AccessPolicyError
from watchfloor.publish.vocabulary import vocabulary

POLICY = AccessPolicy(own_organization="acme", client_organizations=frozenset({"client-co"}))
CLOSED_COMMUNITY = replace(POLICY, community_organizations=frozenset({"partner"}))

ANALYST = Reader(
    name="ann",
    clearance="TS",
    compartments=frozenset({"SI-G", "TK"}),
    nationality="USA",
    audiences=frozenset({"senior-policy"}),
    organization="acme",
)
LIAISON = Reader(
    name="liam",
    clearance="S",
    compartments=frozenset(),
    nationality="GBR",
    audiences=frozenset({"senior-policy"}),
    organization="client-co",
)
STAFFER = Reader(name="sam", clearance="U", nationality="USA", organization="elsewhere")


def _decide(reader: Reader, text: str, **kwargs: frozenset[str]) -> tuple[bool, str]:
    decision = decide(reader, parse_marking(text), policy=POLICY, **kwargs)
    return decision.allowed, decision.reason


@pytest.mark.parametrize(
    ("reader", "marking", "allowed", "reason"),
    [
        (ANALYST, "(TS//SI-G/TK//NF)", True, "ann may read TOP SECRET//SI-G/TK//NOFORN"),
        (ANALYST, "(TS//SI)", True, "may read"),  # SI-G implies SI
        (ANALYST, "(TS//HCS)", False, "needs SCI HCS; reader does not hold them"),
        (ANALYST, "(TS//SI-G ABCD)", False, "needs SCI SI-G ABCD"),
        (LIAISON, "(TS)", False, "needs TS clearance; reader holds S"),
        (LIAISON, "(S//NF)", False, "not releasable to foreign nationals; reader is GBR"),
        (LIAISON, "(S//REL TO USA, GBR)", True, "may read"),
        (LIAISON, "(S//REL TO USA, FVEY)", True, "may read"),
        (LIAISON, "(S//REL TO USA, AUS)", False, "releasable only to USA, AUS; reader is GBR"),
        (LIAISON, "(S//DISPLAY ONLY GBR)", True, "may read"),
        (LIAISON, "(S)", False, "classified without a release marking: USA nationals only"),
        (LIAISON, "(U)", True, "may read"),
        (LIAISON, "(U//FOUO)", True, "may read"),
        (LIAISON, "(U//SBU-NF)", False, "not releasable to foreign nationals"),
        (STAFFER, "(C)", False, "needs C clearance; reader holds U"),
        (STAFFER, "TLP:CLEAR", True, "may read"),
        (STAFFER, "TLP:GREEN", True, "may read"),
        (STAFFER, "TLP:AMBER", False, "TLP:AMBER is for organization acme and its clients only"),
        (LIAISON, "TLP:AMBER", True, "may read"),
        (LIAISON, "TLP:AMBER+STRICT", False, "TLP:AMBER+STRICT is for organization acme only"),
        (ANALYST, "TLP:AMBER+STRICT", True, "may read"),
        (ANALYST, "TLP:RED", False, "TLP:RED is for named recipients only; reader is ann of acme"),
        (ANALYST, "(S//NF) (TLP:AMBER)", True, "may read SECRET//NOFORN TLP:AMBER"),
        (LIAISON, "(S//NF) (TLP:AMBER+STRICT)", False, "foreign nationals; reader is GBR; TLP:"),
    ],
)
def test_decisions_and_reasons(reader: Reader, marking: str, allowed: bool, reason: str) -> None:
    got_allowed, got_reason = _decide(reader, marking)
    assert got_allowed is allowed, got_reason
    assert reason in got_reason


def test_audiences_and_recipients() -> None:
    portion = parse_marking("(S//REL TO USA, GBR)")
    oversight = frozenset({"congressional-oversight"})
    denied = decide(ANALYST, portion, audiences=oversight, policy=POLICY)
    assert not denied.allowed
    assert "restricted to audience congressional-oversight; reader is in none" in denied.reason
    both = oversight | {"senior-policy"}
    assert decide(ANALYST, portion, audiences=both, policy=POLICY).allowed
    red = parse_marking("TLP:RED")
    assert decide(STAFFER, red, recipients=frozenset({"sam"}), policy=POLICY).allowed
    assert not decide(STAFFER, red, recipients=frozenset({"ann"}), policy=POLICY).allowed


def test_green_with_a_defined_community() -> None:
    green = parse_marking("TLP:GREEN")
    assert not decide(STAFFER, green, policy=CLOSED_COMMUNITY).allowed
    partner = replace(STAFFER, organization="partner")
    assert decide(partner, green, policy=CLOSED_COMMUNITY).allowed
    assert decide(LIAISON, green, policy=CLOSED_COMMUNITY).allowed  # a client of acme


@pytest.mark.parametrize(
    ("reader", "marking", "reason"),
    [
        (replace(ANALYST, clearance="Q"), parse_marking("(U)"), "unknown clearance 'Q'"),
        (replace(ANALYST, nationality=""), parse_marking("(U)"), "unknown nationality ''"),
        (replace(ANALYST, nationality="ATL"), parse_marking("TLP:CLEAR"), "unknown nationality"),
        (ANALYST, Marking(level="X"), "unknown classification level 'X'"),
        (ANALYST, Marking(level="S", dissemination=("NOPE",)), "unknown control 'NOPE'"),
        (ANALYST, Marking(level="TS", sci=("ZZ",)), "unknown SCI entry 'ZZ'"),
        (ANALYST, Marking(tlp="ORANGE"), "unknown TLP label 'ORANGE'"),
        (ANALYST, Marking(), "empty marking"),
        (ANALYST, Marking(level="S", rel_to=("GBR",)), "REL TO without USA"),
        (ANALYST, Marking(level="S", dissemination=("REL TO",)), "needs a country list"),
        (ANALYST, "not a marking", "cannot decide"),
    ],
)
def test_unknown_anything_denies(reader: Reader, marking: Marking, reason: str) -> None:
    decision = decide(reader, marking, policy=POLICY)
    assert not decision.allowed
    assert reason in decision.reason


def test_no_own_organization_configured_denies_amber_strict() -> None:
    strict = parse_marking("TLP:AMBER+STRICT")
    assert not decide(ANALYST, strict, policy=AccessPolicy()).allowed
    assert not decide(replace(ANALYST, organization=None), strict, policy=POLICY).allowed


def test_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text("own_organization: acme\nclient_organizations: [client-co]\n")
    assert AccessPolicy.load(path) == POLICY
    assert AccessPolicy.load().own_organization is None  # the packaged default denies
    path.write_text("own_org: acme\n")
    with pytest.raises(AccessPolicyError, match="expected only the keys"):
        AccessPolicy.load(path)


@pytest.fixture
def own_country_gbr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A deployment whose own country is GBR, from its own copy of the vocabulary."""
    source = Path(__file__).resolve().parents[1] / "src/watchfloor/data/markings"
    folder = tmp_path / "markings"
    folder.mkdir()
    (folder / "countries.yaml").write_text((source / "countries.yaml").read_text())
    text = (source / "vocabulary.yaml").read_text().replace("own_country: USA", "own_country: GBR")
    (folder / "vocabulary.yaml").write_text(text)
    monkeypatch.setenv("WATCHFLOOR_MARKINGS_DIR", str(folder))
    vocabulary.cache_clear()
    yield
    monkeypatch.delenv("WATCHFLOOR_MARKINGS_DIR")
    vocabulary.cache_clear()


@pytest.mark.usefixtures("own_country_gbr")
def test_own_country_is_configurable() -> None:
    assert decide(LIAISON, parse_marking("(S//NF)"), policy=POLICY).allowed
    assert not decide(ANALYST, parse_marking("(S//NF)"), policy=POLICY).allowed
    assert parse_marking("S//REL TO USA, GBR").banner() == "SECRET//REL TO GBR, USA"


# ---------------------------------------------------------------- laws

policies = st.sampled_from([POLICY, CLOSED_COMMUNITY, AccessPolicy()])
audience_sets = st.frozensets(st.sampled_from(["senior-policy", "congress"]), max_size=2)


def _holds(reader: Reader, entry: str) -> bool:
    return any(
        held == entry or held.startswith(entry + "-") or held.startswith(entry + " ")
        for held in reader.compartments
    )


def _constraints(
    reader: Reader,
    m: Marking,
    audiences: frozenset[str],
    recipients: frozenset[str],
    policy: AccessPolicy,
) -> dict[str, bool]:
    """Each rule of the access policy, written out on its own."""
    own = VOCAB.own_country
    level = m.level or "U"
    foreign = reader.nationality != own
    own_only = {"NOFORN", "SBU NOFORN", "LES NOFORN"} & m.controls
    listed = VOCAB.countries(m.rel_to + m.display_only)
    org = reader.organization
    in_org = org is not None and org == policy.own_organization
    community = policy.community_organizations
    return {
        "clearance": LEVELS.index(reader.clearance) >= LEVELS.index(level),
        "sci": all(_holds(reader, entry) for entry in m.sci),
        "noforn": not (foreign and own_only),
        "release": not foreign
        or (reader.nationality in listed if listed else LEVELS.index(level) < LEVELS.index("R")),
        "audience": not audiences or bool(audiences & reader.audiences),
        "red": m.tlp != "RED" or reader.name in recipients,
        "strict": m.tlp != "AMBER+STRICT" or in_org,
        "amber": m.tlp != "AMBER" or in_org or org in policy.client_organizations,
        "green": m.tlp != "GREEN"
        or not community
        or in_org
        or org in community
        or org in policy.client_organizations,
    }


@given(readers(), markings(), audience_sets, st.data(), policies)
@settings(max_examples=500)
def test_allowed_exactly_when_every_constraint_holds(
    reader: Reader, m: Marking, audiences: frozenset[str], data: st.DataObject, policy: AccessPolicy
) -> None:
    recipients = data.draw(st.frozensets(st.sampled_from(["ann", "bob", "cy", "dee"])))
    decision = decide(reader, m, audiences=audiences, recipients=recipients, policy=policy)
    constraints = _constraints(reader, m, audiences, recipients, policy)
    failed = [name for name, ok in constraints.items() if not ok]
    if decision.allowed:
        assert not failed, (decision, failed)
    else:
        assert failed, decision  # deny only for a reason the policy states
        assert decision.reason


@given(readers(), markings(), markings(), audience_sets, st.booleans(), policies)
@settings(max_examples=500)
def test_raising_a_marking_never_grants_access(
    reader: Reader,
    m: Marking,
    other: Marking,
    audiences: frozenset[str],
    named: bool,
    policy: AccessPolicy,
) -> None:
    # TLP:RED limits by person and AMBER+STRICT by organization; neither contains the other, so
    # the law needs named recipients to be inside the organization (docs/markings.md).
    in_org = reader.organization is not None and reader.organization == policy.own_organization
    recipients = frozenset({reader.name}) if named and in_org else frozenset()
    raised = rollup([m, other])
    before = decide(reader, m, audiences=audiences, recipients=recipients, policy=policy)
    after = decide(reader, raised, audiences=audiences, recipients=recipients, policy=policy)
    if not before.allowed:
        assert not after.allowed, (m.banner(), raised.banner(), after.reason)


@given(readers(), markings(), st.data(), audience_sets, policies)
@settings(max_examples=500)
def test_more_authorizations_never_lose_access(
    reader: Reader, m: Marking, data: st.DataObject, audiences: frozenset[str], policy: AccessPolicy
) -> None:
    higher = data.draw(st.sampled_from(LEVELS[LEVELS.index(reader.clearance) :]))
    extra = data.draw(st.frozensets(sci_entries, max_size=3))
    more = replace(
        reader,
        clearance=higher,
        compartments=reader.compartments | extra,
        audiences=reader.audiences | data.draw(audience_sets),
    )
    recipients = frozenset({reader.name})
    before = decide(reader, m, audiences=audiences, recipients=recipients, policy=policy)
    after = decide(more, m, audiences=audiences, recipients=recipients, policy=policy)
    if before.allowed:
        assert after.allowed, after.reason


@given(readers(), st.lists(markings(), min_size=1, max_size=5), policies)
@settings(max_examples=300)
def test_reading_the_banner_means_reading_every_portion(
    reader: Reader, portions: list[Marking], policy: AccessPolicy
) -> None:
    in_org = reader.organization is not None and reader.organization == policy.own_organization
    recipients = frozenset({reader.name}) if in_org else frozenset()  # as in the law above
    if decide(reader, rollup(portions), recipients=recipients, policy=policy).allowed:
        for portion in portions:
            assert decide(reader, portion, recipients=recipients, policy=policy).allowed
