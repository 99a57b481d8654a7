"""Generic actor descriptions ("the group") read as the one known actor the document names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language

import watchfloor.nlp
from watchfloor.errors import WatchfloorError
from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.ingest.records import Document
from watchfloor.link import ActorLink, Linker, Protectee, Watchlist
from watchfloor.link.coref import GenericActors
from watchfloor.pipeline import Analyzer

DAY = date(2026, 3, 2)
NAMED = "Police said a cell linked to al-Shabaab planned to kill the envoy."
SHABAAB = ActorLink("al-Shabaab", ("al-Shabaab",), "coreference")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return watchfloor.nlp.load()


@pytest.fixture(scope="module")
def linker(nlp: Language) -> Linker:
    return Linker(Watchlist.empty(), nlp=nlp)


def threat(text: str, actor: str, occurrence: int = 0) -> ThreatStatement:
    """A statement whose actor is the `occurrence`-th `actor` in `text` and whose evidence is
    that actor's sentence."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(actor, start + 1)
    first = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    last = text.find(".", start)
    last = len(text) if last < 0 else last + 1
    evidence = TextSpan(text[first:last].strip(), first, last)
    return ThreatStatement(
        act="kill",
        status="planned",
        evidence=evidence,
        trigger=evidence,
        actor=TextSpan(actor, start, start + len(actor)),
        target=None,
    )


def actors(linker: Linker, nlp: Language, text: str, *phrases: str) -> list[ActorLink]:
    statements = [threat(text, phrase) for phrase in phrases]
    return [actor for _, actor in linker.link(nlp(text), statements, DAY)]


@pytest.mark.parametrize(
    "generic", ["The group", "The cell", "The same cell", "The militants", "The plotters"]
)
def test_a_later_description_is_the_group_named_before(
    linker: Linker, nlp: Language, generic: str
) -> None:
    text = f"{NAMED} {generic} had followed his car for a week."
    named, described = actors(linker, nlp, text, "a cell linked to al-Shabaab", generic)
    assert named == ActorLink("al-Shabaab", ("al-Shabaab",), "mention")
    assert described == SHABAAB


def test_a_headline_describes_the_actor_named_in_the_paragraph_after_it(
    linker: Linker, nlp: Language
) -> None:
    text = (
        "Officials in Mombasa say an armed cell is planning to kill a judge\n\n"
        "MOMBASA - Police believe a cell linked to al-Shabaab is planning to kill a judge."
    )
    generic, named = actors(linker, nlp, text, "an armed cell", "a cell linked to al-Shabaab")
    assert (generic, named.method) == (SHABAAB, "mention")


def test_a_description_before_the_name_in_another_paragraph_stays_unknown(
    linker: Linker, nlp: Language
) -> None:
    text = (
        "An armed cell is planning to kill a judge, officials said.\n\n"
        "Police believe a cell linked to al-Shabaab is planning to kill a judge."
    )
    generic, named = actors(linker, nlp, text, "An armed cell", "a cell linked to al-Shabaab")
    assert (generic, named.entity) == (ActorLink(None), "al-Shabaab")


def test_two_named_groups_leave_the_description_unknown(linker: Linker, nlp: Language) -> None:
    text = (
        f"{NAMED} Separately, Hezbollah fighters threatened to kill a judge. "
        "The group had followed his car for a week."
    )
    named, other, described = actors(
        linker, nlp, text, "a cell linked to al-Shabaab", "Hezbollah fighters", "The group"
    )
    assert (named.entity, other.entity) == ("al-Shabaab", "Hezbollah")
    assert described == ActorLink(None)


@pytest.mark.parametrize(
    "described",
    [
        "An armed man",  # a person, not a group word
        "A gunman",  # a member noun in the singular may be someone acting alone
        "Another cell",  # says it is not the one named
        "A rival group",
        "Two other groups",
        "Its network",  # someone's network, not a repetition
        "A police team",  # a noun other than the listed modifiers makes it someone else
        "Iranian-backed militants",  # a sponsor's description says more than a repetition
        "A group in Kismayo",  # words after the head
    ],
)
def test_descriptions_that_are_not_a_repetition_stay_unknown(
    linker: Linker, nlp: Language, described: str
) -> None:
    text = f"{NAMED} {described} had followed his car for a week."
    _, link = actors(linker, nlp, text, "a cell linked to al-Shabaab", described)
    assert link.entity is None


def test_a_state_is_no_cell_but_a_state_s_cell_is(linker: Linker, nlp: Language) -> None:
    # "Iran" does not describe a cell; "an Iranian cell" does, so "the cell" repeats it.
    text = "Officials said Iran planned to kill the envoy. The cell had followed his car."
    state, cell = actors(linker, nlp, text, "Iran", "The cell")
    assert (state.entity, cell.entity) == ("Iran", None)
    text = "Officials said an Iranian cell planned to kill the envoy. The cell had followed him."
    state, cell = actors(linker, nlp, text, "an Iranian cell", "The cell")
    assert (state.entity, cell) == ("Iran", ActorLink("Iran", ("Iran",), "coreference"))


def test_a_state_body_is_reached_by_its_own_head_noun_only(linker: Linker, nlp: Language) -> None:
    text = "Officials said a GRU team planned to kill the envoy. The group had followed his car."
    _, group = actors(linker, nlp, text, "a GRU team", "The group")
    assert group.entity is None
    text = "Officials said a GRU team planned to kill the envoy. The team had followed his car."
    _, team = actors(linker, nlp, text, "a GRU team", "The team")
    assert team == ActorLink("GRU", ("GRU", "Russia"), "coreference")


def test_one_report_makes_one_actor_target_pair(nlp: Language) -> None:
    watchlist = Watchlist([Protectee.model_validate({"id": "ines-duarte", "name": "Ines Duarte"})])
    analyzer = Analyzer(watchlist, nlp=nlp)
    text = (
        "Officials in Nairobi say an armed cell is planning to kill Ines Duarte\n\n"
        "NAIROBI - Police believe a cell linked to al-Shabaab is planning to kill Ines Duarte "
        "during a visit to Mombasa next week, officials said.\n\n"
        "The officials said the group had photographed Duarte's convoy twice."
    )
    document = Document(text=text, source="test", content_type="text/plain", sha256="0" * 64)
    findings = analyzer.analyze(document, DAY)
    assert len(findings) == 3
    pairs = {(f.actor.entity, f.target.protectee) for f in findings}
    assert pairs == {("al-Shabaab", "ines-duarte")}
    # The words of the report are kept as written.
    assert {f.statement.actor.text for f in findings if f.statement.actor} == {
        "an armed cell",
        "a cell linked to al-Shabaab",
        "the group",
    }


def test_generic_word_file_errors_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "generic.yaml"
    path.write_text("collectives: cell\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match=r"generic.yaml: field collectives: expected a list"):
        GenericActors.load(path)
    path.write_text("- cell\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match="expected a mapping"):
        GenericActors.load(path)
