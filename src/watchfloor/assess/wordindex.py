"""The words a regular expression can start with, so a scan can jump to them.

Python's `re` tries every alternative of a large pattern at every position of the text, which
costs milliseconds per document for the signal lexicon. Instead, the text is cut into words once
and the pattern is tried only where a word could begin a match. `first_words` reads the pattern's
parse tree (the standard library's own parser) and lists the possible first words: complete words,
and prefixes where the pattern continues with something open-ended (`\\w+`). It returns None when
it cannot tell (a pattern that may start with any word); such patterns are scanned in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

try:  # The standard library's regular-expression parser; private, so guarded.
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python versions
    _c = _p = None

LIMIT = 4000  # expansions kept per pattern before giving up on indexing it
OPEN, WORD, PREFIX = 0, 1, 2
DIGITS = "0"


@dataclass(frozen=True)
class FirstWords:
    """Lower-case first words: `words` are whole words, `prefixes` begin longer ones."""

    words: frozenset[str]
    prefixes: frozenset[str]


def _is_word_char(code: int) -> bool:
    char = chr(code)
    return char.isalnum() or char == "_"


class _Unbounded(Exception):
    pass


def _step(states: set[tuple[str, int]], items: Any) -> set[tuple[str, int]]:
    for op, arg in items:
        live = {s for s in states if s[1] == OPEN}
        if not live:
            return states
        done = states - live
        if op == _c.LITERAL:
            if _is_word_char(arg):
                live = {(text + chr(arg).lower(), OPEN) for text, _ in live}
            else:
                live = {(text, WORD) for text, _ in live}
        elif op == _c.IN:
            live = _char_class(live, arg)
        elif op == _c.SUBPATTERN:
            live = _step(live, arg[-1])
        elif op == _c.BRANCH:
            merged: set[tuple[str, int]] = set()
            for alternative in arg[1]:
                merged |= _step(set(live), alternative)
            live = merged
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, high, body = arg
            if low == 0:
                taken = _step(set(live), body)
                if high != 1:
                    taken = {(t, PREFIX if s == OPEN else s) for t, s in taken}
                live = live | taken
            else:
                once = _step(set(live), body)
                for _ in range(1, low):
                    once = _step(once, body)
                if high != low:
                    # A run of digits is already the whole DIGITS word.
                    once = {(t, PREFIX if s == OPEN and t != DIGITS else s) for t, s in once}
                live = once
        elif op == _c.AT:
            pass  # a word boundary or anchor consumes nothing
        else:
            live = {(text, PREFIX) for text, _ in live}
        states = done | live
        if len(states) > LIMIT:
            raise _Unbounded
    return states


def _char_class(live: set[tuple[str, int]], members: Any) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for op, arg in members:
        if op == _c.LITERAL:
            codes = [arg]
        elif op == _c.RANGE and arg[1] - arg[0] < 40:
            codes = list(range(arg[0], arg[1] + 1))
        elif op == _c.CATEGORY and arg in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD):
            out |= {(text, WORD) for text, _ in live}
            continue
        elif op == _c.CATEGORY and arg == _c.CATEGORY_DIGIT:
            # Numbers are indexed as one word, DIGITS: the scan looks every number up as it.
            out |= {(text + DIGITS, OPEN) for text, _ in live if not text}
            out |= {(text, PREFIX) for text, _ in live if text}
            continue
        else:
            out |= {(text, PREFIX) for text, _ in live}
            continue
        for code in codes:
            if _is_word_char(code):
                out |= {(text + chr(code).lower(), OPEN) for text, _ in live}
            else:
                out |= {(text, WORD) for text, _ in live}
    return out


def first_words(pattern: str) -> FirstWords | None:
    """The first words `pattern` can match at, or None when any word might start a match."""
    if _p is None:
        return None
    try:
        states = _step({("", OPEN)}, _p.parse(pattern))
    except Exception:  # an unexpected tree shape: scan this pattern in full
        return None
    words: set[str] = set()
    prefixes: set[str] = set()
    for text, status in states:
        if not text:
            return None
        if status == PREFIX:
            prefixes.add(text)
        else:
            words.add(text)
    return FirstWords(words=frozenset(words), prefixes=frozenset(prefixes))
