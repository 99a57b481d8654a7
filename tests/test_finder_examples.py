"""The team's own finder examples (training/data/finder_examples.yaml) and their loader.

The whole file is loaded, so a label whose phrase is missing from its sentence, or ambiguous,
fails here; the balance the training recipe relies on (negatives, every act and status, every
kind of example, sentence lengths) is checked on the real file; and the loader's refusals are
checked on small files written for each problem.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from watchfloor.errors import InputError
from watchfloor.extract.records import ACTS, STATUSES

TRAINING = Path(__file__).resolve().parent.parent / "training"
EXAMPLES = TRAINING / "data" / "finder_examples.yaml"


@pytest.fixture(scope="module")
def loader() -> Iterator[ModuleType]:
    sys.path.insert(0, str(TRAINING))
    try:
        from finder import examples

        yield examples
    finally:
        sys.path.remove(str(TRAINING))


@pytest.fixture(scope="module")
def examples(loader: ModuleType) -> list:
    return loader.load_examples(EXAMPLES)


def statements(examples: list) -> list:
    return [s for e in examples for s in e.statements]


def test_the_file_is_large_and_at_least_two_fifths_negative(examples: list) -> None:
    negatives = [e for e in examples if e.negative]
    assert len(examples) >= 650
    assert len(negatives) / len(examples) >= 0.40
    # A negative kind never carries a statement and a threat always does (the loader enforces
    # it); denials come both as statements and as negatives.
    denials = [e for e in examples if e.kind == "denial"]
    assert any(e.negative for e in denials) and any(not e.negative for e in denials)


def test_every_kind_act_and_status_is_well_represented(loader: ModuleType, examples: list) -> None:
    kinds = Counter(e.kind for e in examples)
    assert set(kinds) == set(loader.KINDS)
    assert min(kinds.values()) >= 50, kinds
    acts = Counter(s.act for s in statements(examples))
    assert set(acts) == set(ACTS) and min(acts.values()) >= 40, acts
    found = Counter(s.status for s in statements(examples))
    assert set(found) == set(STATUSES) and min(found.values()) >= 25, found


def test_spans_are_whole_words_of_their_sentence(examples: list) -> None:
    for e in examples:
        for s in e.statements:
            for span in (s.trigger, s.target, s.actor):
                if span is None:
                    continue
                start, end = span
                assert 0 <= start < end <= len(e.text), e.text
                assert e.text[start:end].strip() == e.text[start:end], e.text
                before = e.text[start - 1 : start] if start else ""
                after = e.text[end : end + 1]
                assert not (before.isalnum() and e.text[start].isalnum()), e.text
                assert not (after.isalnum() and e.text[end - 1].isalnum()), e.text


def test_every_statement_has_a_trigger_apart_from_its_target_and_actor(examples: list) -> None:
    for e in examples:
        for s in e.statements:
            assert s.trigger is not None, e.text
            for other in (s.target, s.actor):
                if other is not None:
                    overlap = s.trigger[0] < other[1] and other[0] < s.trigger[1]
                    assert not overlap, f"trigger overlaps an argument in {e.text!r}"
    with_target = [s for s in statements(examples) if s.target is not None]
    assert len(with_target) / len(statements(examples)) >= 0.95


def test_sentences_vary_in_length_and_are_not_repeated_in_the_same_context(
    examples: list,
) -> None:
    words = [len(e.text.split()) for e in examples]
    assert min(words) <= 6 and max(words) >= 40
    assert sum(n >= 30 for n in words) >= 20
    seen = Counter((e.before, e.text, e.after) for e in examples)
    assert [key for key, n in seen.items() if n > 1] == []
    # One sentence per example: no full stop followed by a new capitalised sentence.
    two = [e.text for e in examples if re.search(r"[a-z][.!?]['’”]? [A-Z]", e.text)]
    assert two == []


def test_the_kinds_of_miss_from_issue_12_each_have_many_examples(examples: list) -> None:
    def count(pattern: str, **where: str) -> int:
        return sum(
            1
            for e in examples
            for s in e.statements
            if all(getattr(s, k) == v for k, v in where.items())
            and re.search(pattern, e.text, re.IGNORECASE)
        )

    hire = r"hitman|hired|paid|paying|contract|undercover|informant|soliciting|offered|assassin"
    assert count(hire, act="kill") >= 30
    assert count(r".", act="threaten", status="threatened") >= 40
    assert count(r"attempt on|plot|plan|conspiracy|bid to", status="foiled") >= 15
    assert count(r"[‘'“\"]") >= 50  # quoted speech: first person and "you" inside quotes
    assert sum(1 for e in examples if e.text.isupper()) >= 10  # telex in capitals
    assert sum(1 for e in examples if e.before or e.after) >= 25


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "examples.yaml"
    path.write_text("examples:\n" + body, encoding="utf-8")
    return path


def test_offsets_point_at_the_labelled_words(loader: ModuleType, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '  - text: "He said he would shoot the judge, and he meant it."\n'
        "    before: Context here.\n"
        "    kind: threat\n"
        "    statements:\n"
        "      - {act: attack, status: threatened, trigger: shoot, target: the judge,\n"
        "         actor: he, actor_occurrence: 2}\n",
    )
    (example,) = loader.load_examples(path)
    (s,) = example.statements
    text = example.text
    assert text[slice(*s.trigger)] == "shoot"
    assert text[slice(*s.target)] == "the judge"
    assert s.actor == (38, 40) and text[slice(*s.actor)] == "he"
    assert example.before == "Context here." and example.after is None
    with pytest.raises(AttributeError):
        example.text = "changed"  # frozen


@pytest.mark.parametrize(
    ("statement", "kind", "problem"),
    [
        (
            "{act: kill, status: threatened, trigger: murder, target: the judge}",
            "threat",
            "trigger 'murder' does not occur",
        ),
        (
            "{act: kill, status: threatened, trigger: kill, target: judge Ana}",
            "threat",
            "target 'judge Ana' does not occur",
        ),
        (
            "{act: kill, status: threatened, trigger: kill, target: the}",
            "threat",
            "target 'the' occurs 2 times",
        ),
        (
            "{act: maim, status: threatened, trigger: kill, target: the judge}",
            "threat",
            "act 'maim' is not one of",
        ),
        (
            "{act: kill, status: maybe, trigger: kill, target: the judge}",
            "threat",
            "status 'maybe' is not one of",
        ),
        ("{act: kill, status: threatened, target: the judge}", "threat", "needs `trigger`"),
        (
            "{act: kill, status: threatened, trigger: kill, target: the judge}",
            "fiction",
            "is a negative but lists statements",
        ),
        (
            "{act: kill, status: threatened, trigger: ill, target: the judge}",
            "threat",
            "trigger 'ill' does not occur in the text as whole words",
        ),
    ],
)
def test_bad_labels_are_refused_naming_the_example(
    loader: ModuleType, tmp_path: Path, statement: str, kind: str, problem: str
) -> None:
    good = '  - text: "A quiet day."\n    kind: other\n    statements: []\n'
    bad = (
        '  - text: "He will kill the judge and the clerk."\n'
        f"    kind: {kind}\n"
        f"    statements:\n      - {statement}\n"
    )
    with pytest.raises(InputError) as raised:
        loader.load_examples(write(tmp_path, good + bad))
    message = str(raised.value)
    assert "example #2 ('He will kill the judge and ...')" in message
    assert problem in message


def test_a_file_that_is_not_a_list_of_examples_is_refused(
    loader: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("reports: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="list under `examples:`"):
        loader.load_examples(path)
    with pytest.raises(InputError, match="cannot be read"):
        loader.load_examples(tmp_path / "missing.yaml")
    threat_without_statement = (
        '  - text: "Gunmen shot him."\n    kind: threat\n    statements: []\n'
    )
    with pytest.raises(InputError, match="kind threat lists no statement"):
        loader.load_examples(write(tmp_path, threat_without_statement))
