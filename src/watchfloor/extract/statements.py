"""The second extract component's work: a ThreatStatement for each literal trigger.

Roles come from the parse around the trigger, with lexical fallbacks (see syntax.py); status
from the cues that govern the trigger or share its clause; dates, places, methods and motives
from the trigger's sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from watchfloor.extract import dates
from watchfloor.extract.lexicon import Lexicon
from watchfloor.extract.records import TargetKind, TextSpan, ThreatStatement
from watchfloor.extract.syntax import Sentences, Syntax
from watchfloor.extract.triggers import NOUN_POS, VERB_POS, Cues, Trigger

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


class StatementReader:
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

    # Entry point ----------------------------------------------------------------------------

    def statements(self, triggers: list[Trigger]) -> list[ThreatStatement]:
        """Roles for every trigger first, so that dates go to the statement they belong to."""
        found: list[tuple[Trigger, Span]] = []
        roles: list[Roles] = []
        for trigger in triggers:
            sent = self._sentence(trigger)
            # "plotted to kill the senator and the judge": one statement per person.
            for role in self._split_conjoined(self._roles(trigger, sent)):
                found.append((trigger, sent))
                roles.append(role)
        self._targeted = [t for (t, _), r in zip(found, roles, strict=True) if r.target is not None]
        results: list[tuple[Trigger, ThreatStatement]] = []
        for (trigger, sent), role in zip(found, roles, strict=True):
            statement = self.statement(trigger, sent, role)
            if statement is not None:
                results.append((trigger, statement))
        return self._merge_coordinated(results)

    def _split_conjoined(self, roles: Roles) -> list[Roles]:
        """Split a target of coordinated persons ("Ms Hale and the head of the agency").

        Each person can be owed a warning of their own, so each gets a statement. Only when
        every conjunct names a person: "US troops in Iraq and Syria" or "the judge and her
        house" stay whole.
        """
        target, head = roles.target, roles.target_head
        if target is None or head is None:
            return [roles]
        alternative = self._alternative(target)
        if alternative is not None:
            return [
                roles,
                Roles(
                    roles.actor, alternative, alternative.root, roles.method, status=roles.status
                ),
            ]
        conjuncts = [c for c in head.conjuncts if target.start <= c.i < target.end and c.i > head.i]
        doc = self.doc
        if not conjuncts or not any(
            doc[i].pos_ == "CCONJ" for i in range(head.i + 1, conjuncts[-1].i)
        ):
            # "the chief executive, Jane Roe": a comma alone joins an apposition, not a list.
            return [roles]
        starts = [target.start] + [max(c.left_edge.i, target.start) for c in conjuncts]
        ends = [*starts[1:], target.end]
        heads = [head, *conjuncts]
        parts: list[Roles] = []
        persons = 0
        for start, end, part_head in zip(starts, ends, heads, strict=True):
            while start < part_head.i and (
                doc[start].pos_ in ("CCONJ", "PUNCT") or doc[start].is_space
            ):
                start += 1
            while end - 1 > part_head.i and (
                doc[end - 1].pos_ in ("CCONJ", "PUNCT") or doc[end - 1].is_space
            ):
                end -= 1
            if not start <= part_head.i < end:
                return [roles]
            span = doc[start:end]
            kind = self._kind_of_phrase(part_head, span)
            # A name the entity tagger got wrong ("Priya Natarajan" as a place) still counts
            # when another conjunct shows the list is of people.
            named = kind != "person" and self._personal_name(span)
            if (
                kind != "person"
                and not named
                and not (kind == "unknown" and part_head.pos_ == "PROPN")
            ):
                return [roles]
            persons += kind == "person"
            parts.append(
                Roles(
                    roles.actor,
                    span,
                    part_head,
                    roles.method,
                    "person" if named else None,
                    roles.status,
                )
            )
        return parts if persons else [roles]

    @staticmethod
    def _personal_name(span: Span) -> bool:
        """A given name and surname: proper nouns only, joined by `flat` (the treebank's
        relation for personal names; place names are compounds)."""
        words = [t for t in span if not t.is_space]
        if len(words) < 2 or any(t.pos_ != "PROPN" or not t.is_title for t in words):
            return False
        # The flat part's head may be misparsed; its relation is the evidence.
        return any(t.dep_.lower() == "flat" for t in words[1:])

    def _alternative(self, target: Span) -> Span | None:
        """ "a senior diplomat, possibly the Danish ambassador": the person the hedge names."""
        doc, end = self.doc, target.end
        if end + 2 >= len(doc) or doc[end].text != ",":
            return None
        if doc[end + 1].lower_ not in self.lex.alternative_markers:
            return None
        sent = self.sentences.of(doc[end])
        phrase = self.syn.np_from(doc, end + 2, sent)
        if phrase is None or not len(phrase):
            return None
        head = self.syn.lexical_head(doc, phrase.start, sent) or phrase.root
        if self._kind_of_phrase(head, phrase) != "person":
            return None
        return phrase

    def _kind_of_phrase(self, head: Token, phrase: Span) -> TargetKind:
        """The kind of one conjunct alone (without its siblings' kinds)."""
        kind = self._kind_of(head)
        if head.pos_ == "PROPN" and any(
            t.lower_.rstrip(".") in self.lex.person_nouns for t in phrase[: head.i - phrase.start]
        ):
            kind = "person"
        return kind

    def _merge_coordinated(
        self, results: list[tuple[Trigger, ThreatStatement]]
    ) -> list[ThreatStatement]:
        """ "was pelted with eggs and punched", "shot and wounded": coordinated verbs against
        one target are one statement, with the gravest act."""
        doc = self.doc
        dropped: set[int] = set()
        for a, (ta, sa) in enumerate(results):
            for b in range(a + 1, len(results)):
                tb, sb = results[b]
                if a in dropped or b in dropped or sa.target is None or sb.target is None:
                    continue
                overlap = sa.target.start < sb.target.end and sb.target.start < sa.target.end
                first, second = doc[ta.start], doc[tb.start]
                coordinated = second.dep_.lower() == "conj" and second.head.i == first.i
                if overlap and coordinated:
                    weaker = b if ACT_RANK[sa.act] >= ACT_RANK[sb.act] else a
                    dropped.add(weaker)
        return [s for i, (_, s) in enumerate(results) if i not in dropped]

    def statement(self, trigger: Trigger, sent: Span, roles: Roles) -> ThreatStatement | None:
        doc = self.doc
        if roles.target is None or roles.target_head is None:
            return None
        if not self._literal(trigger, sent, roles) or self._question(trigger, sent, roles):
            return None
        if (
            trigger.entry.act == "threaten"
            and trigger.end < len(doc)
            and doc[trigger.end].lower_ in ("to", "of")
            and any(t.start in (trigger.end + 1, trigger.end + 2) for t in self._triggers)
        ):
            # "threatened to kill X", "threats of murder": the harm statement, threatened,
            # says it all.
            return None
        kind = roles.target_kind or self._target_kind(roles.target_head, roles.target)
        objects = trigger.entry.objects
        if objects:
            noun = roles.target_head
            if not {noun.lower_, noun.lemma_.lower()} & objects:
                return None
        elif kind not in trigger.entry.targets:
            return None
        if (trigger.entry.kind == "sequel" or trigger.entry.anaphoric) and not any(
            t.start < trigger.start and t.entry.act in ("kill", "kidnap", "attack")
            for t in self._targeted
        ):
            # "finish the job", "similar warnings": a harm only after one reported before it.
            return None
        head = self._head(trigger)
        left, right = self._window(trigger, sent, head)
        status = roles.status or self._status(trigger, head, sent, left, right)
        if roles.actor is None:
            self._actor_from_cue(trigger, head, sent, left, right, roles)
        if roles.actor is None and trigger.entry.kind != "noun":
            self._actor_from_words(trigger, left, sent, roles)
        elif roles.actor is None:
            cue = self._cue_before_noun(trigger, left)
            if cue is not None:
                self._actor_from_words(trigger, left, sent, roles, verb_at=cue)
        evidence = self._trim_space(sent)
        method = roles.method or self._method(trigger, sent, left, right)
        act = trigger.entry.act
        if trigger.entry.inherit:
            act = next(
                (
                    t.entry.act
                    for t in reversed(self._targeted)
                    if t.start < trigger.start and t.entry.act in ("kill", "kidnap", "attack")
                ),
                act,
            )
        return ThreatStatement(
            act=act,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            evidence=_text_span(evidence),
            trigger=_text_span(doc[trigger.start : trigger.end]),
            actor=_text_span(roles.actor) if roles.actor is not None and len(roles.actor) else None,
            target=_text_span(roles.target),
            target_kind=kind,
            attribution=self._attribution(trigger, head, sent),
            hedged=self._any_cue("hedge", sent.start, sent.end),
            when=self._when(trigger, sent, left, status),
            where=self._where(trigger, sent, roles),
            method=method.text if method is not None else None,
            motive=self._motive(trigger, sent),
        )

    def _literal(self, trigger: Trigger, sent: Span, roles: Roles) -> bool:
        """False for uses that are not violence against someone: "kill the bill", a date as the
        object of a bad parse, "the plague killed thousands"."""
        assert roles.target_head is not None
        lex = self.lex
        head = roles.target_head
        if head.lower_ in lex.non_targets or head.ent_type_ in ("DATE", "TIME"):
            return False
        if {head.lower_, head.lemma_.lower()} & lex.figurative_objects:
            return False
        if trigger.entry.kind == "verb":
            following = self.syn.lexical_head(self.doc, trigger.end, sent)
            if following is not None and following.lower_ in lex.figurative_objects:
                return False
        causes = list(roles.actor) if roles.actor is not None else []
        if trigger.entry.kind == "verb":
            # "plague has killed millions" even when the parse lost the subject.
            causes.extend(self.doc[self._window(trigger, sent, trigger.start)[0] : trigger.start])
        return not any(t.pos_ in ("NOUN", "PROPN") and t.lower_ in lex.non_agents for t in causes)

    def _question(self, trigger: Trigger, sent: Span, roles: Roles) -> bool:
        """An interviewer's question asserts nothing ("Have you been threatened?", "asked
        whether he had been targeted"). Other questions ("Did the regime order the killing?")
        stay, as `hypothetical` speculation."""
        for start, end, _ in self.cues.get("question", ()):
            if not sent.start <= start < trigger.start:
                continue
            # Only inside the question's own clause: "Asked whether he was threatened, he said
            # militias had put a price on his head" asserts the second part.
            clause = self.doc[end - 1].head
            if clause.left_edge.i <= trigger.start <= clause.right_edge.i or clause.i < end:
                return True
        if not sent.text.rstrip().rstrip("\"'”’ ").endswith("?"):
            return False
        target = roles.target
        return target is not None and any(t.lower_ in ("you", "your", "yourself") for t in target)

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

    # Status ---------------------------------------------------------------------------------

    def _status(self, trigger: Trigger, head: int, sent: Span, left: int, right: int) -> str:
        governors = self._ancestors(head)
        window = (left, right)

        def cues(category: str) -> list[tuple[int, int, str]]:
            inside = self._in(category, *window)
            governing = [
                c
                for c in self.cues.get(category, ())
                if sent.start <= c[0] < sent.end and any(i in governors for i in range(c[0], c[1]))
            ]
            return governing + [c for c in inside if c not in governing]

        if (
            cues("status:denied")
            or self._negated(trigger, head, left, governors)
            or self._retracted(trigger, sent)
        ):
            return "denied"
        plan_like = cues("status:planned") + cues("status:attempted")
        # An arrest reported in the sentence before or after stops the plan too ("A man was
        # arrested at the gate. He had told a friend he intended to ...").
        near_start, near_end = self._neighbourhood(sent)
        harm = trigger.entry.act in ("kill", "kidnap", "attack")
        if cues("status:foiled") or (
            harm
            and self._any_cue("arrest", near_start, near_end)
            and (plan_like or trigger.entry.status == "planned")
        ):
            return "foiled"
        if self._hypothetical(trigger, head, sent, left, right):
            return "hypothetical"
        best = self._nearest_status(trigger, governors, window, sent)
        if best is not None:
            return best
        if trigger.entry.status:
            return trigger.entry.status
        if trigger.entry.act == "threaten":
            return "threatened"
        return self._tense_status(trigger, head, sent, left)

    def _neighbourhood(self, sent: Span) -> tuple[int, int]:
        doc = self.doc
        start = self.sentences.of(doc[sent.start - 1]).start if sent.start > 0 else sent.start
        end = self.sentences.of(doc[sent.end]).end if sent.end < len(doc) else sent.end
        return start, end

    def _actor_from_cue(
        self, trigger: Trigger, head: int, sent: Span, left: int, right: int, roles: Roles
    ) -> None:
        """ "attacking X is one of the options Y is considering": the planner is the actor."""
        for start, end, _ in self._ranked_cues(trigger, self._ancestors(head), (left, right), sent):
            token = next((t for t in self.doc[start:end] if t.pos_ == "VERB"), None)
            if token is not None:
                subject = self.syn.subject_of(token)
                if (
                    subject is not None
                    and roles.target is not None
                    and subject.i in range(roles.target.start, roles.target.end)
                ):
                    return
                self._actor(subject, sent, trigger, roles)
                return

    def _cue_before_noun(self, trigger: Trigger, left: int) -> int | None:
        """ "called for the killing of X", "plotted an attack on X": the start of a status cue
        whose verb takes the threat noun, with at most an article or adjective between."""
        doc = self.doc
        for category, found in self.cues.items():
            if not category.startswith("status:"):
                continue
            for start, end, _ in found:
                if left <= start and end <= trigger.start and doc[start].pos_ == "VERB":
                    between = doc[end : trigger.start]
                    if len(between) <= 2 and all(t.pos_ in ("DET", "ADJ") for t in between):
                        return start
        return None

    def _actor_from_words(
        self, trigger: Trigger, left: int, sent: Span, roles: Roles, verb_at: int | None = None
    ) -> None:
        """ "The cartel plotted to kill X" when the parse lost the subject: the words before the
        clause's first verb, if they read as one noun phrase."""
        doc = self.doc
        left = max(left, self._after_dateline(sent))
        modifiers: set[int] = set()
        verb: int | None = None
        for j in range(left, trigger.start + 1):
            if doc[j].pos_ not in ("VERB", "AUX"):
                continue
            if self._reduced_modifier(j, left):
                # "A Telegram channel linked to ISIS called ...": the participle and its
                # preposition belong to the actor.
                modifiers.update((j, j + 1))
                continue
            verb = j
            break
        if verb is None or (verb_at is not None and verb != verb_at):
            return
        start = self._first_word(left, verb)
        words = doc[start:verb]
        if not 0 < len(words) <= 8 or words[-1].pos_ not in ("NOUN", "PROPN", "PRON"):
            return
        if any(
            t.pos_ not in ("DET", "ADJ", "NUM", "NOUN", "PROPN", "PRON", "PART")
            and t.lower_ not in ("of", "in", "'s", "’s", "-")
            and t.i not in modifiers
            for t in words
        ):
            return
        phrase = words
        if (
            roles.target is not None
            and phrase.start < roles.target.end
            and roles.target.start < phrase.end
        ):
            return
        if phrase.root.lower_ in self.syn.relative_pronouns:
            return
        roles.actor = phrase

    def _reduced_modifier(self, j: int, left: int) -> bool:
        """ "linked to", "backed by", "based in" right after a noun: a participle that modifies
        the noun before it, not the clause's verb."""
        doc = self.doc
        token = doc[j]
        return (
            token.lower_ in self.lex.actor_modifiers
            and j - 1 >= left
            and doc[j - 1].pos_ in ("NOUN", "PROPN")
            and j + 1 < len(doc)
            and doc[j + 1].pos_ == "ADP"
        )

    def _after_dateline(self, sent: Span) -> int:
        """Where the sentence's words start after a dateline ("NAIROBI, 2 March - ")."""
        for start, end in self._datelines():
            if sent.start_char <= start < sent.end_char:
                found = self.doc.char_span(start, end, alignment_mode="expand")
                if found is not None:
                    return found.end
        return sent.start

    def _first_word(self, start: int, end: int) -> int:
        doc = self.doc
        while start < end and (
            doc[start].is_space
            or doc[start].is_punct
            or doc[start].pos_ in ("ADV", "CCONJ", "SCONJ")
        ):
            start += 1
        return start

    def _negated(self, trigger: Trigger, head: int, left: int, governors: dict[int, int]) -> bool:
        doc = self.doc
        negations = self.cues.get("negation", ())
        # The trigger, and the planning words that govern it ("did not plan to kill").
        planning = {
            i
            for status in ("planned", "considered", "attempted", "threatened")
            for s, e, _ in self.cues.get(f"status:{status}", ())
            for i in range(s, e)
        }
        points = [head, *[i for i in governors if i < head and i in planning]]
        for point in points:
            if any(max(left, point - 3) <= s < point for s, _, _ in negations):
                return True
        return any(
            c.dep_.lower() in ("neg", "advmod") and c.lower_ in ("not", "n't", "never", "n’t")
            for c in doc[head].children
        )

    def _retracted(self, trigger: Trigger, sent: Span) -> bool:
        """ "no sign that anyone still intended to attack X", "nothing to suggest they still
        plan to ...": an absence or a negation, then a word saying the intent is over, before
        the trigger."""
        denials = [
            s
            for category in ("absence", "negation")
            for s, _, _ in self.cues.get(category, ())
            if sent.start <= s < trigger.start
        ]
        return bool(denials) and any(
            min(denials) < s < trigger.start for s, _, _ in self.cues.get("retraction", ())
        )

    def _hypothetical(self, trigger: Trigger, head: int, sent: Span, left: int, right: int) -> bool:
        doc = self.doc
        if doc[sent.end - 1].text == "?" or sent.text.rstrip().endswith("?"):
            return True
        if any(left - 1 <= s < trigger.start for s, _, _ in self.cues.get("absence", ())):
            return True
        # "if" before the trigger in its clause, or after it in the same sentence ("would ... if").
        for s, _, _ in self.cues.get("conditional", ()):
            if left - 1 <= s < trigger.start or (sent.start <= s < left and s == sent.start):
                return True
            if trigger.end <= s < sent.end:
                modal = self._modal_before(
                    head, left, self.lex.hypothetical_modals | self.lex.conditional_modals
                )
                # "said he would shoot her if the bill died": a conditional threat is a threat.
                if modal is not None and not self._reported_threat(modal, sent):
                    return True
        modal = self._modal_before(head, left, self.lex.hypothetical_modals)
        if modal is not None and not self._reported_threat(modal, sent):
            return True
        # "could try to target X": a guess at an attempt, not one.
        return any(
            left <= s < trigger.start and s > 0 and doc[s - 1].lower_ in self.lex.conditional_modals
            for s, _, _ in self.cues.get("status:attempted", ())
        )

    def _modal_before(self, head: int, left: int, words: frozenset[str]) -> int | None:
        doc = self.doc
        for j in range(head - 1, max(left, head - 4) - 1, -1):
            if doc[j].lower_ in words:
                return j
        return None

    def _reported_threat(self, modal: int, sent: Span) -> bool:
        """ "he said he would kill her": reported speech of the speaker's own intent is a threat,
        not speculation. "Analysts said the group would attack" stays hypothetical, and so does
        a counterfactual "would have"."""
        doc = self.doc
        if modal + 1 < len(doc) and doc[modal + 1].lower_ in ("have", "'ve"):
            return False
        speech = [
            t
            for t in doc[sent.start : modal]
            if t.lower_ in self.lex.speech_verbs
            or t.lower_ in self.lex.threat_speech
            or t.lemma_.lower() in self.lex.threat_speech
        ]
        if not speech:
            return False
        subject = next(
            (
                t
                for t in reversed(doc[max(sent.start, modal - 4) : modal])
                if t.dep_.lower() in self.syn.subject or t.pos_ in ("PRON", "PROPN", "NOUN")
            ),
            None,
        )
        if subject is None:
            return False
        if subject.lower_ in self.lex.person_pronouns | self.lex.group_pronouns:
            return True
        said = self.syn.subject_of(speech[-1])
        return said is not None and said.lower_ == subject.lower_

    def _nearest_status(
        self, trigger: Trigger, governors: dict[int, int], window: tuple[int, int], sent: Span
    ) -> str | None:
        cues = self._ranked_cues(trigger, governors, window, sent)
        return cues[0][2] if cues else None

    def _ranked_cues(
        self, trigger: Trigger, governors: dict[int, int], window: tuple[int, int], sent: Span
    ) -> list[tuple[int, int, str]]:
        """Status cues, closest to the trigger first: governors, then the clause's words."""
        ranked: list[tuple[int, int, int, int, str]] = []
        for status in ("attempted", "planned", "considered", "threatened"):
            for s, e, _ in self.cues.get(f"status:{status}", ()):
                if not sent.start <= s < sent.end or trigger.start <= s < trigger.end:
                    continue
                hops = [governors[i] for i in range(s, e) if i in governors]
                if hops:
                    ranked.append((0, min(hops), s, e, status))
                elif window[0] <= s and e <= window[1]:
                    distance = trigger.start - e if e <= trigger.start else s - trigger.end
                    ranked.append((1, distance, s, e, status))
        return [(s, e, status) for _, _, s, e, status in sorted(ranked)]

    def _tense_status(self, trigger: Trigger, head: int, sent: Span, left: int) -> str:
        doc = self.doc
        token = doc[head]
        for j in range(head - 1, max(left, head - 4) - 1, -1):
            word = doc[j].lower_
            if word in self.lex.future_auxiliaries or (
                j + 1 < len(doc) and f"{word} {doc[j + 1].lower_}" in self.lex.future_auxiliaries
            ):
                return "threatened"
            if word in self.lex.past_auxiliaries:
                return "carried_out"
        if trigger.entry.kind in ("verb", "after", "gap") and token.pos_ not in NOUN_POS:
            tense = token.morph.get("Tense", [])
            form = token.morph.get("VerbForm", [])
            if "Past" in tense:
                return "carried_out"
            if "Fin" in form and "Pres" in tense:
                return "carried_out"
            if not tense and not form and token.lower_.endswith("ed"):
                # All-caps telex leaves the tagger without morphology: "GUNMEN KIDNAPPED".
                return "carried_out"
            if "Part" in form or "Ger" in form:
                # "reacted by bombing", "took down a plane, killing 176": the governor's tense.
                governor = self._finite_governor(token)
                if governor is not None and "Past" in governor.morph.get("Tense", []):
                    return "carried_out"
            return "threatened"
        if trigger.entry.act == "surveil":
            # "photographs of her house", "a sketch of the residence": the product of
            # surveillance exists, so the surveillance took place.
            return "carried_out"
        # A nominal: the narrative's tense decides ("the January 8 attack was ...", "attacks
        # on the zone have increased").
        for t in sent:
            if "Past" in t.morph.get("Tense", []) and (
                "Fin" in t.morph.get("VerbForm", [])
                or t.pos_ == "AUX"
                or any(c.lower_ in ("have", "has", "had") for c in t.children)
            ):
                return "carried_out"
        return "threatened"

    def _finite_governor(self, token: Token) -> Token | None:
        """The nearest governing verb that has a tense (its finite auxiliary if it has one)."""
        for _ in range(4):
            if token.head is token or token.dep_.lower() in self.syn.relcl:
                return None
            token = token.head
            aux = [c for c in token.children if c.pos_ == "AUX" and c.morph.get("Tense", [])]
            if aux:
                return aux[0]
            # A coordinated participle ("killing one and wounding four") has no tense of its own.
            if token.pos_ in ("VERB", "AUX") and (
                "Fin" in token.morph.get("VerbForm", []) or "Past" in token.morph.get("Tense", [])
            ):
                return token
        return None

    # Roles ----------------------------------------------------------------------------------

    def _roles(self, trigger: Trigger, sent: Span) -> Roles:
        roles = self._roles_of_kind(trigger, sent)
        target = roles.target
        if target is not None and all(t.lower_ in SECOND_PERSON for t in target):
            addressee = self._addressee(trigger, sent)
            if addressee is not None:
                self._set_target_span(roles, addressee)
        return roles

    def _roles_of_kind(self, trigger: Trigger, sent: Span) -> Roles:
        kind = trigger.entry.kind
        if kind == "verb":
            return self._verb_roles(trigger, sent)
        if kind == "noun":
            return self._noun_roles(trigger, sent)
        if kind == "list":
            return self._list_roles(trigger, sent)
        if kind == "gap":
            return self._gap_roles(trigger, sent)
        if kind == "subject":
            return self._subject_roles(trigger, sent)
        if kind == "last":
            return self._last_roles(trigger, sent)
        if kind == "sequel":
            return self._sequel_roles(trigger, sent)
        return self._after_roles(trigger, sent)

    def _np(
        self,
        token: Token | None,
        sent: Span,
        trigger: Trigger,
        *,
        full: bool = True,
        actor: bool = False,
    ) -> Span | None:
        if token is None:
            return None
        if trigger.start <= token.i < trigger.end:
            return None
        avoid = set(range(trigger.start, trigger.end))
        # Another trigger starts another statement: "bombing sites ..., killing dozens".
        avoid.update(
            t.start for t in self._triggers if t.start > token.i and t.start != trigger.start
        )
        skip: tuple[str, ...] = TARGET_SKIP
        if actor:
            # "riot police in Minsk": the place goes to `where`, unless it names the actor
            # ("the Iranian embassy in Pretoria").
            skip = ACTOR_SKIP if token.lower_ in self.lex.facility_nouns else (*ACTOR_SKIP, "in")
        return self.syn.np(token, sent, full=full, avoid=avoid, skip=skip)

    def _actor(
        self,
        token: Token | None,
        sent: Span,
        trigger: Trigger,
        roles: Roles,
        *,
        climb: bool = True,
    ) -> None:
        """Set the actor; a weapon as subject ("an air strike that killed X") is the method."""
        if token is None or not any(c.isalpha() for c in token.text):
            return
        phrase = self._np(token, sent, trigger, actor=True)
        if phrase is None or not any(c.isalpha() for c in phrase.text):
            return
        words = self._after_dateline(sent)
        if phrase.start < words:
            # "NAIROBI, 2 March - Al-Shabaab has threatened ...": a parse that makes the
            # dateline's place the subject; the words after the dateline are read instead.
            if phrase.end <= words:
                return
            phrase = self.doc[words : phrase.end]
        if self._in_method(token):
            roles.method = roles.method or self._method_phrase(token)
            governor = token.head
            if climb and governor is not token:
                better = self.syn.subject_of(governor)
                if better is not None and better is not token and not self._in_method(better):
                    phrase = self._np(better, sent, trigger) or phrase
        roles.actor = phrase

    def _verb_roles(self, trigger: Trigger, sent: Span) -> Roles:
        doc = self.doc
        roles = Roles()
        verb = doc[trigger.start]
        pattern = trigger.pattern
        if pattern.has_gap:
            gap = doc[trigger.start + pattern.before_gap : trigger.end - pattern.after_gap]
            objects = [
                o
                for o in self.syn.children(verb, self.syn.object)
                if not trigger.start <= o.i < trigger.end
            ]
            if len(gap) and any(t.pos_ in ("NOUN", "PROPN", "PRON") for t in gap):
                self._set_target_span(roles, self._trim_gap(gap))
            elif not len(gap) and self.syn.is_passive(verb):
                # "two judges were shot dead": the passive subject, as for one-word verbs.
                return self._passive_roles(verb, trigger, sent, roles)
            elif objects:
                self._set_target(roles, objects[0], sent, trigger)
            else:
                self._set_target_after(roles, trigger, sent)
            self._actor(self.syn.subject_of(verb), sent, trigger, roles)
            return roles
        if (len(trigger.pattern.tokens) > 1 and doc[trigger.end - 1].pos_ == "ADP") or doc[
            trigger.end - 1
        ].lower_ in ("on", "at"):
            self._set_target_after(roles, trigger, sent)
            self._actor(self.syn.subject_of(verb), sent, trigger, roles)
            return roles
        if self.syn.is_passive(verb):
            return self._passive_roles(verb, trigger, sent, roles)
        objects = [
            o
            for o in self.syn.children(verb, self.syn.object)
            if o.i > verb.i
            and o.pos_ in ("NOUN", "PROPN", "PRON", "ADJ")
            and o.lower_ not in self.lex.non_targets
        ]
        if objects:
            self._set_target(roles, objects[0], sent, trigger)
        else:
            self._set_target_after(roles, trigger, sent)
        self._actor(self.syn.subject_of(verb), sent, trigger, roles)
        return roles

    def _passive_roles(self, verb: Token, trigger: Trigger, sent: Span, roles: Roles) -> Roles:
        subjects = self.syn.children(verb, self.syn.subject)
        if not subjects and verb.dep_.lower() == "conj":
            # "was shot and wounded": the second verb shares the first one's subject.
            subjects = self.syn.children(verb.head, self.syn.subject)
        if subjects:
            self._set_target(roles, self.syn.relative_antecedent(subjects[0]), sent, trigger)
        else:
            before = self.syn.np_before(self.doc, self._aux_start(verb, sent), sent)
            if before is not None:
                self._set_target_span(roles, before)
        self._actor(self.syn.agent_of(verb, sent), sent, trigger, roles, climb=False)
        return roles

    def _aux_start(self, verb: Token, sent: Span) -> int:
        """The first auxiliary of "had been | was" before a verb."""
        j = verb.i
        while j - 1 >= sent.start and (self.doc[j - 1].pos_ in ("AUX", "ADV", "PART")):
            j -= 1
        return j

    def _noun_roles(self, trigger: Trigger, sent: Span) -> Roles:
        doc = self.doc
        roles = Roles()
        head = doc[trigger.end - 1]
        act = trigger.entry.act
        target_preps = NOUN_TARGET_PREPS.get(act, ("against", "on"))
        complements = self.syn.complements(head)
        lexical = self.syn.lexical_complement(head, sent, frozenset(target_preps + ACTOR_PREPS))
        if lexical is not None and all(lexical[1].i != c[1].i for c in complements):
            complements.append(lexical)
        target_token: Token | None = None
        for prep in target_preps:
            target_token = next((t for p, t in complements if p == prep), None)
            if target_token is not None:
                break
        actor_token = next((t for p, t in complements if p in ACTOR_PREPS), None)
        owner = self._possessor(head, trigger)
        if owner is not None:
            # "Soleimani's killing" names the victim; "her first murder" the killer.
            if target_token is None and act in ("kill", "kidnap") and owner.pos_ != "PRON":
                target_token = owner
            elif actor_token is None:
                actor_token = owner
        if actor_token is None:
            actor_token = self._perpetrator(head, trigger)
        if actor_token is None:
            actor_token = next(
                (
                    c
                    for c in head.lefts
                    if c.ent_type_ in ("NORP", "GPE", "ORG")
                    and c.dep_.lower() in ("amod", "compound")
                ),
                None,
            )
        if target_token is None and head.head.lower_ in self.lex.recipient_verbs:
            # "the editor received death threats": whoever receives the threat is its target.
            target_token = self.syn.subject_of(head.head)
        if target_token is None:
            target_token = self._threat_recipient(head, trigger, sent)
            if target_token is not None:
                roles.status = "threatened"
        if target_token is not None:
            self._set_target(roles, target_token, sent, trigger)
        elif trigger.start > sent.start and doc[trigger.start - 1].lower_ == "to":
            # "PLANNING TO AMBUSH A CONVOY": after "to" the word is a verb the tagger missed
            # (all-caps telex); its object follows.
            self._set_target_after(roles, trigger, sent)
        if actor_token is None and roles.target is not None:
            # "the threat against our forces from militant groups"
            found = self.syn.lexical_complement(
                doc[roles.target.end - 1], sent, frozenset(ACTOR_PREPS)
            )
            if found is not None:
                actor_token = found[1]
        self._actor(actor_token, sent, trigger, roles)
        return roles

    def _threat_recipient(self, head: Token, trigger: Trigger, sent: Span) -> Token | None:
        """ "she received calls threatening murder", "letters with threats of murder": the harm
        a received threat names is aimed at whoever received it."""
        doc = self.doc
        threat = next(
            (
                t
                for t in self._triggers
                if t.entry.act == "threaten"
                and sent.start <= t.start
                and 0 <= trigger.start - t.end <= 3
            ),
            None,
        )
        if threat is None or any(
            doc[j].pos_ not in ("ADP", "CCONJ", "NOUN", "PUNCT")
            for j in range(threat.end, trigger.start)
        ):
            return None
        token = head
        for _ in range(6):
            if token.head is token or not sent.start <= token.head.i < sent.end:
                return None
            token = token.head
            if token.lower_ in self.lex.recipient_verbs:
                return self.syn.subject_of(token)
        return None

    def _addressee(self, trigger: Trigger, sent: Span) -> Span | None:
        """ "a letter sent to the judge with the words 'you are next'": whom "you" means, from
        the message's addressee in the same or the previous sentence."""
        doc = self.doc
        start = sent.start
        if start > 0:
            start = self.sentences.of(doc[start - 1]).start
        found: Span | None = None
        for i in range(start, trigger.start):
            word = doc[i]
            if word.lower_ in self.lex.message_verbs:
                to = next(
                    (
                        j
                        for j in range(i + 1, min(i + 12, trigger.start))
                        if doc[j].lower_ == "to" and doc[j].pos_ == "ADP"
                    ),
                    None,
                )
                if to is not None:
                    bound = self.sentences.of(doc[to])
                    phrase = self.syn.np_from(doc, to + 1, bound)
                    if phrase is None and to < doc[to].head.i < trigger.start:
                        # "to the then ambassador": words the lexical reading stops at.
                        phrase = self._np(doc[to].head, bound, trigger)
                    if phrase is not None and len(phrase):
                        found = phrase
            elif word.lower_ in self.lex.recipient_verbs:
                after = next(
                    (
                        doc[j]
                        for j in range(i + 1, min(i + 5, trigger.start))
                        if doc[j].pos_ == "NOUN"
                    ),
                    None,
                )
                subject = self.syn.subject_of(word)
                if (
                    after is not None
                    and after.lemma_.lower() in self.lex.message_nouns
                    and subject is not None
                    and subject.i < i
                ):
                    found = self._np(subject, self.sentences.of(word), trigger)
        return found

    def _possessor(self, head: Token, trigger: Trigger) -> Token | None:
        owners = [o for o in self.syn.children(head, self.syn.possessor) if o.i < trigger.start]
        if owners:
            return owners[0]
        # "Soleimani’s killing" read from the words: a name, then 's, then the trigger.
        j = trigger.start - 1
        while j >= 0 and self.doc[j].pos_ in ("ADJ", "NOUN") and trigger.start - j < 3:
            j -= 1
        if (
            j >= 1
            and self.doc[j].lower_ in ("'s", "’s", "'", "’")
            and self.doc[j - 1].pos_ in NOUN_POS
        ):
            return self.doc[j - 1]
        if j >= 0 and self.doc[j].lower_ in ("his", "her", "their", "its", "our", "my", "your"):
            return self.doc[j]
        return None

    def _claimed_by(self, head: Token) -> Token | None:
        """ "X was behind the attack", "X claimed responsibility for the killing": the subject
        of the word that names who is behind the threat noun."""
        lex = self.lex
        if any(
            c.lower_ in lex.agent_complements and c.dep_.lower() in self.syn.case
            for c in head.children
        ):
            return self.syn.subject_of(head)
        governor = head.head
        if governor is head or governor.lower_ not in lex.agent_complements:
            return None
        if governor.pos_ == "NOUN" and governor.dep_.lower() in self.syn.object:
            # "claimed responsibility for": the claimant is the subject of the claiming verb.
            return self.syn.subject_of(governor.head)
        return self.syn.subject_of(governor)

    def _perpetrator(self, head: Token, trigger: Trigger) -> Token | None:
        """ "X launched / plotted / carried out an attack": the governing verb's subject."""
        governor = head.head
        dep = head.dep_.lower()
        claimed = self._claimed_by(head)
        if claimed is not None:
            return claimed
        if governor is head or governor.lower_ not in self.lex.agent_verbs:
            return None
        if dep in self.syn.object or dep in ("xcomp", "conj"):
            return self.syn.subject_of(governor)
        if dep in self.syn.passive_subject:
            return self.syn.agent_of(governor, self.sentences.of(governor))
        return None

    def _list_roles(self, trigger: Trigger, sent: Span) -> Roles:
        doc = self.doc
        roles = Roles()
        head = doc[trigger.end - 1]
        if not trigger.entry.inherit:
            # "named X as possible targets" has no possessor; the word before is the target's.
            self._actor(self._possessor(head, trigger), sent, trigger, roles)
        words = doc[trigger.start : trigger.end]
        noun = next((t for t in words if t.lower_ in ("list", "lists")), head)
        # Whoever is "on" the list is its target; whoever "found" or "published" it is not.
        on_list = any(
            c.lower_ in ("on", "onto") and c.dep_.lower() in self.syn.case for c in noun.children
        )
        for child in noun.children:
            if child.dep_.lower() in (*self.syn.relcl, "acl") and child.lower_ in LIST_VERBS:
                # "a hit list that included two judges"; "named X" may be parsed as an xcomp.
                objects = self.syn.children(child, self.syn.object) or [
                    c for c in child.rights if c.dep_.lower() == "xcomp" and c.pos_ in NOUN_POS
                ]
                if objects:
                    self._set_target(roles, objects[0], sent, trigger)
                    return roles
        token = noun
        for hop in range(4):
            if hop and token.head is token:
                break
            if hop:
                token = token.head
            if hop and token.lower_ in LIST_VERBS:
                objects = self.syn.children(token, self.syn.object)
                if objects:
                    self._set_target(roles, objects[0], sent, trigger)
                    return roles
            subjects = [
                s for s in self.syn.children(token, self.syn.subject) if s.i < trigger.start
            ]
            # A noun governor is a copula's predicate ("X was at the top of the list").
            if subjects and (hop == 0 or on_list or token.pos_ not in VERB_POS):
                self._set_target(roles, self.syn.relative_antecedent(subjects[0]), sent, trigger)
                return roles
            if hop and token.pos_ in VERB_POS:
                break
        for prep in ("including", "includes", "included", "of"):
            found = self.syn.lexical_complement(noun, sent, frozenset({prep}))
            if found is not None and not trigger.start <= found[1].i < trigger.end:
                self._set_target(roles, found[1], sent, trigger)
                return roles
        return roles

    def _gap_roles(self, trigger: Trigger, sent: Span) -> Roles:
        doc = self.doc
        roles = Roles()
        pattern = trigger.pattern
        gap = doc[trigger.start + pattern.before_gap : trigger.end - pattern.after_gap]
        if len(gap):
            self._set_target_span(roles, self._trim_gap(gap))
        first = doc[trigger.start]
        verb = first if first.pos_ in VERB_POS else first.head
        self._actor(self.syn.subject_of(verb), sent, trigger, roles)
        return roles

    def _trim_gap(self, gap: Span) -> Span:
        """ "a price on the prosecutor's head": the words in the gap, without the 's."""
        start, end = gap.start, gap.end
        doc = self.doc
        while start < end and (doc[start].is_space or doc[start].is_punct):
            start += 1
        while end > start and (
            doc[end - 1].is_space or doc[end - 1].is_punct or doc[end - 1].lower_ in ("'s", "’s")
        ):
            end -= 1
        return doc[start:end]

    def _vocative(self, trigger: Trigger, sent: Span) -> Span | None:
        """ "you're next, governor": the addressee names whom "you" means."""
        doc = self.doc
        after_you = trigger.start > 0 and doc[trigger.start - 1].lower_ == "you"
        if not after_you and doc[trigger.start].lower_ not in ("'re", "’re"):
            return None
        j = trigger.end
        if j + 1 >= sent.end or doc[j].text != ",":
            return None
        k = j + 1
        while k < sent.end and doc[k].pos_ in ("NOUN", "PROPN", "ADJ"):
            k += 1
        return doc[j + 1 : k] if k > j + 1 else None

    def _last_roles(self, trigger: Trigger, sent: Span) -> Roles:
        """ "we will find you": the last word is the target, the clause subject the actor."""
        doc = self.doc
        roles = Roles()
        last = doc[trigger.end - 1]
        roles.target = doc[last.i : last.i + 1]
        roles.target_head = last
        verb = next((t for t in doc[trigger.start : trigger.end] if t.pos_ == "VERB"), last.head)
        self._actor(self.syn.subject_of(verb), sent, trigger, roles)
        return roles

    def _sequel_roles(self, trigger: Trigger, sent: Span) -> Roles:
        """ "he would finish the job when she returned": the target is the person the clause
        on the verb is about, the actor the verb's subject."""
        roles = Roles()
        words = self.doc[trigger.start : trigger.end]
        verb = next((t for t in words if t.pos_ in VERB_POS), words[0])
        for clause in verb.children:
            if clause.dep_.lower() != "advcl" or not sent.start <= clause.i < sent.end:
                continue
            subjects = self.syn.children(clause, self.syn.subject)
            if subjects and self._kind_of(subjects[0]) == "person":
                self._set_target(roles, subjects[0], sent, trigger)
                break
        self._actor(self.syn.subject_of(verb), sent, trigger, roles)
        return roles

    def _subject_roles(self, trigger: Trigger, sent: Span) -> Roles:
        doc = self.doc
        roles = Roles()
        # The clause's own verb ("leave", "see", "deserves"), not a modal before it.
        words = doc[trigger.start : trigger.end]
        leave = next(
            (t for t in words if t.pos_ == "VERB" and t.lower_ not in ("will", "would")),
            next((t for t in words if t.pos_ == "AUX"), doc[trigger.start]),
        )
        subjects = self.syn.children(leave, self.syn.subject)
        if not subjects:
            # "she would be the next to die": the subject hangs on "be" or "next", not "die".
            subjects = next(
                (
                    found
                    for t in words
                    if (
                        found := [
                            s for s in self.syn.children(t, self.syn.subject) if s.i < trigger.start
                        ]
                    )
                ),
                [],
            )
        if subjects and subjects[0].pos_ == "SCONJ":
            # A parse that makes "that" the subject ("posted that Governor X 'deserves ...'").
            subjects = []
        vocative = self._vocative(trigger, sent)
        if vocative is not None:
            self._set_target_span(roles, vocative)
        elif subjects:
            self._set_target(roles, subjects[0], sent, trigger)
        else:
            start = trigger.start
            # "he would | be next": the modal is not part of the subject.
            while start - 1 > sent.start and doc[start - 1].pos_ in ("AUX", "PART", "ADV"):
                start -= 1
            before = self.syn.np_before(doc, start, sent)
            if before is not None:
                self._set_target_span(roles, before)
        if leave.dep_.lower() in ("ccomp", "parataxis") and leave.head is not leave:
            speaker = self.syn.subject_of(leave.head)
            # "X received a message saying that he should not leave ...": X is the one
            # threatened, and the sender is unknown.
            if speaker is not None and speaker.head.lower_ not in self.lex.recipient_verbs:
                self._actor(speaker, sent, trigger, roles)
        return roles

    def _after_roles(self, trigger: Trigger, sent: Span) -> Roles:
        roles = Roles()
        self._set_target_after(roles, trigger, sent)
        self._actor(self.syn.subject_of(self.doc[trigger.start]), sent, trigger, roles)
        return roles

    def _set_target(self, roles: Roles, token: Token, sent: Span, trigger: Trigger) -> None:
        phrase = self._np(token, sent, trigger)
        if phrase is not None and len(phrase):
            roles.target = phrase
            roles.target_head = token

    def _set_target_span(self, roles: Roles, span: Span) -> None:
        if not len(span):
            return
        nouns = [t for t in span if t.pos_ in ("NOUN", "PROPN", "PRON")]
        heads = [t for t in nouns if t.head.i < span.start or t.head.i >= span.end or t.head is t]
        roles.target = span
        roles.target_head = (heads or nouns or [span.root])[0]

    def _set_target_after(self, roles: Roles, trigger: Trigger, sent: Span) -> None:
        last = self.doc[trigger.end - 1]
        if last.dep_.lower() in ("compound:prt", "prt") and last.head.i < trigger.end:
            # "hunt down X": the particle's verb has the object.
            objects = [
                o for o in self.syn.children(last.head, self.syn.object) if o.i >= trigger.end
            ]
            if objects:
                self._set_target(roles, objects[0], sent, trigger)
                if roles.target is not None:
                    return
        # The tree first: the preposition's noun ("at a military base").
        if last.pos_ == "ADP" and last.head.i >= trigger.end and last.head.i < sent.end:
            self._set_target(roles, last.head, sent, trigger)
            if roles.target is not None:
                return
        avoid = [t.start for t in self._triggers if t.start >= trigger.end]
        phrase = self.syn.np_from(self.doc, trigger.end, sent, avoid=avoid)
        if phrase is not None and len(phrase):
            head = self.syn.lexical_head(self.doc, phrase.start, sent) or phrase.root
            roles.target = phrase
            roles.target_head = head

    # Target kind ----------------------------------------------------------------------------

    def _person_names(self) -> set[str]:
        if self._person_words is None:
            words: set[str] = set()
            for ent in self.doc.ents:
                if ent.label_ == "PERSON":
                    words.add(ent.text.lower())
                    words.update(t.lower_ for t in ent if t.pos_ == "PROPN" or t.is_title)
            self._person_words = words
        return self._person_words

    def _kind_of(self, token: Token) -> TargetKind:
        lex = self.lex
        word = token.lower_.rstrip(".") if len(token) > 2 else token.lower_
        lemma = token.lemma_.lower()
        if word in lex.person_pronouns:
            return "person"
        if word in lex.group_pronouns:
            return "group"
        if token.pos_ == "PROPN" and word in self._person_names():
            return "person"
        if token.ent_type_:
            kind = lex.entity_kinds.get(token.ent_type_)
            if kind is not None and kind != "unknown":
                return kind  # type: ignore[return-value]
        for candidate in (word, lemma):
            if candidate in lex.group_nouns:
                return "group"
            if candidate in lex.person_nouns:
                # "the ministers": several people are a group.
                return "group" if "Plur" in token.morph.get("Number", []) else "person"
            if candidate in lex.facility_nouns:
                return "facility"
        return "unknown"

    def _target_kind(self, head: Token, phrase: Span) -> TargetKind:
        kinds = [self._kind_of(head)]
        kinds.extend(self._kind_of(c) for c in head.conjuncts if phrase.start <= c.i < phrase.end)
        # "the ambassador, Lana Marks": the appositive says what the name is.
        kinds.extend(
            self._kind_of(c)
            for c in head.children
            if c.dep_.lower() in self.syn.appos and phrase.start <= c.i < phrase.end
        )
        if head.pos_ == "PROPN" and any(
            t.lower_.rstrip(".") in self.lex.person_nouns for t in phrase[: head.i - phrase.start]
        ):
            # "General Kenneth McKenzie", "Rep. Ilhan Omar": a title before a name.
            kinds.append("person")
        best = max(kinds, key=lambda k: KIND_RANK[k])
        if head.lower_ in self.lex.quantity_nouns or head.pos_ == "NUM":
            # "dozens of American troops", "two dozen of its fighters": the counted noun decides.
            for token in phrase[head.i - phrase.start + 1 :]:
                if token.pos_ in ("NOUN", "PROPN"):
                    kind = self._kind_of(token)
                    if kind != "unknown":
                        return kind
        return best

    # Attribution ----------------------------------------------------------------------------

    def _attribution(self, trigger: Trigger, head: int, sent: Span) -> str | None:
        doc = self.doc
        for _, end, _ in self._in("according_to", sent.start, sent.end):
            source = self.syn.lexical_source(doc, end, sent)
            if source is not None and len(source):
                return source.text
        governors = self._ancestors(head, limit=8)
        speech = [
            t
            for t in sent
            if t.lower_ in self.lex.speech_verbs
            and t.pos_ in ("VERB", "AUX", "NOUN")
            and not trigger.start <= t.i < trigger.end
        ]
        speech.sort(key=lambda t: (t.i not in governors, abs(t.i - head)))
        for verb in speech:
            if self.syn.is_passive(verb):
                continue
            subjects = [
                t
                for t in self.syn.children(verb, self.syn.subject)
                if t.pos_ in ("NOUN", "PROPN", "PRON")
            ]
            phrase: Span | None = None
            if subjects and subjects[0].lower_ not in self.syn.relative_pronouns:
                phrase = self.syn.np(subjects[0], sent, full=False, avoid=range(verb.i, sent.end))
            elif not subjects:
                phrase = self.syn.np_before(doc, verb.i, sent)
                if (
                    phrase is None
                    and verb.i + 1 < sent.end
                    and doc[verb.i + 1].pos_ in ("DET", "PROPN")
                ):
                    phrase = self.syn.lexical_source(doc, verb.i + 1, sent)
            if phrase is None or not any(c.isalpha() for c in phrase.text):
                continue
            if trigger.start < phrase.end and phrase.start < trigger.end:
                continue
            if all(t.pos_ == "PRON" for t in phrase):
                return None
            return phrase.text
        return None

    # Context --------------------------------------------------------------------------------

    def _when(self, trigger: Trigger, sent: Span, left: int, status: str) -> str | None:
        text = sent.text
        base = sent.start_char
        found = dates.find_dates(text)
        if not found:
            return None
        anchor = self.doc[trigger.start].idx - base
        clause_start = self.doc[left].idx - base if left < len(self.doc) else 0
        others = [
            self.doc[t.start].idx - base
            for t in self._targeted
            if t.start != trigger.start and sent.start <= t.start < sent.end
        ]
        # Another statement between a trigger and a date takes the date: "attacking X ... since
        # Y was killed in January".
        found = [
            d
            for d in found
            if not any(min(d.start, anchor) < o < max(d.start, anchor) for o in others)
        ]
        # A dateline's date says when the report was filed: any date of the statement's own
        # words ("next week", "on Friday") comes first.
        lines = self._datelines()
        in_dateline = {d.start for d in found if any(s <= base + d.start < e for s, e in lines)}
        ranked = sorted(
            found,
            key=lambda d: (d.start in in_dateline, d.start < clause_start, abs(d.start - anchor)),
        )
        for phrase in ranked:
            future = phrase.start not in in_dateline and self._looks_forward(
                base + phrase.start, base + phrase.end, status, self._head(trigger)
            )
            resolved = dates.resolve(phrase.text, self.published, future=future)
            if resolved is not None:
                return resolved
        return None

    def _datelines(self) -> list[tuple[int, int]]:
        if self._dateline_chars is None:
            self._dateline_chars = dates.datelines(self.doc.text)
        return self._dateline_chars

    def _in_dateline(self, span: Span) -> tuple[int, int] | None:
        """The token range of the dateline `span` lies in ("NAIROBI, 2 March -"), if any."""
        for start, end in self._datelines():
            if start <= span.start_char and span.end_char <= end:
                lines = self.doc.char_span(start, end, alignment_mode="expand")
                if lines is not None:
                    return lines.start, lines.end
        return None

    def _looks_forward(self, start: int, end: int, status: str, trigger_head: int) -> bool:
        """Whether a date phrase of a statement with `status` names a day still to come.

        A threat or a plan looks forward ("threatened to kill him on 12 April"), unless the
        date hangs on a verb in the past ("on 12 March the group threatened ..."), which dates
        the threat itself."""
        if status not in self.lex.forward_statuses:
            return False
        phrase = self.doc.char_span(start, end, alignment_mode="expand")
        if phrase is None or not len(phrase):
            return True
        governor = phrase.root.head
        if phrase.start <= governor.i < phrase.end:
            return True
        # "after her speech on Tuesday": a date on another noun dates what that noun's verb
        # tells; on the threat noun itself ("an attack on Friday") it is the act's date.
        for _ in range(4):
            if governor.pos_ in ("VERB", "AUX") or governor.i == trigger_head:
                break
            if governor.head is governor:
                break
            governor = governor.head
        tense = governor.morph.get("Tense", [])
        form = governor.morph.get("VerbForm", [])
        if "Past" not in tense or governor.pos_ not in ("VERB", "AUX"):
            return True
        if "Fin" in form:
            return False
        # "has threatened", "was attacked": a participle with an auxiliary is in the past too.
        return not any(
            c.pos_ == "AUX" and c.lower_ in self.lex.past_auxiliaries for c in governor.children
        )

    def _where(self, trigger: Trigger, sent: Span, roles: Roles) -> str | None:
        doc = self.doc
        actor = range(roles.actor.start, roles.actor.end) if roles.actor is not None else range(0)
        candidates: list[tuple[int, str]] = []
        reach = 4 + max(
            trigger.end,
            roles.target.end if roles.target is not None else 0,
            roles.actor.end if roles.actor is not None else 0,
        )
        for ent in sent.ents:
            if ent.label_ not in PLACE_LABELS or ent.start in actor or ent.start > reach:
                continue
            before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            if before in WHERE_PREPOSITIONS:
                candidates.append((abs(ent.start - trigger.start), ent.text))
        if not candidates:
            # Untagged places: a capitalized name after "in"/"at" that is not a date.
            for j in range(sent.start, min(sent.end - 1, reach)):
                if doc[j].lower_ in WHERE_PREPOSITIONS and doc[j + 1].pos_ == "PROPN":
                    k = j + 1
                    while k < sent.end and doc[k].pos_ == "PROPN":
                        k += 1
                    name = doc[j + 1 : k]
                    if name.start in actor or any(
                        t.ent_type_ in ("DATE", "PERSON", "NORP") for t in name
                    ):
                        continue
                    if dates.find_dates(name.text):
                        continue
                    candidates.append((abs(j - trigger.start), name.text))
        if candidates:
            return min(candidates)[1]
        if roles.target is not None:
            # "the ambassador to South Africa": the place the target serves in.
            for ent in roles.target.ents:
                if (
                    ent.label_ in PLACE_LABELS
                    and ent.start > roles.target.start
                    and doc[ent.start - 1].lower_ in ("to", "in", "at")
                ):
                    return ent.text
        return None

    def _in_method(self, token: Token) -> bool:
        return any(s <= token.i < e for s, e, _ in self.cues.get("method", ()))

    def _method_phrase(self, token: Token) -> Span | None:
        for s, e, _ in self.cues.get("method", ()):
            if s <= token.i < e:
                return self._grow_left(s, e)
        return None

    def _grow_left(self, start: int, end: int) -> Span:
        doc = self.doc
        while (
            start > 0
            and doc[start - 1].pos_ in ("ADJ", "NOUN", "PROPN")
            and not doc[start - 1].is_space
        ):
            start -= 1
        return doc[start:end]

    def _method(self, trigger: Trigger, sent: Span, left: int, right: int) -> Span | None:
        start, end = max(left, trigger.start - 6), min(sent.end, trigger.end + 6)
        found = [c for c in self.cues.get("method", ()) if start <= c[0] and c[1] <= end]
        if not found:
            return None
        s, e, _ = min(found, key=lambda c: (abs(c[0] - trigger.start), c[0] - c[1]))
        return self._grow_left(s, e)

    def _motive(self, trigger: Trigger, sent: Span) -> str | None:
        found = self._in("motive", sent.start, sent.end)
        if not found:
            return None
        doc = self.doc
        s, e, _ = min(found, key=lambda c: (abs(c[0] - trigger.start), c[0] - c[1]))
        words = [t.text for t in doc[s:e]]
        if words and words[0].lower() in ("to", "in", "for", "as"):
            words = words[1:]
        reason = self.syn.lexical_source(doc, e, sent)
        if reason is not None and len(reason):
            # Keep "the death of X" whole: lexical_source stops before "of" only at non-names.
            end = reason.end
            while (
                end + 1 < sent.end
                and doc[end].lower_ == "of"
                and doc[end + 1].pos_ in ("DET", "PROPN", "NOUN", "ADJ")
            ):
                more = self.syn.lexical_source(doc, end + 1, sent)
                if more is None:
                    break
                end = more.end
            return " ".join(words) + " " + doc[reason.start : end].text
        return " ".join(words) or None


def _text_span(span: Span) -> TextSpan:
    return TextSpan(span.text, span.start_char, span.end_char)
