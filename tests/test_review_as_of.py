"""The daily review judges as of its own day, on SQLite and PostgreSQL: a thread reported on two
days (the first two reports of the escalating series in tests/data/series) is judged in the
review of the earlier day without the later report, in the review of the later day with it,
and building a review leaves the board's stored assessment as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from test_assess_store import DUARTE, analyzer, series, store_report

from watchfloor.assess.service import assess_as_of, grade_source, list_threads
from watchfloor.publish.review import DailyReview, ReviewPortion, build_review
from watchfloor.store.engine import transaction
from watchfloor.store.models import Document, Statement, Thread

__all__ = ["analyzer", "series"]  # the module-scoped fixtures this module shares

EARLY = date(2031, 3, 2)
LATE = date(2031, 3, 16)


@pytest.fixture
def two_days(store: Engine, series: dict[str, list[Any]]) -> tuple[Engine, int, list[int]]:
    """The Duarte thread with one report on EARLY and one on LATE, assessed on the board."""
    reports = series["escalating"][:2]
    assert [entry["day"] for entry, _, _ in reports] == [EARLY, LATE]
    ids = [store_report(store, report) for report in reports]
    with transaction(store) as session:
        thread_id = session.scalar(select(Thread.id).where(Thread.key == DUARTE))
    assert thread_id is not None
    return store, thread_id, ids


def counted(engine: Engine, thread_id: int, day: date) -> tuple[int, int]:
    """Statements and documents of the thread dated on or before `day`, counted in SQL."""
    with transaction(engine) as session:
        row = session.execute(
            select(func.count(Statement.id), func.count(func.distinct(Statement.document_id)))
            .join(Document, Document.id == Statement.document_id)
            .where(Statement.thread_id == thread_id, Document.day <= day)
        ).one()
    return int(row[0]), int(row[1])


def board_state(engine: Engine, thread_id: int) -> tuple[str | None, int, Any]:
    with transaction(engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        return thread.assessment, thread.version, thread.assessed_at


def build(engine: Engine, day: date, window: int = 1) -> DailyReview:
    with transaction(engine) as session:
        return build_review(session, day, actor="tester", window_days=window)


def judgements(review: DailyReview) -> list[ReviewPortion]:
    return [p for p in review.portions if p.kind == "judgement"]


def test_the_review_of_a_day_does_not_know_later_reports(
    two_days: tuple[Engine, int, list[int]],
) -> None:
    engine, thread_id, (early_doc, late_doc) = two_days
    before = board_state(engine, thread_id)
    statements_early, documents_early = counted(engine, thread_id, EARLY)
    statements_late, documents_late = counted(engine, thread_id, LATE)
    assert (documents_early, documents_late) == (1, 2)
    assert statements_late > statements_early > 0

    with transaction(engine) as session:
        early = assess_as_of(session, [thread_id], EARLY)[thread_id]
        late = assess_as_of(session, [thread_id], LATE)[thread_id]
        # Nothing up to the day before the first report: the thread is left out.
        assert assess_as_of(session, [thread_id], EARLY - timedelta(days=1)) == {}
    assert (early.statements, early.documents) == (statements_early, 1)
    assert early.document_ids == (early_doc,)
    assert early.last_seen == EARLY and early.first_seen == EARLY
    assert [p.day for p in early.trend.series] == [EARLY]
    assert early.trend.label == "new", early.trend.reason
    assert (late.statements, late.documents) == (statements_late, 2)
    assert late.document_ids == tuple(sorted((early_doc, late_doc)))
    assert late.last_seen == LATE
    assert LATE in [p.day for p in late.trend.series]

    # The review of the earlier day: one portion resting on the earlier report only.
    (portion,) = judgements(build(engine, EARLY))
    assert portion.thread_id == thread_id
    assert [c.document_id for c in portion.sources] == [early_doc]
    word = "statement" if statements_early == 1 else "statements"
    assert f"It rests on {statements_early} {word} in 1 report " in portion.body
    assert f"last seen {EARLY.isoformat()}" in portion.body
    assert LATE.isoformat() not in portion.body
    assert f"The threat is {early.trend.label}:" in portion.body
    assert portion.priority == early.priority

    # The review of the later day counts both reports.
    (portion,) = judgements(build(engine, LATE))
    assert [c.document_id for c in portion.sources] == [early_doc, late_doc]
    assert f"It rests on {statements_late} statements in 2 reports " in portion.body
    assert f"last seen {LATE.isoformat()}" in portion.body
    assert f"The threat is {late.trend.label}:" in portion.body

    # Building reviews judged in memory: the board still shows what assess stored.
    assert board_state(engine, thread_id) == before
    with transaction(engine) as session:
        (view,) = [v for v in list_threads(session) if v.id == thread_id]
    assert view.assessment.documents == 2 and view.assessment.last_seen == LATE


def test_a_window_reaches_back_but_not_forward(two_days: tuple[Engine, int, list[int]]) -> None:
    engine, thread_id, (early_doc, _) = two_days
    between = EARLY + timedelta(days=8)
    # No report on that day: the one-day review has no thread in it.
    assert judgements(build(engine, between)) == []
    # Ten days back reach the earlier report; the later one is still in the future.
    (portion,) = judgements(build(engine, between, window=10))
    assert portion.thread_id == thread_id
    assert [c.document_id for c in portion.sources] == [early_doc]
    with transaction(engine) as session:
        judged = assess_as_of(session, [thread_id], between)[thread_id]
    # Judged with the review's day as today: eight days after the report, not months.
    assert judged.documents == 1 and judged.last_seen == EARLY
    assert portion.priority == judged.priority
    # Before the first report nothing is there to review.
    assert judgements(build(engine, EARLY - timedelta(days=1), window=10)) == []


def test_silence_is_measured_from_the_review_day(two_days: tuple[Engine, int, list[int]]) -> None:
    """Fading (no reporting for more than `stale_days`, 60) counts the days before the review's
    day, not before the day it is built."""
    engine, thread_id, _ = two_days
    (on_the_day,) = judgements(build(engine, LATE))
    assert "no reporting for" not in on_the_day.body
    later = LATE + timedelta(days=70)
    (quiet,) = judgements(build(engine, later, window=90))
    assert quiet.thread_id == thread_id
    assert "The threat is fading: no reporting for 70 days" in quiet.body


def test_an_analysts_source_grade_reaches_the_judgement_and_its_citations(
    two_days: tuple[Engine, int, list[int]],
) -> None:
    engine, _, _ = two_days
    (before,) = judgements(build(engine, LATE))
    assert {c.reliability for c in before.sources} == {"B"}  # Coast Wire as stored
    with transaction(engine) as session:
        grade_source(session, "Coast Wire", "A", "analyst-1", "long record", today=LATE)
    (after,) = judgements(build(engine, LATE))
    assert {c.reliability for c in after.sources} == {"A"}
    assert "The reporting is graded A" in after.body
