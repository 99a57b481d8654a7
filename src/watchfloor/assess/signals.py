"""Signals in a document's text: warning behaviours, temporal phrases, escalation cues.

The phrases are data (data/lexicons/behaviours.yaml and temporal.yaml). They are compiled once
into one regular expression per signal kind, each alternative a named group, so a document is
scanned four times whatever the size of the lexicon: this runs on every stored document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from watchfloor.assess.records import Signal, SignalKind
from watchfloor.assess.wordindex import DIGITS, first_words
from watchfloor.datafiles import Schema, check_data, read_yaml
from watchfloor.errors import WatchfloorError
from watchfloor.schemas import BehavioursLexicon, TemporalLexicon

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicons"
BEHAVIOURS_FILE = "behaviours.yaml"
TEMPORAL_FILE = "temporal.yaml"
RULES = ("days", "season", "month", "ago")
_INNER_GROUP = re.compile(r"\(\?P<(\w+)>")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Alternative:
    group: str
    kind: SignalKind
    label: str
    rule: str = ""
    days: int | None = None
    # (name, group) of the named groups inside the alternative's patterns.
    inner: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Calendar:
    seasons: dict[str, tuple[int, int]]
    months: dict[str, int]
    numbers: dict[str, int]
    units: dict[str, int]


@dataclass(frozen=True)
class _Kind:
    """The phrases of one signal kind, compiled."""

    # Every alternative; tried with .match() where an indexed first word starts.
    anchored: re.Pattern[str]
    # The alternatives whose first words cannot be listed, scanned in full (None: there are none).
    rest: re.Pattern[str] | None
    groups: dict[str, _Alternative]


@dataclass(frozen=True, eq=False)  # hashed by identity: redating caches per lexicon
class SignalLexicon:
    """The compiled phrases, and an index from first words to the kinds they may start."""

    kinds: tuple[_Kind, ...]
    words: dict[str, frozenset[int]]
    prefixes: dict[int, dict[str, frozenset[int]]]  # by prefix length
    calendar: _Calendar


def _read(path: Path, schema: type[Schema]) -> dict[str, Any]:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise WatchfloorError(f"signal lexicon {path} must be a mapping at the top level.")
    check_data(data, schema, path)
    return data


def _compile(
    path: Path, entries: list[tuple[_Alternative, list[str]]]
) -> tuple[_Kind, set[str], set[str]]:
    """One kind's alternatives as patterns, with the first words that may start them."""
    parts: list[str] = []
    rest: list[str] = []
    groups: dict[str, _Alternative] = {}
    words: set[str] = set()
    prefixes: set[str] = set()
    for alternative, patterns in entries:
        prefix = alternative.group
        bodies = []
        unindexed = []
        inner: list[tuple[str, str]] = []
        for number, pattern in enumerate(patterns):
            # Inner groups ("season", "number") get names unique in the combined pattern.
            tag = f"{prefix}_{number}"
            inner.extend((name, f"{tag}_{name}") for name in _INNER_GROUP.findall(pattern))
            body = _INNER_GROUP.sub(f"(?P<{tag}_\\1>", pattern)
            try:
                re.compile(body)
            except re.error as exc:
                raise WatchfloorError(
                    f"{path}: pattern {pattern!r} for {alternative.label!r} is not a valid "
                    f"regular expression ({exc}). Fix the pattern."
                ) from exc
            bodies.append(body)
            first = first_words(body)
            if first is None:
                unindexed.append(body)
            else:
                words |= first.words
                prefixes |= first.prefixes
        parts.append(f"(?P<{prefix}>{'|'.join(bodies)})")
        if unindexed:
            rest.append(f"(?P<{prefix}>{'|'.join(unindexed)})")
        groups[prefix] = replace(alternative, inner=tuple(inner))
    kind = _Kind(
        anchored=re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE),
        rest=re.compile(r"\b(?:" + "|".join(rest) + r")\b", re.IGNORECASE) if rest else None,
        groups=groups,
    )
    return kind, words, prefixes


def _expand(pattern: Any, shorthands: dict[str, str]) -> str:
    text = str(pattern)
    for name, value in shorthands.items():
        text = text.replace("{" + name + "}", value)
    return text


@cache
def load_signal_lexicon(directory: str = "") -> SignalLexicon:
    """Read and compile the signal phrases once per folder ("" = the packaged lexicons)."""
    base = Path(directory) if directory else LEXICON_DIR
    behaviours_path = base / BEHAVIOURS_FILE
    temporal_path = base / TEMPORAL_FILE
    data = _read(behaviours_path, BehavioursLexicon)
    shorthands = {str(k): str(v) for k, v in (data.get("shorthands") or {}).items()}
    compiled: list[tuple[_Kind, set[str], set[str]]] = []
    number = 0
    for kind in ("behaviour", "escalation", "de_escalation"):
        section = "behaviours" if kind == "behaviour" else kind
        entries = []
        for label, patterns in (data.get(section) or {}).items():
            if not patterns:
                raise WatchfloorError(f"{behaviours_path}: {section}.{label} has no patterns.")
            alternative = _Alternative(group=f"g{number}", kind=kind, label=str(label))
            entries.append((alternative, [_expand(p, shorthands) for p in patterns]))
            number += 1
        if entries:
            compiled.append(_compile(behaviours_path, entries))
    temporal = _read(temporal_path, TemporalLexicon)
    entries = []
    for index, phrase in enumerate(temporal.get("phrases") or ()):
        rule = phrase.get("rule") if isinstance(phrase, dict) else None
        if rule not in RULES or not phrase.get("patterns"):
            raise WatchfloorError(
                f"{temporal_path}: phrase entry {index + 1} needs a rule ({', '.join(RULES)}) "
                "and patterns."
            )
        alternative = _Alternative(
            group=f"g{number}",
            kind="temporal",
            label="temporal",
            rule=str(rule),
            days=int(phrase.get("days", 0)),
        )
        entries.append((alternative, [str(p) for p in phrase["patterns"]]))
        number += 1
    if entries:
        compiled.append(_compile(temporal_path, entries))
    calendar = _Calendar(
        seasons={
            str(k).lower(): (int(v[0]), int(v[1]))
            for k, v in (temporal.get("seasons") or {}).items()
        },
        months={str(k).lower(): int(v) for k, v in (temporal.get("months") or {}).items()},
        numbers={str(k).lower(): int(v) for k, v in (temporal.get("numbers") or {}).items()},
        units={str(k).lower(): int(v) for k, v in (temporal.get("units") or {}).items()},
    )
    words: dict[str, set[int]] = {}
    prefixes: dict[int, dict[str, set[int]]] = {}
    for index, (_, first, begins) in enumerate(compiled):
        for word in first:
            words.setdefault(word, set()).add(index)
        for begin in begins:
            prefixes.setdefault(len(begin), {}).setdefault(begin, set()).add(index)
    return SignalLexicon(
        kinds=tuple(kind for kind, _, _ in compiled),
        words={w: frozenset(k) for w, k in words.items()},
        prefixes={n: {p: frozenset(k) for p, k in d.items()} for n, d in prefixes.items()},
        calendar=calendar,
    )


def _since(day: date, month: int, day_of_month: int) -> int:
    """Days from the latest (month, day_of_month) on or before `day` to `day`."""
    start = date(day.year, month, day_of_month)
    if start > day:
        start = date(day.year - 1, month, day_of_month)
    return (day - start).days


def _days_before(
    match: re.Match[str], alternative: _Alternative, calendar: _Calendar, day: date | None
) -> int | None:
    def inner(name: str) -> str | None:
        for inner_name, group in alternative.inner:
            if inner_name == name and (value := match.group(group)):
                return _SPACES.sub(" ", value).lower()
        return None

    if alternative.rule == "season":
        season = inner("season")
        if day is not None and season in calendar.seasons:
            return _since(day, *calendar.seasons[season])
    elif alternative.rule == "month":
        month = inner("month")
        if day is not None and month in calendar.months:
            return _since(day, calendar.months[month], 1)
    elif alternative.rule == "ago":
        amount, unit = inner("number"), inner("unit")
        if amount is not None and unit is not None:
            count = int(amount) if amount.isdigit() else calendar.numbers.get(amount)
            length = calendar.units.get(unit)
            if count is not None and length is not None:
                return count * length
    return alternative.days


def find_signals(
    text: str, day: date | None = None, *, lexicon: SignalLexicon | None = None
) -> list[Signal]:
    """The signals of one document's text, in reading order.

    `day` is the document's date: with it, "since the spring" counts the days back to the start
    of that spring; without it, such phrases take the typical span their lexicon entry gives.
    The assessor re-dates them against the document's day either way (`redate`).
    """
    lexicon = lexicon or load_signal_lexicon()
    starts: list[list[int]] = [[] for _ in lexicon.kinds]
    lookup, prefixes = lexicon.words.get, lexicon.prefixes
    for word in _WORD.finditer(text):
        folded = word.group().lower()
        if folded.isdigit():
            folded = DIGITS
        kinds = lookup(folded)
        if kinds:
            for index in kinds:
                starts[index].append(word.start())
        if not prefixes:
            continue
        for length, table in prefixes.items():
            if len(folded) >= length and (more := table.get(folded[:length])):
                for index in more:
                    starts[index].append(word.start())
    found: list[Signal] = []
    for index, kind in enumerate(lexicon.kinds):
        matches = [m for pos in starts[index] if (m := kind.anchored.match(text, pos))]
        if kind.rest is not None:
            matches.extend(kind.rest.finditer(text))
        end = -1
        # Like finditer: leftmost first, then no overlaps within one kind.
        for match in sorted(matches, key=lambda m: (m.start(), -m.end())):
            if match.start() < end:
                continue
            end = match.end()
            found.append(_signal(match, kind, lexicon.calendar, day))
    found.sort(key=lambda s: (s.start, s.end, s.kind, s.label))
    return found


def _signal(match: re.Match[str], kind: _Kind, calendar: _Calendar, day: date | None) -> Signal:
    name = match.lastgroup or ""
    alternative = kind.groups[name]
    return Signal(
        kind=alternative.kind,
        label=alternative.label,
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        days_before=(
            _days_before(match, alternative, calendar, day)
            if alternative.kind == "temporal"
            else None
        ),
    )


def redate(signal: Signal, day: date, *, lexicon: SignalLexicon | None = None) -> Signal:
    """A temporal signal dated against `day` (season and month phrases depend on the date)."""
    if signal.kind != "temporal":
        return signal
    days = _redated_days(signal.text, day, lexicon or load_signal_lexicon())
    if days is None or days == signal.days_before:
        return signal
    return replace(signal, days_before=days)


@lru_cache(maxsize=4096)
def _redated_days(text: str, day: date, lexicon: SignalLexicon) -> int | None:
    for candidate in find_signals(text, day, lexicon=lexicon):
        if candidate.kind == "temporal" and candidate.days_before is not None:
            return candidate.days_before
    return None
