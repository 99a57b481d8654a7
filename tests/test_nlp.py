"""The English pipeline watchfloor ships: loading, configuration, and behaviour on our sentences."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from watchfloor import nlp
from watchfloor.errors import PipelineNotFound


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


def test_load_returns_one_pipeline_per_process(pipeline: Language) -> None:
    assert nlp.load() is pipeline


def test_packaged_pipeline_has_every_layer(pipeline: Language) -> None:
    for component in ("morphologizer", "parser", "trainable_lemmatizer", "ner"):
        assert component in pipeline.pipe_names
    assert {"PERSON", "ORG", "GPE", "NORP", "DATE"} <= set(pipeline.get_pipe("ner").labels)


def test_environment_variable_selects_another_pipeline(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = spacy.blank("en")
    other.meta["name"] = "someone_elses_pipeline"
    other.to_disk(tmp_path / "other")
    monkeypatch.setenv(nlp.ENV_VAR, str(tmp_path / "other"))
    assert nlp.load().meta["name"] == "someone_elses_pipeline"


def test_missing_pipeline_gets_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.ENV_VAR, "no_such_pipeline_package_xyz")
    with pytest.raises(PipelineNotFound) as caught:
        nlp.load()
    message = str(caught.value)
    assert "no_such_pipeline_package_xyz" in message
    assert nlp.ENV_VAR in message


def token(doc: Doc, text: str) -> spacy.tokens.Token:
    return next(t for t in doc if t.text == text)


@pytest.mark.parametrize(
    ("sentence", "subject", "verb", "obj"),
    [
        ("The militia planned an attack on the embassy last week.", "militia", "planned", "attack"),
        ("Two gunmen shot the judge outside her house.", "gunmen", "shot", "judge"),
        ("The cell has threatened the editor repeatedly.", "cell", "threatened", "editor"),
    ],
)
def test_plot_sentence_gets_subject_verb_and_object(
    pipeline: Language, sentence: str, subject: str, verb: str, obj: str
) -> None:
    doc = pipeline(sentence)
    root = token(doc, verb)
    assert root.dep_ == "ROOT"
    assert root.pos_ == "VERB"
    assert token(doc, subject).head == root and token(doc, subject).dep_ == "nsubj"
    assert token(doc, obj).head == root and token(doc, obj).dep_ == "obj"


def test_passive_plot_marks_the_agent(pipeline: Language) -> None:
    doc = pipeline("The mayor was attacked by a group of armed men.")
    verb = token(doc, "attacked")
    assert token(doc, "mayor").dep_ == "nsubj:pass" and token(doc, "mayor").head == verb
    assert token(doc, "group").dep_ == "obl:agent" and token(doc, "group").head == verb


def test_infinitive_plot_hangs_off_the_planning_verb(pipeline: Language) -> None:
    doc = pipeline("The group is planning to kill the ambassador.")
    kill = token(doc, "kill")
    assert kill.head.text == "planning" and kill.dep_ == "xcomp"
    assert token(doc, "ambassador").head == kill


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("John Smith flew to Nairobi on Monday.", {("John Smith", "PERSON"), ("Nairobi", "GPE")}),
        (
            "Maria Gonzalez, a reporter for the Associated Press, was in France in May.",
            {("Maria Gonzalez", "PERSON"), ("France", "GPE")},
        ),
        ("Police in Germany arrested two Syrian men.", {("Germany", "GPE"), ("Syrian", "NORP")}),
    ],
)
def test_names_get_the_right_entity_types(
    pipeline: Language, sentence: str, expected: set[tuple[str, str]]
) -> None:
    found = {(ent.text, ent.label_) for ent in pipeline(sentence).ents}
    assert expected <= found


def test_lemmas_of_threat_verbs(pipeline: Language) -> None:
    doc = pipeline("They were plotting and had tried to kidnap two journalists.")
    assert token(doc, "plotting").lemma_ == "plot"
    assert token(doc, "tried").lemma_ == "try"
    assert token(doc, "journalists").lemma_ == "journalist"


def test_sentences_are_split(pipeline: Language) -> None:
    doc = pipeline("The envoy arrived on Monday. Police said a gunman was arrested nearby.")
    assert [s.text for s in doc.sents] == [
        "The envoy arrived on Monday.",
        "Police said a gunman was arrested nearby.",
    ]
