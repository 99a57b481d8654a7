"""STIX import: the seed's export imported into a fresh store and exported again gives the
same objects; a bundle in OpenCTI's conventions round-trips; merging by name and alias; bad
input is one clear error and nothing is imported."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import stix2
from share_support import (
    ANALYST,
    audience,
    session_of,
    store_seed,
    validation_errors,
    write_watchlist,
)
from sqlalchemy import Engine, func, select

from watchfloor.errors import StixInputError
from watchfloor.share.config import ShareConfig
from watchfloor.share.importer import import_bundle, import_location
from watchfloor.share.service import Selection, export_stix
from watchfloor.share.stixmarkings import tlp_table
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Document
from watchfloor.store.sharing import StixObject

OPENCTI = Path(__file__).resolve().parent / "data" / "share" / "opencti_bundle.json"
WIDE = Selection(since=date(2000, 1, 1), until=date(2100, 1, 1))


def export(engine: Engine, selection: Selection = WIDE) -> dict[str, Any]:
    with session_of(engine) as session:
        return export_stix(session, audience(session, ANALYST), selection)


def shape(bundle: dict[str, Any]) -> dict[str, Any]:
    """What a round trip must keep: ids, relationships, markings (by TLP label)."""
    labels = tlp_table().labels
    return {
        "ids": sorted(o["id"] for o in bundle["objects"]),
        "relationships": sorted(
            (o["relationship_type"], o["source_ref"], o["target_ref"])
            for o in bundle["objects"]
            if o["type"] == "relationship"
        ),
        "markings": {
            o["id"]: sorted(labels.get(r, r) for r in o.get("object_marking_refs", ()))
            for o in bundle["objects"]
        },
    }


def counts(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(StixObject)) or 0,
            session.scalar(select(func.count()).select_from(Document)) or 0,
        )


@pytest.fixture
def source_store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.mark.shared
def test_seed_round_trip_gives_the_same_objects(
    source_store: Engine, store: Engine, seed_path: Path, tmp_path: Path
) -> None:
    store_seed(source_store, seed_path, write_watchlist(tmp_path))
    first = export(source_store, Selection(since=date(2020, 1, 1)))
    assert any(o["type"] == "report" for o in first["objects"])
    with transaction(store) as session:
        result = import_bundle(session, json.dumps(first).encode(), "seed-export.json")
    assert result.documents, "reports and notes become documents"
    second = export(store)
    assert shape(second) == shape(first)
    assert second["objects"] == first["objects"]
    assert validation_errors(second) == []
    # Importing it again adds nothing: no new versions, no new documents.
    before = counts(store)
    with transaction(store) as session:
        again = import_bundle(session, json.dumps(first).encode(), "seed-export.json")
    assert again.new_versions == 0 and counts(store) == before


def test_an_opencti_bundle_round_trips(store: Engine) -> None:
    raw = OPENCTI.read_bytes()
    original = json.loads(raw)
    with transaction(store) as session:
        result = import_location(session, str(OPENCTI))
    assert len(result.documents) == 2  # the report and the note
    with transaction(store) as session:
        doc = session.scalars(select(Document).order_by(Document.id)).first()
        assert doc is not None and doc.marking == "TLP:GREEN"
        assert doc.source.name == "Harbour Security Partners" and doc.source.reliability == "B"
        assert doc.url == "https://partners.example/reports/118"
    back = export(store)
    assert validation_errors(back) == []
    # As the stix2 library writes them (timestamps in its canonical precision).
    sent = {
        o["id"]: json.loads(stix2.parse(o, allow_custom=True).serialize())
        for o in original["objects"]
        if o["type"] != "marking-definition"
    }
    got = {o["id"]: o for o in back["objects"] if o["type"] != "marking-definition"}
    assert set(got) == set(sent)
    for object_id, obj in sent.items():
        for key, value in obj.items():
            if key != "object_marking_refs":
                assert got[object_id][key] == value, (object_id, key)
    # Markings keep their labels, under the official TLP 2.0 ids.
    labels = {i: m for i, m in shape(back)["markings"].items() if i in got}
    assert labels == shape({"objects": list(sent.values())})["markings"]
    note = got["note--0a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d"]
    assert note["object_marking_refs"] == [tlp_table().ids["AMBER+STRICT"]]


def test_threat_actors_merge_by_alias_without_duplicates(store: Engine) -> None:
    with transaction(store) as session:
        import_location(session, str(OPENCTI))
    again = json.loads(OPENCTI.read_bytes())
    actor = next(o for o in again["objects"] if o["type"] == "threat-actor")
    actor.update(id="threat-actor--2d0f9b8c-4e3a-5f5b-9c7d-0e1f2a3b4c5d", name="The Northerners")
    actor["aliases"] = ["Northern Cell"]
    for obj in again["objects"]:
        if obj.get("source_ref") == "threat-actor--1c9e8a7b-3d2f-5e4a-8b6c-9d0e1f2a3b4c":
            obj["source_ref"] = actor["id"]
    with transaction(store) as session:
        result = import_bundle(session, again, "second.json")
        actors = session.scalars(
            select(StixObject.stix_id).where(StixObject.type == "threat-actor").distinct()
        ).all()
    assert result.merged == {actor["id"]: "threat-actor--1c9e8a7b-3d2f-5e4a-8b6c-9d0e1f2a3b4c"}
    assert actors == ["threat-actor--1c9e8a7b-3d2f-5e4a-8b6c-9d0e1f2a3b4c"]


def test_catalog_actors_and_protectees_are_recognized_as_ours(store: Engine) -> None:
    bundle = json.loads(OPENCTI.read_bytes())
    actor = next(o for o in bundle["objects"] if o["type"] == "threat-actor")
    actor["aliases"] = ["Islamic Revolutionary Guard Corps"]
    with transaction(store) as session:
        result = import_bundle(session, bundle, "irgc.json")
    assert result.ours[actor["id"]] == "IRGC"


# --- bad input: one clear error, nothing imported ----------------------------------------


def bad(store: Engine, raw: bytes | dict[str, Any], match: str) -> None:
    with pytest.raises(StixInputError, match=match), transaction(store) as session:
        import_bundle(session, raw, "bad.json")
    assert counts(store) == (0, 0)


def opencti() -> dict[str, Any]:
    return json.loads(OPENCTI.read_bytes())


def test_an_invalid_bundle_imports_nothing(store: Engine) -> None:
    bad(store, b"{not json", "not JSON")
    bad(store, {"type": "report"}, "not a STIX bundle")
    broken = opencti()
    del broken["objects"][-2]["published"]  # the report, now without a required property
    bad(store, broken, "is not valid STIX 2.1")


def test_an_unknown_marking_imports_nothing(store: Engine) -> None:
    bundle = opencti()
    bundle["objects"].append(
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": "marking-definition--0b6c3a8e-52d7-4bb5-9f0e-6a1d2c3b4e5f",
            "created": "2031-03-01T00:00:00.000Z",
            "definition_type": "statement",
            "definition": {"statement": "COSMIC PURPLE//EYES ONLY"},
        }
    )
    bundle["objects"][-2]["object_marking_refs"] = [bundle["objects"][-1]["id"]]
    bad(store, bundle, "not one we read")


def test_a_dangling_reference_imports_nothing(store: Engine) -> None:
    bundle = opencti()
    bundle["objects"] = [
        o
        for o in bundle["objects"]
        if o["name" if "name" in o else "type"] != "Harbour Master Office"
    ]
    bad(store, bundle, "refers to objects it does not contain")


def test_a_100_mb_payload_imports_nothing(store: Engine, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    with pytest.raises(StixInputError, match="over the import limit"), transaction(store) as s:
        import_location(s, str(huge), config=ShareConfig())
    assert counts(store) == (0, 0)


def test_import_from_a_url_with_the_size_limit(store: Engine, tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(OPENCTI.read_bytes())
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/b.json"
    try:
        with pytest.raises(StixInputError, match="over the import limit"), transaction(store) as s:
            import_location(s, url, config=ShareConfig(max_import_bytes=1000))
        assert counts(store) == (0, 0)
        with transaction(store) as session:
            result = import_location(session, url)
        assert len(result.documents) == 2
    finally:
        server.shutdown()
