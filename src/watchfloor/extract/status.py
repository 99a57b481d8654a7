"""The statement reader's status layer: the stage of a threat (threatened ... carried out), from
the cues that govern the trigger or share its clause, negation, retraction, conditionals and
tense.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from watchfloor.extract.reading import Roles
from watchfloor.extract.roles import RoleReader
from watchfloor.extract.triggers import NOUN_POS, Trigger


class StatusReader(RoleReader):
    """The status of a statement, and the actor a status cue names."""

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
