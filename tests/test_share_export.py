"""STIX export of the seed article's threads: the objects and their conventions (pycti ids,
TLP 2.0 ids, Admiralty confidence), the OASIS validator's verdict, markings per reader, and
pseudonyms for a partner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from share_support import (
    ANALYST,
    GREEN_READER,
    PARTNER_READER,
    audience,
    session_of,
    store_seed,
    validation_errors,
    write_watchlist,
)
from sqlalchemy import Engine

from watchfloor.errors import StixInputError
from watchfloor.share import ids
from watchfloor.share.config import Recipient, ShareConfig
from watchfloor.share.service import Selection, export_stix

pytestmark = pytest.mark.shared
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP2_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


@pytest.fixture
def seeded(store: Engine, seed_path: Path, tmp_path: Path) -> Engine:
    store_seed(store, seed_path, write_watchlist(tmp_path))
    return store


def export(engine: Engine, reader: Any = ANALYST, **kwargs: Any) -> dict[str, Any]:
    config = kwargs.pop("config", None)
    with session_of(engine) as session:
        return export_stix(session, audience(session, reader, config), Selection(**kwargs))


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_seed_threads_export_as_valid_stix_with_pycti_ids(seeded: Engine) -> None:
    bundle = export(seeded, since=date(2020, 1, 1))
    assert validation_errors(bundle) == []
    actors = {o["name"]: o for o in of_type(bundle, "threat-actor")}
    assert "Iran" in actors
    assert actors["Iran"]["id"] == ids.threat_actor("Iran")
    assert actors["Iran"]["resource_level"] == "government"
    assert "Islamic Republic" in actors["Iran"]["aliases"]
    people = {o["name"]: o for o in of_type(bundle, "identity")}
    marks = people["Lana Marks"]
    assert marks["identity_class"] == "individual"
    assert marks["id"] == ids.identity("Lana Marks", "individual")
    targets = [
        r
        for r in of_type(bundle, "relationship")
        if r["relationship_type"] == "targets" and r["target_ref"] == marks["id"]
    ]
    assert any(r["source_ref"] == actors["Iran"]["id"] for r in targets)
    # The relationship id follows pycti: type, source and target.
    assert targets[0]["id"] == ids.relationship("targets", targets[0]["source_ref"], marks["id"])
    report = next(r for r in of_type(bundle, "report") if marks["id"] in r["object_refs"])
    credibility = int(next(x for x in report["labels"] if "credibility" in x).rsplit("=", 1)[1])
    assert report["confidence"] == {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}[credibility]
    assert "admiralty:reliability=B" in report["labels"]
    assert report["x_watchfloor_likelihood"] in report["description"]
    # The source is the graded author identity; the text is marked TLP:GREEN, portion by portion.
    wire = people["Seed Wire"]
    assert wire["x_opencti_reliability"] == "B - Usually reliable"
    assert report["object_marking_refs"] == [TLP2_GREEN]
    assert {g["marking_ref"] for g in report["granular_markings"]} == {TLP2_GREEN}
    green = next(o for o in bundle["objects"] if o["id"] == TLP2_GREEN)
    assert green["name"] == "TLP:GREEN"
    notes = [n for n in of_type(bundle, "note") if report["id"] in n["object_refs"]]
    assert notes and notes[0]["content"]


def test_export_is_deterministic(seeded: Engine) -> None:
    first, second = export(seeded, protectee="lana-marks"), export(seeded, protectee="lana-marks")
    assert first == second
    assert {o["id"] for o in first["objects"]} == {o["id"] for o in second["objects"]}


def test_a_reader_outside_the_community_gets_nothing_marked(seeded: Engine) -> None:
    outsider = GREEN_READER.__class__("out", "U", nationality="USA", organization="Elsewhere")
    bundle = export(seeded, outsider, since=date(2020, 1, 1))
    assert [o for o in bundle["objects"] if o["type"] == "report"] == []
    assert validation_errors(bundle) == []


def test_partner_export_never_carries_the_real_name(seeded: Engine) -> None:
    config = ShareConfig(recipients={"Partner Org": Recipient(pseudonymize=True)})
    bundle = export(seeded, PARTNER_READER, since=date(2020, 1, 1), config=config)
    text = json.dumps(bundle)
    assert of_type(bundle, "report"), "the partner should get the GREEN threads"
    for word in ("Lana Marks", "Marks", "lana-marks"):
        assert word.lower() not in text.lower(), word
    assert any(o["name"].startswith("Protectee ") for o in of_type(bundle, "identity"))
    assert validation_errors(bundle) == []
    # Our own analysts see the name.
    assert "Lana Marks" in json.dumps(export(seeded, since=date(2020, 1, 1)))


def test_one_selection_at_a_time(seeded: Engine) -> None:
    with pytest.raises(StixInputError, match="choose one of"):
        export(seeded, protectee="lana-marks", since=date(2020, 1, 1))
    with pytest.raises(StixInputError, match="no such assessed thread"):
        export(seeded, thread=99999)


def test_an_analyst_decision_becomes_an_opinion_and_sets_the_confidence(seeded: Engine) -> None:
    from sqlalchemy import select

    from watchfloor.assess.overrides import set_thread_credibility
    from watchfloor.store.models import Thread

    with session_of(seeded) as session:
        thread_id = session.scalar(
            select(Thread.id).where(Thread.key == "Iran→protectee:lana-marks")
        )
        assert thread_id is not None
        set_thread_credibility(
            session,
            thread_id,
            2,
            "ana",
            "confirmed by Lana Marks's detail",
            today=date(2020, 9, 14),
        )
    bundle = export(seeded, PARTNER_READER, thread=thread_id)
    report = next(o for o in of_type(bundle, "report"))
    assert report["confidence"] == 70 and "admiralty:credibility=2" in report["labels"]
    opinions = of_type(bundle, "opinion")
    assert [o["opinion"] for o in opinions] == ["agree"]
    assert opinions[0]["object_refs"] == [report["id"]]
    assert "thread_credibility = 2" in opinions[0]["explanation"]
    # The reason named the protectee: the partner's copy carries the pseudonym instead.
    assert "Marks" not in opinions[0]["explanation"]
    assert "Protectee " in opinions[0]["explanation"]
    assert validation_errors(bundle) == []
