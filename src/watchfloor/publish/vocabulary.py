"""The marking scheme as data: levels, SCI systems, controls, countries, TLP labels.

Read once from data/markings/vocabulary.yaml and countries.yaml (env WATCHFLOOR_MARKINGS_DIR names
another folder holding both), so a deployment changes its scheme without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from watchfloor.datafiles import check_data, read_yaml
from watchfloor.errors import VocabularyError
from watchfloor.schemas import MarkingCountriesFile, MarkingVocabularyFile
from watchfloor.settings import setting

MARKINGS_DIR = Path(__file__).resolve().parent.parent / "data" / "markings"
Release = Literal["none", "own_country", "list"]
Category = Literal["dissemination", "non_ic"]


@dataclass(frozen=True)
class Level:
    code: str
    banner: str
    portion: str
    rank: int


@dataclass(frozen=True)
class Control:
    name: str  # banner spelling, also the control's identity inside a Marking
    portion: str
    category: Category
    order: int  # position when written: dissemination controls first, then non-IC
    release: Release
    min_level: str | None
    max_level: str | None
    conflicts: tuple[str, ...]
    widens: bool  # lets more people read (RELIDO), so a stricter marking may not add it


@dataclass(frozen=True, eq=False)  # hashed by identity: one loaded vocabulary, many cache keys
class Vocabulary:
    own_country: str
    levels: tuple[Level, ...]
    lowest_classified: str
    sci_systems: frozenset[str]
    controls: tuple[Control, ...]
    trigraphs: frozenset[str]
    tetragraphs: dict[str, frozenset[str]]
    tlp: tuple[str, ...]
    tlp_aliases: dict[str, str]

    @cached_property
    def _levels(self) -> dict[str, Level]:
        return {level.code: level for level in self.levels}

    @cached_property
    def _controls(self) -> dict[str, Control]:
        return {control.name: control for control in self.controls}

    def level(self, code: str) -> Level:
        return self._levels[code]

    def rank(self, code: str) -> int:
        return self._levels[code].rank

    def is_classified(self, code: str | None) -> bool:
        return code is not None and self.rank(code) >= self.rank(self.lowest_classified)

    def control(self, name: str) -> Control:
        return self._controls[name]

    def tlp_rank(self, label: str) -> int:
        return self.tlp.index(label)

    def countries(self, codes: tuple[str, ...]) -> frozenset[str]:
        """The nationalities a list of trigraphs and tetragraphs covers."""
        out: set[str] = set()
        for code in codes:
            out |= self.tetragraphs.get(code, frozenset({code}))
        return frozenset(out)

    def country_order(self, code: str) -> tuple[int, str]:
        """Sort key: own country first, then trigraphs alphabetically, then tetragraphs."""
        if code == self.own_country:
            return (0, code)
        return (2 if code in self.tetragraphs else 1, code)


def _need(data: dict[str, Any], key: str, source: Path) -> Any:
    if key not in data:
        raise VocabularyError(f"{source}: missing field '{key}'")
    return data[key]


def _controls(
    items: list[dict[str, Any]], category: Category, source: Path, start: int = 0
) -> list[Control]:
    out = []
    for order, item in enumerate(items, start):
        out.append(
            Control(
                name=str(_need(item, "name", source)),
                portion=str(_need(item, "portion", source)),
                category=category,
                order=order,
                release=item.get("release", "none"),
                min_level=item.get("min_level"),
                max_level=item.get("max_level"),
                conflicts=tuple(item.get("conflicts", ())),
                widens=bool(item.get("widens", False)),
            )
        )
    return out


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    chosen = setting("WATCHFLOOR_MARKINGS_DIR")
    folder = folder or Path(MARKINGS_DIR if chosen is None else chosen)
    vocab_file, countries_file = folder / "vocabulary.yaml", folder / "countries.yaml"
    hint = "Point WATCHFLOOR_MARKINGS_DIR at a folder holding vocabulary.yaml and countries.yaml."
    data = read_yaml(vocab_file, error=VocabularyError, hint=hint)
    countries = read_yaml(countries_file, error=VocabularyError, hint=hint)
    levels = tuple(
        Level(str(x["code"]), str(x["banner"]), str(x["portion"]), rank)
        for rank, x in enumerate(_need(data, "levels", vocab_file))
    )
    controls = _controls(_need(data, "dissemination", vocab_file), "dissemination", vocab_file)
    controls += _controls(data.get("non_ic", []), "non_ic", vocab_file, len(controls))
    trigraphs = frozenset(str(c) for c in _need(countries, "trigraphs", countries_file))
    tetragraphs = {
        str(k): frozenset(str(c) for c in v) for k, v in countries.get("tetragraphs", {}).items()
    }
    check_data(data, MarkingVocabularyFile, vocab_file, error=VocabularyError)
    check_data(countries, MarkingCountriesFile, countries_file, error=VocabularyError)
    vocab = Vocabulary(
        own_country=str(_need(data, "own_country", vocab_file)),
        levels=levels,
        lowest_classified=str(_need(data, "lowest_classified", vocab_file)),
        sci_systems=frozenset(str(s) for s in _need(data, "sci_systems", vocab_file)),
        controls=tuple(controls),
        trigraphs=trigraphs,
        tetragraphs=tetragraphs,
        tlp=tuple(str(t) for t in _need(data, "tlp", vocab_file)),
        tlp_aliases={str(k): str(v) for k, v in data.get("tlp_aliases", {}).items()},
    )
    _check(vocab, folder)
    return vocab


def _check(vocab: Vocabulary, folder: Path) -> None:
    codes = {level.code for level in vocab.levels}
    names = {c.name for c in vocab.controls}
    if vocab.lowest_classified not in codes:
        raise VocabularyError(f"{folder}: lowest_classified is not one of the levels")
    if vocab.own_country not in vocab.trigraphs:
        raise VocabularyError(f"{folder}: own_country {vocab.own_country} is not a trigraph")
    for control in vocab.controls:
        for bound in (control.min_level, control.max_level):
            if bound is not None and bound not in codes:
                raise VocabularyError(f"{folder}: {control.name} names unknown level {bound}")
        for other in control.conflicts:
            if other not in names:
                raise VocabularyError(f"{folder}: {control.name} conflicts with unknown {other}")
        if control.release not in ("none", "own_country", "list"):
            raise VocabularyError(f"{folder}: {control.name} has unknown release {control.release}")
    for group, members in vocab.tetragraphs.items():
        unknown = members - vocab.trigraphs
        if unknown:
            raise VocabularyError(f"{folder}: tetragraph {group} lists unknown {sorted(unknown)}")


@cache
def vocabulary() -> Vocabulary:
    """The deployment's vocabulary, read once per process."""
    return load_vocabulary()
