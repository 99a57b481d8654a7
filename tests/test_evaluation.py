"""The evaluation: the labelled set and its loader, the scorer, MUC-4 and `watchfloor eval`."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from watchfloor.errors import InputError
from watchfloor.evaluation import (
    STAGE_OF_STATUS,
    ExpectedStatement,
    Prediction,
    Span,
    load_cases,
    load_dev,
    match,
    score_set,
    stage_of,
)
from watchfloor.evaluation.cases import EvalCase
from watchfloor.evaluation.muc4 import Entity, Incident, MucDocument, MucScore
from watchfloor.extract.records import ACTS, STATUSES
from watchfloor.warn.policy import DutyToWarnPolicy

REPO = Path(__file__).resolve().parents[1]
EVAL_SET = REPO / "tests" / "data" / "eval"
MUC4 = REPO.parent / "shared" / "data" / "muc4"


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(EVAL_SET)


@pytest.fixture
def muc4_dir() -> Path:
    if not (MUC4 / "dev.json").is_file():
        pytest.skip(f"MUC-4 dev split not found at {MUC4} (../shared/data is absent)")
    return MUC4


# --- the labelled set ---------------------------------------------------------------------------


def test_labelled_set_is_large_and_balanced(cases: list[EvalCase]) -> None:
    expected = [e for c in cases for e in c.expected]
    negatives = [c for c in cases if c.negative]
    assert len(cases) >= 110
    assert len(expected) >= 160
    assert len(negatives) * 3 >= len(cases)
    assert set(Counter(e.act for e in expected)) == set(ACTS)
    assert set(Counter(e.status for e in expected)) == set(STATUSES)


def test_same_role_on_different_dates_has_different_holders(cases: list[EvalCase]) -> None:
    holders = {
        (c.published, e.protectee)
        for c in cases
        for e in c.expected
        if e.target.text == "the French ambassador to Mali"
    }
    assert len({p for _, p in holders}) >= 2, holders


def test_duty_to_warn_labels_follow_the_policy(cases: list[EvalCase]) -> None:
    """A label may only say "warn" when the policy could; a live harm to a protectee must."""
    policy = DutyToWarnPolicy.load()
    for case in cases:
        for e in case.expected:
            live_harm = e.act in policy.harm_acts and e.status in policy.live_statuses
            if e.duty_to_warn:
                assert live_harm, (case.id, e)
            if live_harm and e.protectee is not None:
                assert e.duty_to_warn, (case.id, e)


def test_labels_point_at_their_substring(cases: list[EvalCase]) -> None:
    for case in cases:
        for e in case.expected:
            assert case.text[e.target.start : e.target.end] == e.target.text
            if e.actor is not None:
                assert case.text[e.actor.start : e.actor.end] == e.actor.text


def _write_set(tmp_path: Path, reports: list[dict[str, object]]) -> Path:
    (tmp_path / "reports.yaml").write_text(yaml.safe_dump({"reports": reports}), encoding="utf-8")
    return tmp_path


GOOD: dict[str, Any] = {
    "id": "t-1",
    "published": "2024-01-02",
    "text": "A caller threatened to kill the mayor. He said he would do it and he meant it.",
    "expected": [
        {
            "act": "kill",
            "status": "threatened",
            "target": "the mayor",
            "protectee": None,
            "duty_to_warn": False,
        }
    ],
}


def test_loader_reads_a_good_case(tmp_path: Path) -> None:
    [case] = load_cases(_write_set(tmp_path, [GOOD]))
    assert case.published == date(2024, 1, 2)
    assert case.expected[0].target == Span("the mayor", 28, 37)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "the governor"}, "does not occur"),
        ({"target": "he"}, "occurs 2 times"),
        ({"target": "he", "target_occurrence": 3}, "not 3"),
        ({"act": "murder"}, "act 'murder'"),
        ({"status": "done"}, "status 'done'"),
        ({"duty_to_warn": "yes"}, "duty_to_warn"),
        ({"actor": "a stranger"}, "actor 'a stranger'"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
def test_loader_rejects_a_bad_statement(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    statement = {**GOOD["expected"][0], **change}
    with pytest.raises(InputError, match=message) as caught:
        load_cases(_write_set(tmp_path, [{**GOOD, "expected": [statement]}]))
    assert "t-1" in str(caught.value)


def test_loader_rejects_bad_reports(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="also used"):
        load_cases(_write_set(tmp_path, [GOOD, GOOD]))
    with pytest.raises(InputError, match="marked negative"):
        load_cases(_write_set(tmp_path, [{**GOOD, "negative": True}]))
    with pytest.raises(InputError, match="negative: true"):
        load_cases(_write_set(tmp_path, [{**GOOD, "expected": []}]))
    with pytest.raises(InputError, match="published"):
        load_cases(_write_set(tmp_path, [{**GOOD, "published": "last week"}]))


def test_loader_checks_protectees_against_the_watchlist(tmp_path: Path) -> None:
    (tmp_path / "watchlist.yaml").write_text(
        "protectees:\n  - {id: ana-mayor, name: Ana Mayor}\n", encoding="utf-8"
    )
    statement = {**GOOD["expected"][0], "protectee": "someone-else"}
    with pytest.raises(InputError, match="someone-else"):
        load_cases(_write_set(tmp_path, [{**GOOD, "expected": [statement]}]))


# --- the scorer ---------------------------------------------------------------------------------


def _exp(
    act: str, start: int, end: int, status: str = "threatened", **kw: object
) -> ExpectedStatement:
    return ExpectedStatement(
        act=act,
        status=status,
        target=Span("x" * (end - start), start, end),
        protectee=kw.get("protectee"),  # type: ignore[arg-type]
        duty_to_warn=bool(kw.get("duty_to_warn", False)),
    )


def _pred(
    act: str, start: int | None, end: int | None, status: str = "threatened", **kw: object
) -> Prediction:
    return Prediction(
        act=act,
        status=status,
        target_text=None if start is None else "x",
        target_start=start,
        target_end=end,
        protectee=kw.get("protectee"),  # type: ignore[arg-type]
        duty_to_warn=bool(kw.get("duty_to_warn", False)),
    )


def _case(expected: list[ExpectedStatement], negative: bool = False) -> EvalCase:
    return EvalCase("c", date(2024, 1, 1), "x" * 200, tuple(expected), negative, "<test>")


def test_two_hits_one_false_positive_one_miss() -> None:
    case = _case([_exp("kill", 0, 10), _exp("kidnap", 20, 30), _exp("attack", 40, 50)])
    predicted = [_pred("kill", 5, 8), _pred("kidnap", 25, 40), _pred("surveil", 60, 70)]
    score = score_set([case], [predicted])
    assert (score.true_positives, score.predicted, score.expected) == (2, 3, 3)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 / 3)


def test_matching_is_strict_on_act_and_needs_overlap() -> None:
    pairs, misses, fps = match([_exp("kill", 0, 10)], [_pred("attack", 0, 10)])
    assert not pairs and len(misses) == 1 and len(fps) == 1
    # Touching spans ([0,10) and [10,20)) do not overlap; a missing target never matches.
    pairs, _, _ = match([_exp("kill", 0, 10)], [_pred("kill", 10, 20), _pred("kill", None, None)])
    assert not pairs


def test_matching_is_one_to_one_and_prefers_the_right_status() -> None:
    expected = [_exp("kill", 0, 10, status="planned")]
    predicted = [_pred("kill", 0, 10, status="threatened"), _pred("kill", 2, 4, status="planned")]
    pairs, misses, fps = match(expected, predicted)
    assert [p.predicted.status for p in pairs] == ["planned"]
    assert not misses and [p.status for p in fps] == ["threatened"]


def test_link_status_and_warning_measures() -> None:
    case = _case(
        [
            _exp("kill", 0, 10, protectee="a", duty_to_warn=True),
            _exp("attack", 20, 30, status="carried_out", protectee="b"),
            _exp("kidnap", 40, 50, protectee="c", duty_to_warn=True),
        ]
    )
    predicted = [
        _pred("kill", 0, 10, protectee="a", duty_to_warn=True),
        _pred("attack", 20, 30, status="threatened", protectee=None, duty_to_warn=True),
        _pred("kidnap", 40, 50, protectee="c", duty_to_warn=False),
        _pred("kill", 100, 110, duty_to_warn=True),
    ]
    score = score_set([case], [predicted])
    assert score.link_accuracy == pytest.approx(2 / 3)
    assert score.status_accuracy == pytest.approx(2 / 3)
    assert score.warn_recall == pytest.approx(1 / 2)  # the kidnap warning was missed
    assert score.warn_precision == pytest.approx(1 / 3)  # 3 flagged, 1 rightly
    kinds = Counter(e["kind"] for e in score.errors())
    assert kinds == {"false_positive": 1, "wrong_link": 1, "wrong_status": 1, "wrong_warning": 2}


def test_false_positives_on_negative_reports_are_counted() -> None:
    negative = _case([], negative=True)
    score = score_set([negative, negative], [[_pred("kill", 0, 5), _pred("attack", 9, 12)], []])
    assert (score.negative_fp, score.negative_reports_hit, score.negatives) == (2, 1, 2)
    assert score.precision == 0.0
    assert score.recall is None  # nothing expected: n/a, not 0 or 1


# --- MUC-4 --------------------------------------------------------------------------------------


def test_stage_mapping() -> None:
    assert stage_of("carried_out") == "accomplished"
    assert stage_of("attempted") == stage_of("foiled") == "attempted"
    assert {stage_of(s) for s in ("threatened", "considered", "planned")} == {"threatened"}
    assert stage_of("denied") is None and stage_of("hypothetical") is None
    assert set(STAGE_OF_STATUS) | {"denied", "hypothetical"} == set(STATUSES)


def test_muc_score_counts_found_entities_and_stage() -> None:
    text = "rebels shot the mayor and kidnapped a nun; the mayor survived."
    mayor = Entity(("the mayor",), ((12, 21), (43, 52)))
    nun = Entity(("a nun",), ((36, 41),))
    document = MucDocument(
        "D1",
        text,
        date(1990, 1, 1),
        (
            Incident("attack", (mayor,), (), "accomplished"),
            Incident("kidnapping", (nun,), (), "accomplished"),
        ),
    )
    score = MucScore()
    # The second mention of the mayor counts; the nun is missed.
    score.add(document, [_pred("attack", 45, 52, status="carried_out"), _pred("kill", 0, 6)])
    s = score.summary()
    assert (s["victims"], s["victims_found"], s["incidents_found"]) == (2, 1, 1)
    assert s["stage_accuracy"] == 1.0
    assert s["predicted_on_gold_share"] == 0.5


def test_muc_loader_joins_keys_by_id_and_order(tmp_path: Path) -> None:
    text = "guerrillas kidnapped the mayor of el alto. the army attacked a camp."
    template = {"incident_type": "kidnapping", "Victim": [[["the mayor", 21]]], "Target": []}
    other = {"incident_type": "attack", "Victim": [], "Target": [[["a camp", 61]]]}
    line = {"docid": "DEV-1", "doctext": text, "templates": [template, other]}
    (tmp_path / "dev.json").write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "keys").mkdir()
    keys = [
        [
            ["message_id", "DEV-1"],
            ["incident_type", "KIDNAPPING"],
            ["stage_of_execution", "THREAT"],
        ],
        [["message_id", "DEV-1"], ["incident_type", "*"]],
        [
            ["message_id", "DEV-1"],
            ["incident_type", "ATTACK"],
            ["stage_of_execution", "ACCOMPLISHED"],
        ],
    ]
    (tmp_path / "keys" / "keys_dev").write_text(
        "\n%%%\n".join(json.dumps(k) for k in keys), encoding="utf-8"
    )
    data = load_dev(tmp_path)
    [doc] = data.documents
    assert [i.stage for i in doc.incidents] == ["threatened", "accomplished"]
    assert data.has_stage and data.join_failures == 0
    assert doc.incidents[0].victims[0].spans == ((21, 30),)


def test_muc_dev_loads_and_joins(muc4_dir: Path) -> None:
    data = load_dev(muc4_dir)
    assert len(data.documents) == 200
    assert data.join_failures == 0
    victims = [v for d in data.documents for i in d.incidents for v in i.victims]
    assert victims and all(v.spans for v in victims)
    for d in data.documents:
        for i in d.incidents:
            for v in i.victims:
                for start, end in v.spans:
                    assert d.text[start:end].lower() in {m.lower() for m in v.mentions}


# --- end to end ---------------------------------------------------------------------------------

E2E_IDS = ["wire-04", "wire-07", "analyst-04", "court-02", "neg-01", "neg-03", "neg-09"]


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("eval")
    everything: list[dict[str, object]] = []
    for path in sorted(EVAL_SET.glob("*.yaml")):
        if path.name != "watchlist.yaml":
            everything += yaml.safe_load(path.read_text(encoding="utf-8"))["reports"]
    chosen = [r for r in everything if r["id"] in E2E_IDS]
    (folder / "small.yaml").write_text(yaml.safe_dump({"reports": chosen}), encoding="utf-8")
    (folder / "watchlist.yaml").write_text(
        (EVAL_SET / "watchlist.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return folder


def test_pipeline_predictions_are_scored_against_the_same_text(small_set: Path) -> None:
    from watchfloor.evaluation.run import predict_cases
    from watchfloor.link import load_watchlist
    from watchfloor.pipeline import Analyzer

    small = load_cases(small_set)
    assert sorted(c.id for c in small) == sorted(E2E_IDS)
    predictions = predict_cases(Analyzer(load_watchlist(small_set / "watchlist.yaml")), small)
    for case, predicted in zip(small, predictions, strict=True):
        for p in predicted:
            if p.target_start is not None and p.target_end is not None:
                assert case.text[p.target_start : p.target_end] == p.target_text, case.id
    score = score_set(small, predictions)
    assert score.true_positives + sum(len(r.misses) for r in score.results) == score.expected
    assert score.true_positives + sum(len(r.false_positives) for r in score.results) == (
        score.predicted
    )


def test_eval_command_json_without_muc4(small_set: Path) -> None:
    from watchfloor.cli import app

    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--set",
            str(small_set),
            *("--no-muc4", "--no-realtext", "--no-events", "--format", "json", "--show-errors"),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["systems"] == ["rules", "combined"]
    assert set(report["set"]["by_system"]) == {"rules", "combined"}
    # Both systems read the same reports; the combined one's summary is the headline.
    assert report["set"]["ours"] == report["set"]["by_system"]["combined"]
    assert report["realtext"] == {"skipped": "real-text set skipped: --no-realtext"}
    assert report["events"] == {"skipped": "RAMS and WikiEvents skipped: --no-events"}
    ours = report["set"]["ours"]
    assert ours["reports"] == len(E2E_IDS)
    assert ours["negative_reports"] == 3
    assert ours["expected"] == 6
    assert report["muc4"] == {"skipped": "MUC-4 skipped: --no-muc4"}
    errors = report["set"]["errors"]
    misses = [e for e in errors if e["kind"] == "miss"]
    assert len(misses) == ours["expected"] - ours["true_positives"]


def test_eval_reports_a_missing_muc4_folder(small_set: Path, tmp_path: Path) -> None:
    from watchfloor.evaluation.run import run_evaluation

    report = run_evaluation(
        small_set,
        tmp_path / "no-such-folder",
        systems=("rules",),
        realtext_dir=None,
        events_dir=tmp_path / "no-events",
    )
    assert report.events_skipped is not None and "not found" in report.events_skipped
    assert list(report.systems) == ["rules"] and report.ours is report.systems["rules"]
    assert report.muc_skipped is not None and "not found" in report.muc_skipped
    assert report.to_dict()["muc4"] == {"skipped": report.muc_skipped}


def test_eval_command_rejects_a_bad_set(tmp_path: Path) -> None:
    from watchfloor.cli import app

    result = CliRunner().invoke(
        app,
        ["eval", "--set", str(tmp_path / "nowhere"), "--no-muc4", "--no-realtext", "--no-events"],
    )
    assert result.exit_code == 2
    assert "not a folder" in result.output
