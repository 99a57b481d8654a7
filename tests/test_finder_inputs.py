"""The combined extraction (rules and the packaged finder) on input nobody writes on purpose: a
sentence of thousands of tokens, text in another language, all-capitals telex. No crash, and a
note where something was cut or may be missed."""

from __future__ import annotations

from datetime import date

import pytest

from watchfloor.extract.finder.model import PACKAGED
from watchfloor.ingest.records import Document
from watchfloor.pipeline import Analyzer

pytestmark = pytest.mark.skipif(
    not (PACKAGED / "finder.onnx").is_file(), reason=f"{PACKAGED} holds no finder model"
)
DAY = date(2024, 3, 1)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(finder="combined")


def _analyze(analyzer: Analyzer, text: str) -> list[object]:
    return analyzer.analyze(Document.from_text(text, source="test", published=DAY))


def test_a_sentence_of_five_thousand_tokens_is_read_in_part_and_says_so(
    analyzer: Analyzer,
) -> None:
    filler = " ".join(["and the convoy drove on"] * 1000)
    text = f"Gunmen shot dead a police officer in Tula {filler} until dawn."
    findings = _analyze(analyzer, text)
    assert any(f.statement.act == "kill" for f in findings)  # type: ignore[attr-defined]
    notes = analyzer.notes()
    assert any("cut to their first part" in n for n in notes), notes


def test_text_in_another_language_gets_a_note_and_no_false_statements(
    analyzer: Analyzer,
) -> None:
    text = (
        "Le gouvernement a présenté hier un nouveau budget pour les écoles et les hôpitaux de la "
        "région, qui sera discuté au parlement la semaine prochaine selon le ministre des "
        "finances, qui a rappelé que la croissance reste faible et que les impôts ne seront pas "
        "augmentés cette année malgré les difficultés."
    )
    assert _analyze(analyzer, text) == []
    assert any("does not look like English" in n for n in analyzer.notes())


def test_all_capitals_telex_is_read(analyzer: Analyzer) -> None:
    text = (
        "SAN SALVADOR, 12 FEB 90 -- URBAN GUERRILLAS MACHINEGUNNED THE MAYOR OF SOYAPANGO "
        "YESTERDAY AS HE LEFT HIS HOME, POLICE SAID. THE MAYOR DIED ON THE WAY TO THE HOSPITAL."
    )
    findings = _analyze(analyzer, text)
    targets = [f.statement.target.text for f in findings if f.statement.target]  # type: ignore[attr-defined]
    assert any("MAYOR" in t for t in targets), targets
    assert all(f.statement.status == "carried_out" for f in findings)  # type: ignore[attr-defined]
    assert not analyzer.notes()
