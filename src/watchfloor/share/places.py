"""Countries named in a statement's place, read against the geo lexicon (data/geo)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

GEO = Path(__file__).resolve().parents[1] / "data" / "geo" / "countries.yaml"


@cache
def _index() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    data = yaml.safe_load(GEO.read_text(encoding="utf-8"))
    names: dict[str, tuple[str, str]] = {}
    for country in data["countries"]:
        value = (str(country["id"]), str(country["name"]))
        for word in [
            country["name"],
            *(country.get("names") or ()),
            *(country.get("capitals") or ()),
        ]:
            names[str(word).lower()] = value
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), names


def country_of(place: str) -> tuple[str, str] | None:
    """(ISO alpha-2, name) of the first country or capital named in `place`, else None."""
    pattern, names = _index()
    found = pattern.search(place)
    return names[found.group(0).lower()] if found else None
