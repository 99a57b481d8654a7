"""The duty-to-warn policy: the packaged default and a user's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchfloor.errors import WatchfloorError
from watchfloor.warn.policy import POLICY_ENV_VAR, DutyToWarnPolicy


@pytest.mark.parametrize(
    ("act", "status", "person", "owed"),
    [
        ("kill", "planned", True, True),
        ("kidnap", "threatened", True, True),
        ("attack", "considered", True, True),
        ("kill", "planned", False, False),
        ("kill", "carried_out", True, False),
        ("kill", "foiled", True, False),
        ("kill", "denied", True, False),
        ("kill", "hypothetical", True, False),
        ("surveil", "carried_out", True, False),
        ("threaten", "threatened", True, False),
    ],
)
def test_default_policy(act: str, status: str, person: bool, owed: bool) -> None:
    assert DutyToWarnPolicy.load().owes_warning(act, status, person) is owed


def test_a_users_policy_file_replaces_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "harm_acts: [kill, kidnap, attack, surveil]\n"
        "live_statuses: [threatened, considered, planned, carried_out]\n"
        "require_identifiable_person: false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(POLICY_ENV_VAR, str(policy))
    loaded = DutyToWarnPolicy.load()
    assert loaded.owes_warning("surveil", "carried_out", identifiable_person=False)


def test_a_broken_policy_file_is_named(tmp_path: Path) -> None:
    policy = tmp_path / "broken.yaml"
    policy.write_text("harm_acts: [kill]\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match=r"broken\.yaml"):
        DutyToWarnPolicy.load(policy)
