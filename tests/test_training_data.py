"""The training recipe's readers: what the English pipeline learns from (training/)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import spacy

TRAINING = Path(__file__).resolve().parent.parent / "training"


@pytest.fixture(scope="module")
def training() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(TRAINING))
    try:
        import convert
        import own_sentences

        yield {"convert": convert, "own_sentences": own_sentences}
    finally:
        sys.path.remove(str(TRAINING))


def write_conllu(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n\n", encoding="utf-8")
    return path


def test_multiword_tokens_keep_their_words_joined(
    training: dict[str, ModuleType], tmp_path: Path
) -> None:
    conllu = write_conllu(
        tmp_path / "sample.conllu",
        [
            "# text = They don't know it's late.",
            "1\tThey\tthey\tPRON\tPRP\t_\t3\tnsubj\t_\t_",
            "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
            "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_",
            "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_",
            "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\t_",
            "5-6\tit's\t_\t_\t_\t_\t_\t_\t_\t_",
            "5\tit\tit\tPRON\tPRP\t_\t7\tnsubj\t_\t_",
            "6\t's\tbe\tAUX\tVBZ\t_\t7\tcop\t_\t_",
            "7\tlate\tlate\tADJ\tJJ\t_\t4\tccomp\t_\tSpaceAfter=No",
            "8\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_",
        ],
    )
    (sentence,) = list(training["convert"].read_conllu(conllu))
    text = "".join(w.form + (" " if w.space_after else "") for w in sentence.words)
    assert text == "They don't know it's late. "


def test_a_person_named_after_a_common_noun_head_keeps_the_name(
    training: dict[str, ModuleType], tmp_path: Path
) -> None:
    # GUM heads "spokeswoman Dana Velic" on the noun; the name hangs off it as flat.
    entity = "Entity=(1-person-new-nnnnn-cf1-1-sgl"
    conllu = write_conllu(
        tmp_path / "person.conllu",
        [
            f"1\tspokeswoman\tspokeswoman\tNOUN\tNN\t_\t4\tnsubj\t_\t{entity}",
            "2\tDana\tDana\tPROPN\tNNP\t_\t1\tflat\t_\t_",
            "3\tVelic\tVelic\tPROPN\tNNP\t_\t2\tflat\t_\tEntity=1)",
            "4\tspoke\tspeak\tVERB\tVBD\t_\t0\troot\t_\t_",
        ],
    )
    (sentence,) = list(training["convert"].read_conllu(conllu))
    assert training["convert"].sentence_entities(sentence, set(), {"mr."}) == [(1, 3, "PERSON")]


def test_own_sentences_are_fixed_and_fall_on_token_boundaries(
    training: dict[str, ModuleType],
) -> None:
    nlp = spacy.blank("en")
    first = training["own_sentences"].own_docs(nlp, per_template=2)
    again = training["own_sentences"].own_docs(nlp, per_template=2)
    assert [d.text for d in first] == [d.text for d in again]
    ents = [e for doc in first for e in doc.ents]
    assert {e.label_ for e in ents} == {"PERSON", "ORG", "GPE", "DATE"}
    assert not any(e.text.lower().startswith("the ") for e in ents)
    assert all("[" not in d.text and "{" not in d.text for d in first)


def test_a_template_span_off_token_boundaries_is_an_error(
    training: dict[str, ModuleType], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    source = (TRAINING / "data" / "news_entities.yaml").read_text(encoding="utf-8")
    broken.write_text(
        source.replace("templates:\n", 'templates:\n  - "The bomb[er](PERSON) fled."\n', 1),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="token boundaries"):
        training["own_sentences"].own_docs(spacy.blank("en"), per_template=1, path=broken)
