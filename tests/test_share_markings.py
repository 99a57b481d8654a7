"""Markings through export: classification banners as statement markings and back, a reader
who may see only part of a thread, a review's portions, and a property over random stores: a
reader limited to TLP:GREEN never receives an AMBER object or an AMBER portion's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_support import add_document, add_thread, assessment
from share_support import ANALYST, GREEN_READER, POLICY, validation_errors
from sqlalchemy import Engine, delete, select

from watchfloor.publish.access import Reader
from watchfloor.publish.review import add_portion, build_review
from watchfloor.share.audience import audience_for
from watchfloor.share.config import ShareConfig
from watchfloor.share.importer import import_bundle
from watchfloor.share.service import Selection, export_stix
from watchfloor.share.stixmarkings import tlp_table
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Blob, Document, Review, Statement, Thread

DAY = date(2031, 3, 10)
RANGE = Selection(since=date(2031, 1, 1))
CLEARED = Reader("sam", "S", nationality="USA", organization="Watch Desk")
MARKINGS = (
    "TLP:CLEAR",
    "TLP:GREEN",
    "TLP:AMBER",
    "TLP:AMBER+STRICT",
    "TLP:RED",
    "SECRET//NOFORN",
    "CONFIDENTIAL//REL TO USA, GBR TLP:GREEN",
)
RESTRICTED_TLP = {tlp_table().ids[x] for x in ("AMBER", "AMBER+STRICT", "RED")}


def thread_with(session: Any, markings: list[str], tag: str, protectee: str = "envoy-1") -> int:
    docs = tuple(
        add_document(
            session,
            source=f"Wire {i}",
            reliability="B",
            title=f"{tag} report {i} marked {m}",
            day=DAY,
            marking=m,
        )
        for i, m in enumerate(markings)
    )
    a = assessment(
        key=tag,
        actor="Iran",
        target=f"Target {tag}",
        harm="kill",
        likelihood="likely",
        likelihood_range=(55, 80),
        confidence="moderate",
        priority=5.0,
        first_seen=DAY,
        last_seen=DAY,
        document_ids=docs,
    )
    return add_thread(session, a)


def export(engine: Engine, reader: Reader, selection: Selection = RANGE) -> dict[str, Any]:
    with transaction(engine) as session:
        audience = audience_for(session, reader, config=ShareConfig(), policy=POLICY)
        return export_stix(session, audience, selection)


def statements(bundle: dict[str, Any]) -> dict[str, str]:
    return {
        o["id"]: o["definition"]["statement"]
        for o in bundle["objects"]
        if o.get("definition_type") == "statement"
    }


def test_classification_travels_as_a_statement_marking_and_back(
    store: Engine, tmp_path: Path
) -> None:
    with transaction(store) as session:
        thread_with(session, ["SECRET//NOFORN", "TLP:GREEN"], "mixed")
    bundle = export(store, CLEARED)
    assert validation_errors(bundle) == []
    assert list(statements(bundle).values()) == ["SECRET//NOFORN"]
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    secret = next(iter(statements(bundle)))
    # The report rolls up both portions; each portion keeps its own marking.
    assert secret in report["object_marking_refs"]
    portions = {g["selectors"][0]: g["marking_ref"] for g in report["granular_markings"]}
    assert sorted(portions.values()) == sorted([secret, tlp_table().ids["GREEN"]])
    # An uncleared reader of our own organization gets nothing of the thread, not even its
    # GREEN portion: the report's grades and counts draw on the SECRET one too.
    partial = export(store, ANALYST)
    assert [o for o in partial["objects"] if o["type"] in ("report", "note", "opinion")] == []
    assert statements(partial) == {}
    assert "mixed report" not in json.dumps(partial)
    # Imported elsewhere, the document keeps the classification.
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    with transaction(fresh) as session:
        import_bundle(session, bundle, "secret.json")
        marking = session.scalar(select(Document.marking))
    assert marking is not None and marking.startswith("SECRET//NOFORN")
    fresh.dispose()


def test_a_review_exports_its_visible_portions(store: Engine) -> None:
    with transaction(store) as session:
        thread_with(session, ["TLP:GREEN"], "open")
        build_review(session, DAY, actor="tester", window_days=3)
        add_portion(
            session, DAY, marking="TLP:AMBER", title="Amber note", text="Only ours.", actor="t"
        )
    mine = export(store, ANALYST, Selection(review=DAY))
    theirs = export(store, GREEN_READER, Selection(review=DAY))
    assert validation_errors(mine) == [] and validation_errors(theirs) == []

    def review(bundle: dict[str, Any]) -> dict[str, Any]:
        return next(
            o
            for o in bundle["objects"]
            if o.get("name", "").startswith("Protective intelligence review")
        )

    titles = [p["title"] for p in review(mine)["x_watchfloor_portions"]]
    assert "Amber note" in titles
    assert "Amber note" not in [p["title"] for p in review(theirs)["x_watchfloor_portions"]]
    assert not set(review(theirs)["object_marking_refs"]) & RESTRICTED_TLP


@pytest.fixture(scope="module")
def random_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('random') / 'store.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(MARKINGS), min_size=1, max_size=3), max_size=5))
def test_a_green_reader_never_receives_amber(
    random_store: Engine, threads: list[list[str]]
) -> None:
    with transaction(random_store) as session:
        for table in (Statement, Thread, Review, Document, Blob):
            session.execute(delete(table))
        for n, markings in enumerate(threads):
            thread_with(session, markings, f"t{n}", protectee=f"p{n}")
    bundle = export(random_store, GREEN_READER)
    assert validation_errors(bundle) == []
    text = json.dumps(bundle)
    for obj in bundle["objects"]:
        assert not set(obj.get("object_marking_refs", ())) & RESTRICTED_TLP, obj["id"]
        assert not {g["marking_ref"] for g in obj.get("granular_markings", ())} & RESTRICTED_TLP
    assert statements(bundle) == {}  # the reader holds no clearance
    for n, markings in enumerate(threads):
        # A thread arrives whole when the reader may see every statement of it, else not at
        # all: a part would carry grades and counts drawn from what is withheld.
        allowed = all(m in ("TLP:CLEAR", "TLP:GREEN") for m in markings)
        for i, marking in enumerate(markings):
            words = f"t{n} report {i} marked {marking}"
            assert (words in text) == allowed, (words, markings)


def test_the_actor_hierarchy_is_attributed_to_up_the_lineage(store: Engine) -> None:
    from dataclasses import replace

    from watchfloor.share import ids

    with transaction(store) as session:
        doc = add_document(
            session,
            source="Wire Q",
            reliability="B",
            title="Quds plot",
            day=DAY,
            marking="TLP:GREEN",
        )
        a = assessment(
            key="q",
            actor="Quds Force",
            target="Target Q",
            harm="kill",
            likelihood="likely",
            likelihood_range=(55, 80),
            confidence="moderate",
            priority=5.0,
            first_seen=DAY,
            last_seen=DAY,
            document_ids=(doc,),
        )
        add_thread(session, replace(a, actor_lineage=("Quds Force", "IRGC", "Iran")))
    bundle = export(store, ANALYST)
    chain = {
        (o["source_ref"], o["target_ref"])
        for o in bundle["objects"]
        if o.get("relationship_type") == "attributed-to"
    }
    quds, irgc, iran = (ids.threat_actor(n) for n in ("Quds Force", "IRGC", "Iran"))
    assert chain == {(quds, irgc), (irgc, iran)}
    actors = {o["name"]: o for o in bundle["objects"] if o["type"] == "threat-actor"}
    assert "Islamic Revolutionary Guard Corps" in actors["IRGC"]["aliases"]
    assert actors["Iran"]["resource_level"] == "government"
    targets = [o for o in bundle["objects"] if o.get("relationship_type") == "targets"]
    assert [t["source_ref"] for t in targets] == [quds]
