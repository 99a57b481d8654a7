"""Rules and model together: one list of statements per document, each saying who found it.

Per sentence the model read:
- a rules statement whose trigger (or target) the model also tagged is kept as the rules read it,
  `found_by="both"`, with the model's probability as its confidence;
- a rules statement in a sentence the model reads as no statement at all (probability below
  `veto_below`) is dropped: figurative uses, fiction and advice the rules' filters missed;
- a trigger only the model tagged becomes a statement of its own, `found_by="model"`. It is read
  by the rules' own statement reader around that trigger (attribution, hedging, date, place,
  method, motive; the target and actor the model tagged, or the parse's when it tagged none), so
  it explains itself the way the rules' statements do.
Sentences the model did not read keep the rules' statements as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from watchfloor.extract.finder.config import FinderConfig
from watchfloor.extract.finder.model import FoundTrigger, Piece, SentenceReading
from watchfloor.extract.lexicon import CompiledPattern, Lexicon, TriggerEntry
from watchfloor.extract.records import TextSpan, ThreatStatement
from watchfloor.extract.statements import Roles, StatementReader
from watchfloor.extract.syntax import Syntax
from watchfloor.extract.triggers import Trigger

ALL_KINDS = frozenset({"person", "group", "facility", "unknown"})


@dataclass(frozen=True)
class ReadSentence:
    """A sentence the model read: its character span in the document and the reading."""

    start: int
    end: int
    reading: SentenceReading
    text: str = ""

    def text_of(self, start: int, end: int) -> str:
        return self.text[start - self.start : end - self.start]


def _overlap(a: TextSpan | None, start: int, end: int) -> bool:
    return a is not None and a.start < end and start < a.end


def combine(
    doc: Doc,
    rules: Sequence[ThreatStatement],
    read: Sequence[ReadSentence],
    config: FinderConfig,
    lex: Lexicon,
    syn: Syntax,
) -> list[ThreatStatement]:
    out: list[ThreatStatement] = []
    reader: StatementReader | None = None
    claimed: set[int] = set()
    for sentence in read:
        reading = sentence.reading
        inside = [
            (i, s) for i, s in enumerate(rules) if sentence.start <= s.trigger.start < sentence.end
        ]
        claimed.update(i for i, _ in inside)
        kept, matched = _judge_rules(doc, inside, sentence, reading, config)
        out.extend(kept)
        if reading.probability < config.sentence_probability:
            continue
        for found in reading.triggers:
            start, end = sentence.start + found.start, sentence.start + found.end
            if found.probability < config.trigger_probability or any(
                _overlap(s.trigger, start, end) for s in matched
            ):
                continue
            if config.rules_filters and _filtered(doc, rules, start, end, config.rules_rejections):
                continue
            if reader is None:
                reader = StatementReader(doc, lex, syn, doc._.threat_cues or {}, doc._.published)
            made = _model_statements(doc, reader, sentence, found, config)
            out.extend(m for m in made if not _duplicate(m, out))
    out.extend(s for i, s in enumerate(rules) if i not in claimed)
    out.sort(key=lambda s: (s.evidence.start, s.trigger.start))
    return out


SENTENCE_FILTERS = ("fiction", "sports", "advice")


def _filtered(
    doc: Doc, rules: Sequence[ThreatStatement], start: int, end: int, rejections: bool
) -> bool:
    """True where the rules' own filters rule the words out (see `FinderConfig.rules_filters`).
    The rules' triggers that became none of their statements were read and rejected: a use
    that is not literal, a question, a target of the wrong kind."""
    tokens = _token_range(doc, start, end)
    if tokens is None:
        return True
    first, last = tokens
    cues = doc._.threat_cues or {}
    if any(s < last and first < e for s, e, _ in cues.get("figurative", ())):
        return True
    sent = doc[first].sent
    if any(
        sent.start <= s < sent.end
        for category in SENTENCE_FILTERS
        for s, _, _ in cues.get(category, ())
    ):
        return True
    if not rejections:
        return False
    at_the_words = (
        t.span(doc) for t in doc._.threat_triggers or () if t.start < last and first < t.end
    )
    return any(
        not any(_overlap(s.trigger, span.start_char, span.end_char) for s in rules)
        for span in at_the_words
    )


def _judge_rules(
    doc: Doc,
    inside: list[tuple[int, ThreatStatement]],
    sentence: ReadSentence,
    reading: SentenceReading,
    config: FinderConfig,
) -> tuple[list[ThreatStatement], list[ThreatStatement]]:
    kept: list[ThreatStatement] = []
    if reading.probability < config.veto_below:
        return kept, [s for _, s in inside]
    for _, statement in inside:
        agree = [
            t
            for t in reading.triggers
            if _overlap(statement.trigger, sentence.start + t.start, sentence.start + t.end)
        ]
        if agree:
            statement = replace(
                statement,
                found_by="both",
                confidence=round(max(t.probability for t in agree), 3),
                target=_better_target(doc, statement, agree, sentence, config) or statement.target,
            )
        else:
            statement = replace(statement, confidence=round(reading.probability, 3))
        kept.append(statement)
    return kept, kept


def _better_target(
    doc: Doc,
    statement: ThreatStatement,
    agree: list[FoundTrigger],
    sentence: ReadSentence,
    config: FinderConfig,
) -> TextSpan | None:
    """The model's target for a trigger both found, where the rules' target is none of the
    model's targets (the parse misread the clause: all-caps telex, a headline). A pronoun the
    rules read as the target stays: the linker resolves it to the person it stands for."""
    if statement.target is not None:
        span = doc.char_span(statement.target.start, statement.target.end, alignment_mode="expand")
        if span is not None and len(span) and span.root.pos_ == "PRON":
            return None
    reading = sentence.reading
    mine = [t for t in reading.targets if any(t in _targets_for(a, reading) for a in agree)]
    if not mine or any(
        _overlap(statement.target, sentence.start + t.start, sentence.start + t.end)
        for t in reading.targets
    ):
        return None
    best = max(mine, key=lambda t: t.probability)
    if best.probability < config.target_probability:
        return None
    start, end = sentence.start + best.start, sentence.start + best.end
    return TextSpan(sentence.text_of(start, end), start, end)


def _duplicate(new: ThreatStatement, existing: Sequence[ThreatStatement]) -> bool:
    return any(
        s.trigger.start < new.trigger.end
        and new.trigger.start < s.trigger.end
        and (
            s.target is None
            or new.target is None
            or _overlap(s.target, new.target.start, new.target.end)
        )
        for s in existing
    )


def _token_range(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    return span.start, span.end


def _model_statements(
    doc: Doc,
    reader: StatementReader,
    sentence: ReadSentence,
    found: FoundTrigger,
    config: FinderConfig,
) -> list[ThreatStatement]:
    tokens = _token_range(doc, sentence.start + found.start, sentence.start + found.end)
    if tokens is None:
        return []
    head = doc[tokens[0]]
    kind = "verb" if head.pos_ in ("VERB", "AUX") else "noun"
    entry = TriggerEntry(act=found.act, kind=kind, patterns=(), status=None, targets=ALL_KINDS)
    pattern = CompiledPattern(
        tokens=tuple({} for _ in range(tokens[1] - tokens[0])),  # type: ignore[arg-type]
        before_gap=0,
        after_gap=0,
        has_gap=False,
    )
    trigger = Trigger(tokens[0], tokens[1], entry, pattern)
    sent = reader._sentence(trigger)
    statements = []
    targets: list[Piece | None] = list(_targets_for(found, sentence.reading)) or [None]
    for target in targets:
        roles = _roles(doc, reader, trigger, sent, sentence, target, sentence.reading)
        if roles is None:
            continue
        if config.status_from == "model":
            roles.status = found.status
        statement = reader.statement(trigger, sent, roles)
        if statement is not None:
            statements.append(
                replace(statement, found_by="model", confidence=round(found.probability, 3))
            )
    return statements


def _targets_for(found: FoundTrigger, reading: SentenceReading) -> list[Piece]:
    """The tagged targets nearest this trigger rather than another one."""
    mine = []
    for target in reading.targets:
        nearest = min(
            reading.triggers,
            key=lambda t: min(abs(t.start - target.end), abs(target.start - t.end)),
        )
        if nearest is found:
            mine.append(target)
    return mine


def _roles(
    doc: Doc,
    reader: StatementReader,
    trigger: Trigger,
    sent: Span,
    sentence: ReadSentence,
    target: Piece | None,
    reading: SentenceReading,
) -> Roles | None:
    if target is None:
        # The model tagged no target for this trigger: the parse may still find one.
        parsed = reader._roles(trigger, sent)
        return parsed if parsed.target is not None else None
    span = doc.char_span(
        sentence.start + target.start, sentence.start + target.end, alignment_mode="expand"
    )
    if span is None or not len(span):
        return None
    roles = Roles(target=span, target_head=span.root)
    at = doc[trigger.start].idx - sentence.start
    actors = sorted(reading.actors, key=lambda a: min(abs(a.start - at), abs(a.end - at)))
    for actor in actors:
        actor_span = doc.char_span(
            sentence.start + actor.start, sentence.start + actor.end, alignment_mode="expand"
        )
        if actor_span is not None and len(actor_span) and not _spans_overlap(actor_span, span):
            roles.actor = actor_span
            break
    return roles


def _spans_overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
