"""Reading a role phrase around a title: its extent, its organization and its jurisdiction.

Words before the title ("the British", "Washington's") and after "of"/"from"/"for" are the
organization whose role it is; after "to"/"in"/"at", the jurisdiction where it is held. Inside a
role phrase a state may be written in any case ("the us ambassador to iraq"): such runs are
resolved here only, where a title vouches for them.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from watchfloor.link.catalog import ActorCatalog
from watchfloor.link.docindex import (
    ORG_NOUN_KEY,
    TEXT_KEY,
    UNKNOWN_PLACE,
    DocIndex,
    Place,
    Title,
    is_possessive_mark,
    namelike,
    norm,
)
from watchfloor.link.holders import RolePhrase
from watchfloor.link.roles import RoleVocabulary


class RolePhraseReader:
    """Reads role phrases with one role vocabulary and one actor catalog."""

    def __init__(self, vocabulary: RoleVocabulary, actors: ActorCatalog) -> None:
        self.vocabulary = vocabulary
        self.actors = actors

    def extent(self, doc: Doc, index: DocIndex, start: int, end: int) -> tuple[int, int]:
        """The role phrase around a title: its modifiers ("the British", "Washington's") and
        the places after it ("to Kenya", "of a neighbouring state")."""
        place_at = {p.start: p for p in index.places}
        place_end = {p.end: p for p in index.places}
        a = start
        while a > 0 and start - a < 6:
            prev = doc[a - 1]
            if (a) in place_end:
                a = place_end[a].start
            elif prev.pos_ in ("ADJ", "PROPN", "NOUN", "NUM") or is_possessive_mark(prev):
                a -= 1
            elif prev.pos_ == "DET" or prev.lower_ in ("the", "a", "an"):
                a -= 1
                break
            else:
                break
        words = self.vocabulary
        b = end
        while b < len(doc):
            prep = doc[b].lower_
            if prep not in words.jurisdiction_prepositions | words.organization_prepositions:
                break
            j = b + 1
            if j < len(doc) and doc[j].lower_ == "the":
                j += 1
            if j >= len(doc):
                break
            if j in place_at:
                b = place_at[j].end
            elif doc[j].lower_ in words.indefinite and prep in words.organization_prepositions:
                j += 1
                while j < len(doc) and doc[j].pos_ in ("ADJ", "NOUN", "PROPN"):
                    j += 1
                b = j
            elif (
                prep in words.organization_prepositions
                and words.organization_noun(doc[j].lower_) is not None
            ):
                b = j + 1  # "the founder of the firm"
            elif namelike(doc[j]):
                while j < len(doc) and namelike(doc[j]):
                    j += 1
                b = j
            else:
                run = self.resolve_run(doc, j)
                if run is None:
                    break
                b = run.end
        return a, b

    def resolve_run(self, doc: Doc, i: int) -> Place | None:
        """A known state or body in words the catalog matcher passed over ("iraq" in mixed
        case, "US" in all-caps): safe only inside a role phrase."""
        for length in (3, 2, 1):
            tokens = doc[i : i + length]
            if len(tokens) < length or not all(t.is_alpha for t in tokens):
                continue
            entity = self.actors.resolve(tokens.text)
            if entity is None and length == 1 and len(tokens.text) <= 3:
                entity = self.actors.resolve(tokens.text.upper())
            if entity is not None:
                return Place(i, i + length, self.actors.lineage(entity.id))
        return None

    def _organization_before(
        self, doc: Doc, places: list[Place], before: Span, title_start: int
    ) -> list[Place]:
        """The organization named before the title: places, runs that resolve to one, then
        organization nouns ("the bank's CEO") after any named place, so a name outranks the noun."""
        words = self.vocabulary
        organization: list[Place] = [p for p in places if p.end <= title_start]
        covered = {i for p in places for i in range(p.start, p.end)}
        for token in before:
            if token.i not in covered and token.is_alpha and token.lower_ not in words.former:
                found = self.resolve_run(doc, token.i)
                if found is not None and found.end <= title_start:
                    organization.append(found)
                    covered.update(range(found.start, found.end))
        organization.extend(
            Place(t.i, t.i + 1, (ORG_NOUN_KEY + t.lower_,))
            for t in before
            if t.i not in covered
            and t.pos_ == "NOUN"
            and words.organization_noun(t.lower_) is not None
        )
        return organization

    def phrase(self, doc: Doc, index: DocIndex, title: Title, a: int, b: int) -> RolePhrase:
        title_start, title_end, canonical = title
        places = [p for p in index.places if p.start >= a and p.end <= b]
        words = self.vocabulary
        before = doc[a:title_start]
        former = any(t.lower_ in words.former or t.lower_ == "ex" for t in before)
        indefinite = any(t.lower_ in words.indefinite for t in before)
        plural = "Plur" in doc[title_end - 1].morph.get("Number", [])
        organization = self._organization_before(doc, places, before, title_start)
        jurisdiction: list[Place] = []
        # Follow the title's prepositional phrases.
        slot: list[Place] | None = None
        i = title_end
        while i < b:
            token = doc[i]
            found = next((p for p in places if p.start == i), None)
            if token.lower_ in words.jurisdiction_prepositions:
                slot = jurisdiction
            elif token.lower_ in words.organization_prepositions:
                slot = organization
            elif found is not None:
                (organization if slot is None else slot).append(found)
                i = found.end
                continue
            elif slot is organization and token.lower_ in words.indefinite:
                # "the governor of a neighbouring state": some other post than any listed.
                slot.append(Place(i, b, (UNKNOWN_PLACE,)))
                break
            elif slot is organization and words.organization_noun(token.lower_) is not None:
                slot.append(Place(i, i + 1, (ORG_NOUN_KEY + token.lower_,)))
            elif slot is not None and token.is_alpha and token.lower_ != "the":
                resolved = self.resolve_run(doc, i)
                if resolved is not None:
                    slot.append(resolved)
                    i = resolved.end
                    continue
                if namelike(token):
                    # An unknown name ("the ambassador to Atlantis") still rules out others.
                    j = i
                    while j < b and namelike(doc[j]):
                        j += 1
                    slot.append(Place(i, j, (TEXT_KEY + norm(doc[i:j].text),)))
                    i = j
                    continue
            i += 1
        return RolePhrase(
            canonical, tuple(organization), tuple(jurisdiction), former, indefinite or plural
        )
