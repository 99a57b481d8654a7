"""Hypothesis strategies for valid markings and readers, drawn from the packaged vocabulary.

Markings are built part by part and kept only when the vocabulary's own check accepts them, so
the strategies never encode the validity rules they are used to test.
"""

from __future__ import annotations

from hypothesis import strategies as st

from watchfloor.publish.access import Reader
from watchfloor.publish.markings import DISPLAY_ONLY, REL_TO, Marking, MarkingError, make_marking
from watchfloor.publish.vocabulary import vocabulary

VOCAB = vocabulary()
LEVELS = [level.code for level in VOCAB.levels]
SYSTEMS = sorted(VOCAB.sci_systems)
PLAIN_CONTROLS = [c.name for c in VOCAB.controls if c.name not in (REL_TO, DISPLAY_ONLY)]
# A handful of countries keeps intersections non-trivial; the groups exercise tetragraphs.
FOREIGN = ["AUS", "CAN", "DEU", "FRA", "GBR", "NZL", "ACGU", "FVEY", "NATO"]
NATIONALITIES = [VOCAB.own_country, "AUS", "CAN", "DEU", "FRA", "GBR", "NZL", "IRN"]
TLPS = [*VOCAB.tlp, None]
ORGS = ["acme", "client-co", "elsewhere", None]

# Every strategy is built once, here, and drawn from in the composites below. Built inside a
# composite, Hypothesis would construct and validate a new strategy object on every draw, which
# cost far more than the code under test (the roll-up laws spent 97% of their time there).
_SCI_VARIANTS = {
    system: st.sampled_from(
        [system, f"{system}-G", f"{system}-H", f"{system}-G ABCD", f"{system}-H XY"]
    )
    for system in SYSTEMS
}
sci_entries = st.sampled_from(SYSTEMS).flatmap(_SCI_VARIANTS.__getitem__)
_levels_or_none = st.sampled_from([*LEVELS, None])
_tlps = st.sampled_from(TLPS)
_tlps_set = st.sampled_from(VOCAB.tlp)
_rel_to = st.lists(st.sampled_from(FOREIGN), min_size=1)
_display = st.lists(st.sampled_from(FOREIGN), max_size=2)
_controls = st.lists(st.sampled_from(PLAIN_CONTROLS), max_size=3)
_sci = st.lists(sci_entries, max_size=3)
_names = st.sampled_from(["ann", "bob", "cy", "dee"])
_clearances = st.sampled_from(LEVELS)
_compartments = st.lists(sci_entries, max_size=4)
_nationalities = st.sampled_from(NATIONALITIES)
_audiences = st.lists(st.sampled_from(["senior-policy", "congress"]))
_organizations = st.sampled_from(ORGS)


def _build(parts: dict[str, object]) -> Marking | None:
    try:
        return make_marking(**parts)  # type: ignore[arg-type]
    except MarkingError:
        return None


@st.composite
def _parts(draw: st.DrawFn) -> dict[str, object]:
    level = draw(_levels_or_none)
    tlp = draw(_tlps)
    if level is None:
        return {"level": None, "tlp": tlp or draw(_tlps_set)}
    rel_to: list[str] = []
    if draw(st.booleans()):
        rel_to = [VOCAB.own_country, *draw(_rel_to)]
    display = draw(_display)
    controls = draw(_controls)
    return {
        "level": level,
        "sci": draw(_sci),
        "dissemination": [c for c in controls if VOCAB.control(c).category == "dissemination"],
        "non_ic": [c for c in controls if VOCAB.control(c).category == "non_ic"],
        "rel_to": rel_to,
        "display_only": display,
        "tlp": tlp,
    }


def markings() -> st.SearchStrategy[Marking]:
    """Valid markings of every shape: TLP-only, classification-only and both."""
    return _parts().map(_build).filter(lambda m: m is not None)  # type: ignore[return-value]


@st.composite
def readers(draw: st.DrawFn) -> Reader:
    return Reader(
        name=draw(_names),
        clearance=draw(_clearances),
        compartments=frozenset(draw(_compartments)),
        nationality=draw(_nationalities),
        audiences=frozenset(draw(_audiences)),
        organization=draw(_organizations),
    )
