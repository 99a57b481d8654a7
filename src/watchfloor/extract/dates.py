"""Date phrases in a sentence, resolved to ISO partial dates against the publication date.

"January 8" → "2020-01-08", "in January" → "2020-01", "2011" → "2011", "last October" →
"2019-10", "earlier this year" → "2020", "in recent weeks" → "2020-09", "almost a decade ago"
→ "2010", "last summer" → "2019" (seasons are not encoded), all for a text published in
September 2020. The phrase lists live in data/lexicons/dates.yaml.

A day or month without a year ("on 12 April", "in April", "on Friday") is placed by the
statement it dates: looking forward (`future=True`, a threat or a plan) it is the next such day
on or after publication, otherwise the latest on or before it. "next week" is the Monday of the
following week, so that `when` stays a calendar date ("2026-03-09") that every reader of the
contract can parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from watchfloor.extract.lexicon import LEXICON_DIR, _read


@dataclass(frozen=True)
class DatePhrase:
    """A date phrase found in a text; offsets are into that text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Grammar:
    pattern: re.Pattern[str]
    months: dict[str, int]
    weekdays: dict[str, int]
    seasons: frozenset[str]
    numbers: dict[str, int]
    units: dict[str, int]
    phrases: dict[str, str]
    weekday_future: tuple[str, ...]
    weekday_past: tuple[str, ...]
    dateline: re.Pattern[str]


def _alternation(words: Any) -> str:
    ordered = sorted((str(w) for w in words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


@cache
def _grammar() -> _Grammar:
    data = _read(LEXICON_DIR, "dates.yaml")
    months = {str(k): int(v) for k, v in data["months"].items()}
    weekdays = {str(k).lower(): int(v) for k, v in data["weekdays"].items()}
    seasons = frozenset(str(s).lower() for s in data["seasons"])
    numbers = {str(k).lower(): int(v) for k, v in data["numbers"].items()}
    units = {str(k).lower(): int(v) for k, v in data["units"].items()}
    phrases = {
        str(phrase).lower(): str(rule)
        for rule, listed in data["phrases"].items()
        for phrase in listed
    }
    month = _alternation(months)
    weekday_future = tuple(str(w).lower() for w in data["weekday_future"])
    weekday_past = tuple(str(w).lower() for w in data["weekday_past"])
    weekday_words = [*weekday_future, *weekday_past, *(str(w) for w in data["weekday_either"])]
    day_month = (
        rf"(?:(?:{month})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{month}))\b"
    )
    alternatives = [
        # "January 8, 2020", "January 8", "8 January 2020", "January 2020"
        rf"(?P<md>\b(?:{month})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+(?:1[89]|20)\d\d\b)?)",
        rf"(?P<dm>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{month})\b(?:,?\s+(?:1[89]|20)\d\d\b)?)",
        rf"(?P<my>\b(?:{month})\s+(?:1[89]|20)\d\d\b)",
        rf"(?P<last_month>\b(?i:last|this|early|late|mid|earlier\s+this)[\s-]+(?:{month})\b)",
        rf"(?P<in_month>\b(?i:in|since|during|by|until|of)\s+(?:(?i:early|late|mid)[\s-]+)?(?:{month})\b)",
        rf"(?P<ago>\b(?i:(?:almost|nearly|about|around|more\s+than|over|some)\s+)?"
        rf"(?i:{_alternation(numbers)}|\d+)\s+(?i:{_alternation(units)})\s+(?i:ago|earlier)\b)",
        rf"(?P<season>\b(?i:last|this|the|next)\s+(?i:{_alternation(seasons)})\b)",
        rf"(?P<weekday>\b(?i:{_alternation(weekday_words)})\s+(?i:{_alternation(weekdays)})\b)",
        rf"(?P<phrase>\b(?i:{_alternation(phrases)})\b)",
        r"(?P<year>\b(?:1[89]|20)\d\d\b(?!s))",
    ]
    return _Grammar(
        pattern=re.compile("|".join(alternatives)),
        months=months,
        weekdays=weekdays,
        seasons=seasons,
        numbers=numbers,
        units=units,
        phrases=phrases,
        weekday_future=weekday_future,
        weekday_past=weekday_past,
        dateline=re.compile(str(data["dateline"]).strip().replace("{date}", day_month)),
    )


def month_names() -> frozenset[str]:
    """Month names as written with a capital ("January", "Jan")."""
    return frozenset(_grammar().months)


def find_dates(text: str) -> list[DatePhrase]:
    """Every date phrase in `text`, left to right."""
    return [
        DatePhrase(match.group(0), match.start(), match.end())
        for match in _grammar().pattern.finditer(text)
    ]


def datelines(text: str) -> list[tuple[int, int]]:
    """Character ranges of the datelines in `text` ("NAIROBI, 2 March - "), dash included."""
    found: list[tuple[int, int]] = []
    for match in _grammar().dateline.finditer(text):
        start = match.start()
        while start < match.end() and text[start] in "\r\n \t":
            start += 1
        found.append((start, match.end()))
    return found


def _month_year(
    month: int, published: date, *, strictly_before: bool = False, future: bool = False
) -> int:
    """The year of the latest such month up to (or, strictly_before, before) publication; with
    `future`, of the next such month from publication on."""
    if future:
        return published.year if month >= published.month else published.year + 1
    if month < published.month or (month == published.month and not strictly_before):
        return published.year
    return published.year - 1


def _day_year(month: int, day: int, published: date, *, future: bool) -> int:
    """The year of the nearest such day: on or after publication with `future`, else on or
    before it."""
    if future:
        after = (month, day) >= (published.month, published.day)
        return published.year if after else published.year + 1
    before = (month, day) <= (published.month, published.day)
    return published.year if before else published.year - 1


def _month_number(text: str) -> int | None:
    grammar = _grammar()
    for word in re.findall(r"[A-Za-z]+", text):
        if word in grammar.months:
            return grammar.months[word]
    return None


def _shift_months(published: date, months: int) -> tuple[int, int]:
    index = published.year * 12 + published.month - 1 - months
    return index // 12, index % 12 + 1


def resolve(phrase: str, published: date | None, *, future: bool = False) -> str | None:
    """The ISO partial date `phrase` names, or None when it cannot be placed.

    `future`: the statement looks forward (a threat, a plan), so a day or month without a year
    is the next one from publication on rather than the last one before it."""
    grammar = _grammar()
    match = grammar.pattern.fullmatch(phrase.strip())
    if match is None:
        return None
    kind = match.lastgroup
    text = match.group(0)
    lowered = text.lower()
    year_match = re.search(r"\b(1[89]|20)\d\d\b", text)
    explicit_year = int(year_match.group(0)) if year_match else None
    if kind == "year":
        return text
    if published is None and explicit_year is None:
        return None
    if kind in ("md", "dm"):
        return _day_of_month(text, explicit_year, published, future)
    if kind == "my":
        return f"{explicit_year:04d}-{_month_number(text) or 1:02d}"
    assert published is not None
    if kind == "last_month":
        month = _month_number(text) or published.month
        if lowered.startswith("last"):
            year = _month_year(month, published, strictly_before=True)
        else:
            year = published.year
        return f"{year:04d}-{month:02d}"
    if kind == "in_month":
        month = _month_number(text) or published.month
        return f"{_month_year(month, published, future=future):04d}-{month:02d}"
    if kind == "ago":
        return _ago(lowered, published)
    if kind == "season":
        return str(published.year - 1 if lowered.startswith("last") else published.year)
    if kind == "weekday":
        return _weekday(lowered, published, future)
    return _fixed_phrase(grammar.phrases.get(re.sub(r"\s+", " ", lowered)), published)


def _day_of_month(
    text: str, explicit_year: int | None, published: date | None, future: bool
) -> str:
    """ "3 March", "March 3rd, 2020": the day, or the month when the day does not exist."""
    month = _month_number(text) or 1
    day_match = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", text)
    day = int(day_match.group(1)) if day_match else 1
    if explicit_year is None:
        assert published is not None
        year = _day_year(month, day, published, future=future)
    else:
        year = explicit_year
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def _ago(lowered: str, published: date) -> str:
    """ "two years ago", "3 months ago": a year for years, a month for months."""
    grammar = _grammar()
    words = lowered.split()
    amount = next(
        (
            int(w) if w.isdigit() else grammar.numbers[w]
            for w in words
            if w.isdigit() or w in grammar.numbers
        ),
        1,
    )
    unit = next((grammar.units[w] for w in words if w in grammar.units), 12)
    months = amount * unit
    year, month = _shift_months(published, months)
    return f"{year:04d}" if unit >= 12 else f"{year:04d}-{month:02d}"


def _weekday(lowered: str, published: date, future: bool) -> str:
    """ "on Friday", "next Friday", "last Friday": the day, ahead or back from publication."""
    grammar = _grammar()
    target = next(v for k, v in grammar.weekdays.items() if k in lowered)
    before = re.sub(r"\s+", " ", lowered.rsplit(None, 1)[0])
    ahead = before in grammar.weekday_future or (future and before not in grammar.weekday_past)
    if ahead:
        forward = (target - published.weekday()) % 7
        if before in grammar.weekday_future:
            # "next Friday" on a Friday is a week away, never today.
            forward = forward or 7
        return (published + timedelta(days=forward)).isoformat()
    back = (published.weekday() - target) % 7 or 7
    return (published - timedelta(days=back)).isoformat()


def _fixed_phrase(rule: str | None, published: date) -> str | None:
    """A phrase with a fixed meaning relative to publication ("last year", "tomorrow")."""
    if rule == "this_year":
        return f"{published.year:04d}"
    if rule == "last_year":
        return f"{published.year - 1:04d}"
    if rule == "this_month":
        return f"{published.year:04d}-{published.month:02d}"
    if rule == "last_month":
        year, month = _shift_months(published, 1)
        return f"{year:04d}-{month:02d}"
    if rule == "today":
        return published.isoformat()
    if rule == "yesterday":
        return (published - timedelta(days=1)).isoformat()
    if rule == "tomorrow":
        return (published + timedelta(days=1)).isoformat()
    if rule == "next_week":
        return (published + timedelta(days=7 - published.weekday())).isoformat()
    if rule == "next_month":
        year, month = _shift_months(published, -1)
        return f"{year:04d}-{month:02d}"
    if rule == "next_year":
        return f"{published.year + 1:04d}"
    if rule == "coming_days":
        return published.isoformat()
    return None
