"""The team's own annotated news sentences (training/data/news_entities.yaml) as spaCy Docs.

Each template is filled a fixed number of times from the lists in the file, the states and
capitals of data/geo/countries.yaml and the armed groups of data/actors/entities.yaml, with a
fixed seed, so the same corpus comes out every time. Only entities are annotated.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.tokens import Doc

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "src" / "watchfloor" / "data"
SENTENCES = HERE / "data" / "news_entities.yaml"
SPAN = re.compile(r"\[([^\]]+)\]\(([A-Z]+)\)")
SLOT = re.compile(r"\{([a-z]+)\}")
# Groups whose name is a plural people-noun read as NORP in the GUM conversion; not ORG here.
NOT_ORGANIZATIONS = {"Houthis"}


def fillers(data: dict[str, Any]) -> dict[str, list[str]]:
    countries = yaml.safe_load((DATA / "geo" / "countries.yaml").read_text(encoding="utf-8"))
    actors = yaml.safe_load((DATA / "actors" / "entities.yaml").read_text(encoding="utf-8"))
    people = data["people"]
    slots: dict[str, list[str]] = {
        "person": [f"{first} {last}" for first in people["first"] for last in people["last"]],
        "surname": list(people["last"]),
        "day": list(data["days"]),
        "country": [c["name"] for c in countries["countries"] if not c["name"].startswith("the ")],
        "city": [city for c in countries["countries"] for city in c.get("capitals", [])],
    }
    for kind, names in data["organizations"].items():
        slots[kind] = list(names)
    slots["group"] += [
        a["name"]
        for a in actors["entities"]
        if a.get("kind") == "militant" and a["name"] not in NOT_ORGANIZATIONS
    ]
    return slots


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> tuple[str, list]:
    """The sentence and its (start_char, end_char, label) spans."""
    filled = SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
    text, spans, position = "", [], 0
    for match in SPAN.finditer(filled):
        text += filled[position : match.start()]
        name = match.group(1)
        # A leading article stays outside the span, as in the GUM conversion ("The Guardian").
        article = len(name) - len(name.removeprefix("The ").removeprefix("the "))
        spans.append((len(text) + article, len(text) + len(name), match.group(2)))
        text += name
        position = match.end()
    return text + filled[position:], spans


def _ends_cleanly(nlp: Language, name: str) -> bool:
    return all(nlp.make_doc(name + mark)[-1].text == mark for mark in ".,'")


def own_docs(
    nlp: Language, per_template: int = 10, seed: int = 0, path: Path = SENTENCES
) -> list[Doc]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    slots = fillers(data)
    # A name the tokenizer would cut into before punctuation ("ISIS-K." reads as "K.") cannot
    # be a span; such names are left out rather than mislabelled.
    for kind, names in slots.items():
        slots[kind] = [name for name in names if _ends_cleanly(nlp, name)]
    rng = random.Random(seed)
    sentences = [
        fill(template, slots, rng) for template in data["templates"] for _ in range(per_template)
    ]
    rng.shuffle(sentences)
    docs = []
    for i in range(0, len(sentences), 10):
        chunk = sentences[i : i + 10]
        text, spans = "", []
        for sentence, sentence_spans in chunk:
            offset = len(text)
            spans.extend((s + offset, e + offset, label) for s, e, label in sentence_spans)
            text += sentence + " "
        doc = nlp.make_doc(text.rstrip())
        ents = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label)
            if span is None:
                raise ValueError(f"{path}: {text[start:end]!r} does not fall on token boundaries")
            ents.append(span)
        doc.ents = ents
        docs.append(doc)
    return docs
