"""The board and the review tell the truth on real reporting (issue 13, points 1-2): the seed
article with a watchlist of the ambassador and the commander of US Central Command, judged as
of its publication day, on both backends.

The plot against the ambassador leads the board, the commander's thread is in the top three,
the killing of Soleimani (eight months before the article) is history, not a live threat, and
no portion of the review says anyone "will try to kill" a man the article says is dead.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from watchfloor.assess.service import ThreadView, get_thread, list_threads, reassess_documents
from watchfloor.ingest.files import read_document
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link import load_watchlist
from watchfloor.link.sync import sync_watchlist
from watchfloor.pipeline import Analyzer
from watchfloor.publish.review import build_review
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction

DAY = date(2020, 9, 14)
WATCHLIST = """
protectees:
  - id: lana-marks
    name: Lana Marks
    aliases: [Ambassador Marks]
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01}
  - id: kenneth-mckenzie
    name: Kenneth McKenzie
    aliases: [General McKenzie]
    roles:
      - {title: Commander, organization: US Central Command, since: 2019-03-28}
"""
MARKS = "Iran→protectee:lana-marks"
# Any wording of "someone will try to kill <the general>" in a judgement.
WILL_KILL = re.compile(r"will try to kill ([^.]*)", re.IGNORECASE)


@pytest.fixture(scope="module")
def watchlist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wl") / "two.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def analyzer(watchlist: Path) -> Analyzer:
    return Analyzer(load_watchlist(watchlist))


@pytest.fixture
def seeded(store: Engine, analyzer: Analyzer, watchlist: Path, seed_path: Path) -> Engine:
    """The seed stored as a new user's `ingest --watchlist --published` stores it, under an
    ungraded source, and its threads judged as of the publication day."""
    document = read_document(seed_path)
    findings = analyzer.analyze(document, published=DAY)
    fingerprinter = Fingerprinter()
    with transaction(store) as session:
        sync_watchlist(session, load_watchlist(watchlist), actor="analyst", sha256="test")
        source = repo.get_or_create_source(session, "files", reliability="F")
        result = repo.add_document_with_statements(
            session,
            document,
            findings,
            source=source,
            location=str(seed_path),
            published=DAY,
            fingerprint=fingerprinter.fingerprint(document.text),
            near=fingerprinter.policy,
        )
        reassess_documents(session, [result.document_id], today=DAY)
    return store


def _board(engine: Engine, **filters: object) -> list[ThreadView]:
    with transaction(engine) as session:
        return list_threads(session, **filters)  # type: ignore[arg-type]


def _soleimani(view: ThreadView) -> bool:
    a = view.assessment
    return "soleimani" in a.target.lower() or "iranian general" in a.target.lower()


@pytest.mark.shared
def test_the_plot_against_the_ambassador_leads_and_the_commander_is_in_the_top_three(
    seeded: Engine,
) -> None:
    board = _board(seeded)
    first = board[0].assessment
    assert board[0].key == MARKS, [v.key for v in board[:5]]
    assert first.harm == "kill" and first.live
    assert first.trend.label == "escalating" or first.specificity.score >= 0.5
    top = [v.assessment.protectee for v in board[:3]]
    assert "kenneth-mckenzie" in top, [v.key for v in board[:3]]


@pytest.mark.shared
def test_the_killing_of_soleimani_is_history_below_every_live_threat(seeded: Engine) -> None:
    board = _board(seeded)
    about = [v for v in board if _soleimani(v)]
    assert about, [v.key for v in board]
    for view in about:
        assert view.assessment.standing == "history", (view.key, view.assessment.standing_reason)
    live = [v for v in board if v.assessment.live]
    assert live and min(v.assessment.priority for v in live) > max(
        v.assessment.priority for v in about
    )
    # The board filtered by standing: the live board has none of it, history has all of it.
    assert not any(_soleimani(v) for v in _board(seeded, standing="live"))
    history = {v.key for v in _board(seeded, standing="history")}
    assert {v.key for v in about} <= history
    # Kept as context, with the reason in words.
    dead = next(v for v in about if "iranian general" in v.assessment.target.lower())
    assert "killed" in dead.assessment.standing_reason


@pytest.mark.shared
def test_the_board_filters_by_protectee_and_standing(seeded: Engine) -> None:
    mine = _board(seeded, protectee="kenneth-mckenzie", standing="live")
    assert [v.assessment.protectee for v in mine] == ["kenneth-mckenzie"]
    assert _board(seeded, protectee="kenneth-mckenzie", standing="history") == []
    assert len(_board(seeded, standing="live", limit=2)) == 2


@pytest.mark.shared
def test_no_review_portion_says_anyone_will_try_to_kill_soleimani(seeded: Engine) -> None:
    with transaction(seeded) as session:
        review = build_review(session, DAY, actor="analyst")
    bodies = [p.title + " " + p.body for p in review.portions]
    assert bodies
    for text in bodies:
        for target in WILL_KILL.findall(text):
            assert "soleimani" not in target.lower(), text
            assert "general" not in target.lower() or "McKenzie" in target, text
    # The killing is reported as what happened, with its date; the ambassador's plot as a
    # judgement of what may come.
    assert any("killed Soleimani" in t and "2020-01" in t for t in bodies), bodies
    assert any("will try to kill Lana Marks" in t for t in bodies)
    general = [t for t in bodies if "powerful Iranian general" in t]
    assert general and all("History, not a live threat" in t for t in general)


@pytest.mark.shared
def test_the_general_threat_against_the_ambassador_is_the_first_step_of_irans_plot(
    seeded: Engine,
) -> None:
    board = _board(seeded, protectee="lana-marks")
    assert [v.key for v in board] == [MARKS]
    with transaction(seeded) as session:
        view = get_thread(session, board[0].id)
    assert view is not None
    a = view.assessment
    acts = {s.act for s in view.statements}
    assert {"threaten", "kill"} <= acts, acts
    # General, then specific: the series starts before the report, less specific than its end.
    series = a.trend.series
    assert series[0].day < DAY and series[0].specificity < series[-1].specificity
    assert a.trend.label == "escalating" and "more specific" in a.trend.reason


@pytest.mark.shared
def test_cues_of_other_sentences_do_not_make_unrelated_threads_escalate(seeded: Engine) -> None:
    # "has become more specific" is said of the ambassador, "deepened" of the US-Iran dispute:
    # neither is a sentence of these threads.
    board = {v.assessment.target: v.assessment for v in _board(seeded)}
    for target in ("Iranian soil", "a powerful Iranian general"):
        trend = board[target].trend
        assert trend.label != "escalating", (target, trend.reason)
        assert "deepened" not in trend.reason and "more specific" not in trend.reason
