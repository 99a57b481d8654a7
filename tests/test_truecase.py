"""Text in capitals (MUC-style telex) is parsed recased and reported in its own letters.

The sentences are invented in the manner of wire telex; the protectees are fictional. Each test
runs the real pipeline, the real truecaser with its shipped table, and the real linker.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchfloor.extract.extractor import Extractor
from watchfloor.ingest.records import Document
from watchfloor.link import load_watchlist
from watchfloor.nlp.truecase import CaseTable, capital_blocks, default_truecaser
from watchfloor.pipeline import Analyzer, Finding

WATCHLIST = """
protectees:
  - id: farid-osei
    name: Farid Osei
  - id: nadia-brandt
    name: Nadia Brandt
    roles: [{title: Ambassador, organization: United States, jurisdiction: Chile,
             since: 2021-01-01}]
"""
DAY = date(2024, 5, 3)


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    path: Path = tmp_path_factory.mktemp("truecase") / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return Analyzer(load_watchlist(path), finder="rules")


def analyze(analyzer: Analyzer, text: str) -> list[Finding]:
    document = Document(text=text, source="test", content_type="text/plain", sha256="0")
    return analyzer.analyze(document, DAY)


def test_the_table_knows_common_words_names_and_acronyms() -> None:
    table = CaseTable.load()
    assert table.preferred("THE") == "the"
    assert table.preferred("FBI") == "FBI"
    assert table.preferred("PARIS") == "Paris"
    assert table.preferred("QWXZ") is None


def test_a_watchlisted_name_in_capitals_is_found_and_linked(analyzer: Analyzer) -> None:
    text = (
        "SANTIAGO, 2 MAY 24 -- GUNMEN SHOT AND WOUNDED FARID OSEI, A LOCAL BUSINESSMAN, "
        "OUTSIDE HIS HOME IN NUNOA."
    )
    findings = analyze(analyzer, text)
    linked = [f for f in findings if f.target.protectee == "farid-osei"]
    assert linked, [(f.statement, f.target) for f in findings]
    finding = linked[0]
    assert finding.target.basis == "name"
    assert (finding.statement.act, finding.statement.status) == ("attack", "carried_out")
    assert finding.statement.target is not None
    assert finding.statement.target.text.startswith("FARID OSEI")


@pytest.mark.parametrize(
    "text",
    [
        "SANTIAGO, 2 MAY 24 -- THE US AMBASSADOR WAS THREATENED BY A GROUP OF ARMED MEN "
        "OUTSIDE HER RESIDENCE.",
        "SANTIAGO, 2 MAY 24 -- UNIDENTIFIED GUNMEN SHOT AND WOUNDED THE US AMBASSADOR OUTSIDE "
        "THE EMBASSY.",
    ],
)
def test_a_role_in_capitals_links_to_its_holder(analyzer: Analyzer, text: str) -> None:
    findings = analyze(analyzer, text)
    linked = [f for f in findings if f.target.protectee == "nadia-brandt"]
    assert linked, [(f.statement, f.target) for f in findings]
    assert linked[0].target.basis == "role"
    assert linked[0].statement.target is not None
    assert linked[0].statement.target.text == "THE US AMBASSADOR"


def test_a_threat_in_capitals_reads_as_in_mixed_case(analyzer: Analyzer) -> None:
    mixed = (
        "Santiago, 2 May 24 -- Over the past few days Farid Osei has received many death "
        "threats from extremist sectors, his lawyer said."
    )

    def read(text: str) -> list[tuple[str, str, str | None, str | None]]:
        found = []
        for f in analyze(analyzer, text):
            target = f.statement.target
            found.append(
                (
                    f.statement.act,
                    f.statement.status,
                    target and target.text.lower(),
                    f.target.protectee,
                )
            )
        return sorted(found, key=str)

    assert read(mixed)
    assert read(mixed.upper()) == read(mixed)


def test_offsets_point_into_the_original_letters(analyzer: Analyzer) -> None:
    text = (
        "LIMA, 4 MAY 24 (WIRE) -- UNKNOWN ASSAILANTS ATTACKED THE CAR OF FARID OSEI NEAR "
        "THE PORT OF CALLAO YESTERDAY EVENING.\n\nNO ONE WAS HURT, HIS OFFICE SAID."
    )
    findings = analyze(analyzer, text)
    assert findings
    for finding in findings:
        statement = finding.statement
        for span in (statement.evidence, statement.trigger, statement.actor, statement.target):
            if span is not None:
                assert text[span.start : span.end] == span.text
                assert span.text == span.text.upper()
        for phrase in (statement.where, statement.method, statement.motive):
            assert phrase is None or phrase == phrase.upper()


def test_a_document_in_mixed_case_is_left_as_it_is(analyzer: Analyzer) -> None:
    text = (
        "Police said two men threatened to kill Farid Osei outside his office. A short "
        "HEADLINE IN CAPITALS stays as written."
    )
    assert default_truecaser().truecase(text) == text
    extractor = Extractor(analyzer.extractor.nlp, finder="rules")
    doc, statements = extractor.extract(text, DAY)
    assert doc.text == text
    plain = analyzer.extractor.nlp(text)
    assert [(t.text, t.pos_, t.dep_, t.head.i) for t in doc] == [
        (t.text, t.pos_, t.dep_, t.head.i) for t in plain
    ]
    assert statements and statements[0].target is not None
    assert statements[0].target.text == "Farid Osei"


def test_recasing_keeps_every_character_but_letters_case() -> None:
    text = "ADDIS ABABA 9 MAR -- GUNMEN KIDNAPPED TWO AID WORKERS.  THE FMLN [URNG] DENIED IT.\n"
    cased = default_truecaser().truecase(text)
    assert len(cased) == len(text)
    assert cased.lower() == text.lower()
    assert cased != text
    assert "FMLN" in cased and "URNG" in cased
    assert cased.startswith("Addis Ababa")


def test_only_blocks_of_capitals_are_recased() -> None:
    text = "A normal sentence in mixed case.\nSHORT CAPS LINE\n" + "WORDS " * 3
    assert capital_blocks(text) == []
    long = "SECURITY FORCES FOILED AN ATTEMPT TO KIDNAP THE HEAD OF A CHARITY IN THE NORTH."
    assert capital_blocks("Intro in mixed case.\n" + long) == [(21, 21 + len(long))]


def test_a_name_wrapped_across_telex_lines_is_one_name(analyzer: Analyzer) -> None:
    text = (
        "SANTIAGO, 2 MAY 24 -- POLICE SAID THAT TWO MEN ON A MOTORCYCLE THREATENED TO KILL FARID\n"
        "OSEI, THE EDITOR OF A WEEKLY NEWSPAPER, OUTSIDE HIS OFFICE IN THE CITY CENTRE ON\n"
        "TUESDAY NIGHT.\n"
    )
    findings = analyze(analyzer, text)
    linked = [f for f in findings if f.target.protectee == "farid-osei"]
    assert linked, [(f.statement, f.target) for f in findings]
    assert linked[0].target.basis == "name"
    target = linked[0].statement.target
    assert target is not None and target.text.startswith("FARID\nOSEI")
    assert text[target.start : target.end] == target.text
