"""Noun phrases and grammatical roles around a trigger, read from the parse with lexical fallbacks.

A provisional or foreign pipeline may parse badly, so every role first asks the dependency tree
and then, where the tree says nothing, looks at the words next to the trigger.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from watchfloor.extract.dates import month_names
from watchfloor.extract.lexicon import Lexicon

NP_POS = frozenset({"DET", "ADJ", "NUM", "PROPN", "NOUN", "PRON"})
NOUNISH = frozenset({"PROPN", "NOUN", "PRON", "NUM"})
EDGE_JUNK = frozenset({"PUNCT", "SPACE", "CCONJ", "ADP", "SCONJ", "PART"})
# Dependents that are part of a name or its possessive, kept even in short phrases.
NAME_DEPS = frozenset({"flat", "compound", "nmod:poss", "poss", "case"})
POSSESSIVE_PRONOUNS = frozenset({"his", "her", "its", "their", "our", "my", "your"})
APPROXIMATORS = frozenset({"around", "about", "nearly", "almost", "over", "some", "roughly"})
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})


class Sentences:
    """Sentence lookup for one Doc: `Token.sent` rescans the whole Doc on every call."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        if doc.has_annotation("SENT_START"):
            self.starts = [s.start for s in doc.sents]
        else:
            # Nothing set sentence boundaries: the whole text is one sentence.
            self.starts = [0]

    def of(self, token: Token) -> Span:
        k = bisect_right(self.starts, token.i) - 1
        end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.doc)
        return self.doc[self.starts[k] : end]


class Syntax:
    """Role-finding helpers bound to one lexicon (for its dependency label sets)."""

    def __init__(self, lexicon: Lexicon, max_np_tokens: int = 25) -> None:
        self.lex = lexicon
        self.max_np = max_np_tokens
        deps = lexicon.deps
        self.subject = deps.get("subject", frozenset())
        self.passive_subject = deps.get("passive_subject", frozenset())
        self.passive_aux = deps.get("passive_auxiliary", frozenset())
        self.object = deps.get("object", frozenset())
        self.agent = deps.get("agent", frozenset())
        self.oblique = deps.get("oblique", frozenset())
        self.pobj = deps.get("preposition_object", frozenset())
        self.case = deps.get("case", frozenset())
        self.possessor = deps.get("possessor", frozenset())
        self.appos = deps.get("appos", frozenset())
        self.np_left = deps.get("np_left", frozenset())
        self.np_right = deps.get("np_right", frozenset())
        self.control = deps.get("control", frozenset())
        self.relcl = deps.get("relative_clause", frozenset())
        self.relative_pronouns = deps.get("relative_pronouns", frozenset())
        self.lex_months = month_names()

    # Noun phrases ---------------------------------------------------------------------------

    def np(
        self,
        head: Token,
        bound: Span,
        *,
        full: bool = True,
        avoid: Iterable[int] = (),
        skip: tuple[str, ...] = ("by", "from"),
    ) -> Span:
        """The noun phrase headed by `head`, inside `bound`, never reaching the tokens in `avoid`.

        With `full`, post-modifiers are kept ("the ambassador to South Africa", "the general,
        Qassem Soleimani"); without, only the words up to the head ("a US government official").
        """
        avoid_set = set(avoid)
        keep = {head.i}
        reduced = self._reduced_participle(head)
        if reduced is not None:
            if full:
                keep.update(reduced)
        elif head.head is not head:
            # A phrase never contains the word that governs it (a bad parse can say otherwise).
            avoid_set.add(head.head.i)
        for child in head.lefts:
            if child.dep_.lower() in self.np_left or child.pos_ in ("DET", "ADJ", "NUM", "PROPN"):
                keep.update(t.i for t in child.subtree)
        for child in head.rights:
            dep = child.dep_.lower()
            if dep in self.relcl or self._marked_by(child, skip):
                continue
            name_part = dep in NAME_DEPS or (dep in ("nmod", "prep") and self._of_name(child))
            if (full and dep in self.np_right) or name_part:
                keep.update(t.i for t in child.subtree)
        if full and head.lower_ in self.lex.role_titles:
            keep.update(self._jurisdiction(head, max(keep) + 1))
        start, end = min(keep), max(keep) + 1
        # Modifiers the parser hung on the wrong word but that sit inside the phrase ("a US
        # drone| strike" with "drone" as a subject of "strike").
        doc = head.doc
        while (
            start - 1 >= bound.start
            and doc[start - 1].pos_ in NP_POS
            and doc[start - 1] is not head.head
            and start - 1 <= doc[start - 1].head.i < end
        ):
            start -= 1
        start, end = max(start, bound.start), min(end, bound.end)
        # Never swallow the trigger or the other role: cut at the nearest avoided token.
        for i in sorted(avoid_set):
            if start <= i < head.i:
                start = i + 1
            elif head.i < i < end:
                end = i
                break
        end = self._before_date(head, end)
        # A finite verb after the head belongs to the clause, not the phrase.
        end = next(
            (
                j
                for j in range(head.i + 1, end)
                if doc[j].pos_ in ("VERB", "AUX") and "Fin" in doc[j].morph.get("VerbForm", [])
            ),
            end,
        )
        end = self._before_clause(doc, head.i, end, bound)
        end = self._appositive_name(head.doc, end, bound)
        # "Rep. Ilhan Omar": a name the parser left outside the title.
        while (
            end < bound.end
            and end - 1 >= head.i
            and doc[end].pos_ == "PROPN"
            and doc[end - 1].pos_ == "PROPN"
            and doc[end].ent_type_ not in ("DATE", "TIME")
            and doc[end].i not in avoid_set
        ):
            end += 1
        if end - start > self.max_np:
            start, end = max(start, head.i - 6), min(end, head.i + 1)
            start = max(start, bound.start)
        return self._trim(head.doc, start, end, head.i)

    def _jurisdiction(self, head: Token, end: int) -> list[int]:
        """ "assassinating the ambassador | to South Africa": the place of a role title that the
        parser hung on the verb, right after the phrase."""
        governor = head.head
        place = None if governor is head else self._place_hung_at(governor, end, ("to", "in", "at"))
        return [] if place is None else list(range(end, place.right_edge.i + 1))

    def _place_hung_at(
        self, verb: Token, position: int, prepositions: tuple[str, ...]
    ) -> Token | None:
        """A prepositional place on `verb` that starts at `position`: "... the ambassador | to
        Mali", a role's complement the parser hung on the verb instead of the noun."""
        return next(
            (
                child
                for child in verb.rights
                if child.left_edge.i == position
                and child.pos_ == "PROPN"
                and child.dep_.lower() in self.oblique
                and child.left_edge.lower_ in prepositions
            ),
            None,
        )

    def _reduced_participle(self, head: Token) -> list[int] | None:
        """ "a convoy carrying the ambassador to Mali" parsed as a clause with "convoy" as the
        subject of "carrying": the participle and its object belong to the phrase."""
        verb = head.head
        if (
            verb is head
            or verb.i != head.i + 1
            or verb.pos_ != "VERB"
            or not {"Ger", "Part"} & set(verb.morph.get("VerbForm", []))
            or head.dep_.lower() not in self.subject
            or any(c.dep_.lower().startswith("aux") for c in verb.children)
        ):
            return None
        objects = [c for c in verb.rights if c.dep_.lower() in self.object]
        if not objects:
            return None
        end = objects[0].right_edge.i + 1
        while (place := self._place_hung_at(verb, end, ("to", "in", "at", "of"))) is not None:
            end = place.right_edge.i + 1
        return list(range(verb.i, end))

    def _before_date(self, head: Token, end: int) -> int:
        """ "a US drone strike in January": a date after the head belongs to the clause."""
        doc = head.doc
        for j in range(head.i + 1, end):
            if doc[j].ent_type_ == "DATE" or doc[j].text in self.lex_months:
                k = j - 1 if j - 1 > head.i and doc[j - 1].pos_ == "ADP" else j
                return k
        return end

    def _attribution_at(self, doc: Doc, j: int, bound: Span) -> bool:
        """ "according to X", "said", "citing X": the report's source starts at token `j`."""
        token = doc[j]
        if token.lower_ in self.lex.speech_verbs and token.pos_ in ("VERB", "AUX"):
            return True
        for pattern in self.lex.according_to:
            words = pattern.tokens
            if j + len(words) <= bound.end and all(
                _matches(doc[j + k], w) for k, w in enumerate(words)
            ):
                return True
        return False

    def _before_clause(self, doc: Doc, head_i: int, end: int, bound: Span) -> int:
        """Cut a phrase before attribution or a comma that opens a clause.

        "the governor of Sonora, according to prosecutors" and "the judge, officials said"
        end at the comma; an apposition that names or describes the person ("the envoy, Lana
        Marks", "Ms Hale, the ambassador") and a list ("the mayor, the judge and ...") stay.
        """
        for j in range(head_i + 1, end):
            if self._attribution_at(doc, j, bound):
                return j
            if doc[j].text not in (",", ";", "(", "-", "—", "–") or j + 1 >= bound.end:
                continue
            if doc[j].text == ";":
                return j
            k = j + 1
            if doc[k].pos_ not in NP_POS and doc[k].pos_ != "CCONJ":
                return j
            # "..., federal officials said": a short noun phrase that is the speech verb's subject.
            while k < bound.end and k - j <= 5 and doc[k].pos_ in NP_POS:
                k += 1
            if k < bound.end and self._attribution_at(doc, k, bound):
                return j
        return end

    @staticmethod
    def _appositive_name(doc: Doc, end: int, bound: Span) -> int:
        """ "the ambassador, Lana Marks," even when the parser hangs the name elsewhere."""
        if end >= bound.end or doc[end].text != "," or end + 1 >= bound.end:
            return end
        k = end + 1
        while k < bound.end and doc[k].pos_ == "PROPN":
            k += 1
        if k > end + 1 and (k >= bound.end or doc[k].text in (",", ".", ";")):
            return k
        return end

    def _marked_by(self, child: Token, words: tuple[str, ...]) -> bool:
        """ "the threat against X from Y": a by/from phrase names the actor, not the target."""
        if child.dep_.lower() == "prep":
            return child.lower_ in words
        return any(c.dep_.lower() in self.case and c.lower_ in words for c in child.children)

    def _of_name(self, child: Token) -> bool:
        """ "Secretary of State": an of-complement that is part of a name or title."""
        return any(t.lower_ == "of" for t in child.children) and child.pos_ == "PROPN"

    def _trim(self, doc: Doc, start: int, end: int, head_i: int) -> Span:
        while start < head_i and (doc[start].pos_ in EDGE_JUNK or doc[start].is_space):
            start += 1
        while end - 1 > head_i and (
            doc[end - 1].pos_ in EDGE_JUNK or doc[end - 1].is_space or doc[end - 1].is_punct
        ):
            end -= 1
        # A dangling opening bracket or quote is not part of the phrase.
        return doc[start:end]

    def np_from(
        self, doc: Doc, i: int, bound: Span, *, full: bool = True, avoid: Iterable[int] = ()
    ) -> Span | None:
        """The noun phrase starting at (or right after) token `i`: words first, then the tree."""
        while i < bound.end and (
            doc[i].is_space
            or doc[i].pos_ in ("ADV", "PART", "PUNCT")
            or (doc[i].lower_ in APPROXIMATORS and i + 1 < bound.end and doc[i + 1].pos_ == "NUM")
        ):
            if doc[i].pos_ == "PUNCT" and doc[i].text not in ('"', "“", "'", "‘"):
                return None
            i += 1
        if i >= bound.end or doc[i].pos_ not in NP_POS:
            return None
        head = self.lexical_head(doc, i, bound)
        if head is None:
            return None
        # Trust the tree when it agrees that this run heads a phrase starting here.
        span = self.np(head, bound, full=full, avoid=avoid)
        if span.start < i:
            span = doc[i : max(span.end, head.i + 1)]
        return span

    def lexical_head(self, doc: Doc, i: int, bound: Span) -> Token | None:
        """The last noun of the run of noun-phrase words starting at `i`."""
        head: Token | None = None
        j = i
        while j < bound.end and j - i < 10:
            token = doc[j]
            if token.pos_ in NOUNISH:
                head = token
                if token.pos_ == "PRON" and token.lower_ not in POSSESSIVE_PRONOUNS:
                    break
            elif token.lower_ in POSSESSIVE and head is not None:
                head = None
            elif token.text == "-" or (j + 1 < bound.end and doc[j + 1].text == "-"):
                # A hyphenated modifier split by the tokenizer: "far - right group".
                pass
            elif token.pos_ not in NP_POS or (head is not None and token.pos_ == "DET"):
                break
            elif head is not None and token.pos_ == "ADJ":
                # "Shia militant groups": an adjective continues the phrase only before a noun.
                following = doc[j + 1].pos_ if j + 1 < bound.end else ""
                if following not in ("NOUN", "PROPN", "ADJ"):
                    break
            j += 1
        if head is None and j > i and doc[j - 1].pos_ == "ADJ":
            # A tagger may call the head noun an adjective ("a powerful Iranian general").
            return doc[j - 1]
        return head

    def np_before(self, doc: Doc, end: int, bound: Span) -> Span | None:
        """The noun phrase ending just before token `end` ("the officials| said")."""
        j = end - 1
        while j >= bound.start and (doc[j].is_space or doc[j].pos_ == "PUNCT"):
            j -= 1
        if j < bound.start or doc[j].pos_ not in NOUNISH:
            return None
        return self.np(doc[j], bound, full=False, avoid=range(end, bound.end))

    def lexical_source(self, doc: Doc, i: int, bound: Span) -> Span | None:
        """A short source phrase from token `i`: "a US government official", "Secretary of X"."""
        j = i
        last_noun: int | None = None
        while j < bound.end and j - i < 12:
            token = doc[j]
            following = doc[j + 1].pos_ if j + 1 < bound.end else ""
            if token.pos_ in ("PROPN", "NOUN"):
                last_noun = j
            elif (
                (
                    last_noun is None
                    and (token.pos_ in ("DET", "NUM", "ADJ") or token.lower_ in POSSESSIVE_PRONOUNS)
                )
                or (token.lower_ == "of" and last_noun is not None and following == "PROPN")
                or (
                    token.lower_ in POSSESSIVE
                    and last_noun is not None
                    and following in ("NOUN", "PROPN", "ADJ")
                )
                or (token.pos_ == "ADJ" and last_noun is not None)
            ):
                pass
            else:
                break
            j += 1
        if last_noun is None:
            return None
        end = last_noun + 1
        if j > end:
            # Adjectives after the nouns: a mis-tagged head noun ("official") and perhaps a
            # post-modifier ("familiar with ..."), which is left out.
            end = j - 1 if j < bound.end and doc[j].pos_ == "ADP" else j
        return self._trim(doc, i, max(end, last_noun + 1), i)

    # Roles ----------------------------------------------------------------------------------

    def children(self, token: Token, deps: frozenset[str]) -> list[Token]:
        return [c for c in token.children if c.dep_.lower() in deps]

    def is_passive(self, verb: Token) -> bool:
        if self.children(verb, self.passive_subject) or self.children(verb, self.passive_aux):
            return True
        if self.children(verb, self.object):
            return False
        if "Pass" in verb.morph.get("Voice", []):
            return True
        prev = verb.nbor(-1) if verb.i > 0 else None
        while prev is not None and prev.pos_ == "ADV" and prev.i > 0:
            prev = prev.nbor(-1)
        return (
            prev is not None
            and prev.lower_ in ("was", "were", "been", "be", "being", "is", "are", "got", "get")
            and "Part" in verb.morph.get("VerbForm", [])
        )

    def relative_antecedent(self, token: Token) -> Token:
        """ "who" / "that" as a subject stands for the noun its clause modifies."""
        if token.lower_ in self.relative_pronouns:
            clause = token.head
            if clause.dep_.lower() in self.relcl:
                return clause.head
        return token

    def subject_of(self, token: Token, max_hops: int = 5) -> Token | None:
        """The subject a verb has or inherits through control, coordination or participles."""
        current = token
        for _ in range(max_hops):
            subjects = self.children(current, self.subject)
            if subjects:
                return self.relative_antecedent(subjects[0])
            dep = current.dep_.lower()
            if current.head is current or dep not in self.control:
                return None
            if dep in self.relcl:
                return current.head
            if dep == "advcl" and any(
                c.dep_ == "mark" and c.lower_ != "to" for c in current.children
            ):
                return None
            if dep in ("acl",) and current.head.pos_ not in ("NOUN", "PROPN"):
                return None
            if current.head.pos_ in ("NOUN", "PROPN"):
                owner = self.children(current.head, self.possessor)
                if owner:
                    return owner[0]
                if current.head.dep_.lower() in self.object | self.subject:
                    current = current.head.head
                    continue
                return None
            current = current.head
        return None

    def agent_of(self, verb: Token, bound: Span) -> Token | None:
        """The "by" agent of a passive verb."""
        for child in verb.children:
            dep = child.dep_.lower()
            if dep in self.agent:
                objects = self.children(child, self.pobj)
                return objects[0] if objects else child
            if dep in self.oblique and any(c.lower_ == "by" for c in child.children):
                return child
        for j in range(verb.i + 1, min(verb.i + 6, bound.end)):
            if verb.doc[j].lower_ == "by":
                return self.lexical_head(verb.doc, j + 1, bound)
            if verb.doc[j].is_punct:
                break
        return None

    def complements(self, head: Token) -> list[tuple[str, Token]]:
        """(preposition, noun) pairs hanging off `head`: "attack on the base" → ("on", base)."""
        found: list[tuple[str, Token]] = []
        for child in head.rights:
            dep = child.dep_.lower()
            if dep == "prep":
                for obj in self.children(child, self.pobj):
                    found.append((child.lower_, obj))
            elif dep in self.oblique or dep in self.agent:
                marks = [c.lower_ for c in child.children if c.dep_.lower() in self.case]
                if marks:
                    found.append((marks[0], child))
        return found

    def lexical_complement(
        self, head: Token, bound: Span, preps: frozenset[str]
    ) -> tuple[str, Token] | None:
        """The same as `complements`, read from the words right after the head."""
        doc = head.doc
        j = head.i + 1
        while j < bound.end and doc[j].is_space:
            j += 1
        if j < bound.end and doc[j].lower_ in preps:
            noun = self.lexical_head(doc, j + 1, bound)
            if noun is not None:
                return doc[j].lower_, noun
        return None


def _matches(token: Token, spec: dict[str, object]) -> bool:
    """Whether one token meets one compiled lexicon word (LOWER / ORTH, as lexicon.py writes)."""
    if "ORTH" in spec:
        return token.text == spec["ORTH"]
    lower = spec.get("LOWER")
    if isinstance(lower, dict):
        return token.lower_ in lower.get("IN", ())
    return lower is None or token.lower_ == lower
