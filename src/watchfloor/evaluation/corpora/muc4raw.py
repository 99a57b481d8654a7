"""MUC-4 as released in 1992: the original upper-case texts and their full answer keys.

`raw/dev/` (1,300 messages) is for training; `raw/tst1/` and `raw/tst2/` (200 messages) are the
development set. The keys' slots are read as written: incident type, STAGE OF EXECUTION, the
perpetrators, physical targets and human targets (name, description, effect). Each quoted
string is located in the text (case-insensitive, whole words), every occurrence an argument,
so scorers can ask whether a prediction overlaps any mention of a victim. TST3 and TST4 are the
test set and are not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watchfloor.errors import InputError
from watchfloor.evaluation.corpora.records import CorpusDocument, GoldArgument, GoldEvent

SPLITS: dict[str, tuple[str, ...]] = {
    "train": ("dev",),
    "dev": ("tst1", "tst2"),
}
MESSAGE_ID = re.compile(r"^((?:DEV|TST\d)-MUC\d-\d{4})\b.*$", re.MULTILINE)
SLOT = re.compile(r"^\s*(\d+)\.\s+([A-Z ]+:[A-Z ]+?)\s{2,}(.*)$")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
DATELINE = re.compile(
    r"\b(\d{1,2}) (JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]* (\d{2})\b"
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
STAGES = {"ACCOMPLISHED": "accomplished", "ATTEMPTED": "attempted", "THREATENED": "threatened"}
# Slots whose quoted strings are arguments, and the role each is given.
ARGUMENT_SLOTS: dict[str, str] = {
    "PERP: INDIVIDUAL ID": "perpetrator_individual",
    "PERP: ORGANIZATION ID": "perpetrator_organization",
    "PHYS TGT: ID": "physical_target",
    "HUM TGT: NAME": "victim_name",
    "HUM TGT: DESCRIPTION": "victim_description",
}


@dataclass(frozen=True)
class _Template:
    message: str
    slots: dict[str, list[str]]
    optional: bool


def read_muc4_raw(directory: Path, split: str = "dev") -> Iterator[CorpusDocument]:
    """The messages of `split` ("train": raw/dev, "dev": raw/tst1 + raw/tst2) with their keys."""
    if split not in SPLITS:
        raise InputError(f"MUC-4 split {split!r}", f"use one of {', '.join(SPLITS)}")
    for folder_name in SPLITS[split]:
        folder = directory / folder_name
        if not folder.is_dir():
            raise InputError(
                str(folder), "not found; MUC-4 raw files live in ../shared/data/muc4/raw"
            )
        keys: dict[str, list[_Template]] = {}
        for path in sorted(folder.glob("key-*")):
            for template in _templates(path.read_text(encoding="latin-1")):
                keys.setdefault(template.message, []).append(template)
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith("key-")):
            for message, text in _messages(path.read_text(encoding="latin-1")):
                yield _document(message, text, keys.get(message, []))


def _messages(raw: str) -> Iterator[tuple[str, str]]:
    heads = list(MESSAGE_ID.finditer(raw))
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(raw)
        yield head.group(1), raw[head.end() : end].strip("\n")


def _templates(raw: str) -> Iterator[_Template]:
    lines = [line for line in raw.splitlines() if not line.startswith(";")]
    slots: dict[str, list[str]] = {}
    current = ""
    for line in [*lines, ""]:
        match = SLOT.match(line)
        if match:
            current = " ".join(match.group(2).split())
            if current == "MESSAGE: ID" and slots:
                yield _template(slots)
                slots = {}
            slots.setdefault(current, []).append(match.group(3).strip())
        elif line.strip() and current:
            slots[current].append(line.strip())
    if slots:
        yield _template(slots)


def _template(slots: dict[str, list[str]]) -> _Template:
    message = slots["MESSAGE: ID"][0].split()[0]
    number = " ".join(slots.get("MESSAGE: TEMPLATE", ["*"]))
    return _Template(message, slots, optional="OPTIONAL" in number)


def _document(message: str, text: str, templates: list[_Template]) -> CorpusDocument:
    events = []
    for template in templates:
        kind = " ".join(template.slots.get("INCIDENT: TYPE", ["*"])).strip()
        if kind in ("*", "-", ""):
            continue  # a message with no relevant incident
        events.append(_event(text, kind.split(":")[0].strip(), template))
    return CorpusDocument(
        corpus="muc4",
        doc_id=message,
        text=text,
        sentences=(),
        events=tuple(events),
        published=_dateline(text),
    )


def _event(text: str, kind: str, template: _Template) -> GoldEvent:
    stage_value = " ".join(template.slots.get("INCIDENT: STAGE OF EXECUTION", []))
    stage = next((STAGES[w] for w in stage_value.replace("/", " ").split() if w in STAGES), None)
    arguments: list[GoldArgument] = []
    for slot, role in ARGUMENT_SLOTS.items():
        for value in template.slots.get(slot, []):
            for alternative in QUOTED.findall(_own_strings(value)):
                arguments.extend(_locate(text, role, alternative.replace('\\"', '"')))
    effects = tuple(
        ("human_effect", " ".join(v.split()))
        for v in template.slots.get("HUM TGT: EFFECT OF INCIDENT", [])
    )
    return GoldEvent(
        kind=kind,
        trigger=None,
        arguments=tuple(arguments),
        stage=stage,
        attributes=(
            ("optional", str(template.optional).lower()),
            ("stage_key", stage_value),
            *effects,
        ),
    )


def _own_strings(value: str) -> str:
    """The slot's own strings: a description's value reads '"PRESIDENT": "CEREZO"', where the
    string after the colon only says whom the description is of."""
    return value.split('": ', 1)[0] + '"' if '": ' in value else value


def _locate(text: str, role: str, needle: str) -> list[GoldArgument]:
    words = needle.split()
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
    found = [GoldArgument(role, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
    # A key string the text does not contain (a normalized name) is kept, unplaced.
    return found or [GoldArgument(role, -1, -1, needle)]


def _dateline(text: str) -> date | None:
    match = DATELINE.search(text[:400])
    if not match:
        return None
    day, month, year = int(match.group(1)), MONTHS.index(match.group(2)) + 1, int(match.group(3))
    try:
        return date(1900 + year, month, day)
    except ValueError:
        return None
