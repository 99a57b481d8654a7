"""Markings: parsing, checking, writing, roll-up and the restrictiveness order."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markings_strategies import VOCAB, markings

from watchfloor.publish import (
    Marking,
    MarkingError,
    RollupRules,
    dominates,
    make_marking,
    parse_marking,
    release_countries,
    rollup,
)
from watchfloor.publish.vocabulary import VocabularyError, load_vocabulary

# ---------------------------------------------------------------- parsing and writing


@pytest.mark.parametrize(
    ("text", "banner", "portion"),
    [
        ("TOP SECRET//SI-G/TK//NOFORN", "TOP SECRET//SI-G/TK//NOFORN", "(TS//SI-G/TK//NF)"),
        ("SECRET//REL TO USA, GBR", "SECRET//REL TO USA, GBR", "(S//REL TO USA, GBR)"),
        ("UNCLASSIFIED//FOUO", "UNCLASSIFIED//FOUO", "(U//FOUO)"),
        ("(TS//SI//NF)", "TOP SECRET//SI//NOFORN", "(TS//SI//NF)"),
        ("(S//REL TO USA, GBR)", "SECRET//REL TO USA, GBR", "(S//REL TO USA, GBR)"),
        ("(U//FOUO)", "UNCLASSIFIED//FOUO", "(U//FOUO)"),
        ("(U)", "UNCLASSIFIED", "(U)"),
        ("  top secret //  tk / si-g //  nf ", "TOP SECRET//SI-G/TK//NOFORN", "(TS//SI-G/TK//NF)"),
        ("(s//rel to gbr,usa)", "SECRET//REL TO USA, GBR", "(S//REL TO USA, GBR)"),
        # REL TO order: own country, trigraphs alphabetically, then tetragraphs.
        (
            "S//REL TO NATO, GBR, USA, FVEY, AUS",
            "SECRET//REL TO USA, AUS, GBR, FVEY, NATO",
            "(S//REL TO USA, AUS, GBR, FVEY, NATO)",
        ),
        # Controls are written in the vocabulary's order whatever order they came in.
        ("(S//NF/OC)", "SECRET//ORCON/NOFORN", "(S//OC/NF)"),
        ("(TS//TK/SI-H/HCS-P)", "TOP SECRET//HCS-P/SI-H/TK", "(TS//HCS-P/SI-H/TK)"),
        ("(TS//SI-H XY-G ABCD)", "TOP SECRET//SI-G ABCD-H XY", "(TS//SI-G ABCD-H XY)"),
        ("C//LES NOFORN", "CONFIDENTIAL//LES NOFORN", "(C//LES-NF)"),
        ("(U//SBU-NF)", "UNCLASSIFIED//SBU NOFORN", "(U//SBU-NF)"),
        ("S//DISPLAY ONLY IRQ, AFG", "SECRET//DISPLAY ONLY AFG, IRQ", "(S//DISPLAY ONLY AFG, IRQ)"),
        ("RESTRICTED", "RESTRICTED", "(R)"),
        ("TLP:GREEN", "TLP:GREEN", "(TLP:GREEN)"),
        ("tlp:amber+strict", "TLP:AMBER+STRICT", "(TLP:AMBER+STRICT)"),
        ("TLP: AMBER + STRICT", "TLP:AMBER+STRICT", "(TLP:AMBER+STRICT)"),
        ("TLP:WHITE", "TLP:CLEAR", "(TLP:CLEAR)"),
        ("SECRET//NOFORN TLP:AMBER", "SECRET//NOFORN TLP:AMBER", "(S//NF) (TLP:AMBER)"),
        ("(S//NF) (TLP:RED)", "SECRET//NOFORN TLP:RED", "(S//NF) (TLP:RED)"),
    ],
)
def test_parse_and_write(text: str, banner: str, portion: str) -> None:
    marking = parse_marking(text)
    assert marking.banner() == banner
    assert marking.portion() == portion
    assert parse_marking(banner) == marking
    assert parse_marking(portion) == marking


def test_parts_of_a_parsed_marking() -> None:
    m = parse_marking("TOP SECRET//SI-G ABCD/TK//ORCON/REL TO USA, FVEY TLP:AMBER")
    assert m.level == "TS"
    assert m.sci == ("SI", "SI-G", "SI-G ABCD", "TK")
    assert m.dissemination == ("ORCON",)
    assert m.rel_to == ("USA", "FVEY")
    assert m.tlp == "AMBER"
    assert m.is_tlp and m.has_classification
    assert m.classification_banner() == "TOP SECRET//SI-G ABCD/TK//ORCON/REL TO USA, FVEY"
    assert m.tlp_label() == "TLP:AMBER"
    tlp_only = parse_marking("TLP:CLEAR")
    assert tlp_only.level is None and tlp_only.classification_banner() is None
    assert not parse_marking("(U)").is_tlp


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("", "empty marking"),
        ("TOP SEKRET//NOFORN", "unknown classification level 'TOP SEKRET'"),
        ("//NOFORN", "no classification level"),
        ("SECRET//NOFORM", "unknown control or SCI system 'NOFORM'"),
        ("SECRET//NOFORN/REL TO USA, GBR", "NOFORN together with REL TO"),
        ("SECRET//NF/RELIDO", "NOFORN together with RELIDO"),
        ("SECRET//REL TO GBR, AUS", "REL TO without USA"),
        ("SECRET//REL TO USA", "REL TO names only USA"),
        ("SECRET//FOUO", "FOUO on a classified marking"),
        ("UNCLASSIFIED//SI", "SCI (SI) on an UNCLASSIFIED marking"),
        ("(U//OC)", "ORCON on an UNCLASSIFIED marking"),
        ("(C//IMC)", "IMCON on an CONFIDENTIAL marking"),
        ("SECRET//NOFORN//ORCON", "duplicate dissemination category"),
        ("TS//SI//TK", "duplicate SCI category"),
        ("SECRET//NOFORN//SI", "wrong category order"),
        ("S//LES//NF", "wrong category order"),
        ("S//REL TO", "empty REL TO list"),
        ("S//REL TO USA,", "empty country code"),
        ("S//REL TO USA, GBX", "unknown country code 'GBX'"),
        ("S//REL TO USA, GBR, GBR", "country GBR appears twice"),
        ("S//REL", "REL needs its country list"),
        ("S//NF/NF", "duplicate control NOFORN"),
        ("S//NF/NOFORN", "duplicate control NOFORN"),
        ("TS//SI-G/SI-H", "duplicate SCI control system SI"),
        ("TS//SI-G-G", "duplicate SCI compartment SI-G"),
        ("S//SI/NF", "mixes SCI and dissemination"),
        ("S//NF/LES", "mixes dissemination and non-IC"),
        ("S////NF", "empty category"),
        ("S//NF/", "empty value"),
        ("(S//NF", "does not close"),
        ("S//NF)", "does not open"),
        ("TLP:ORANGE", "unknown TLP label 'TLP:ORANGE'"),
        ("S//SAR-BP", "SAP, AEA and FGI markings are not supported"),
        ("(U//DISPLAY ONLY GBR)", "DISPLAY ONLY on an UNCLASSIFIED marking"),
        ("(U//REL TO USA, GBR//SBU-NF)", "SBU NOFORN together with REL TO"),
        ("(C//RELIDO//LES-NF)", "LES NOFORN together with RELIDO"),
    ],
)
def test_invalid_markings_name_the_fault(text: str, fault: str) -> None:
    with pytest.raises(MarkingError) as error:
        parse_marking(text)
    assert fault in str(error.value)
    assert f"'{text}'" in str(error.value)


def test_sbu_noforn_with_rel_to_is_contradictory() -> None:
    # SBU NOFORN keeps a portion from foreign nationals; REL TO would release it to some.
    with pytest.raises(MarkingError, match="SBU NOFORN"):
        make_marking("U", non_ic=["SBU NOFORN"], rel_to=["USA", "GBR"])


def test_make_marking_normalizes_and_checks() -> None:
    m = make_marking("TS", sci=["SI-G ABCD", "TK"], dissemination=["NOFORN"])
    assert m == parse_marking("(TS//SI-G ABCD/TK//NF)")
    with pytest.raises(MarkingError, match="unknown control 'NOPE'"):
        make_marking("S", dissemination=["NOPE"])
    with pytest.raises(MarkingError, match="REL TO without USA"):
        make_marking("S", rel_to=["GBR", "AUS"])


def test_parsing_is_cached() -> None:
    text = "SECRET//SI-G//REL TO USA, AUS, NZL"
    assert parse_marking(text) is parse_marking(text)


def _messy(text: str, data: st.DataObject) -> str:
    """The same marking as a person might type it: other case, spaces around separators."""
    out = text.lower() if data.draw(st.booleans()) else text
    out = out.replace("//", data.draw(st.sampled_from(["//", " // ", "//  "])))
    out = out.replace(", ", data.draw(st.sampled_from([",", ", ", " , "])))
    return f"  {out} "


@given(markings(), st.data())
@settings(max_examples=300)
def test_round_trip_banner_and_portion(m: Marking, data: st.DataObject) -> None:
    assert parse_marking(m.banner()) == m
    assert parse_marking(m.portion()) == m
    assert parse_marking(_messy(m.banner(), data)) == m
    assert parse_marking(_messy(m.portion(), data)) == m


# ---------------------------------------------------------------- roll-up


def _roll(*texts: str) -> str:
    return rollup([parse_marking(t) for t in texts]).banner()


@pytest.mark.parametrize(
    ("portions", "banner"),
    [
        (["(S//REL TO USA, GBR)", "(U)"], "SECRET//REL TO USA, GBR"),
        (["(TS//SI-G//NF)", "(S//TK//REL TO USA, GBR)"], "TOP SECRET//SI-G/TK//NOFORN"),
        (["(S//REL TO USA, GBR, AUS)", "(C//REL TO USA, AUS, CAN)"], "SECRET//REL TO USA, AUS"),
        (["(S//REL TO USA, FVEY)", "(S//REL TO USA, NATO)"], "SECRET//REL TO USA, CAN, GBR"),
        (["(S//REL TO USA, FVEY)", "(C//REL TO USA, FVEY, DEU)"], "SECRET//REL TO USA, FVEY"),
        # Intersection leaving only USA: the banner says NOFORN.
        (["(S//REL TO USA, GBR)", "(S//REL TO USA, AUS)"], "SECRET//NOFORN"),
        # A classified portion with no release marking blocks REL TO.
        (["(S//REL TO USA, GBR)", "(C)"], "SECRET//NOFORN"),
        (["(S)", "(C)"], "SECRET"),
        (["(S//OC)", "(S//REL TO USA, GBR)", "(S//REL TO USA, GBR)"], "SECRET//ORCON/NOFORN"),
        (["(S//OC/REL TO USA, GBR)", "(S//REL TO USA, GBR)"], "SECRET//ORCON/REL TO USA, GBR"),
        (["(S//RELIDO)", "(S//RELIDO)"], "SECRET//RELIDO"),
        (["(S//RELIDO)", "(S)"], "SECRET"),
        (["(U//FOUO)", "(U)"], "UNCLASSIFIED//FOUO"),
        (["(U//FOUO)", "(C)"], "CONFIDENTIAL"),
        (["(U//REL TO USA, GBR)", "(U//REL TO USA, AUS)"], "UNCLASSIFIED//NOFORN"),
        (["(U//SBU-NF)", "(U)"], "UNCLASSIFIED//SBU NOFORN"),
        (["(S//DISPLAY ONLY AFG, IRQ)", "(S//DISPLAY ONLY IRQ)"], "SECRET//DISPLAY ONLY IRQ"),
        (["(S//DISPLAY ONLY AFG)", "(S)"], "SECRET"),
        (["(TLP:GREEN)", "(TLP:AMBER)", "(TLP:CLEAR)"], "TLP:AMBER"),
        (["(TLP:AMBER+STRICT)", "(TLP:RED)"], "TLP:RED"),
        (["TLP:WHITE", "TLP:CLEAR"], "TLP:CLEAR"),
        (["(S//NF)", "(TLP:AMBER)", "(U//FOUO)"], "SECRET//NOFORN TLP:AMBER"),
        (["(TLP:GREEN)", "(U//FOUO)"], "UNCLASSIFIED//FOUO TLP:GREEN"),
    ],
)
def test_rollup_examples(portions: list[str], banner: str) -> None:
    assert _roll(*portions) == banner


def test_rollup_of_nothing_is_an_error() -> None:
    with pytest.raises(MarkingError, match="at least one portion"):
        rollup([])


def test_rollup_rules_switch_behaviour(tmp_path: Path) -> None:
    portions = [parse_marking("(S//REL TO USA, GBR)"), parse_marking("(S)")]
    lenient = RollupRules(unmarked_classified_blocks_rel_to=False)
    assert rollup(portions, lenient).banner() == "SECRET//REL TO USA, GBR"
    silent = RollupRules(own_country_only_becomes_noforn=False)
    assert rollup(portions, silent).banner() == "SECRET"
    # Unclassified: leaving the marking off would lift the restriction, so NOFORN stays.
    unclassified = [parse_marking("(U//REL TO USA, GBR)"), parse_marking("(U//REL TO USA, AUS)")]
    assert rollup(unclassified, silent).banner() == "UNCLASSIFIED//NOFORN"
    no_tlp = RollupRules(tlp_beside_classification=False)
    mixed = [parse_marking("(S)"), parse_marking("(TLP:RED)")]
    assert rollup(mixed, no_tlp).banner() == "SECRET"
    relido_any = RollupRules(control_modes=(("RELIDO", "any"),))
    relido = [parse_marking("(S//RELIDO)"), parse_marking("(S)")]
    assert rollup(relido, relido_any).banner() == "SECRET//RELIDO"

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("unmarked_classified_blocks_rel_to: false\ncontrols: {ORCON: all}\n")
    loaded = RollupRules.load(rules_file)
    assert loaded.unmarked_classified_blocks_rel_to is False
    assert loaded.mode("ORCON") == "all" and loaded.mode("RELIDO") == "any"


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ("colour: blue\n", "unknown roll-up setting"),
        ("tlp_beside_classification: sometimes\n", "must be true or false"),
        ("controls: {NOPE: any}\n", "unknown control 'NOPE'"),
        ("controls: {ORCON: most}\n", "mode must be any or all"),
        ("controls: {NOFORN: all}\n", "restricts release"),
        ("controls: {REL TO: any}\n", "restricts release"),
    ],
)
def test_bad_rules_file(tmp_path: Path, content: str, fault: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(content)
    with pytest.raises(MarkingError, match=fault):
        RollupRules.load(path)


def test_default_rules_come_from_the_data_file() -> None:
    assert RollupRules.load().mode("RELIDO") == "all"


portion_lists = st.lists(markings(), min_size=1, max_size=6)


@given(portion_lists, st.randoms(use_true_random=False))
@settings(max_examples=200)
def test_rollup_is_commutative(portions: list[Marking], random: object) -> None:
    shuffled = list(portions)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rollup(shuffled) == rollup(portions)


@given(portion_lists, portion_lists)
@settings(max_examples=200)
def test_rollup_is_associative(left: list[Marking], right: list[Marking]) -> None:
    assert rollup([rollup(left), rollup(right)]) == rollup(left + right)


@given(portion_lists)
@settings(max_examples=200)
def test_rollup_is_idempotent(portions: list[Marking]) -> None:
    banner = rollup(portions)
    assert rollup(portions + portions) == banner
    assert rollup([banner]) == banner
    assert rollup([*portions, banner]) == banner


@given(portion_lists)
@settings(max_examples=300)
def test_rollup_laws(portions: list[Marking]) -> None:
    banner = rollup(portions)
    levels = [m.level for m in portions if m.level]
    assert banner.level == (max(levels, key=VOCAB.rank) if levels else None)
    assert set(banner.sci) == set().union(*(m.sci for m in portions))
    tlps = [m.tlp for m in portions if m.tlp]
    assert banner.tlp == (max(tlps, key=VOCAB.tlp_rank) if tlps else None)
    for portion in portions:
        assert dominates(banner, portion), (banner.banner(), portion.banner())
    if any("NOFORN" in m.controls for m in portions):
        assert "NOFORN" in banner.controls and not banner.rel_to
    if "RELIDO" in banner.controls:
        assert all("RELIDO" in m.controls for m in portions if m.level)
    if "FOUO" in banner.controls:
        assert banner.level == "U"
    if any("ORCON" in m.controls for m in portions):
        assert "ORCON" in banner.controls
    # Who may read the banner is who may read every portion.
    releases = [r for r in (release_countries(m) for m in portions) if r is not None]
    expected = frozenset.intersection(*releases) if releases else None
    if not any(m.display_only for m in portions):  # DISPLAY ONLY rolls up conservatively
        assert release_countries(banner) == expected
    assert parse_marking(banner.banner()) == banner


# ---------------------------------------------------------------- restrictiveness order


@pytest.mark.parametrize(
    ("a", "b", "a_over_b", "b_over_a"),
    [
        ("(TS)", "(S)", True, False),
        ("(S//NF)", "(S//REL TO USA, GBR)", True, False),
        ("(S//REL TO USA, GBR)", "(S//REL TO USA, FVEY)", True, False),
        ("(S//NF)", "(S)", True, True),  # both: USA nationals only
        ("(TS//SI-G)", "(TS//SI)", True, False),
        ("(S)", "(S//RELIDO)", True, False),
        ("(C)", "(U//FOUO)", True, False),
        ("(U)", "(U//FOUO)", False, True),
        ("(S//OC)", "(S)", True, False),
        ("TLP:RED", "TLP:AMBER+STRICT", True, False),
        ("(U)", "TLP:CLEAR", False, True),
        ("(S//NF) (TLP:AMBER)", "(S//NF)", True, False),
    ],
)
def test_dominates(a: str, b: str, a_over_b: bool, b_over_a: bool) -> None:
    ma, mb = parse_marking(a), parse_marking(b)
    assert dominates(ma, mb) is a_over_b
    assert dominates(mb, ma) is b_over_a


@given(markings(), markings(), markings())
@settings(max_examples=200)
def test_dominates_is_a_preorder(a: Marking, b: Marking, c: Marking) -> None:
    assert dominates(a, a)
    if dominates(a, b) and dominates(b, c):
        assert dominates(a, c)
    # The roll-up is the least marking over both: whatever is above a and b is above the banner.
    # Not with DISPLAY ONLY, which rolls up conservatively (see docs/markings.md).
    banner = rollup([a, b])
    if dominates(c, a) and dominates(c, b) and not (a.display_only or b.display_only):
        assert dominates(c, banner)


# ---------------------------------------------------------------- vocabulary


def test_vocabulary_is_data(tmp_path: Path) -> None:
    vocab = load_vocabulary()
    assert vocab.own_country == "USA"
    assert len(vocab.trigraphs) >= 190
    assert {"FVEY", "NATO"} <= set(vocab.tetragraphs)
    assert "GBR" in vocab.tetragraphs["FVEY"]
    assert [level.code for level in vocab.levels] == ["U", "R", "C", "S", "TS"]

    broken = tmp_path / "markings"
    broken.mkdir()
    source = Path(__file__).resolve().parents[1] / "src/watchfloor/data/markings"
    (broken / "countries.yaml").write_text((source / "countries.yaml").read_text())
    text = (source / "vocabulary.yaml").read_text().replace("own_country: USA", "own_country: XXX")
    (broken / "vocabulary.yaml").write_text(text)
    with pytest.raises(VocabularyError, match="own_country XXX is not a trigraph"):
        load_vocabulary(broken)


def test_every_pair_of_tlp_labels_rolls_up_to_the_stricter() -> None:
    for a, b in itertools.product(VOCAB.tlp, repeat=2):
        banner = rollup([parse_marking(f"TLP:{a}"), parse_marking(f"TLP:{b}")])
        assert banner.tlp == max(a, b, key=VOCAB.tlp_rank)
