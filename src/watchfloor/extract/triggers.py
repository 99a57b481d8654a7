"""The first extract component: one Matcher pass finds threat triggers and every cue at once.

Triggers are kept only where the use is literal: a figurative phrase ("heart attack", "kill the
bill"), a fiction, sport or advice sentence, or text after an end-of-article marker ("You May
Also Like") drops them. Cues (status words, hedges, methods, motives, ...) are kept as token
ranges by category for the statements component.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import product
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from watchfloor.extract.lexicon import CompiledPattern, TriggerEntry, compile_phrase, load_lexicon
from watchfloor.extract.syntax import Sentences

# The match key of end-of-article markers ("You May Also Like").
END = "article_end"

# Cue categories kept on Doc._.threat_cues: (start, end, label) token ranges per category.
Cues = dict[str, list[tuple[int, int, str]]]

VERB_POS = frozenset({"VERB", "AUX", "ADJ"})
NOUN_POS = frozenset({"NOUN", "PROPN"})
# Before one of these, a word listed as verb and noun ("killing") is the noun.
POSSESSIVE_OR_ARTICLE = frozenset(
    {"'s", "’s", "the", "a", "an", "his", "her", "their", "its", "our"}
)


# Doc.user_data key: the character offset where the article ends.
ARTICLE_END = "watchfloor_article_end"


@dataclass(frozen=True)
class Trigger:
    """A literal threat trigger: token range, its lexicon entry and the pattern that matched."""

    start: int
    end: int
    entry: TriggerEntry
    pattern: CompiledPattern

    def span(self, doc: Doc) -> Span:
        return Span(doc, self.start, self.end, label=self.entry.act)


class ThreatTriggers:
    """One Matcher pass per document: literal threat triggers plus every cue the statements need."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str, article_end: bool) -> None:
        self.name = name
        self.lex = load_lexicon(lexicon_dir)
        # Fixed phrases go to the PhraseMatcher (hash lookups); only phrases with a gap or a
        # part-of-speech test need the token Matcher, whose set tests cost Python calls.
        self.vocab = nlp.vocab
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self._triggers: dict[str, tuple[TriggerEntry, CompiledPattern]] = {}
        for e, entry in enumerate(self.lex.triggers):
            for p, pattern in enumerate(entry.patterns):
                key = f"T{e}.{p}"
                self._triggers[key] = (entry, pattern)
                self._add(key, [pattern])
        groups: dict[str, tuple[CompiledPattern, ...]] = {
            f"status:{status}": patterns for status, patterns in self.lex.status_cues.items()
        }
        groups.update(
            arrest=self.lex.arrest_cues,
            negation=self.lex.negations,
            conditional=self.lex.conditionals,
            absence=self.lex.absences,
            retraction=self.lex.retractions,
            according_to=self.lex.according_to,
            hedge=self.lex.hedges,
            figurative=self.lex.figurative_phrases,
            fiction=self.lex.fiction_cues,
            sports=self.lex.sports_cues,
            advice=self.lex.advice_cues,
            question=self.lex.question_cues,
            method=self.lex.methods,
            motive=self.lex.motives,
        )
        for category, patterns in groups.items():
            self._add(category, list(patterns))
        if article_end and self.lex.article_end_markers:
            self._add(END, [compile_phrase(m.lower()) for m in self.lex.article_end_markers])

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        matches = [*self.phrases(doc), *self.matcher(doc)]
        ends = [s for m, s, e in matches if strings[m] == END and _whole_line(doc, s, e)]
        cutoff = min(ends, default=len(doc))
        # Where the article ends ("You May Also Like"): later components read nothing after it.
        doc.user_data[ARTICLE_END] = doc[cutoff].idx if cutoff < len(doc) else len(doc.text)
        cues: Cues = defaultdict(list)
        candidates: dict[tuple[int, int], list[tuple[TriggerEntry, CompiledPattern]]] = {}
        for match_id, start, end in matches:
            if start >= cutoff:
                continue
            key = strings[match_id]
            if key in self._triggers:
                candidates.setdefault((start, end), []).append(self._triggers[key])
            else:
                cues[key].append((start, end, key))
        triggers = self._choose(doc, candidates, cues) if candidates else []
        doc._.threat_cues = dict(cues)
        doc._.threat_triggers = triggers
        return doc

    def _add(self, key: str, patterns: list[CompiledPattern]) -> None:
        phrases: list[Doc] = []
        token_patterns: list[list[dict[str, Any]]] = []
        for pattern in patterns:
            words = _fixed_words(pattern)
            if words is not None:
                phrases.extend(Doc(self.vocab, words=list(w)) for w in words)
            else:
                token_patterns.extend(_first_word_exact(pattern))
        if phrases:
            self.phrases.add(key, phrases)
        if token_patterns:
            self.matcher.add(key, token_patterns)

    def _choose(
        self,
        doc: Doc,
        candidates: dict[tuple[int, int], list[tuple[TriggerEntry, CompiledPattern]]],
        cues: Cues,
    ) -> list[Trigger]:
        sentences = Sentences(doc)
        figurative = cues.get("figurative", [])
        blocked_sentences: set[int] = set()
        checked_sentences: set[int] = set()
        chosen: list[Trigger] = []
        taken: set[int] = set()
        for (start, end), options in sorted(
            candidates.items(), key=lambda c: (c[0][0] - c[0][1], c[0][0])
        ):
            if taken.intersection(range(start, end)):
                continue
            picked = self._by_part_of_speech(doc, start, end, options)
            if picked is None:
                continue
            if any(s < end and start < e for s, e, _ in figurative):
                continue
            sent = sentences.of(doc[start])
            if sent.start not in checked_sentences:
                checked_sentences.add(sent.start)
                if any(
                    sent.start <= s < sent.end
                    for category in ("fiction", "sports", "advice")
                    for s, _, _ in cues.get(category, [])
                ):
                    blocked_sentences.add(sent.start)
            if sent.start in blocked_sentences:
                continue
            taken.update(range(start, end))
            chosen.append(Trigger(start, end, picked[0], picked[1]))
        return sorted(chosen, key=lambda t: t.start)

    @staticmethod
    def _by_part_of_speech(
        doc: Doc, start: int, end: int, options: list[tuple[TriggerEntry, CompiledPattern]]
    ) -> tuple[TriggerEntry, CompiledPattern] | None:
        """A word listed as verb and noun ("attack", "killing") takes the entry its tag says."""
        if end - start > 1 or (len(options) == 1 and options[0][0].kind not in ("verb", "noun")):
            return options[0]
        token = doc[start]
        pos = token.pos_
        if pos in VERB_POS and start > 0 and doc[start - 1].lower_ in POSSESSIVE_OR_ARTICLE:
            pos = "NOUN"
        nouns = [o for o in options if o[0].kind == "noun"]
        verbs = [o for o in options if o[0].kind == "verb"]
        if pos in NOUN_POS:
            return nouns[0] if nouns else None
        if pos in VERB_POS:
            return verbs[0] if verbs else (nouns[0] if nouns else options[0])
        if pos in ("DET", "ADP", "PRON", "SCONJ", "CCONJ"):
            return None
        return verbs[0] if verbs else options[0]


def _options(token: dict[str, Any]) -> list[str] | None:
    """The lowercase words a pattern token accepts, or None if it tests anything else."""
    if set(token) != {"LOWER"}:
        return None
    value = token["LOWER"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return [str(v) for v in value["IN"]]
    return None


def _fixed_words(pattern: CompiledPattern) -> list[tuple[str, ...]] | None:
    """Every word sequence a gap-free, lowercase-only pattern matches; None for other patterns."""
    options = [_options(token) for token in pattern.tokens]
    if pattern.has_gap or any(o is None for o in options):
        return None
    return list(product(*[o for o in options if o is not None]))


def _first_word_exact(pattern: CompiledPattern) -> list[list[dict[str, Any]]]:
    """One pattern per first-word option: an exact first word lets the Matcher skip most tokens
    without calling a set test."""
    first, rest = pattern.tokens[0], pattern.tokens[1:]
    words = _options({"LOWER": first["LOWER"]}) if "LOWER" in first else None
    if words is None:
        return [pattern.tokens]
    extra = {k: v for k, v in first.items() if k != "LOWER"}
    return [[{"LOWER": word, **extra}, *rest] for word in words]


def _line_break(doc: Doc, i: int) -> bool:
    return 0 <= i < len(doc) and doc[i].is_space and "\n" in doc[i].text


def _whole_line(doc: Doc, start: int, end: int) -> bool:
    """An end-of-article marker counts only as a line of its own ("Read more:" may close it)."""
    if start > 0 and not _line_break(doc, start - 1):
        return False
    if end < len(doc) and doc[end].text in (":", "…", "..."):
        end += 1
    return end == len(doc) or _line_break(doc, end)
