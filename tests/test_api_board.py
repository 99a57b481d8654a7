"""The board over the API on SQLite and PostgreSQL: priority order, keyset pages that neither
repeat nor skip a thread, the standing filter and its count, ETags, and the reader's filter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from review_support import add_document, add_thread, assessment
from sqlalchemy import Engine, update
from web_support import add_staff, login, serving, watch_floor_policy  # noqa: F401

from watchfloor.store.engine import transaction
from watchfloor.store.models import Thread

DAY = date(2026, 3, 10)


@pytest.fixture
def board_store(store: Engine, watch_floor_policy: object) -> Iterator[Engine]:  # noqa: F811
    add_staff(store)
    with transaction(store) as s:
        for i in range(7):
            marking = "S//NF" if i == 6 else "U"  # the last one is withheld from the U reader
            doc = add_document(
                s, source="Wire", reliability="B", title=f"T{i}", day=DAY, marking=marking
            )
            a = assessment(
                key=f"k{i}", actor=f"Group {i}", target=f"Person {i}", harm="kill",
                likelihood="likely", likelihood_range=(55, 80), confidence="moderate",
                priority=float(10 - i), first_seen=DAY, last_seen=DAY, document_ids=(doc,),
            )  # fmt: skip
            thread_id = add_thread(s, replace(a, standing="history" if i % 3 == 0 else "live"))
            if i == 5:  # same priority as thread 4: the id breaks the tie
                s.execute(update(Thread).where(Thread.id == thread_id).values(priority=6.0))
    yield store


def test_board_pages_filters_and_counts(board_store: Engine) -> None:
    with serving(board_store) as base:
        analyst, _ = login(base, "ana-analyst")
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            body = analyst.get("/api/v1/threads", params=params).json()
            assert body["count"] == 7
            seen += [t["target"] for t in body["items"]]
            cursor = body["next"]
            if cursor is None:
                break
        assert seen == [f"Person {i}" for i in (0, 1, 2, 3, 4, 5, 6)]
        history = analyst.get("/api/v1/threads", params={"standing": "history"}).json()
        assert [t["target"] for t in history["items"]] == ["Person 0", "Person 3", "Person 6"]
        assert history["count"] == 3 and all(t["standing"] == "history" for t in history["items"])
        first = history["items"][0]
        assert first["imminence"] == "near" and first["specificity"] == pytest.approx(0.6)
        reader, _ = login(base, "rey-reader")
        mine = reader.get("/api/v1/threads", params={"standing": "history"}).json()
        assert [t["target"] for t in mine["items"]] == ["Person 0", "Person 3"]
        assert mine["count"] == 2
        assert "Person 6" not in json.dumps(reader.get("/api/v1/threads").json())
        assert reader.get("/api/v1/threads", params={"standing": "soon"}).status_code == 422


def test_a_submitted_url_is_fetched_and_ingested(
    store: Engine,
    tmp_path: object,
    watch_floor_policy: object,  # noqa: F811
) -> None:
    import functools
    import http.server
    import threading
    from pathlib import Path

    folder = Path(str(tmp_path)) / "site"
    folder.mkdir()
    (folder / "report.txt").write_text(
        "Militants are planning to kill Ambassador Amara Okafor in Nairobi, officials said.\n",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    add_staff(store)
    try:
        with serving(store) as base:
            client, csrf = login(base, "ana-analyst")
            url = f"http://127.0.0.1:{site.server_address[1]}/report.txt"
            headers = {"X-CSRF-Token": csrf}
            done = client.post("/api/v1/documents/url", json={"url": url}, headers=headers)
            assert done.status_code == 201, done.text
            assert done.json()["statements"] >= 1
            again = client.post("/api/v1/documents/url", json={"url": url}, headers=headers)
            assert again.json()["status"] == "repeat"
            bad = client.post("/api/v1/documents/url", json={"url": "ftp://x/y"}, headers=headers)
            assert bad.status_code == 422
            sources = client.get("/api/v1/sources").json()["items"]
            assert [s["name"] for s in sources] == ["127.0.0.1"]
    finally:
        site.shutdown()
