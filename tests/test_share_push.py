"""Push: threads that change for a chosen protectee go out as STIX as they change, to a real
local webhook or to a TAXII collection of ours, with the push's reader deciding and its
recipient's pseudonyms applied; a failing webhook does not undo the assessment."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from share_support import PARTNER_READER, store_seed, validation_errors, write_watchlist
from sqlalchemy import Engine, func, select

from watchfloor.publish.readers import add_reader
from watchfloor.share import collection as shared
from watchfloor.share.config import CONFIG_ENV_VAR, default_config
from watchfloor.store.engine import transaction
from watchfloor.store.models import Thread

pytestmark = pytest.mark.shared


class Receiver:
    """A local HTTP server that keeps what is POSTed to it and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stix"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def write(push: list[dict[str, Any]]) -> None:
        path = tmp_path / "share.yaml"
        data = {"recipients": {"Partner Org": {"pseudonymize": True}}, "push": push}
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
        default_config.cache_clear()

    yield write
    default_config.cache_clear()


def seed_with_partner(store: Engine, seed_path: Path, tmp_path: Path) -> int:
    with transaction(store) as session:
        add_reader(session, PARTNER_READER, actor="test")
    return store_seed(store, seed_path, write_watchlist(tmp_path), via_hooks=True)


def test_changed_threads_of_a_protectee_are_posted_to_a_webhook(
    store: Engine, seed_path: Path, tmp_path: Path, receiver: Receiver, configure: Any
) -> None:
    configure([{"protectees": ["lana-marks"], "reader": "pat", "webhook": receiver.url}])
    seed_with_partner(store, seed_path, tmp_path)
    assert len(receiver.posts) == 1
    headers, body = receiver.posts[0]
    assert headers["Content-Type"] == "application/stix+json;version=2.1"
    bundle = json.loads(body)
    assert validation_errors(bundle) == []
    text = body.decode("utf-8").lower()
    assert "lana marks" not in text and "marks" not in text
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    with transaction(store) as session:
        about_marks = session.scalar(
            select(func.count()).select_from(Thread).where(Thread.protectee == "lana-marks")
        )
    assert reports and len(reports) <= (about_marks or 0)
    people = {o["id"] for o in bundle["objects"] if o.get("identity_class") == "individual"}
    assert len(people) == 1 and all(people & set(r["object_refs"]) for r in reports)


def test_changed_threads_are_published_to_a_taxii_collection(
    store: Engine, seed_path: Path, tmp_path: Path, configure: Any
) -> None:
    configure([{"protectees": ["lana-marks"], "reader": "pat", "collection": "partners"}])
    seed_with_partner(store, seed_path, tmp_path)
    with transaction(store) as session:
        rows = shared.rows(session, "partners")
    assert any(r.type == "report" for r in rows)
    assert all("Marks" not in json.dumps(r.body) for r in rows)


def test_other_protectees_and_failing_webhooks_do_not_stop_assessment(
    store: Engine, seed_path: Path, tmp_path: Path, configure: Any
) -> None:
    failing = Receiver(status=500)
    quiet = Receiver()
    try:
        configure(
            [
                {"protectees": ["lana-marks"], "reader": "pat", "webhook": failing.url},
                {"protectees": ["nobody-here"], "reader": "pat", "webhook": quiet.url},
            ]
        )
        seed_with_partner(store, seed_path, tmp_path)
        assert len(failing.posts) == 1 and quiet.posts == []
        with transaction(store) as session:
            assert (session.scalar(select(func.count()).select_from(Thread)) or 0) > 0
    finally:
        failing.close()
        quiet.close()
