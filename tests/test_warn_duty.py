"""The thread-level duty-to-warn rule reads its thresholds from the policy file."""

from __future__ import annotations

from pathlib import Path

import pytest
from warn_support import assessment

from watchfloor.errors import WatchfloorError
from watchfloor.warn.duty import ThreadRule, grades, sharpened
from watchfloor.warn.policy import POLICY_ENV_VAR

STATEMENT_RULE = (
    "harm_acts: [kill, kidnap, attack]\n"
    "live_statuses: [threatened, considered, planned]\n"
    "require_identifiable_person: true\n"
)


def test_the_packaged_rule_explains_its_decision() -> None:
    decision = ThreadRule.load().decide(assessment(credibility=4, imminence="past"))
    assert not decision.owed
    assert any("credibility 4" in r for r in decision.reasons)
    assert any("imminence past" in r for r in decision.reasons)
    assert ThreadRule.load().decide(assessment()).owed


def test_a_users_thresholds_change_the_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        STATEMENT_RULE
        + "thread: {max_credibility: 1, min_specificity: 0.9, imminence: [imminent]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(POLICY_ENV_VAR, str(strict))
    rule = ThreadRule.load()
    assert not rule.decide(assessment(credibility=2, specificity=0.95, imminence="imminent")).owed
    assert rule.decide(assessment(credibility=1, specificity=0.95, imminence="imminent")).owed


def test_a_file_without_thread_thresholds_keeps_the_packaged_ones(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(STATEMENT_RULE, encoding="utf-8")
    assert ThreadRule.load(old).max_credibility == ThreadRule.load().max_credibility
    broken = tmp_path / "broken.yaml"
    broken.write_text(STATEMENT_RULE + "thread: {max_credibility: x}\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match=r"broken\.yaml"):
        ThreadRule.load(broken)


def test_sharpened_names_what_moved() -> None:
    before = grades(assessment(specificity=0.4, credibility=3, imminence="unspecified"))
    after = grades(assessment(specificity=0.7, credibility=3, imminence="near"))
    assert sharpened(before, after) == ["specificity 0.40 → 0.70", "imminence unspecified → near"]
    assert sharpened(after, before) == []
