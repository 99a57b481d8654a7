"""What every part of the statement reader shares: the words and labels it matches, the
`Roles` found for a trigger, and the reader's per-document state with its sentence and clause
helpers (the reader is built up in layers: reading, context, roles, status, statements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from watchfloor.extract.lexicon import Lexicon
from watchfloor.extract.records import TargetKind, TextSpan
from watchfloor.extract.syntax import Sentences, Syntax
from watchfloor.extract.triggers import NOUN_POS, Cues, Trigger

KIND_RANK = {"person": 3, "group": 2, "facility": 1, "unknown": 0}
ACT_RANK = {"kill": 4, "kidnap": 3, "attack": 2, "threaten": 1, "surveil": 0}
WHERE_PREPOSITIONS = frozenset({"in", "at", "near", "inside", "outside", "across", "into"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NOUN_TARGET_PREPS = {
    "kill": ("against", "of", "on", "upon", "targeting"),
    "kidnap": ("of", "against"),
    "attack": ("on", "against", "upon", "at", "targeting"),
    "threaten": ("against", "to", "on", "targeting"),
    "surveil": ("of", "on", "against"),
}
ACTOR_PREPS = ("by", "from")
SECOND_PERSON = frozenset({"you", "your", "yourself", "yourselves"})
# Complements left out of role phrases: "by/from X" names the actor, "for weeks" the time, and
# "outside his home" the place, not the actor.
TARGET_SKIP = ("by", "from", "for", "during", "since")
ACTOR_SKIP = (*TARGET_SKIP, "outside", "near", "inside", "at", "on", "against", "with")
# Verbs whose object is who is on a hit list: "put X on", "the list includes X".
LIST_VERBS = frozenset(
    {
        "put",
        "puts",
        "placed",
        "place",
        "add",
        "added",
        "adds",
        "include",
        "includes",
        "included",
        "including",
        "contains",
        "contained",
        "names",
        "named",
        "name",
        "naming",
        "identified",
        "identifies",
        "listed",
        "lists",
    }
)


@dataclass
class Roles:
    """The phrases found for one trigger."""

    actor: Span | None = None
    target: Span | None = None
    target_head: Token | None = None
    method: Span | None = None
    # Set where the context knows the kind better than the entity tagger (a name in a list of
    # people that the tagger read as a place).
    target_kind: TargetKind | None = None
    # "received threats of murder": the words around the trigger fix the status.
    status: str | None = None


class ReaderBase:
    """Per-document state for building statements (person names, cue lookups)."""

    def __init__(
        self, doc: Doc, lex: Lexicon, syn: Syntax, cues: Cues, published: date | None
    ) -> None:
        self.doc = doc
        self.lex = lex
        self.syn = syn
        self.cues = cues
        self.published = published
        self._triggers: list[Trigger] = doc._.threat_triggers or []
        self.sentences = Sentences(doc)
        self._targeted: list[Trigger] = []
        self._person_words: set[str] | None = None
        self._dateline_chars: list[tuple[int, int]] | None = None

    # Sentence and clause --------------------------------------------------------------------

    def _sentence(self, trigger: Trigger) -> Span:
        """The trigger's sentence, cut at line breaks that start a new line of text.

        Parsers trained on running text join a headline to the next paragraph; a break before
        a lowercase word is kept, since copies of web pages lose link texts mid-sentence.
        """
        doc = self.doc
        first, last = self.sentences.of(doc[trigger.start]), self.sentences.of(doc[trigger.end - 1])
        start, end = first.start, last.end
        # A boundary with no punctuation or break before it is the parser's guess (all-caps
        # telex: "MEN PLANNING TO AMBUSH| A CONVOY"): the sentence goes on.
        while start > 0 and not self._sentence_final(start - 1):
            start = self.sentences.of(doc[start - 1]).start
        while end < len(doc) and not self._sentence_final(end - 1):
            end = self.sentences.of(doc[end]).end
        for j in range(trigger.start - 1, start - 1, -1):
            if self._line_break(j):
                start = j + 1
                break
        for j in range(trigger.end, end):
            if self._line_break(j):
                end = j
                break
        return doc[start:end]

    def _sentence_final(self, i: int) -> bool:
        token = self.doc[i]
        return token.is_space or token.is_punct or token.text[-1:] in (".", "!", "?")

    def _line_break(self, i: int) -> bool:
        doc = self.doc
        token = doc[i]
        if not token.is_space or "\n" not in token.text or i + 1 >= len(doc):
            return False
        return not doc[i + 1].text[:1].islower()

    @staticmethod
    def _trim_space(span: Span) -> Span:
        start, end = span.start, span.end
        doc = span.doc
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        return doc[start:end]

    @staticmethod
    def _head(trigger: Trigger) -> int:
        if trigger.entry.kind in ("noun", "list"):
            return trigger.end - 1
        return trigger.start

    def _window(self, trigger: Trigger, sent: Span, head: int) -> tuple[int, int]:
        """The trigger's clause, lexically: from the last clause boundary to the next one."""
        doc = self.doc
        left = sent.start
        for j in range(trigger.start - 1, sent.start - 1, -1):
            if doc[j].lower_ in self.lex.boundaries:
                left = j + 1
                break
        right = trigger.end
        # Cues after the trigger count only where the trigger opens its clause ("attacking X
        # is one of several options", "an attack on X was planned").
        dep = doc[head].dep_.lower()
        opens_clause = not any(doc[j].pos_ in ("VERB", "AUX") for j in range(left, trigger.start))
        finite = trigger.entry.kind != "noun" and "Fin" in doc[head].morph.get("VerbForm", [])
        # "bombed the hotel in an attempt to kill X": a finite verb's status is its own.
        if (opens_clause and not finite) or dep in self.syn.subject:
            right = min(sent.end, trigger.end + 15)
            for j in range(trigger.end, right):
                if doc[j].lower_ in self.lex.boundaries or doc[j].lower_ == "that":
                    right = j
                    break
        return left, right

    def _in(self, category: str, start: int, end: int) -> list[tuple[int, int, str]]:
        return [c for c in self.cues.get(category, ()) if start <= c[0] and c[1] <= end]

    def _any_cue(self, category: str, start: int, end: int) -> bool:
        return bool(self._in(category, start, end))

    def _ancestors(self, head: int, limit: int = 6) -> dict[int, int]:
        """Governors of the trigger within its clause chain, with their distance in hops."""
        found: dict[int, int] = {}
        token = self.doc[head]
        for hop in range(1, limit + 1):
            dep = token.dep_.lower()
            if token.head is token or dep in self.syn.relcl or dep == "parataxis":
                break
            if dep == "advcl" and any(c.dep_ == "mark" for c in token.children):
                break
            if dep == "conj" and self.syn.children(token, self.syn.subject):
                # "X wanted to ..., but Y was shot": a coordinated clause with its own subject.
                break
            token = token.head
            if dep == "conj":
                # "urged X to ... and showed Y": a coordinated verb is a peer, not a governor.
                continue
            found[token.i] = hop
            if token.pos_ in NOUN_POS and hop > 0 and dep not in ("csubj", "nsubj"):
                break
        return found


def text_span(span: Span) -> TextSpan:
    return TextSpan(span.text, span.start_char, span.end_char)
