"""The statement reader's context layer: what kind of target a phrase is, who a statement is
attributed to, and when, where, how and why (the trigger's sentence and the dateline).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from watchfloor.extract import dates
from watchfloor.extract.reading import (
    KIND_RANK,
    PLACE_LABELS,
    WHERE_PREPOSITIONS,
    ReaderBase,
    Roles,
)
from watchfloor.extract.records import TargetKind
from watchfloor.extract.triggers import Trigger


class ContextReader(ReaderBase):
    """Target kinds, attribution, and the when / where / method / motive of a statement."""

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

    # The dateline, which roles and status both read --------------------------------------

    def _after_dateline(self, sent: Span) -> int:
        """Where the sentence's words start after a dateline ("NAIROBI, 2 March - ")."""
        for start, end in self._datelines():
            if sent.start_char <= start < sent.end_char:
                found = self.doc.char_span(start, end, alignment_mode="expand")
                if found is not None:
                    return found.end
        return sent.start
