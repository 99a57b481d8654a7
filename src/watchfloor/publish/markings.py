"""Classification markings and TLP 2.0 labels: parse, check, normalize and write them.

One `Marking` holds both schemes: a classification (level, SCI, dissemination and non-IC controls)
and a TLP label, either of which may be absent. A TLP-only marking has no level; it counts as
UNCLASSIFIED with its TLP restriction carried alongside, so a product can show the banner
"SECRET//NOFORN" and a "TLP:AMBER" line at once. The vocabulary (levels, controls, countries) is
data, see `vocabulary.py`; docs/markings.md describes the syntax and the roll-up.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from watchfloor.errors import MarkingError
from watchfloor.publish.vocabulary import Control, Vocabulary, vocabulary

if TYPE_CHECKING:
    from watchfloor.publish.rollup import RollupRules, dominates, release_countries, rollup

REL_TO = "REL TO"
DISPLAY_ONLY = "DISPLAY ONLY"
# Where each kind of category may stand: CLASSIFICATION//SCI//SAP//AEA//FGI//DISSEM//NON-IC.
_CATEGORY_RANK = {"SCI": 1, "dissemination": 5, "non-IC": 6}
_SCI_VALUE = re.compile(r"^([A-Z0-9]+)((?:-[A-Z0-9]+(?: [A-Z0-9]+)*)*)$")
_TICKET = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+(?: [A-Z0-9]+)?)?$")
_TLP_TAIL = re.compile(r"\(?\s*TLP\s*:\s*([A-Z+ ]*?)\s*\)?\s*$")
_LIST_CONTROL = re.compile(r"^(REL TO|DISPLAY ONLY)\b\s*(.*)$")
# Markings of categories this scheme does not handle, so the error can say so.
_UNSUPPORTED = re.compile(r"^(SAR-|SPECIAL ACCESS|RD\b|FRD\b|RESTRICTED DATA|FGI\b|//)")


@dataclass(frozen=True)
class Marking:
    """A normalized marking. Build one with `parse_marking` or `make_marking`, not directly.

    `sci` holds one entry per system, compartment and sub-compartment ("SI", "SI-G", "SI-G ABCD"),
    sorted, so "holds every SCI entry" is a subset test. `dissemination` and `non_ic` hold control
    names in the order they are written; REL TO and DISPLAY ONLY live in `rel_to`/`display_only`.
    """

    level: str | None = None
    sci: tuple[str, ...] = ()
    dissemination: tuple[str, ...] = ()
    rel_to: tuple[str, ...] = ()
    display_only: tuple[str, ...] = ()
    non_ic: tuple[str, ...] = ()
    tlp: str | None = None

    @property
    def is_tlp(self) -> bool:
        return self.tlp is not None

    @property
    def has_classification(self) -> bool:
        return self.level is not None

    @cached_property
    def controls(self) -> frozenset[str]:
        """Every dissemination and non-IC control, REL TO and DISPLAY ONLY included."""
        lists = {REL_TO} if self.rel_to else set()
        if self.display_only:
            lists.add(DISPLAY_ONLY)
        return frozenset(self.dissemination) | frozenset(self.non_ic) | lists

    def classification_banner(self) -> str | None:
        """The classification line alone ("SECRET//NOFORN"), None for a TLP-only marking."""
        return _format(self, vocabulary(), banner=True) if self.level else None

    def tlp_label(self) -> str | None:
        return f"TLP:{self.tlp}" if self.tlp else None

    def banner(self) -> str:
        """Banner form: "TOP SECRET//SI-G/TK//NOFORN", "TLP:AMBER", or both joined by a space."""
        return " ".join(x for x in (self.classification_banner(), self.tlp_label()) if x)

    def portion(self) -> str:
        """Portion form: "(TS//SI-G/TK//NF)", "(TLP:AMBER)", or both joined by a space."""
        parts = []
        if self.level:
            parts.append(f"({_format(self, vocabulary(), banner=False)})")
        if self.tlp:
            parts.append(f"(TLP:{self.tlp})")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.banner()


def parse_marking(text: str) -> Marking:
    """Parse a banner, portion or TLP marking, case- and whitespace-tolerant; raise MarkingError."""
    return _parse_cached(text, vocabulary())


@lru_cache(maxsize=4096)
def _parse_cached(text: str, vocab: Vocabulary) -> Marking:
    return parse_with(text, vocab)


def parse_with(text: str, vocab: Vocabulary) -> Marking:
    """`parse_marking` against a given vocabulary (uncached)."""
    if not isinstance(text, str):
        raise MarkingError(repr(text), "a marking must be text")
    s = " ".join(text.upper().split())
    if not s:
        raise MarkingError(text, "empty marking")
    tlp: str | None = None
    tail = _TLP_TAIL.search(s)
    if tail:
        tlp = _tlp_label(text, tail.group(1).replace(" ", ""), vocab)
        s = s[: tail.start()].strip()
        if not s:
            return Marking(tlp=tlp)
    if s.startswith("("):
        if not s.endswith(")"):
            raise MarkingError(text, "a portion mark opens with '(' but does not close with ')'")
        s = s[1:-1].strip()
    elif s.endswith(")"):
        raise MarkingError(text, "a portion mark closes with ')' but does not open with '('")
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"\s*,\s*", ", ", s)
    categories = s.split("//")
    level = _level(text, categories[0], vocab)
    parts = _Parts()
    last_kind: str | None = None
    for category in categories[1:]:
        kind = _category(text, category, vocab, parts)
        if last_kind is not None:
            if kind == last_kind:
                raise MarkingError(
                    text, f"duplicate {kind} category; put all {kind} values in one, joined by /"
                )
            if _CATEGORY_RANK[kind] < _CATEGORY_RANK[last_kind]:
                raise MarkingError(
                    text,
                    f"wrong category order: {kind} '{category}' must come before {last_kind}",
                )
        last_kind = kind
    marking = Marking(
        level=level,
        sci=tuple(sorted(parts.sci)),
        dissemination=_ordered(parts.dissemination, vocab),
        rel_to=tuple(sorted(parts.rel_to, key=vocab.country_order)),
        display_only=tuple(sorted(parts.display_only, key=vocab.country_order)),
        non_ic=_ordered(parts.non_ic, vocab),
        tlp=tlp,
    )
    problem = check(marking, vocab)
    if problem:
        raise MarkingError(text, problem)
    return marking


class _Parts:
    def __init__(self) -> None:
        self.sci: set[str] = set()
        self.dissemination: set[str] = set()
        self.non_ic: set[str] = set()
        self.rel_to: list[str] = []
        self.display_only: list[str] = []


def _tlp_label(text: str, label: str, vocab: Vocabulary) -> str:
    label = vocab.tlp_aliases.get(label, label)
    if label not in vocab.tlp:
        known = ", ".join(f"TLP:{t}" for t in vocab.tlp)
        raise MarkingError(text, f"unknown TLP label 'TLP:{label}'; expected one of {known}")
    return label


def _level(text: str, value: str, vocab: Vocabulary) -> str:
    value = value.strip()
    for level in vocab.levels:
        if value in (level.banner, level.portion):
            return level.code
    if not value:
        raise MarkingError(text, "no classification level before the first //")
    known = ", ".join(f"{lv.banner} ({lv.portion})" for lv in vocab.levels)
    raise MarkingError(text, f"unknown classification level '{value}'; expected one of {known}")


def _control_lookup(vocab: Vocabulary) -> dict[str, Control]:
    out: dict[str, Control] = {}
    for control in vocab.controls:
        out[control.name] = control
        out[control.portion] = control
    return out


def _category(text: str, category: str, vocab: Vocabulary, parts: _Parts) -> str:
    """Add one //-separated category's values to `parts`; return the category's kind."""
    if not category.strip():
        raise MarkingError(text, "empty category between two //")
    lookup = _control_lookup(vocab)
    kinds: set[str] = set()
    for value in category.split("/"):
        value = value.strip()
        if not value:
            raise MarkingError(text, f"empty value in category '{category}'")
        listed = _LIST_CONTROL.match(value)
        control = lookup.get(value)
        if listed:
            kinds.add("dissemination")
            _country_list(text, listed.group(1), listed.group(2), vocab, parts)
        elif value == "REL":
            raise MarkingError(text, "REL needs its country list: write REL TO USA, ...")
        elif control is not None:
            kind = "dissemination" if control.category == "dissemination" else "non-IC"
            kinds.add(kind)
            bucket = parts.dissemination if kind == "dissemination" else parts.non_ic
            if control.name in bucket:
                raise MarkingError(text, f"duplicate control {control.name}")
            bucket.add(control.name)
        elif (sci := _SCI_VALUE.match(value)) and sci.group(1) in vocab.sci_systems:
            kinds.add("SCI")
            _sci(text, sci.group(1), sci.group(2), parts)
        elif _UNSUPPORTED.match(value):
            raise MarkingError(text, f"'{value}': SAP, AEA and FGI markings are not supported")
        else:
            raise MarkingError(text, f"unknown control or SCI system '{value}'")
    if len(kinds) > 1:
        raise MarkingError(
            text,
            f"category '{category}' mixes {' and '.join(sorted(kinds))} values; separate "
            "categories with //",
        )
    return kinds.pop()


def _sci(text: str, system: str, rest: str, parts: _Parts) -> None:
    if any(t == system or t.startswith(system + "-") for t in parts.sci):
        raise MarkingError(text, f"duplicate SCI control system {system}")
    tickets = {system}
    for spec in rest.split("-")[1:]:
        compartment, *subs = spec.split(" ")
        ticket = f"{system}-{compartment}"
        if ticket in tickets:
            raise MarkingError(text, f"duplicate SCI compartment {ticket}")
        tickets.add(ticket)
        for sub in subs:
            if f"{ticket} {sub}" in tickets:
                raise MarkingError(text, f"duplicate SCI sub-compartment {ticket} {sub}")
            tickets.add(f"{ticket} {sub}")
    parts.sci |= tickets


def _country_list(text: str, name: str, codes: str, vocab: Vocabulary, parts: _Parts) -> None:
    target = parts.rel_to if name == REL_TO else parts.display_only
    if target:
        raise MarkingError(text, f"duplicate control {name}")
    values = [c.strip() for c in codes.split(",")] if codes.strip() else []
    if not values:
        raise MarkingError(text, f"empty {name} list")
    for code in values:
        if not code:
            raise MarkingError(text, f"empty country code in the {name} list")
        if code not in vocab.trigraphs and code not in vocab.tetragraphs:
            raise MarkingError(text, f"unknown country code '{code}' in the {name} list")
        if code in target:
            raise MarkingError(text, f"country {code} appears twice in the {name} list")
        target.append(code)


def _ordered(names: Iterable[str], vocab: Vocabulary) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda name: vocab.control(name).order))


def check(m: Marking, vocab: Vocabulary) -> str | None:
    """The first reason `m` is not a valid marking under `vocab`, or None if it is valid."""
    if m.tlp is not None and m.tlp not in vocab.tlp:
        return f"unknown TLP label '{m.tlp}'"
    if m.level is None:
        if m.sci or m.controls:
            return "controls without a classification level"
        return None if m.tlp is not None else "empty marking"
    if m.level not in {lv.code for lv in vocab.levels}:
        return f"unknown classification level '{m.level}'"
    level_name = vocab.level(m.level).banner
    if m.sci:
        if not vocab.is_classified(m.level):
            return f"SCI ({'/'.join(m.sci)}) on an {level_name} marking"
        for ticket in m.sci:
            system = ticket.split("-")[0]
            if not _TICKET.match(ticket) or system not in vocab.sci_systems:
                return f"unknown SCI entry '{ticket}'"
            parent = ticket.rsplit(" ", 1)[0] if " " in ticket else system
            if parent not in m.sci:
                return f"SCI entry '{ticket}' without its parent '{parent}'"
    names = set(m.dissemination) | set(m.non_ic)
    for name in names:
        try:
            control = vocab.control(name)
        except KeyError:
            return f"unknown control '{name}'"
        if control.release == "list":
            return f"{name} needs a country list"
    for name in m.controls:
        control = vocab.control(name)
        if control.min_level and vocab.rank(m.level) < vocab.rank(control.min_level):
            return f"{name} on an {level_name} marking (needs {control.min_level} or higher)"
        if control.max_level and vocab.rank(m.level) > vocab.rank(control.max_level):
            allowed = vocab.level(control.max_level).banner
            return f"{name} on a classified marking ({level_name}); {name} is {allowed} only"
        for other in control.conflicts:
            if other in m.controls:
                return f"{name} together with {other}"
    for name, codes in ((REL_TO, m.rel_to), (DISPLAY_ONLY, m.display_only)):
        for code in codes:
            if code not in vocab.trigraphs and code not in vocab.tetragraphs:
                return f"unknown country code '{code}' in the {name} list"
        if len(set(codes)) != len(codes):
            return f"a country appears twice in the {name} list"
    if m.rel_to:
        if vocab.own_country not in m.rel_to:
            return f"REL TO without {vocab.own_country}"
        if len(m.rel_to) == 1:
            return f"REL TO names only {vocab.own_country}; write NOFORN"
    return None


def make_marking(
    level: str | None = None,
    *,
    sci: Iterable[str] = (),
    dissemination: Iterable[str] = (),
    rel_to: Iterable[str] = (),
    display_only: Iterable[str] = (),
    non_ic: Iterable[str] = (),
    tlp: str | None = None,
    vocab: Vocabulary | None = None,
) -> Marking:
    """A normalized, checked Marking from its parts (SCI parents are added: "SI-G" implies SI)."""
    vocab = vocab or vocabulary()
    tickets: set[str] = set()
    for ticket in sci:
        tickets.add(ticket)
        if " " in ticket:
            tickets.add(ticket.rsplit(" ", 1)[0])
        tickets.add(ticket.split("-")[0])
    known = {c.name for c in vocab.controls}
    for name in (*dissemination, *non_ic):
        if name not in known:
            raise MarkingError(name, f"unknown control '{name}'")
    marking = Marking(
        level=level,
        sci=tuple(sorted(tickets)),
        dissemination=_ordered(set(dissemination), vocab),
        rel_to=tuple(sorted(set(rel_to), key=vocab.country_order)),
        display_only=tuple(sorted(set(display_only), key=vocab.country_order)),
        non_ic=_ordered(set(non_ic), vocab),
        tlp=vocab.tlp_aliases.get(tlp, tlp) if tlp else None,
    )
    problem = check(marking, vocab)
    if problem:
        raise MarkingError(repr(marking), problem)
    return marking


def _format_sci(tickets: tuple[str, ...]) -> str:
    systems = sorted({t.split("-")[0] for t in tickets})
    out = []
    for system in systems:
        text = system
        compartments = sorted(t for t in tickets if t.startswith(system + "-") and " " not in t)
        for compartment in compartments:
            text += "-" + compartment.split("-", 1)[1]
            for sub in sorted(t for t in tickets if t.startswith(compartment + " ")):
                text += " " + sub.split(" ", 1)[1]
        out.append(text)
    return "/".join(out)


@lru_cache(maxsize=4096)
def _format(m: Marking, vocab: Vocabulary, *, banner: bool) -> str:
    assert m.level is not None
    level = vocab.level(m.level)
    categories = [level.banner if banner else level.portion]
    if m.sci:
        categories.append(_format_sci(m.sci))
    for category in ("dissemination", "non_ic"):
        values = []
        for control in vocab.controls:
            if control.category != category or control.name not in m.controls:
                continue
            if control.name == REL_TO:
                values.append(f"{REL_TO} {', '.join(m.rel_to)}")
            elif control.name == DISPLAY_ONLY:
                values.append(f"{DISPLAY_ONLY} {', '.join(m.display_only)}")
            else:
                values.append(control.name if banner else control.portion)
        if values:
            categories.append("/".join(values))
    return "//".join(categories)


# The roll-up and comparison live in their own module (publish.rollup, which imports this one);
# their names stay importable from here, loaded on first use so there is no import circle.
_ROLLUP_NAMES = ("RollupRules", "dominates", "release_countries", "rollup")


def __getattr__(name: str) -> Any:
    if name not in _ROLLUP_NAMES:
        raise AttributeError(f"module 'watchfloor.publish.markings' has no attribute {name!r}")
    return getattr(importlib.import_module("watchfloor.publish.rollup"), name)


__all__ = [
    "DISPLAY_ONLY",
    "REL_TO",
    "Marking",
    "MarkingError",
    "RollupRules",
    "check",
    "dominates",
    "make_marking",
    "parse_marking",
    "parse_with",
    "release_countries",
    "rollup",
]
