"""Every protectee link says what it rests on (`basis`) and how sure it is; a warning needs a
confident link or a named person."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchfloor.errors import ConfigError
from watchfloor.ingest.records import Document
from watchfloor.link import TargetLink, load_watchlist
from watchfloor.link.records import link_confidences
from watchfloor.pipeline import Analyzer
from watchfloor.warn.policy import DutyToWarnPolicy

WATCHLIST = """
protectees:
  - id: ines-duarte
    name: Ines Duarte
    roles: [{title: Mayor, organization: Tula, since: 2019-01-01}]
"""


def test_confidence_follows_the_basis_and_is_zero_without_a_protectee() -> None:
    assert TargetLink(None, "name").confidence == 0.0
    by_basis = {b: TargetLink("p", b).confidence for b in ("name", "role", "surname", "pronoun")}
    assert by_basis["name"] > by_basis["role"] > by_basis["surname"] > by_basis["pronoun"] > 0
    assert TargetLink("p", "role").basis == "role"


def test_a_bad_confidence_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "confidence.yaml"
    bad.write_text("name: 2.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="between 0 and 1"):
        link_confidences(bad)


def test_a_weak_link_alone_does_not_make_the_target_identifiable() -> None:
    strict = DutyToWarnPolicy(
        harm_acts=frozenset({"kill"}),
        live_statuses=frozenset({"threatened"}),
        require_identifiable_person=True,
        min_link_confidence=0.9,
    )
    pronoun = TargetLink("p", "pronoun")
    assert not strict.identifiable(pronoun.confidence, person_named=False)
    assert strict.identifiable(pronoun.confidence, person_named=True)
    assert strict.identifiable(TargetLink("p", "name").confidence, person_named=False)


def test_the_contract_carries_basis_and_confidence(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    analyzer = Analyzer(load_watchlist(path), finder="rules")
    text = "Gunmen threatened to kill the mayor of Tula. Ines Duarte was moved to a safe house."
    findings = analyzer.analyze(Document.from_text(text, source="t", published=date(2024, 5, 1)))
    (kill,) = [f for f in findings if f.statement.act == "kill"]
    target = kill.to_contract()["target"]
    assert target["protectee"] == "ines-duarte"
    assert target["basis"] == "role" and target["confidence"] == TargetLink("x", "role").confidence
    assert kill.duty_to_warn
