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
        "SANTIAGO, 2 MAY 24 -- TWO ARMED MEN THREATENED TO KILL FARID OSEI OUTSIDE HIS "
        "OFFICE ON TUESDAY, POLICE SOURCES SAID."
    )
    findings = analyze(analyzer, text)
    linked = [f for f in findings if f.target.protectee == "farid-osei"]
    assert linked, [f.statement for f in findings]
    finding = linked[0]
    assert finding.target.basis == "name"
    assert finding.statement.target is not None
    assert finding.statement.target.text == "FARID OSEI"
    assert finding.duty_to_warn


def test_a_role_in_capitals_links_to_its_holder(analyzer: Analyzer) -> None:
    text = (
        "SANTIAGO, 2 MAY 24 -- POLICE SAID A CELL OF THE GROUP HAD PLANNED TO KIDNAP "
        "THE US AMBASSADOR IN SANTIAGO NEXT WEEK."
    )
    findings = analyze(analyzer, text)
    linked = [f for f in findings if f.target.protectee == "nadia-brandt"]
    assert linked, [(f.statement, f.target) for f in findings]
    assert linked[0].target.basis == "role"
    assert linked[0].statement.act == "kidnap"


def test_a_threat_in_capitals_reads_as_in_mixed_case(analyzer: Analyzer) -> None:
    mixed = (
        "Gunmen fired on the convoy of a provincial judge near the border on Sunday, and "
        "the rebels later threatened to kill the judge's family."
    )
    found_mixed = [(f.statement.act, f.statement.status) for f in analyze(analyzer, mixed)]
    found_caps = [(f.statement.act, f.statement.status) for f in analyze(analyzer, mixed.upper())]
    assert found_mixed
    assert sorted(found_caps) == sorted(found_mixed)


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
    assert " the " not in cased.lower().replace("the fmln", "")  # no stray words appear
    assert cased.startswith("Addis Ababa")


def test_only_blocks_of_capitals_are_recased() -> None:
    text = "A normal sentence in mixed case.\nSHORT CAPS LINE\n" + "WORDS " * 3
    assert capital_blocks(text) == []
    long = "SECURITY FORCES FOILED AN ATTEMPT TO KIDNAP THE HEAD OF A CHARITY IN THE NORTH."
    assert capital_blocks("Intro in mixed case.\n" + long) == [(21, 21 + len(long))]
