"""The second extract component's work: a ThreatStatement for each literal trigger.

Roles come from the parse around the trigger, with lexical fallbacks (see syntax.py); status
from the cues that govern the trigger or share its clause; dates, places, methods and motives
from the trigger's sentence.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from watchfloor.extract.reading import ACT_RANK, Roles, text_span
from watchfloor.extract.records import TargetKind, ThreatStatement
from watchfloor.extract.status import StatusReader
from watchfloor.extract.triggers import Trigger

__all__ = ["Roles", "StatementReader"]


class StatementReader(StatusReader):
    """A ThreatStatement for each literal trigger of a document (the reader's top layer)."""

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
            evidence=text_span(evidence),
            trigger=text_span(doc[trigger.start : trigger.end]),
            actor=text_span(roles.actor) if roles.actor is not None and len(roles.actor) else None,
            target=text_span(roles.target),
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
