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

    @classmethod
    def load(cls, path: Path = TITLES_FILE) -> RoleVocabulary:
        return _load(path)

    def canonical(self, title: str) -> str:
        """The canonical title of a title as written; unknown titles stand for themselves."""
        key = " ".join(title.lower().split())
        return self.synonyms.get(key, key)

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
            generic_persons={
                str(noun).lower(): frozenset(str(t).lower() for t in titles or [])
                for noun, titles in (data.get("generic_persons") or {}).items()
            },
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise WatchfloorError(f"{path}: not a valid role vocabulary ({exc})") from exc
