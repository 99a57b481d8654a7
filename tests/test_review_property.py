"""Property: no rendering for a reader ever contains a portion that `decide` refuses, and every
portion it allows is there, with the withheld count and the recomputed banner right."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from markings_strategies import ORGS, markings, readers
from review_support import visible_text

from watchfloor.publish.access import AccessPolicy, Reader, decide
from watchfloor.publish.markings import Marking, rollup
from watchfloor.publish.render import cut_for, render_html
from watchfloor.publish.review import DailyReview, Distribution, ReviewConfig, ReviewPortion

CONFIG = ReviewConfig.load()
AUDIENCES = ["senior-policy", "congress", "partner-liaison"]
NAMES = ["ann", "bob", "cy", "dee"]

portion_parts = st.tuples(
    markings(),
    st.frozensets(st.sampled_from(AUDIENCES), max_size=2),
    st.frozensets(st.sampled_from(NAMES), max_size=2),
    st.sampled_from(["judgement", "analyst"]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=10, allow_nan=False)),
)
policies = st.builds(
    AccessPolicy,
    own_organization=st.sampled_from(ORGS),
    client_organizations=st.frozensets(st.sampled_from([o for o in ORGS if o])),
    community_organizations=st.frozensets(st.sampled_from([o for o in ORGS if o])),
)


def _review(
    parts: list[tuple[Marking, frozenset[str], frozenset[str], str, float | None]],
) -> DailyReview:
    portions = tuple(
        ReviewPortion(
            id=i,
            seq=i,
            kind=kind,
            marking=marking,
            # Tokens that occur nowhere else on the page mark where each portion is.
            title=f"title{i}zq",
            body=f"body{i}zq first.\n\nbody{i}zq second.",
            audiences=audiences,
            recipients=recipients,
            priority=priority,
            author="analyst",
        )
        for i, (marking, audiences, recipients, kind, priority) in enumerate(parts, 1)
    )
    return DailyReview(
        id=1,
        day=date(2026, 3, 10),
        built_at=None,
        window_days=1,
        banner=rollup([p.marking for p in portions]) if portions else None,
        distribution=Distribution(audiences=frozenset(AUDIENCES)),
        portions=portions,
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(portion_parts, max_size=8), readers(), policies)
def test_a_rendering_holds_exactly_what_decide_allows(
    parts: list[tuple[Marking, frozenset[str], frozenset[str], str, float | None]],
    reader: Reader,
    policy: AccessPolicy,
) -> None:
    review = _review(parts)
    page = render_html(cut_for(review, reader, policy=policy), config=CONFIG)
    allowed = []
    for portion in review.portions:
        decision = decide(
            reader,
            portion.marking,
            audiences=portion.audiences,
            recipients=portion.recipients,
            policy=policy,
        )
        token = f"{portion.id}zq"
        if decision.allowed:
            allowed.append(portion)
            assert f"title{token}" in page and f"body{token}" in page
        else:
            assert token not in page, f"refused portion leaked: {decision.reason}"
    refused = len(review.portions) - len(allowed)
    if refused:
        assert f"Withheld from this copy: {refused} portion" in page
    else:
        assert "Withheld from this copy" not in page
    banner = rollup([p.marking for p in allowed]).banner() if allowed else "UNCLASSIFIED"
    # At the top and at the bottom of the copy.
    text = visible_text(page)
    assert text.startswith(banner + " ") and text.endswith(" " + banner)
