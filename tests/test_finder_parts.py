"""The finder's parts that need no trained weights: input encoding, decoding the heads' output,
the gate's features, sentence spans, and the combination of rules and model readings."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from watchfloor.extract.finder.combine import ReadSentence, combine
from watchfloor.extract.finder.config import FinderConfig
from watchfloor.extract.finder.encoding import Encoder
from watchfloor.extract.finder.gate import Gate, words
from watchfloor.extract.finder.labels import SPAN_TAGS, STATUS_CLASSES, TRIGGER_TAGS, trigger_tag
from watchfloor.extract.finder.model import PACKAGED, FoundTrigger, Piece, SentenceReading, decode
from watchfloor.extract.finder.sentences import sentence_spans

TOKENIZER = PACKAGED / "tokenizer.json"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    if not TOKENIZER.is_file():
        pytest.skip(f"{TOKENIZER} is not packaged in this checkout")
    return Encoder(Tokenizer.from_file(str(TOKENIZER)), max_sentence=12, max_total=20)


def test_sentence_pieces_point_back_into_the_sentence(encoder: Encoder) -> None:
    sentence = "Gunmen ambushed the convoy."
    row = encoder.encode(sentence, before="It was late.")
    own = [o for o in row.offsets if o is not None]
    assert "".join(sentence[a:b] for a, b in own).replace(" ", "") == sentence.replace(" ", "")
    # Context pieces are segment 1 and carry no offsets.
    assert row.segments[-1] == 1 and row.offsets[-1] is None
    assert not row.truncated


def test_a_long_sentence_is_cut_and_says_so_and_the_context_gets_what_is_left(
    encoder: Encoder,
) -> None:
    row = encoder.encode(" ".join(["word"] * 40), before="short context here")
    assert row.truncated
    assert sum(1 for o in row.offsets if o is not None) == 12
    assert len(row.ids) <= 20


def _logits(probabilities: list[float]) -> list[float]:
    return [math.log(max(p, 1e-9)) for p in probabilities]


def _one_hot(size: int, index: int, sure: float = 0.97) -> list[float]:
    rest = (1 - sure) / (size - 1)
    return _logits([sure if i == index else rest for i in range(size)])


def test_decode_joins_word_pieces_into_whole_words_and_reads_act_and_status(
    encoder: Encoder,
) -> None:
    sentence = "They bludgeoned the envoy."
    row = encoder.encode(sentence)
    n = len(row.ids)
    trigger = [_one_hot(len(TRIGGER_TAGS), 0) for _ in range(n)]
    target = [_one_hot(len(SPAN_TAGS), 0) for _ in range(n)]
    status = [_one_hot(len(STATUS_CLASSES), 0) for _ in range(n)]
    word = sentence.index("bludgeoned")
    pieces = [i for i, o in enumerate(row.offsets) if o is not None and word <= o[0] < word + 10]
    assert len(pieces) > 1  # the word is split into several pieces
    for k, i in enumerate(pieces):
        trigger[i] = _one_hot(len(TRIGGER_TAGS), trigger_tag("kill", k == 0))
    status[pieces[0]] = _one_hot(len(STATUS_CLASSES), STATUS_CLASSES.index("carried_out"))
    envoy = sentence.index("the envoy")
    for i, o in enumerate(row.offsets):
        if o is not None and envoy <= o[0] < envoy + len("the envoy"):
            target[i] = _one_hot(len(SPAN_TAGS), 1 if o[0] == envoy else 2)
    reading = decode(row, sentence, 3.0, trigger, target, target, status)
    assert reading.probability == pytest.approx(1 / (1 + math.exp(-3.0)))
    (found,) = reading.triggers
    assert sentence[found.start : found.end] == "bludgeoned"
    assert (found.act, found.status) == ("kill", "carried_out")
    assert [sentence[t.start : t.end] for t in reading.targets] == ["the envoy"]


def test_decode_finds_nothing_where_every_piece_is_outside(encoder: Encoder) -> None:
    sentence = "The weather was mild."
    row = encoder.encode(sentence)
    n = len(row.ids)
    outside = [_one_hot(len(TRIGGER_TAGS), 0) for _ in range(n)]
    spans = [_one_hot(len(SPAN_TAGS), 0) for _ in range(n)]
    status = [_one_hot(len(STATUS_CLASSES), 0) for _ in range(n)]
    reading = decode(row, sentence, -4.0, outside, spans, spans, status)
    assert reading.triggers == () and reading.targets == () and reading.probability < 0.05


def test_the_gate_passes_vocabulary_words_and_their_inflections_only(tmp_path: Path) -> None:
    from training.finder.gate import learn

    rows = [
        {"text": "Gunmen massacred the villagers.", "statements": [{"trigger": [7, 16]}]},
        {"text": "They massacred the guards.", "statements": [{"trigger": [5, 14]}]},
        {"text": "The car was parked outside.", "statements": []},
        {"text": "A car bomb killed two.", "statements": [{"trigger": [6, 10]}]},
    ]
    learned = learn(rows, min_count=2, min_precision=0.5)
    assert learned["words"] == ["massacred"]
    path = tmp_path / "gate.json"
    path.write_text(__import__("json").dumps(learned), encoding="utf-8")
    gate = Gate.load(path)
    assert gate.passes("Militias were MASSACRING civilians.")  # same stem, other case
    assert not gate.passes("The car was parked outside the bank.")
    assert words("Don't SHOOT, 3 men!") == ["don't", "shoot", "men"]


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from watchfloor import nlp as nlp_module

    return nlp_module.load()


def test_sentence_spans_cut_a_headline_off_the_paragraph_after_it(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Mayor escapes ambush\nGunmen fired on the mayor's car on Sunday. Nobody was hurt.")
    texts = [doc.text[a:b] for a, b in sentence_spans(doc)]
    assert texts[0] == "Mayor escapes ambush"
    assert "Gunmen fired on the mayor's car on Sunday." in texts


def _doc_and_rules(nlp, text: str):  # type: ignore[no-untyped-def]
    from watchfloor.extract import Extractor

    return Extractor(nlp, finder="rules").extract(text, date(2024, 5, 1))


def _whole(doc, reading: SentenceReading) -> list[ReadSentence]:  # type: ignore[no-untyped-def]
    return [ReadSentence(0, len(doc.text), reading, doc.text)]


def test_a_rules_statement_the_model_also_tagged_is_found_by_both(nlp) -> None:  # type: ignore[no-untyped-def]
    from watchfloor.extract.components import STATEMENTS

    text = "Gunmen killed the mayor of Tula on Sunday."
    doc, rules = _doc_and_rules(nlp, text)
    assert len(rules) == 1
    at = text.index("killed")
    reading = SentenceReading(
        0.97, (FoundTrigger(at, at + 6, 0.9, "kill", "carried_out", 0.9),), (), (), False
    )
    component = nlp.create_pipe(STATEMENTS)
    (statement,) = combine(
        doc, rules, _whole(doc, reading), FinderConfig(), component.lex, component.syn
    )
    assert statement.found_by == "both" and statement.confidence == 0.9
    assert statement.act == rules[0].act and statement.target == rules[0].target


def test_the_model_vetoes_a_rules_statement_in_a_sentence_it_reads_as_none(nlp) -> None:  # type: ignore[no-untyped-def]
    from watchfloor.extract.components import STATEMENTS

    text = "Gunmen killed the mayor of Tula on Sunday."
    doc, rules = _doc_and_rules(nlp, text)
    component = nlp.create_pipe(STATEMENTS)
    reading = SentenceReading(0.001, (), (), (), False)
    kept = combine(doc, rules, _whole(doc, reading), FinderConfig(), component.lex, component.syn)
    assert kept == []
    # The same reading with no veto configured keeps it, marked as the rules' alone.
    config = FinderConfig(veto_below=0.0)
    (kept_one,) = combine(doc, rules, _whole(doc, reading), config, component.lex, component.syn)
    assert kept_one.found_by == "rules"


def test_a_trigger_only_the_model_tagged_becomes_a_statement_read_like_the_rules_read(nlp) -> None:  # type: ignore[no-untyped-def]
    from watchfloor.extract.components import STATEMENTS

    text = "According to police, two men garrotted the judge in Lima on 28 April."
    doc, rules = _doc_and_rules(nlp, text)
    assert rules == []  # no lexicon word: the rules find nothing
    at = text.index("garrotted")
    judge = text.index("the judge")
    men = text.index("two men")
    reading = SentenceReading(
        0.95,
        (FoundTrigger(at, at + len("garrotted"), 0.8, "kill", "carried_out", 0.9),),
        (Piece(judge, judge + len("the judge"), 0.9),),
        (Piece(men, men + len("two men"), 0.9),),
        False,
    )
    component = nlp.create_pipe(STATEMENTS)
    (statement,) = combine(
        doc, rules, _whole(doc, reading), FinderConfig(), component.lex, component.syn
    )
    assert statement.found_by == "model" and statement.confidence == 0.8
    assert (statement.act, statement.status) == ("kill", "carried_out")
    assert statement.target is not None and statement.target.text == "the judge"
    assert statement.actor is not None and statement.actor.text == "two men"
    assert statement.attribution == "police"
    assert statement.when == "2024-04-28"
    # Below the configured trigger probability it is not a statement.
    strict = FinderConfig(trigger_probability=0.85)
    assert combine(doc, rules, _whole(doc, reading), strict, component.lex, component.syn) == []


def test_the_config_refuses_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    from watchfloor.errors import ConfigError
    from watchfloor.extract.finder.config import load_config

    bad = tmp_path / "finder.yaml"
    bad.write_text("trigger_probability: 2\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(bad)
    assert str(bad) in str(error.value)
    assert "trigger_probability" in str(error.value) and "surprise" in str(error.value)


def test_a_pronoun_the_rules_read_as_target_is_not_replaced_by_the_models_target(nlp) -> None:  # type: ignore[no-untyped-def]
    from watchfloor.extract.components import STATEMENTS

    text = "Judge Ana Ruiz said a caller told her he would kill her."
    doc, rules = _doc_and_rules(nlp, text)
    (rule,) = [s for s in rules if s.act == "kill"]
    assert rule.target is not None and rule.target.text == "her"
    at, name = text.index("kill"), text.index("Judge Ana Ruiz")
    reading = SentenceReading(
        0.97,
        (FoundTrigger(at, at + 4, 0.9, "kill", "threatened", 0.9),),
        (Piece(name, name + len("Judge Ana Ruiz"), 0.95),),
        (),
        False,
    )
    component = nlp.create_pipe(STATEMENTS)
    kept = combine(doc, [rule], _whole(doc, reading), FinderConfig(), component.lex, component.syn)
    # The linker resolves "her"; the model's reading of a name elsewhere does not override it.
    assert [s.target for s in kept] == [rule.target] and kept[0].found_by == "both"
    # A noun phrase the model does not tag as the target, where it is sure of another, is
    # replaced (a misparsed clause), however odd the other is.
    text2 = "Gunmen killed the mayor of Tula on Sunday."
    doc2, rules2 = _doc_and_rules(nlp, text2)
    at2, gunmen = text2.index("killed"), text2.index("Gunmen")
    reading2 = SentenceReading(
        0.97,
        (FoundTrigger(at2, at2 + 6, 0.9, "kill", "carried_out", 0.9),),
        (Piece(gunmen, gunmen + 6, 0.95),),
        (),
        False,
    )
    (replaced,) = combine(
        doc2, rules2, _whole(doc2, reading2), FinderConfig(), component.lex, component.syn
    )
    assert replaced.target is not None and replaced.target.text == "Gunmen"
