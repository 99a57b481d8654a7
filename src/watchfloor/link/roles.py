"""The words of role phrases, read from data/roles/titles.yaml.

Titles map to a canonical title ("envoy" and "ambassador" are both `ambassador`; "head",
"chief" and "commander" are `commander`), so a phrase and a watchlist role compare by meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from watchfloor.datafiles import check_data, read_yaml
from watchfloor.errors import WatchfloorError
from watchfloor.schemas import TitlesFile

TITLES_FILE = Path(__file__).resolve().parent.parent / "data" / "roles" / "titles.yaml"


@dataclass(frozen=True)
class RoleVocabulary:
    """Title synonyms and the small closed word classes that shape a role phrase."""

    synonyms: dict[str, str]
    honorifics: frozenset[str]
    former: frozenset[str]
    jurisdiction_prepositions: frozenset[str]
    organization_prepositions: frozenset[str]
    indefinite: frozenset[str]
    person_pronouns: frozenset[str]
    name_suffixes: frozenset[str]
    possessive_pronouns: frozenset[str] = frozenset()
    first_person: frozenset[str] = frozenset()
    second_person: frozenset[str] = frozenset()
    masculine: frozenset[str] = frozenset()
    feminine: frozenset[str] = frozenset()
    associates: frozenset[str] = frozenset()
    associate_prepositions: frozenset[str] = frozenset()
    generic_persons: dict[str, frozenset[str]] = field(default_factory=dict)
    related_titles: dict[str, frozenset[str]] = field(default_factory=dict)
    organization_nouns: dict[str, frozenset[str]] = field(default_factory=dict)
    speech_verbs: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = TITLES_FILE) -> RoleVocabulary:
        return _load(path)

    def canonical(self, title: str) -> str:
        """The canonical title of a title as written; unknown titles stand for themselves."""
        key = " ".join(title.lower().split())
        return self.synonyms.get(key, key)

    def covered(self, title: str) -> frozenset[str]:
        """The canonical titles a phrase's canonical title may name: itself and, for a looser
        title ("senior diplomat", "head of mission"), the posts of `related_titles`."""
        return frozenset({title}) | self.related_titles.get(title, frozenset())

    def organization_noun(self, word: str) -> frozenset[str] | None:
        """For a common noun that stands for an organization ("the bank", "the firm"), the
        words one of its names may carry (empty: any name); None for other words."""
        return self.organization_nouns.get(word.lower())

    @property
    def title_words(self) -> frozenset[str]:
        """Single words that can precede a name as a title or honorific ("Gen.", "Ms")."""
        words = {w for synonym in self.synonyms for w in synonym.split()}
        return frozenset(words | self.honorifics)

    def gender(self, word: str) -> str | None:
        """'m' or 'f' for a gendered pronoun, honorific or title; None when it tells nothing."""
        word = word.lower()
        if word in self.masculine:
            return "m"
        if word in self.feminine:
            return "f"
        return None


@cache
def _load(path: Path) -> RoleVocabulary:
    data = read_yaml(path)
    check_data(data, TitlesFile, path)
    try:
        synonyms: dict[str, str] = {}
        for canonical, words in data["titles"].items():
            synonyms.setdefault(str(canonical).lower(), str(canonical))
            for word in words:
                synonyms.setdefault(" ".join(str(word).lower().split()), str(canonical))

        def words(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in data.get(key) or [])

        def table(key: str) -> dict[str, frozenset[str]]:
            return {
                str(k).lower(): frozenset(str(v).lower() for v in values or [])
                for k, values in (data.get(key) or {}).items()
            }

        return RoleVocabulary(
            synonyms=synonyms,
            honorifics=words("honorifics"),
            former=words("former"),
            jurisdiction_prepositions=words("jurisdiction_prepositions"),
            organization_prepositions=words("organization_prepositions"),
            indefinite=words("indefinite"),
            person_pronouns=words("person_pronouns"),
            name_suffixes=words("name_suffixes"),
            possessive_pronouns=words("possessive_pronouns"),
            first_person=words("first_person"),
            second_person=words("second_person"),
            masculine=words("masculine"),
            feminine=words("feminine"),
            associates=words("associates"),
            associate_prepositions=words("associate_prepositions"),
            generic_persons=table("generic_persons"),
            related_titles=table("related_titles"),
            organization_nouns=table("organization_nouns"),
            speech_verbs=words("speech_verbs"),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise WatchfloorError(f"{path}: not a valid role vocabulary ({exc})") from exc
