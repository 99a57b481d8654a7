"""STIX and TAXII from `watchfloor serve` on a real uvicorn server: TAXII 2.1 at /taxii2/ read
by `taxii2-client` with the API's own tokens (the taxii scope; revoked is 401, without the
scope 403), a TLP:GREEN token never sent an AMBER object (a property over random stores),
/api/v1/stix/export equal to `watchfloor export stix` for the same reader, and
/api/v1/stix/import whole or not at all."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from conftest import Backend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from share_support import ANALYST, GREEN_READER
from sqlalchemy import Engine, delete, func, select
from taxii2client.v21 import Collection, Server, as_pages
from taxii_support import Bearer
from web_support import PASSWORD, login, serving

from watchfloor.api.identity import issue_token, set_password
from watchfloor.api.settings import identity_settings
from watchfloor.publish.access import POLICY_ENV_VAR, Reader, default_policy
from watchfloor.publish.markings import parse_marking
from watchfloor.publish.readers import add_reader
from watchfloor.share import collection as shared
from watchfloor.share.config import CONFIG_ENV_VAR, default_config
from watchfloor.share.stixmarkings import tlp_table
from watchfloor.share.taxii.server import collection_id
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Document
from watchfloor.store.sharing import StixObject
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
OPENCTI = Path(__file__).resolve().parent / "data" / "share" / "opencti_bundle.json"
LABELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
GREEN_MAY_SEE = {"CLEAR", "GREEN"}
ACCESS = """own_organization: Watch Desk
client_organizations: [Partner Org]
community_organizations: [Watch Desk, Partner Org, Green Club]
"""
# Staff: name -> (roles, reader). The first is the bootstrap admin.
PEOPLE: dict[str, tuple[list[str], Reader]] = {
    "ada": (["admin"], Reader("ada", "U", nationality="USA", organization="Watch Desk")),
    ANALYST.name: (["analyst"], ANALYST),
    GREEN_READER.name: (["reader"], GREEN_READER),
}


@pytest.fixture(scope="module", autouse=True)
def access_policy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The access policy in force for the server and the CLI alike (the environment)."""
    path = tmp_path_factory.mktemp("policy") / "access.yaml"
    path.write_text(ACCESS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(POLICY_ENV_VAR, str(path))
        default_policy.cache_clear()
        yield path
    default_policy.cache_clear()


def add_people(engine: Engine) -> None:
    with transaction(engine) as session:
        for name, (roles, reader) in PEOPLE.items():
            by = None if name == "ada" else "ada"
            add_user(session, name, roles, email=None, by=by, policy=CasePolicy.load())
            set_password(session, name, PASSWORD, by="ada")
            add_reader(session, reader, actor="ada")


def token(engine: Engine, name: str, scopes: list[str]) -> str:
    with transaction(engine) as session:
        return issue_token(session, name, "test", scopes, identity_settings(), by=name)


def actor(label: str, number: int, modified: str = "2031-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": f"threat-actor--{uuid.UUID(int=number * 10 + LABELS.index(label), version=4)}",
        "created": "2031-01-01T00:00:00.000Z",
        "modified": modified,
        "name": f"Actor {number} ({label})",
        "object_marking_refs": [tlp_table().ids[label]],
    }


def publish(engine: Engine, objects: list[tuple[dict[str, Any], str]]) -> None:
    with transaction(engine) as session:
        for obj, label in objects:
            shared.put(session, shared.PUBLISHED, obj, parse_marking(f"TLP:{label}"))


def collection_url(base: str) -> str:
    return f"{base}/taxii2/watchfloor/collections/{collection_id(shared.PUBLISHED)}/"


def everything(base: str, secret: str, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    coll = Collection(collection_url(base), auth=Bearer(secret))
    for page in as_pages(coll.get_objects, per_request=4, **filters):
        found += page.get("objects", [])
    return found


@pytest.fixture
def served(store: Engine) -> Iterator[tuple[Engine, str]]:
    add_people(store)
    with serving(store) as base:
        yield store, base


# --- TAXII on the API's tokens ------------------------------------------------------------------


def test_taxii2_client_reads_a_collection_with_an_api_token(served: tuple[Engine, str]) -> None:
    engine, base = served
    publish(engine, [(actor("GREEN", 1), "GREEN"), (actor("AMBER", 2), "AMBER")])
    # The token is issued as a person would: logged in, through the API.
    client, csrf = login(base, ANALYST.name)
    issued = client.post(
        "/api/v1/tokens",
        json={"label": "opencti", "scopes": ["taxii"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert issued.status_code == 201, issued.text
    secret = issued.json()["token"]
    server = Server(f"{base}/taxii2/", auth=Bearer(secret))
    root = server.default
    assert root is not None
    titles = [c.title for c in root.collections]
    assert shared.PUBLISHED in titles
    names = sorted(o["name"] for o in everything(base, secret))
    assert names == ["Actor 1 (GREEN)", "Actor 2 (AMBER)"]  # the analyst's own org: AMBER too
    green = token(engine, GREEN_READER.name, ["taxii"])
    assert [o["name"] for o in everything(base, green)] == ["Actor 1 (GREEN)"]


def test_taxii_refuses_a_token_without_the_scope_a_revoked_one_and_a_cookie(
    served: tuple[Engine, str],
) -> None:
    engine, base = served
    publish(engine, [(actor("GREEN", 1), "GREEN")])
    read_only = token(engine, ANALYST.name, ["read"])
    refused = requests.get(f"{base}/taxii2/", auth=Bearer(read_only), timeout=30)
    assert refused.status_code == 403
    assert "taxii" in refused.json()["description"]
    objects = requests.get(f"{collection_url(base)}objects/", auth=Bearer(read_only), timeout=30)
    assert objects.status_code == 403 and "objects" not in objects.json()
    # The same token still reads the API: the scope is what it lacks, not the login.
    assert _bearer(base, read_only).get("/api/v1/me").is_success

    client, csrf = login(base, ANALYST.name)
    issued = client.post(
        "/api/v1/tokens", json={"label": "x", "scopes": ["taxii"]}, headers={"X-CSRF-Token": csrf}
    ).json()
    assert requests.get(f"{base}/taxii2/", auth=Bearer(issued["token"]), timeout=30).ok
    # A session cookie is not a TAXII credential.
    assert client.get("/taxii2/").status_code == 401
    listed = client.get("/api/v1/tokens").json()["items"]
    revoked = next(t["id"] for t in listed if t["label"] == "x")
    assert client.delete(f"/api/v1/tokens/{revoked}", headers={"X-CSRF-Token": csrf}).is_success
    gone = requests.get(f"{collection_url(base)}objects/", auth=Bearer(issued["token"]), timeout=30)
    assert gone.status_code == 401 and "objects" not in gone.json()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, str, str]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('api-taxii') / 'store.db'}")
    upgrade(engine)
    add_people(engine)
    green = token(engine, GREEN_READER.name, ["taxii"])
    with serving(engine) as base:
        yield engine, base, green
    engine.dispose()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.sampled_from(LABELS), st.integers(1, 40), st.integers(0, 2)), max_size=12)
)
def test_a_green_api_token_never_receives_an_amber_object(
    module_server: tuple[Engine, str, str], drawn: list[tuple[str, int, int]]
) -> None:
    engine, base, green = module_server
    with transaction(engine) as session:
        session.execute(delete(StixObject))
    stored: dict[str, str] = {}
    rows = []
    for label, number, version in drawn:
        obj = actor(label, number, modified=f"2031-0{version + 1}-01T00:00:00.000Z")
        rows.append((obj, label))
        stored[obj["id"]] = label
    publish(engine, rows)
    received = everything(base, green, version="all")
    amber = {tlp_table().ids[x] for x in ("AMBER", "AMBER+STRICT", "RED")}
    for obj in received:
        assert not set(obj["object_marking_refs"]) & amber, obj
    # Nothing the token's reader may see is held back either.
    assert {o["id"] for o in received} == {i for i, lab in stored.items() if lab in GREEN_MAY_SEE}
    manifest = Collection(collection_url(base), auth=Bearer(green)).get_manifest(limit=1000)
    listed = {m["id"] for m in manifest.get("objects", [])}
    assert all(stored[i] in GREEN_MAY_SEE for i in listed)


# --- export and import through /api/v1/stix ---------------------------------------------------


def _bearer(base: str, secret: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=60)


def _counts(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        objects = session.scalar(select(func.count()).select_from(StixObject)) or 0
        documents = session.scalar(select(func.count()).select_from(Document)) or 0
    return objects, documents


def test_export_via_the_api_equals_the_cli_export_for_the_same_reader(
    backend: Backend, served: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, base = served
    ana = _bearer(base, token(engine, ANALYST.name, ["read", "ingest"]))
    imported = ana.post(
        "/api/v1/stix/import",
        content=OPENCTI.read_bytes(),
        headers={"Content-Type": "application/json"},
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["objects"] == 8 and len(imported.json()["documents"]) == 2
    for name in (ANALYST.name, GREEN_READER.name):
        api = _bearer(base, token(engine, name, ["read"]))
        answer = api.get("/api/v1/stix/export", params={"since": "2031-01-01"})
        assert answer.status_code == 200, answer.text
        cli = subprocess.run(
            [WATCHFLOOR, "export", "stix", "--reader", name, "--since", "2031-01-01"],
            env=backend.env(tmp_path),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert cli.returncode == 0, cli.stderr
        assert answer.json() == json.loads(cli.stdout)
        types = sorted(o["type"] for o in answer.json()["objects"])
        # The partner's note is AMBER: the analyst (own organization) gets it, the club not.
        assert ("note" in types) == (name == ANALYST.name)
        assert "report" in types


def test_export_takes_the_reader_from_the_login_only(served: tuple[Engine, str]) -> None:
    engine, base = served
    ana = _bearer(base, token(engine, ANALYST.name, ["ingest"]))
    assert ana.post("/api/v1/stix/import", content=OPENCTI.read_bytes()).status_code == 201
    green = _bearer(base, token(engine, GREEN_READER.name, ["read"]))
    # A reader parameter is not part of the route: it is ignored, never obeyed.
    mine = green.get("/api/v1/stix/export", params={"since": "2031-01-01"})
    asked = green.get("/api/v1/stix/export", params={"since": "2031-01-01", "reader": "ana"})
    assert asked.status_code == 200 and asked.json() == mine.json()
    assert "note" not in {o["type"] for o in asked.json()["objects"]}  # AMBER: not the club's
    two = green.get("/api/v1/stix/export", params={"thread": 1, "since": "2031-01-01"})
    assert two.status_code == 422
    assert two.headers["content-type"].startswith("application/problem+json")
    assert "choose one of" in two.json()["detail"]
    assert httpx.get(f"{base}/api/v1/stix/export?since=2031-01-01").status_code == 401


def test_an_invalid_bundle_imported_through_the_api_imports_nothing(
    served: tuple[Engine, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, base = served
    ana = _bearer(base, token(engine, ANALYST.name, ["read", "ingest"]))
    bundle = json.loads(OPENCTI.read_text(encoding="utf-8"))
    # Every object valid but one referring to an object the bundle lacks: nothing is kept.
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    report["object_refs"].append("threat-actor--00000000-0000-4000-8000-000000000999")
    before = _counts(engine)
    broken = ana.post("/api/v1/stix/import", json=bundle)
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("application/problem+json")
    assert "threat-actor--00000000-0000-4000-8000-000000000999" in broken.json()["detail"]
    assert _counts(engine) == before
    assert ana.post("/api/v1/stix/import", content=b"{not json").status_code == 422
    assert _counts(engine) == before
    # The size limit of the sharing config, as the CLI has it.
    config = tmp_path / "share.yaml"
    config.write_text("max_import_bytes: 1000\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(config))
    default_config.cache_clear()
    try:
        large = ana.post("/api/v1/stix/import", content=OPENCTI.read_bytes())
    finally:
        monkeypatch.delenv(CONFIG_ENV_VAR)
        default_config.cache_clear()
    assert large.status_code == 422 and "over the import limit of 1,000 bytes" in large.text
    assert _counts(engine) == before
    # Importing needs the ingest scope.
    reader = _bearer(base, token(engine, GREEN_READER.name, ["read"]))
    assert reader.post("/api/v1/stix/import", content=OPENCTI.read_bytes()).status_code == 403
    assert _counts(engine) == before


def test_a_recipient_may_add_pseudonyms_never_remove_them(
    served: tuple[Engine, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, base = served
    config = tmp_path / "share.yaml"
    config.write_text(
        "recipients:\n  Trusted: {pseudonymize: false}\n  Careful: {pseudonymize: true}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(CONFIG_ENV_VAR, str(config))
    default_config.cache_clear()
    try:
        club = _bearer(base, token(engine, GREEN_READER.name, ["read"]))
        desk = _bearer(base, token(engine, ANALYST.name, ["read"]))
        week = {"since": "2031-01-01"}
        # The club's own exports carry pseudonyms: naming a trusted recipient is refused.
        refused = club.get("/api/v1/stix/export", params={**week, "recipient": "Trusted"})
        assert refused.status_code == 403 and "real names" in refused.json()["detail"]
        assert club.get("/api/v1/stix/export", params={**week, "recipient": "Careful"}).is_success
        # The own organization sees real names anyway, so either recipient is allowed.
        for recipient in ("Trusted", "Careful"):
            answer = desk.get("/api/v1/stix/export", params={**week, "recipient": recipient})
            assert answer.status_code == 200, answer.text
    finally:
        monkeypatch.delenv(CONFIG_ENV_VAR)
        default_config.cache_clear()
