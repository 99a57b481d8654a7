"""The banner of a set of portions, and the "at least as restrictive" order between markings.

Classification and TLP roll up side by side. Portions that carry only a TLP label count as
UNCLASSIFIED with no controls on the classification side; the banner's TLP label is the most
restrictive one of any portion. The release of a portion (who, by nationality, may read it) is
summarized by `release_countries`; the banner's release is the intersection of the portions'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from watchfloor import datafiles
from watchfloor.publish.markings import (
    DISPLAY_ONLY,
    REL_TO,
    Marking,
    MarkingError,
    check,
    make_marking,
)
from watchfloor.publish.vocabulary import MARKINGS_DIR, Vocabulary, vocabulary
from watchfloor.schemas import RollupFile
from watchfloor.settings import setting

Mode = Literal["any", "all"]
_RULE_FLAGS = (
    "unmarked_classified_blocks_rel_to",
    "own_country_only_becomes_noforn",
    "tlp_beside_classification",
)


@dataclass(frozen=True)
class RollupRules:
    """Switches of the roll-up; see data/markings/rollup.yaml for what each one does."""

    unmarked_classified_blocks_rel_to: bool = True
    own_country_only_becomes_noforn: bool = True
    tlp_beside_classification: bool = True
    # (control name, mode) pairs; a tuple so the rules stay hashable.
    control_modes: tuple[tuple[str, Mode], ...] = field(default=())

    def mode(self, name: str) -> Mode:
        return dict(self.control_modes).get(name, "any")

    @classmethod
    def load(cls, path: Path | None = None) -> RollupRules:
        """Rules from `path`, else env WATCHFLOOR_ROLLUP_RULES, else data/markings/rollup.yaml."""
        if path is None:
            env = setting("WATCHFLOOR_ROLLUP_RULES")
            path = Path(env) if env else MARKINGS_DIR / "rollup.yaml"
        data = (
            datafiles.read_yaml(path, hint="Point WATCHFLOOR_ROLLUP_RULES at a readable file.")
            or {}
        )
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "roll-up rules") -> RollupRules:
        vocab = vocabulary()
        unknown = set(data) - {*_RULE_FLAGS, "controls"}
        if unknown:
            raise MarkingError(source, f"unknown roll-up setting(s) {sorted(unknown)}")
        flags: dict[str, bool] = {}
        for name in _RULE_FLAGS:
            value = data.get(name, True)
            if not isinstance(value, bool):
                raise MarkingError(source, f"{name} must be true or false, not {value!r}")
            flags[name] = value
        modes: list[tuple[str, Mode]] = []
        for name, mode in (data.get("controls") or {}).items():
            try:
                control = vocab.control(str(name))
            except KeyError:
                raise MarkingError(source, f"unknown control '{name}' in controls") from None
            if mode not in ("any", "all"):
                raise MarkingError(source, f"control {name}: mode must be any or all, not {mode!r}")
            if control.release != "none":
                raise MarkingError(
                    source, f"control {name} restricts release; its roll-up cannot be configured"
                )
            modes.append((control.name, mode))
        datafiles.check_data(
            data, RollupFile, source
        )  # whatever the checks above leave, in the schema's words
        return cls(**flags, control_modes=tuple(sorted(modes)))


@cache
def default_rules() -> RollupRules:
    return RollupRules.load()


def release_countries(m: Marking, vocab: Vocabulary | None = None) -> frozenset[str] | None:
    """Nationalities that may read `m` (trigraphs), or None when nationality does not matter."""
    vocab = vocab or vocabulary()
    own = frozenset({vocab.own_country})
    if any(vocab.control(name).release == "own_country" for name in m.controls):
        return own
    if m.rel_to or m.display_only:
        return own | vocab.countries(m.rel_to) | vocab.countries(m.display_only)
    if vocab.is_classified(m.level):
        return own
    return None


def _express(countries: frozenset[str], candidates: set[str], vocab: Vocabulary) -> tuple[str, ...]:
    """Write a set of nationalities with the tetragraphs the portions used where they fit."""
    groups = {c for c in candidates if c in vocab.tetragraphs and vocab.tetragraphs[c] <= countries}
    covered = vocab.countries(tuple(groups))
    own = {vocab.own_country} & countries
    codes = groups | own | {c for c in countries if c not in covered}
    return tuple(sorted(codes, key=vocab.country_order))


def rollup(markings: Sequence[Marking], rules: RollupRules | None = None) -> Marking:
    """The banner marking of `markings` (the portions of one product) under `rules`."""
    if not markings:
        raise MarkingError("(no portions)", "a banner needs at least one portion to roll up")
    rules = rules or default_rules()
    vocab = vocabulary()
    tlps = [m.tlp for m in markings if m.tlp is not None]
    tlp = max(tlps, key=vocab.tlp_rank) if tlps else None
    portions = [m for m in markings if m.level is not None]
    if not portions:
        return Marking(tlp=tlp)
    level = max((m.level for m in portions if m.level), key=vocab.rank)
    if vocab.is_classified(level) and not rules.tlp_beside_classification:
        tlp = None
    sci = set().union(*(m.sci for m in portions))
    controls = _shared_controls(portions, level, rules, vocab)
    noforn, rel_to = _release(portions, level, rules, vocab)
    display_only = _display_only(portions, vocab)

    noforn_name = next(
        c.name
        for c in vocab.controls
        if c.release == "own_country" and c.category == "dissemination"
    )
    if noforn:
        controls.add(noforn_name)
    if rel_to:
        controls.add(REL_TO)
    if display_only:
        controls.add(DISPLAY_ONLY)
    for name in sorted(controls, key=lambda n: vocab.control(n).order):
        if name in controls:
            controls -= set(vocab.control(name).conflicts)
    banner = make_marking(
        level,
        sci=sci,
        dissemination=[
            n
            for n in controls
            if vocab.control(n).category == "dissemination" and n not in (REL_TO, DISPLAY_ONLY)
        ],
        rel_to=rel_to if REL_TO in controls else (),
        display_only=display_only if DISPLAY_ONLY in controls else (),
        non_ic=[n for n in controls if vocab.control(n).category == "non_ic"],
        tlp=tlp,
    )
    problem = check(banner, vocab)
    if problem:  # a rules file that produces an impossible banner
        raise MarkingError(banner.banner(), f"roll-up produced an invalid banner: {problem}")
    return banner


def _shared_controls(
    portions: Sequence[Marking], level: str, rules: RollupRules, vocab: Vocabulary
) -> set[str]:
    """The controls (release lists aside) the banner carries: each by its rule, all or any
    portion, and never above the level it is allowed at."""
    controls: set[str] = set()
    for control in vocab.controls:
        if control.release == "list":
            continue
        having = [control.name in m.controls for m in portions]
        if (all(having) if rules.mode(control.name) == "all" else any(having)) and not (
            control.max_level and vocab.rank(level) > vocab.rank(control.max_level)
        ):
            controls.add(control.name)
    return controls


def _release(
    portions: Sequence[Marking], level: str, rules: RollupRules, vocab: Vocabulary
) -> tuple[bool, tuple[str, ...]]:
    """Own country only (NOFORN) or REL TO whom: which kinds of release marking the portions
    carry decides how the banner says it."""
    kinds: set[str] = set()
    rel_sets: list[frozenset[str]] = []
    candidates: set[str] = set()
    for m in portions:
        restricted = [vocab.control(n) for n in m.controls if vocab.control(n).release != "none"]
        if any(c.release == "own_country" and c.category == "dissemination" for c in restricted):
            kinds.add("noforn")
        elif any(c.release == "own_country" for c in restricted):
            kinds.add("non_ic_own_country")
        elif m.rel_to:
            kinds.add("rel_to")
            rel_sets.append(vocab.countries(m.rel_to) | {vocab.own_country})
            candidates |= set(m.rel_to)
        elif vocab.is_classified(m.level) and rules.unmarked_classified_blocks_rel_to:
            kinds.add("unmarked")
    own = frozenset({vocab.own_country})
    shared = frozenset.intersection(*rel_sets) if rel_sets else own
    own_only = bool(kinds - {"rel_to"}) or (bool(rel_sets) and shared <= own)
    rel_to: tuple[str, ...] = ()
    noforn = "noforn" in kinds
    if own_only and "rel_to" in kinds:
        # Leaving the release marking off an unclassified banner would lift the restriction.
        noforn = noforn or rules.own_country_only_becomes_noforn or not vocab.is_classified(level)
    elif rel_sets:
        rel_to = _express(shared, candidates, vocab)
    return noforn, rel_to


def _display_only(portions: Sequence[Marking], vocab: Vocabulary) -> tuple[str, ...]:
    """DISPLAY ONLY survives when every portion whose release is limited at all carries it."""
    limited = [m for m in portions if release_countries(m, vocab) is not None]
    if not (limited and all(m.display_only for m in limited)):
        return ()
    shown = frozenset.intersection(*(vocab.countries(m.display_only) for m in limited))
    everywhere = set().union(*(m.display_only for m in limited))
    return _express(shown, everywhere, vocab)


def dominates(a: Marking, b: Marking) -> bool:
    """True when `a` is at least as restrictive as `b`: whoever may read `a` may read `b`.

    TLP labels compare by the TLP 2.0 order (CLEAR < GREEN < AMBER < AMBER+STRICT < RED), with no
    label below CLEAR. A control that widens release (RELIDO) may be on `a` only if it is on `b`;
    a FOUO-like control (max_level) is covered by any `a` above its max_level.
    """
    vocab = vocabulary()
    rank_a = vocab.rank(a.level) if a.level else vocab.rank(vocab.levels[0].code)
    rank_b = vocab.rank(b.level) if b.level else vocab.rank(vocab.levels[0].code)
    if rank_a < rank_b or not set(b.sci) <= set(a.sci):
        return False
    release_a, release_b = release_countries(a, vocab), release_countries(b, vocab)
    if release_b is not None and (release_a is None or not release_a <= release_b):
        return False
    for control in vocab.controls:
        if control.release != "none":
            continue  # compared through release_countries above
        if control.widens:
            # Widening matters only against a release limit: b with none cannot be widened.
            if control.name in a.controls and control.name not in b.controls and release_b:
                return False
        elif control.name in b.controls and control.name not in a.controls:
            superseded = control.max_level and rank_a > vocab.rank(control.max_level)
            if not superseded:
                return False
    tlp_a = vocab.tlp_rank(a.tlp) if a.tlp else -1
    tlp_b = vocab.tlp_rank(b.tlp) if b.tlp else -1
    return tlp_a >= tlp_b
