"""Tokenizer rules (data/nlp/tokenizer.yaml) and the treebank reader that trains under them."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from watchfloor.nlp.tokenizer import apply_rules, load_rules


@pytest.fixture(scope="module")
def ruled() -> Language:
    return apply_rules(spacy.blank("en"))


def words(pipeline: Language, text: str) -> list[str]:
    return [t.text for t in pipeline.make_doc(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stay away!!! Now???", ["Stay", "away", "!!!", "Now", "???"]),
        ("Really?! ***Update*** ----", ["Really", "?!", "***", "Update", "***", "----"]),
        ("Regards, Dana ________", ["Regards", ",", "Dana", "________"]),
    ],
)
def test_a_run_of_one_punctuation_mark_is_one_token(
    ruled: Language, text: str, expected: list[str]
) -> None:
    assert words(ruled, text) == expected
    # spaCy's defaults cut the same runs apart, so the rules are what makes the difference.
    assert words(spacy.blank("en"), text) != expected


def test_listed_hyphen_prefixes_keep_the_word_whole(ruled: Language) -> None:
    text = "The anti-government co-founder sent an E-mail to a non-profit."
    assert words(ruled, text) == [
        "The", "anti-government", "co-founder", "sent", "an", "E-mail", "to", "a", "non-profit",
        ".",
    ]  # fmt: skip


def test_other_hyphenated_words_are_still_split(ruled: Language) -> None:
    # "e" guards only a word that *is* "e": "the-" and "one-" in the middle of words still split.
    assert words(ruled, "a long-term plan by the-group one-man") == [
        "a", "long", "-", "term", "plan", "by", "the", "-", "group", "one", "-", "man",
    ]  # fmt: skip


def test_rules_come_from_the_data_file(tmp_path: Path) -> None:
    rules = tmp_path / "tokenizer.yaml"
    rules.write_text("punctuation_runs: []\nhyphen_prefixes: [long]\n", encoding="utf-8")
    assert load_rules(rules) == {"punctuation_runs": [], "hyphen_prefixes": ["long"]}
    custom = apply_rules(spacy.blank("en"), rules)
    assert words(custom, "long-term e-mail!!") == ["long-term", "e", "-", "mail", "!", "!"]
