"""The daily review: built from the day's threads and analysts' portions, rendered per reader.

One review, three readers of different clearances (the issue's acceptance case), on SQLite and
PostgreSQL: each copy holds exactly the portions its reader may read, says how many were
withheld, and carries the banner of what remains at its top and bottom.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from review_support import (
    ALICE,
    BOB,
    CAROL,
    POLICY,
    add_document,
    add_thread,
    assessment,
    visible_text,
)
from sqlalchemy import Engine

from watchfloor.publish.readers import add_reader
from watchfloor.publish.render import cut_for, render_for
from watchfloor.publish.review import (
    Distribution,
    ReviewConfig,
    ReviewError,
    add_portion,
    build_review,
    judgement_text,
    load_review,
)
from watchfloor.store import audit
from watchfloor.store.engine import transaction

DAY = date(2026, 3, 10)

# Analysts' portions: (marking, title, audiences). Titles are unique words so that a copy's
# text shows exactly which portions it holds.
ANALYST = [
    ("(TS//SI//NF)", "Intercepted tasking of a surveillance team", ("senior-policy",)),
    ("(S//NF)", "Embassy vehicle movements near the residence", ()),
    ("(S//REL TO USA, GBR)", "Liaison reporting shared with the partner", ()),
    ("(U)", "Public appearances on the envoy's calendar", ()),
    ("(U)", "Briefing schedule for committee staff", ("congressional-oversight",)),
]
THREAD_TITLES = ["Iran: threat to kill Lana Marks", "Unidentified actor: threat to attack"]
OLD_THREAD = "Hezbollah: threat to kidnap"


@dataclass(frozen=True)
class Built:
    engine: Engine
    thread_ids: tuple[int, ...]


@pytest.fixture
def built(store: Engine) -> Iterator[Built]:
    with transaction(store) as session:
        d1 = add_document(
            session,
            source="Wire A",
            reliability="B",
            title="Envoy threatened in the capital",
            day=DAY,
            marking="TLP:AMBER",
        )
        d2 = add_document(
            session,
            source="Paper B",
            reliability="C",
            title="Officials describe a plot",
            day=DAY,
            marking="TLP:GREEN",
        )
        d3 = add_document(
            session,
            source="Wire A",
            reliability="B",
            title="Older report on a kidnapping threat",
            day=DAY - timedelta(days=4),
            marking="TLP:AMBER",
        )
        common = {"first_seen": DAY - timedelta(days=20)}
        t1 = add_thread(
            session,
            assessment(
                key="iran→lana-marks",
                actor="Iran",
                target="Lana Marks",
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=9.0,
                last_seen=DAY,
                document_ids=(d1, d2),
                **common,
            ),
        )
        t2 = add_thread(
            session,
            assessment(
                key="?→general-x",
                actor=None,
                target="General X",
                harm="attack",
                likelihood="roughly even chance",
                likelihood_range=(45, 55),
                confidence="low",
                priority=4.0,
                last_seen=DAY,
                document_ids=(d2,),
                **common,
            ),
        )
        t3 = add_thread(
            session,
            assessment(
                key="hezbollah→someone",
                actor="Hezbollah",
                target="a businessman",
                harm="kidnap",
                likelihood="unlikely",
                likelihood_range=(20, 45),
                confidence="low",
                priority=7.0,
                last_seen=DAY - timedelta(days=4),
                document_ids=(d3,),
                **common,
            ),
        )
        for reader in (ALICE, BOB, CAROL):
            add_reader(session, reader, actor="tester")
        for marking, title, audiences in ANALYST:
            add_portion(
                session,
                DAY,
                marking=marking,
                title=title,
                text=f"Text of {title.lower()}.\n\nA second paragraph.",
                audiences=audiences,
                actor="analyst-1",
            )
        build_review(
            session,
            DAY,
            actor="tester",
            distribution=Distribution(
                audiences=frozenset({"senior-policy", "congressional-oversight", "partner-liaison"})
            ),
        )
    yield Built(store, (t1, t2, t3))


# (reader, titles expected in reading order, withheld count, banner)
EXPECTED = [
    (
        ALICE,
        [*THREAD_TITLES, *(title for _, title, _ in ANALYST[:4])],
        1,
        "TOP SECRET//SI//NOFORN TLP:AMBER",
    ),
    (
        BOB,
        [*THREAD_TITLES, *(title for _, title, _ in ANALYST[1:])],
        1,
        "SECRET//NOFORN TLP:AMBER",
    ),
    (CAROL, [*THREAD_TITLES, ANALYST[3][1]], 4, "UNCLASSIFIED TLP:AMBER"),
]
MARKS = {
    THREAD_TITLES[0]: "(TLP:AMBER)",
    THREAD_TITLES[1]: "(TLP:GREEN)",
    **{title: marking for marking, title, _ in ANALYST},
}
ALL_TITLES = [*THREAD_TITLES, *(title for _, title, _ in ANALYST), OLD_THREAD]


@pytest.mark.parametrize(("reader", "titles", "withheld", "banner"), EXPECTED)
def test_each_reader_gets_exactly_their_portions(
    built: Built, reader: object, titles: list[str], withheld: int, banner: str
) -> None:
    name = reader.name  # type: ignore[attr-defined]
    with transaction(built.engine) as session:
        rendition = render_for(session, DAY, name, "html", actor="tester", policy=POLICY)
    text = visible_text(rendition.content.decode("utf-8"))

    present = [t for t in ALL_TITLES if t in text]
    assert sorted(present) == sorted(titles)
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions), "portions are not in priority order"
    assert f"Withheld from this copy: {withheld} portion" in text
    # The banner opens and closes the copy.
    assert text.startswith(banner + " ")
    assert text.endswith(" " + banner)
    assert rendition.cut.banner.banner() == banner
    # Each portion opens with its portion mark, then its number and title.
    for number, title in enumerate(titles, 1):
        assert f"{MARKS[title]} {number}. {title}" in text


def test_withheld_portions_leave_no_trace(built: Built) -> None:
    with transaction(built.engine) as session:
        rendition = render_for(session, DAY, "carol", "html", actor="tester", policy=POLICY)
    page = rendition.content.decode("utf-8")
    # Neither their titles, their texts nor their markings reach the page.
    for marking, title, _ in ANALYST[:3] + ANALYST[4:]:
        assert title not in page
        assert title.lower() not in page
        if "S" in marking:
            assert marking not in page
    assert "SECRET" not in page
    assert "NOFORN" not in page


def test_judgement_portion_says_likelihood_confidence_and_sources(built: Built) -> None:
    with transaction(built.engine) as session:
        review = load_review(session, DAY)
    assert review is not None
    first = review.portions[0]
    assert first.kind == "judgement"
    assert first.thread_id == built.thread_ids[0]
    # The roll-up of TLP:AMBER and TLP:GREEN documents.
    assert first.marking.portion() == "(TLP:AMBER)"
    assert "We judge it likely (55–80%) that Iran will try to kill Lana Marks." in first.body
    assert "We have moderate confidence in this judgement." in first.body
    assert [(c.source, c.reliability, c.title) for c in first.sources] == [
        ("Wire A", "B", "Envoy threatened in the capital"),
        ("Paper B", "C", "Officials describe a plot"),
    ]
    # Judged afresh from its statements as of the day (not the board's stored B2): two
    # independent origins confirm each other, so the information is graded 1.
    assert "B1" in first.body and "B2" not in first.body
    reasons = [r.reason for r in first.rationale]
    assert "credibility 1: independent report from Paper B (graded C)" in reasons
    assert "a named target and a method raise specificity" not in reasons
    second = review.portions[1]
    assert second.marking.portion() == "(TLP:GREEN)"
    assert "an unidentified actor will attack General X" in second.body


def test_likelihood_and_confidence_never_share_a_sentence() -> None:
    config = ReviewConfig.load()
    a = assessment(
        key="k",
        actor="Iran",
        target="Lana Marks",
        harm="kill",
        likelihood="very likely",
        likelihood_range=(80, 95),
        confidence="high",
        priority=1.0,
        first_seen=DAY,
        last_seen=DAY,
        document_ids=(1,),
    )
    _, body = judgement_text(a, config)
    sentences = re.split(r"(?<=[.!?])\s+", body)
    with_likelihood = [s for s in sentences if "very likely" in s]
    with_confidence = [s for s in sentences if "confidence" in s]
    assert len(with_likelihood) == 1 and len(with_confidence) == 1
    assert with_likelihood != with_confidence
    assert "high" not in with_likelihood[0]
    assert "very likely" not in with_confidence[0]


def test_window_and_rebuild_keep_analyst_portions(built: Built) -> None:
    with transaction(built.engine) as session:
        one_day = load_review(session, DAY)
        assert one_day is not None
        wide = build_review(session, DAY, actor="tester", window_days=5)
    assert one_day.window_days == 1
    judged = [p.thread_id for p in one_day.portions if p.kind == "judgement"]
    assert judged == list(built.thread_ids[:2])
    # Five days back reaches the older thread, placed by its priority (9 > 7 > 4).
    judged_wide = [p.thread_id for p in wide.portions if p.kind == "judgement"]
    t1, t2, t3 = built.thread_ids
    assert judged_wide == [t1, t3, t2]
    assert [p.title for p in wide.portions if p.kind == "analyst"] == [t for _, t, _ in ANALYST]
    # The distribution set at the first build is kept when a rebuild does not name one.
    assert wide.distribution.audiences == frozenset(
        {"senior-policy", "congressional-oversight", "partner-liaison"}
    )


def test_unknown_document_marking_is_named(store: Engine) -> None:
    with transaction(store) as session:
        doc = add_document(
            session,
            source="Wire Z",
            reliability="C",
            title="A report",
            day=DAY,
            marking="TLP:PURPLE",
        )
        add_thread(
            session,
            assessment(
                key="x→y",
                actor="X",
                target="Y",
                harm="attack",
                likelihood="unlikely",
                likelihood_range=(20, 45),
                confidence="low",
                priority=1.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=(doc,),
            ),
        )
    with (
        pytest.raises(ReviewError, match=rf"document {doc} has marking 'TLP:PURPLE'"),
        transaction(store) as session,
    ):
        build_review(session, DAY, actor="tester")


@pytest.mark.parametrize(
    ("marking", "problem"),
    [("(S//XYZ)", "XYZ"), ("(SECRET", "does not close"), ("(U//SI)", "SI")],
)
def test_analyst_marking_is_validated(store: Engine, marking: str, problem: str) -> None:
    with pytest.raises(ReviewError) as caught, transaction(store) as session:
        add_portion(session, DAY, marking=marking, title="t", text="x", actor="a")
    assert marking in str(caught.value)
    assert problem in str(caught.value)


def test_unknown_audience_is_refused(store: Engine) -> None:
    with pytest.raises(ReviewError, match="unknown audience 'senate'"), transaction(store) as s:
        add_portion(s, DAY, marking="(U)", title="t", text="x", audiences=["senate"], actor="a")


def test_reader_off_the_distribution_is_refused(built: Built) -> None:
    with transaction(built.engine) as session:
        build_review(
            session,
            DAY,
            actor="tester",
            distribution=Distribution(audiences=frozenset({"senior-policy"})),
        )
    with (
        pytest.raises(ReviewError, match="bob is not on the distribution"),
        transaction(built.engine) as session,
    ):
        render_for(session, DAY, "bob", "html", actor="tester", policy=POLICY)
    # Named on the list, he gets his copy again.
    with transaction(built.engine) as session:
        build_review(
            session,
            DAY,
            actor="tester",
            distribution=Distribution(
                audiences=frozenset({"senior-policy"}), readers=frozenset({"bob"})
            ),
        )
        rendition = render_for(session, DAY, "bob", "html", actor="tester", policy=POLICY)
    assert len(rendition.cut.shown) == 6


def test_every_render_is_audited(built: Built) -> None:
    digests = {}
    with transaction(built.engine) as session:
        for reader in (ALICE, BOB, CAROL):
            rendition = render_for(
                session, DAY, reader.name, "html", actor="desk-officer", policy=POLICY
            )
            digests[reader.name] = (rendition, hashlib.sha256(rendition.content).hexdigest())
    with transaction(built.engine) as session:
        entries = audit.entries_for(session, "review", DAY.isoformat())
        assert audit.verify(session).ok
    actions = [e.action for e in entries]
    assert (
        actions == ["review.portion_add"] * len(ANALYST) + ["review.build"] + ["review.render"] * 3
    )
    for entry in entries[-3:]:
        details = json.loads(entry.details)
        rendition, digest = digests[details["reader"]]
        assert entry.actor == "desk-officer"
        assert details["sha256"] == digest == rendition.sha256
        assert details["format"] == "html"
        assert details["date"] == DAY.isoformat()
        assert details["shown"] == len(rendition.cut.shown)
        assert details["withheld"] == len(rendition.cut.withheld)


def test_cut_uses_decide_for_every_portion(built: Built) -> None:
    """A portion restricted to named recipients (TLP:RED) reaches only them."""
    with transaction(built.engine) as session:
        add_portion(
            session,
            DAY,
            marking="TLP:RED",
            title="For alice only",
            text="x",
            recipients=["alice"],
            actor="a",
        )
        review = load_review(session, DAY)
    assert review is not None
    assert "For alice only" in [p.title for p in cut_for(review, ALICE, policy=POLICY).shown]
    assert "For alice only" not in [p.title for p in cut_for(review, BOB, policy=POLICY).shown]
