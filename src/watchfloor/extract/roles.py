"""The statement reader's roles layer: the actor, the target and its head for a trigger, from
the parse around it with lexical fallbacks (see syntax.py).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from watchfloor.extract.context import ContextReader
from watchfloor.extract.reading import (
    ACTOR_PREPS,
    ACTOR_SKIP,
    LIST_VERBS,
    NOUN_TARGET_PREPS,
    SECOND_PERSON,
    TARGET_SKIP,
    Roles,
)
from watchfloor.extract.triggers import NOUN_POS, VERB_POS, Trigger


class RoleReader(ContextReader):
    """Actor and target phrases for a trigger: verb, noun, list, gap and sequel roles."""

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
        if token is not None and token.is_space:
            # The parser hung the phrase on a line break ("TO ASSASSINATE\nTHE UP LEADER"):
            # the phrase is the one the break stands before.
            after = token.i + 1
            token = self.syn.lexical_head(self.doc, after, sent) if after < sent.end else None
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
