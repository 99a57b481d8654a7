"""The marking-leak property (tests/test_leak_property.py) extended to every API route and the
pages that list: for random stores (documents at random markings, one thread over them, its
case and the day's review) and random readers, no response a reader gets, listing, item,
search, count or review, holds a token of a document that reader may not see. Each document's
title, source, sentence and place are tokens found nowhere else, so finding one is a leak.

The app runs in-process (Starlette's TestClient) to keep each example fast; the server tests
(test_api_identity.py, test_web_journey.py) run it under uvicorn.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from review_support import POLICY
from sqlalchemy import select
from test_leak_property import (
    DAY,
    LOW,
    _fill,
    _may_see,
    _store,
    _tokens,
    some_markings,
    some_readers,
    template,  # noqa: F401 (the fixture)
)

from watchfloor.api.identity import issue_token
from watchfloor.api.settings import identity_settings
from watchfloor.publish.access import Reader
from watchfloor.publish.markings import Marking, parse_marking
from watchfloor.publish.readers import add_reader
from watchfloor.publish.review import Distribution, build_review
from watchfloor.store.engine import transaction
from watchfloor.store.models import Case, Document, Statement
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user
from watchfloor.web.app import create_app


def _routes(ids: list[int], thread_id: int) -> list[str]:
    routes = [
        "/api/v1/documents",
        "/api/v1/documents?limit=1",
        "/api/v1/statements",
        f"/api/v1/statements?thread={thread_id}",
        "/api/v1/threads",
        f"/api/v1/threads/{thread_id}",
        "/api/v1/protectees",
        "/api/v1/sources",
        "/api/v1/cases",
        "/api/v1/cases/1",
        "/api/v1/outbox",
        "/api/v1/outbox?status=pending",
        f"/api/v1/reviews/{DAY.isoformat()}",
        f"/api/v1/stix/export?thread={thread_id}",
        "/api/v1/stix/export?protectee=lana-marks",
        f"/api/v1/stix/export?review={DAY.isoformat()}",
        "/api/v1/stix/export?since=2000-01-01",
        "/api/v1/stix/export?since=2000-01-01&recipient=Partner%20Org",
        "/board",
        f"/threads/{thread_id}",
        "/cases",
        "/sources",
        f"/reviews/{DAY.isoformat()}/copy",
        # The editors' pages and listings (a reader gets a 403 from those of admins).
        "/protectees",
        "/protectees?edit=lana-marks",
        "/admin/readers",
        "/api/v1/readers",
    ]
    routes += [f"/api/v1/documents/{i}" for i in ids]
    routes += [f"/documents/{i}" for i in ids]
    routes += [f"/api/v1/search?q=Sentence{i}qz" for i in range(len(ids))]
    routes += [f"/search?q=Title{i}qz" for i in range(len(ids))]
    return routes


def _setup(engine: object, people: list[Reader], thread_id: int) -> dict[str, str]:
    """Each reader as a member of staff with the reader role and a read token; one case."""
    tokens = {}
    with transaction(engine) as s:  # type: ignore[arg-type]
        s.add(
            Case(
                id=1,
                thread_id=thread_id,
                thread_key="k",
                target_label="Lana Marks",
                actor_label="Iran",
                harm="kill",
                grades=json.dumps({"status": "planned"}),
                rationale="[]",
                deadline=datetime(2026, 3, 11, tzinfo=UTC),
            )
        )
        add_user(s, "admin", ["admin"], email=None, by=None, policy=CasePolicy.load())
        for person in people:
            add_reader(s, person, actor="tester")
            add_user(s, person.name, ["reader"], email=None, by="admin", policy=CasePolicy.load())
            tokens[person.name] = issue_token(
                s, person.name, "leak", ["read"], identity_settings(), by="admin"
            )
        build_review(s, DAY, actor="tester", distribution=Distribution(readers=frozenset(tokens)))
    return tokens


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example(marks=[parse_marking("U"), parse_marking("TS//SI//NF")], copies=[0], people=[LOW])
@given(
    marks=st.lists(some_markings, min_size=2, max_size=4),
    copies=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=2, unique=True),
    people=st.lists(some_readers, min_size=1, max_size=2, unique_by=lambda r: r.name),
)
def test_no_api_route_gives_a_reader_what_they_may_not_see(
    template: Path,  # noqa: F811
    marks: list[Marking],
    copies: list[int],
    people: list[Reader],
) -> None:
    engine, folder = _store(template)
    try:
        thread_id = _fill(engine, marks, [c for c in copies if c < len(marks)])
        tokens = _setup(engine, people, thread_id)
        with transaction(engine) as s:
            ids = list(s.scalars(select(Document.id).order_by(Document.id)))
            cited = set(
                s.scalars(select(Statement.document_id).where(Statement.thread_id == thread_id))
            )
        client = TestClient(create_app(engine, policy=POLICY))
        for person in people:
            headers = {"Authorization": f"Bearer {tokens[person.name]}"}
            hidden = [d for d, m in enumerate(marks) if not _may_see(person, m)]
            seen = [d for d, m in enumerate(marks) if _may_see(person, m)]
            listing = client.get("/api/v1/documents", headers=headers).json()
            assert len(listing["items"]) == len(seen)  # counts after the filter
            threads = client.get("/api/v1/threads", headers=headers).json()
            # The thread shows only when every document it cites may be seen.
            assert threads["count"] == (0 if any(ids[d] in cited for d in hidden) else 1)
            # The export covers the thread exactly when the board shows it: every document it
            # cites may be seen.
            bundle = client.get(f"/api/v1/stix/export?thread={thread_id}", headers=headers)
            exported = {o["type"] for o in bundle.json()["objects"]}
            whole = bool(cited) and not any(ids[d] in cited for d in hidden)
            assert ("report" in exported) == whole
            # A thread's statements are listed exactly when its page may be seen.
            listed = client.get(f"/api/v1/statements?thread={thread_id}", headers=headers)
            assert listed.status_code == (200 if threads["count"] else 404)
            for route in _routes(ids, thread_id):
                response = client.get(route, headers=headers)
                assert response.status_code < 500, (route, response.text)
                for d in hidden:
                    for token in _tokens(d):
                        # The query a search was asked for is echoed back, not found.
                        body = response.text.replace(f"q={token}", "")
                        body = body.replace(f'value="{token}"', "")
                        assert token not in body, f"{token} ({marks[d].banner()}) at {route}"
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
