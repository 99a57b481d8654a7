"""The team's own finder examples (training/data/finder_examples.yaml) as records with offsets.

Each example is one sentence with, optionally, the sentence before and after it as context, a
kind (what sort of example it is) and the threat statements a careful reader finds in it: an
empty list for a negative. Labels name their trigger, target and actor by a substring of the
sentence, so the file stays readable; this loader turns them into character offsets and refuses
anything it would have to guess: a phrase that is missing, not whole words, or that occurs more
than once without `*_occurrence: N` saying which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from watchfloor.errors import InputError
from watchfloor.extract.records import ACTS, STATUSES

KINDS = ("threat", "figurative", "fiction", "denial", "other")
# Kinds that are negatives by definition: a statement under one of them is a labelling slip.
NEGATIVE_KINDS = frozenset({"figurative", "fiction", "other"})
EXAMPLE_KEYS = frozenset({"text", "before", "after", "kind", "statements", "note"})
SPAN_FIELDS = ("trigger", "target", "actor")
STATEMENT_KEYS = frozenset(
    {"act", "status", "note"} | {f for name in SPAN_FIELDS for f in (name, f"{name}_occurrence")}
)

Offsets = tuple[int, int]
# libyaml's loader reads the file seven times faster than the pure-Python one; same results.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Labelled:
    """One threat statement; spans are (start, end) character offsets into the example's text."""

    act: str
    status: str
    trigger: Offsets | None
    target: Offsets | None
    actor: Offsets | None


@dataclass(frozen=True)
class Example:
    text: str
    before: str | None
    after: str | None
    kind: str
    statements: tuple[Labelled, ...]

    @property
    def negative(self) -> bool:
        return not self.statements


def load_examples(path: Path | str) -> list[Example]:
    """Every example of the YAML file at `path`, validated.

    Raises InputError naming the file, the example (number and opening words) and the field at
    the first problem.
    """
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot be read as YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
        raise InputError(str(path), "must be a mapping with a list under `examples:`")
    return [_example(f"{path} example #{n}", item) for n, item in enumerate(data["examples"], 1)]


def _example(where: str, item: Any) -> Example:
    if not isinstance(item, dict):
        raise InputError(where, "must be a mapping with text, kind and statements")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, "needs a non-empty `text`")
    where = f"{where} ({_opening(text)})"
    unknown = set(item) - EXAMPLE_KEYS
    if unknown:
        raise InputError(where, f"unknown keys {sorted(unknown)}; allowed: {sorted(EXAMPLE_KEYS)}")
    kind = item.get("kind")
    if kind not in KINDS:
        raise InputError(where, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    raw = item.get("statements")
    if not isinstance(raw, list):
        raise InputError(where, "needs `statements`: a list ([] for a negative)")
    if kind in NEGATIVE_KINDS and raw:
        raise InputError(where, f"kind {kind} is a negative but lists statements; drop one")
    if kind == "threat" and not raw:
        raise InputError(where, "kind threat lists no statement; add one or change the kind")
    statements = tuple(_statement(f"{where} statement #{n}", text, s) for n, s in enumerate(raw, 1))
    if kind == "denial" and statements and all(s.status != "denied" for s in statements):
        raise InputError(where, "kind denial with statements needs one whose status is denied")
    return Example(
        text=text,
        before=_context(where, item, "before"),
        after=_context(where, item, "after"),
        kind=kind,
        statements=statements,
    )


def _context(where: str, item: dict[str, Any], field: str) -> str | None:
    value = item.get(field)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InputError(where, f"`{field}` must be a sentence of text, or left out")
    return value


def _statement(where: str, text: str, item: Any) -> Labelled:
    if not isinstance(item, dict):
        raise InputError(where, "must be a mapping with act, status, trigger, target and actor")
    unknown = set(item) - STATEMENT_KEYS
    if unknown:
        raise InputError(
            where, f"unknown keys {sorted(unknown)}; allowed: {sorted(STATEMENT_KEYS)}"
        )
    act = item.get("act")
    if act not in ACTS:
        raise InputError(where, f"act {act!r} is not one of {', '.join(ACTS)}")
    status = item.get("status")
    if status not in STATUSES:
        raise InputError(where, f"status {status!r} is not one of {', '.join(STATUSES)}")
    if item.get("trigger") is None:
        raise InputError(where, "needs `trigger`: the words of the text that name the harm")
    spans = {name: _locate(where, name, text, item) for name in SPAN_FIELDS}
    return Labelled(act=act, status=status, **spans)


def _locate(where: str, field: str, text: str, item: dict[str, Any]) -> Offsets | None:
    needle = item.get(field)
    occurrence = item.get(f"{field}_occurrence")
    if needle is None:
        if occurrence is not None:
            raise InputError(where, f"`{field}_occurrence` given without a `{field}`")
        return None
    if not isinstance(needle, str) or not needle.strip():
        raise InputError(where, f"`{field}` must be a substring of the text, or null")
    # Whole words only, so that "he" is not found inside "the".
    left = r"\b" if needle[:1].isalnum() else ""
    right = r"\b" if needle[-1:].isalnum() else ""
    starts = [m.start() for m in re.finditer(left + re.escape(needle) + right, text)]
    if not starts:
        raise InputError(
            where, f"{field} {needle!r} does not occur in the text as whole words (case matters)"
        )
    if occurrence is None:
        if len(starts) > 1:
            raise InputError(
                where,
                f"{field} {needle!r} occurs {len(starts)} times; "
                f"add `{field}_occurrence: N` (1 = first) or use a longer substring",
            )
        occurrence = 1
    if not isinstance(occurrence, int) or isinstance(occurrence, bool):
        raise InputError(where, f"`{field}_occurrence` must be a whole number")
    if not 1 <= occurrence <= len(starts):
        raise InputError(
            where,
            f"{field} {needle!r} occurs {len(starts)} times, not {occurrence}; fix the number",
        )
    start = starts[occurrence - 1]
    return start, start + len(needle)


def _opening(text: str, words: int = 6) -> str:
    head = text.split()
    return repr(" ".join(head[:words]) + (" ..." if len(head) > words else ""))
