"""Truecasing text written in capitals (MUC-style telex, shouted paragraphs) before it is parsed.

The pipeline learned its tags, trees and entities on mixed-case text: in capitals every word looks
like a name and a line break looks like a sentence start; text with no capital at all (corpora
lower-cased for processing) lacks the same information and is recased the same way.

`Truecaser.truecase(text)` returns the text with the letters of its capital blocks recased (and
the line breaks that only wrap a sentence at the margin read as spaces), every other character,
offsets included, unchanged: the Doc parsed from it has the same character
offsets as the original text, and the extract stage puts the original letters back into what it
reports (extract/extractor.py).

A block is a run of lines with letters in which lowercase letters are rare; it is recased where
the whole text is mostly capitals or where it is long enough to be running text (a short headline
in an ordinary article is left as it is). Each word is decided, in order, by:

1. a known name: watchlist names and aliases given by the caller, and the names, aliases,
   capitals and demonyms of data/geo/countries.yaml and data/actors/entities.yaml, matched as
   whole word sequences; their codes ("FMLN") stay in capitals unless the code is also a common
   word ("US", "IN"), which stays in capitals only after "the"/"a" or before a role title;
2. a role title (data/roles/titles.yaml) in lower case, capitalized before a name ("President
   Cristiani");
3. the case-frequency table data/nlp/truecase.tsv.gz (built by training/truecase.py from
   treebanks and other mixed-case text): the word's most common written form;
4. a word the table lacks: lower case where it is a known English verb, adjective or adverb (or a
   noun with a common-noun ending), otherwise capitalized, as unknown words in news are mostly
   names;

and the first word of a sentence is capitalized.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

from watchfloor.datafiles import load_yaml
from watchfloor.schemas import CountriesFile, EntitiesFile, TitlesFile

DATA = Path(__file__).resolve().parent.parent / "data"
TABLE = DATA / "nlp" / "truecase.tsv.gz"
WORD = re.compile(r"[^\W\d_]+(?:['’.][^\W\d_]+)*")
LINE = re.compile(r"[^\n]*\n?")
# A block of capitals is recased where the document is mostly capitals, or where it holds at
# least this many words.
MIN_BLOCK_WORDS = 8
MOSTLY_CAPITALS = 0.6
MIN_CASELESS_WORDS = 20
# A line this long against the block's longest line, ending in no sentence punctuation, was
# wrapped at the margin: its line break is read as a space.
WRAPPED_LINE = 0.6
# A dateline ("GUATEMALA CITY, 4 FEB 90 (ACAN-EFE) -- [TEXT]") is at most this long.
DATELINE_CHARS = 80
VOWELS = frozenset("aeiouy")
# Month names that are also common words: a month beside a number ("2 MAY 90").
MONTHS = frozenset({"may", "march"})
NUMBER_BEFORE = re.compile(r"\d[\s.,]*$")
NUMBER_AFTER = re.compile(r"^[\s.,]*\d")
# Abbreviations whose period does not end a sentence ("GEN. OSCAR BOTERO").
ABBREVIATIONS = frozenset(
    {"gen", "col", "lt", "maj", "capt", "cpt", "sgt", "cmdr", "adm", "gov", "sen", "rep", "dr"}
    | {"mr", "mrs", "ms", "prof", "st", "mt", "jr", "sr", "insp"}
)
DETERMINERS = frozenset({"the", "a", "an"})
SPACE_AND_QUOTES = frozenset(" \t\r\n\"'“”‘’(")
NOUN_ENDINGS = (
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ism",
    "ist",
    "ship",
    "ance",
    "ence",
    "ery",
    "ure",
    "age",
    "ing",
    "ers",
)


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    lower: str


@dataclass
class CaseTable:
    """Word → (most common non-lower form, lower count, other count)."""

    forms: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TABLE) -> CaseTable:
        forms: dict[str, tuple[str, int, int]] = {}
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#"):
                    continue
                form, lower, other = line.rstrip("\n").split("\t")
                forms[form.lower()] = (form, int(lower), int(other))
        return cls(forms)

    def preferred(self, word: str, english: bool = False) -> str | None:
        """The form the word is mostly written in, None where the table lacks it. A word that
        is also a known English word (`english`) needs a clearer majority to stay capitalized
        ("Northwestern" University against "northwestern" suburbs)."""
        entry = self.forms.get(word.lower())
        if entry is None:
            return None
        form, lower, other = entry
        needed = max(1.5 * lower, 2.0) if english else lower
        return form if other > needed else word.lower()

    def common_lower(self, word: str) -> bool:
        entry = self.forms.get(word.lower())
        return entry is not None and entry[1] >= entry[2]


@dataclass(frozen=True)
class Gazetteer:
    """Names as written (keyed by their lowercased words), codes, and role title words."""

    names: dict[tuple[str, ...], tuple[str, ...]]
    codes: frozenset[str]
    titles: frozenset[str]


def _words(text: str) -> tuple[str, ...]:
    return tuple(m.group() for m in WORD.finditer(text))


def packaged_names() -> tuple[list[str], list[str], list[str]]:
    """Names, codes and title words from the packaged gazetteers."""
    countries = load_yaml(DATA / "geo" / "countries.yaml", CountriesFile).countries
    entities = load_yaml(DATA / "actors" / "entities.yaml", EntitiesFile).entities
    titles = load_yaml(DATA / "roles" / "titles.yaml", TitlesFile)
    names: list[str] = []
    codes: list[str] = []
    for c in countries:
        names += [c.name, *c.names, *c.demonyms, *c.capitals, *c.metonyms]
        codes += list(c.codes)
    for e in entities:
        names += [e.name, *e.aliases]
        codes += list(e.codes)
    words = [w for group in titles.titles.values() for w in group if " " not in w]
    return names, codes, [*words, *titles.honorifics]


def build_gazetteer(names: Iterable[str], codes: Iterable[str], titles: Iterable[str]) -> Gazetteer:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name in names:
        words = _words(name)
        # A name written in capitals ("IRGC") is a code: only codes stay in capitals.
        if words and not all(w.isupper() for w in words):
            table.setdefault(tuple(w.lower() for w in words), words)
    upper = frozenset(c for c in codes if c.isupper() and c.isalpha())
    return Gazetteer(table, upper, frozenset(t.lower().rstrip(".") for t in titles))


@cache
def default_truecaser() -> Truecaser:
    names, codes, titles = packaged_names()
    return Truecaser(CaseTable.load(), build_gazetteer(names, codes, titles))


class Truecaser:
    """Recases the capital blocks of a text; every other character stays where it was."""

    def __init__(
        self,
        table: CaseTable,
        gazetteer: Gazetteer,
        known_lower: Callable[[str], bool] | None = None,
    ) -> None:
        self.table = table
        self.gazetteer = gazetteer
        self.known_lower = known_lower or (lambda word: False)
        # The lengths of the names each first word starts, longest first.
        sizes: dict[str, set[int]] = {}
        for key in gazetteer.names:
            sizes.setdefault(key[0], set()).add(len(key))
        self._sizes = {first: sorted(n, reverse=True) for first, n in sizes.items()}

    def with_names(self, names: Iterable[str]) -> Truecaser:
        """A truecaser that also knows these names (a watchlist's names and aliases)."""
        extra = build_gazetteer(names, (), ())
        if not extra.names:
            return self
        merged = Gazetteer(
            {**self.gazetteer.names, **extra.names}, self.gazetteer.codes, self.gazetteer.titles
        )
        return Truecaser(self.table, merged, self.known_lower)

    def truecase(self, text: str) -> str:
        """The text with its capital blocks recased; the same text where there are none."""
        blocks = capital_blocks(text)
        if not blocks:
            return text
        chars = list(text)
        for start, end in blocks:
            for word, form in self.decide(text, _block_words(text, start, end), start):
                chars[word.start : word.end] = form
            for at in soft_wraps(text, start, end):
                chars[at] = " "
        return "".join(chars)

    # -- words ---------------------------------------------------------------------------------

    def decide(self, text: str, words: list[Word], block_start: int) -> list[tuple[Word, str]]:
        """Each word's new form (same length), names first, then titles, table and fallbacks."""
        forms: dict[int, str] = self._names(words)
        for i in range(len(words)):
            if i not in forms:
                forms[i] = self._word(words, i)
        for i, word in enumerate(words):
            if word.lower in MONTHS and _beside_number(text, word):
                forms[i] = _capitalized(word.lower)  # "2 MAY 90": the month, not the verb
            if word.lower in self.gazetteer.titles and i + 1 < len(words):
                following = forms[i + 1]
                if _is_name(following) and not self._initial(text, words[i + 1], block_start):
                    forms[i] = _capitalized(forms[i])
            if self._initial(text, word, block_start):
                forms[i] = _capitalized(forms[i])
        out = []
        for i, word in enumerate(words):
            form = forms[i]
            if (
                _bracketed(text, word)
                and 1 < len(word.text) <= 5
                and not self.table.common_lower(word.text)
            ):
                form = word.text.upper()  # "(URNG)", "[FMLN]": an acronym spelled out nearby
            if len(form) == len(word.text) and form.lower() == word.lower:
                out.append((word, form))
        return out

    def _names(self, words: list[Word]) -> dict[int, str]:
        """Known names, longest first, as the gazetteer writes them."""
        forms: dict[int, str] = {}
        lowers = [w.lower for w in words]
        i = 0
        while i < len(words):
            for size in self._sizes.get(lowers[i], ()):
                key = tuple(lowers[i : i + size])
                written = self.gazetteer.names.get(key) if len(key) == size else None
                if written is None:
                    continue
                if size == 1 and self.table.common_lower(key[0]):
                    # A one-word name that is mostly a common word ("Chad", "Guard"): the table.
                    break
                for j, form in enumerate(written):
                    forms[i + j] = _matching(form, words[i + j].text)
                i += size - 1
                break
            i += 1
        return forms

    def _word(self, words: list[Word], i: int) -> str:
        word = words[i]
        if not word.text.isupper() and not word.text.islower():
            return word.text  # written in mixed case: the writer's own
        if word.text.upper() in self.gazetteer.codes and (
            not self.table.common_lower(word.text) or self._code_in_context(words, i)
        ):
            return word.text.upper()
        if word.lower in self.gazetteer.titles:
            return word.lower
        return self._part(word.text)

    def _part(self, text: str) -> str:
        if not text:
            return text
        if len(text) == 1:
            return text if text == "I" else text.lower()
        core = text.lower()
        preferred = self.table.preferred(text, english=self.known_lower(core))
        if preferred is not None:
            return preferred
        if not any(c in VOWELS for c in core):
            return text.upper()  # "FMLN": an acronym, whatever the table lacks
        if len(core) > 5 and core.endswith(NOUN_ENDINGS):
            return core
        if any(self.known_lower(s) or self.table.common_lower(s) for s in stems(core)):
            return core
        return _capitalized(core)

    def _initial(self, text: str, word: Word, block_start: int) -> bool:
        """The first word of a sentence: at the block's start, after an empty line, after . ! ?
        (and closing quotes) unless the period ends an abbreviation ("GEN.", "U.S."), and after
        the dash or bracket that closes a dateline ("LIMA, 2 MAY 90 (EFE) -- [TEXT] THE ...")."""
        j = word.start - 1
        newlines = 0
        while j >= block_start and text[j] in SPACE_AND_QUOTES:
            newlines += text[j] == "\n"
            j -= 1
        if j < block_start or newlines >= 2:
            return True
        if text[j] == ".":
            before = WORD.findall(text[max(block_start, j - 12) : j])
            last = before[-1] if before and text[j - 1].isalpha() else ""
            abbreviation = "." in last or len(last) == 1 or last.lower() in ABBREVIATIONS
            return not abbreviation
        if text[j] in "-]":
            return _after_dateline(text, j, block_start)
        return text[j] in "!?"

    def _code_in_context(self, words: list[Word], i: int) -> bool:
        """A code that is also a word ("US") stays a code after "the"/"a" or before a title."""
        before = words[i - 1].lower if i else ""
        after = words[i + 1].lower if i + 1 < len(words) else ""
        return before in DETERMINERS or after in self.gazetteer.titles


def _after_dateline(text: str, j: int, block_start: int) -> bool:
    """Whether text[j] closes a dateline: what precedes it in its paragraph is short and dated."""
    paragraph = max(block_start, text.rfind("\n\n", block_start, j) + 2)
    head = text[paragraph:j]
    return len(head.strip()) <= DATELINE_CHARS and any(c.isdigit() for c in head)


def _beside_number(text: str, word: Word) -> bool:
    """A number is the word's neighbour ("2 MAY 90", "MARCH 3")."""
    return bool(
        NUMBER_BEFORE.search(text[max(0, word.start - 4) : word.start])
        or NUMBER_AFTER.match(text[word.end : word.end + 4])
    )


def _bracketed(text: str, word: Word) -> bool:
    before = text[word.start - 1] if word.start else ""
    after = text[word.end] if word.end < len(text) else ""
    return before in ("(", "[") and after in (")", "]")


def _is_name(form: str) -> bool:
    """A word decided to be a name: capitalized, not a code in capitals."""
    return form[:1].isupper() and not form.isupper()


def stems(word: str) -> list[str]:
    """The word and what it may be inflected from ("curfews" → "curfew", "stopped" → "stop")."""
    out = [word]
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ied", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("er", ""),
        ("est", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)] + repl
            out.append(stem)
            if len(stem) > 3 and stem[-1] == stem[-2] and not repl:
                out.append(stem[:-1])
    return out


def lemma_words(nlp: object) -> Callable[[str], bool]:
    """Known English verbs, adjectives and adverbs from the pipeline's lemma tables (the
    packaged pipeline keeps them in its lemma backoff); nothing where the pipeline has none."""
    try:
        pipe = nlp.get_pipe("watchfloor_lemma_backoff")  # type: ignore[attr-defined]
        index = pipe.lookups.get_table("lemma_index")
    except (AttributeError, KeyError):
        return lambda word: False
    known: set[str] = set()
    for pos in ("verb", "adj", "adv"):
        known.update(index.get(pos, []))
    return known.__contains__


def _capitalized(form: str) -> str:
    return form[:1].upper() + form[1:]


def _matching(form: str, original: str) -> str:
    """The gazetteer's form where it only changes case, else the original."""
    return form if len(form) == len(original) and form.lower() == original.lower() else original


def _block_words(text: str, start: int, end: int) -> list[Word]:
    return [
        Word(start + m.start(), start + m.end(), m.group(), m.group().lower())
        for m in WORD.finditer(text[start:end])
    ]


def _counts(line: str) -> tuple[int, int, int]:
    """Uppercase letters, lowercase letters, and words of a line."""
    upper = sum(c.isupper() for c in line)
    lower = sum(c.islower() for c in line)
    return upper, lower, len(WORD.findall(line))


def soft_wraps(text: str, start: int, end: int) -> list[int]:
    """Line breaks of a block that only wrap a sentence at the margin ("BERNARDO\nJARAMILLO"):
    after a line at least WRAPPED_LINE of the block's longest line that ends in no sentence
    punctuation, before a line with words. Telex wraps at a fixed width; a headline is short."""
    lines = [(m.start(), m.group()) for m in LINE.finditer(text[start:end]) if m.group()]
    longest = max((len(line.rstrip()) for _, line in lines), default=0)
    breaks = []
    for (offset, line), (_, following) in pairwise(lines):
        body = line.rstrip()
        if (
            line.endswith("\n")
            and len(body) >= WRAPPED_LINE * longest
            and body[-1:] not in ".!?:;"
            and WORD.search(following)
            and not following[:1].isspace()
        ):
            at = start + offset + len(line) - 1
            breaks.append(at)
            if at > 0 and text[at - 1] == "\r":
                breaks.append(at - 1)
    return breaks


def capital_blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of runs of lines written in capitals worth recasing."""
    lines: list[tuple[int, int, bool, int]] = []
    total_upper = total_lower = 0
    for match in LINE.finditer(text):
        if not match.group():
            continue
        upper, lower, words = _counts(match.group())
        total_upper += upper
        total_lower += lower
        capital = upper >= 2 and lower <= 0.05 * upper
        lines.append((match.start(), match.end(), capital, words))
    if not total_upper:
        # Text with no capital at all ("lower-cased" corpora, chat) lacks case as much as telex.
        words = sum(line[3] for line in lines)
        return [(0, len(text))] if words >= MIN_CASELESS_WORDS else []
    mostly = total_upper / (total_upper + total_lower) >= MOSTLY_CAPITALS
    blocks: list[tuple[int, int]] = []
    run: list[tuple[int, int, bool, int]] = []
    for line in [*lines, (len(text), len(text), False, 0)]:
        letters = line[3] > 0
        if line[2] or (run and not letters and line[1] > line[0] and line[0] < len(text)):
            run.append(line)
            continue
        words = sum(r[3] for r in run)
        if run and (mostly or words >= MIN_BLOCK_WORDS):
            blocks.append((run[0][0], run[-1][1]))
        run = []
    return blocks
