"""The TAXII 2.1 server read by `taxii2-client` over a real socket: discovery, API root,
collections, objects with added_after, match[...] filters and pagination, manifests and
versions, tokens; each client sees only what its markings allow (a property test over random
stores); importing from a TAXII collection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from share_support import ANALYST, GREEN_READER, POLICY
from sqlalchemy import Engine, delete
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages
from taxii_support import Bearer, taxii_server

from watchfloor.publish.markings import parse_marking
from watchfloor.share import collection as shared
from watchfloor.share.stixmarkings import tlp_table
from watchfloor.share.taxii.client import import_collection
from watchfloor.share.taxii.server import collection_id
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.sharing import StixObject

TOKENS = {"green-token": GREEN_READER, "analyst-token": ANALYST}
LABELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
GREEN_MAY_SEE = {"CLEAR", "GREEN"}


def actor(label: str, number: int, modified: str = "2031-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": f"threat-actor--{uuid.UUID(int=number, version=4)}",
        "created": "2031-01-01T00:00:00.000Z",
        "modified": modified,
        "name": f"Actor {number} ({label})",
        "object_marking_refs": [tlp_table().ids[label]],
    }


def publish(engine: Engine, objects: list[tuple[dict[str, Any], str]]) -> None:
    with transaction(engine) as session:
        for obj, label in objects:
            shared.put(session, shared.PUBLISHED, obj, parse_marking(f"TLP:{label}"))


@pytest.fixture(scope="module")
def module_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('taxii') / 'store.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def url(module_store: Engine) -> Iterator[str]:
    with taxii_server(module_store, TOKENS, POLICY) as base:
        yield base


@pytest.fixture
def engine(module_store: Engine) -> Engine:
    with transaction(module_store) as session:
        session.execute(delete(StixObject))
    return module_store


def objects_url(url: str, name: str = shared.PUBLISHED) -> str:
    return f"{url}/taxii2/watchfloor/collections/{collection_id(name)}/"


def everything(url: str, token: str, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    coll = Collection(objects_url(url), auth=Bearer(token))
    for page in as_pages(coll.get_objects, per_request=3, **filters):
        found += page.get("objects", [])
    return found


def test_discovery_root_and_collections(engine: Engine, url: str) -> None:
    publish(engine, [(actor("GREEN", 1), "GREEN")])
    server = Server(f"{url}/taxii2/", auth=Bearer("green-token"))
    assert server.title == "watchfloor"
    root: ApiRoot = server.default
    assert "application/taxii+json;version=2.1" in root.versions
    titles = {c.title: c for c in root.collections}
    assert shared.PUBLISHED in titles
    assert titles[shared.PUBLISHED].can_read and not titles[shared.PUBLISHED].can_write


def test_no_token_or_a_wrong_one_is_refused(engine: Engine, url: str) -> None:
    assert requests.get(f"{url}/taxii2/", timeout=10).status_code == 401
    reply = requests.get(f"{url}/taxii2/", auth=Bearer("guess"), timeout=10)
    assert reply.status_code == 401 and reply.json()["title"] == "Authentication required"
    with pytest.raises((TAXIIServiceException, requests.HTTPError)):
        Server(f"{url}/taxii2/", auth=Bearer("guess")).refresh()


def test_objects_filters_pages_manifest_and_versions(engine: Engine, url: str) -> None:
    first = actor("GREEN", 1)
    newer = actor("GREEN", 1, modified="2031-02-01T00:00:00.000Z")
    publish(engine, [(first, "GREEN")] + [(actor("CLEAR", n), "CLEAR") for n in range(2, 9)])
    time.sleep(0.05)
    cut = datetime.now(UTC)
    time.sleep(0.05)
    publish(engine, [(newer, "GREEN")])
    everyone = everything(url, "green-token")
    assert len(everyone) == 8  # the latest version of each, over three pages
    assert next(o for o in everyone if o["id"] == first["id"])["modified"] == newer["modified"]
    coll = Collection(objects_url(url), auth=Bearer("green-token"))
    later = coll.get_objects(added_after=cut.isoformat())
    assert [o["id"] for o in later["objects"]] == [first["id"]]
    only = coll.get_objects(id=first["id"], version="all")
    assert sorted(o["modified"] for o in only["objects"]) == [first["modified"], newer["modified"]]
    assert coll.get_objects(type="identity").get("objects") is None
    versions = coll.object_versions(first["id"])
    assert versions["versions"] == ["2031-01-01T00:00:00.000Z", "2031-02-01T00:00:00.000Z"]
    manifest = coll.get_manifest(version="first")
    record = next(m for m in manifest["objects"] if m["id"] == first["id"])
    assert record["version"] == first["modified"]
    assert record["media_type"] == "application/stix+json;version=2.1"
    one = coll.get_object(first["id"])
    assert one["objects"][0]["modified"] == newer["modified"]


def test_a_green_client_is_never_sent_an_amber_object_by_id(engine: Engine, url: str) -> None:
    amber = actor("AMBER", 77)
    publish(engine, [(amber, "AMBER")])
    reply = requests.get(
        f"{objects_url(url)}objects/{amber['id']}/", auth=Bearer("green-token"), timeout=10
    )
    assert reply.status_code == 404
    analyst = Collection(objects_url(url), auth=Bearer("analyst-token"))
    assert analyst.get_object(amber["id"])["objects"][0]["id"] == amber["id"]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(LABELS), st.integers(1, 50), st.integers(0, 2)),
        max_size=15,
    )
)
def test_a_green_token_never_receives_an_amber_object(
    engine: Engine, url: str, drawn: list[tuple[str, int, int]]
) -> None:
    with transaction(engine) as session:
        session.execute(delete(StixObject))
    stored: dict[str, str] = {}
    rows = []
    for label, number, version in drawn:
        obj = actor(label, number, modified=f"2031-0{version + 1}-01T00:00:00.000Z")
        obj["id"] = f"threat-actor--{uuid.UUID(int=number * 10 + LABELS.index(label), version=4)}"
        rows.append((obj, label))
        stored[obj["id"]] = label
    publish(engine, rows)
    received = everything(url, "green-token", version="all")
    amber_ids = {tlp_table().ids[x] for x in ("AMBER", "AMBER+STRICT", "RED")}
    for obj in received:
        assert not set(obj["object_marking_refs"]) & amber_ids, obj
    # And nothing the client may see is held back.
    assert {o["id"] for o in received} == {i for i, lab in stored.items() if lab in GREEN_MAY_SEE}


def test_import_from_a_taxii_collection(engine: Engine, url: str, store: Engine) -> None:
    publish(engine, [(actor("GREEN", 5), "GREEN"), (actor("AMBER", 6), "AMBER")])
    with transaction(store) as session:
        result = import_collection(session, objects_url(url), "green-token")
    assert result.objects == 1  # the AMBER actor is not the green client's to import
    with transaction(store) as session:
        kept = shared.rows(session, shared.IMPORTED)
    assert [k.body["name"] for k in kept] == ["Actor 5 (GREEN)"]
    assert kept[0].marking == "TLP:GREEN"


def test_the_token_table_acts_as_stored_readers(store: Engine) -> None:
    from watchfloor.publish.readers import add_reader
    from watchfloor.share.taxii.tokens import TokenTable, digest, table_authenticator

    with transaction(store) as session:
        add_reader(session, GREEN_READER, actor="test")
    table = TokenTable(tokens={digest("s3cret-green"): GREEN_READER.name, digest("x"): "nobody"})
    authenticate = table_authenticator(store, table)
    assert authenticate("s3cret-green") == GREEN_READER
    assert authenticate("wrong") is None
    assert authenticate("") is None
    assert authenticate("x") is None  # a token for a reader the store does not have
