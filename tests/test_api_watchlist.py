"""The editors over the API on SQLite and PostgreSQL, on a real uvicorn server: loading the
watchlist (a file or a JSON body) re-labels the threads and cases of a renamed protectee as
`watchfloor watchlist load` does, is refused to a reader and without a CSRF token, loads
nothing of a bad file and names the field, and is audited under the login; one protectee is
added, changed and taken off; an admin's reader record decides at once what a new member of
staff may read; an analyst sets a source's default marking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from review_support import add_document
from sqlalchemy import Engine
from web_support import PASSWORD, add_staff, login, serving, watch_floor_policy  # noqa: F401

from watchfloor.api.identity import set_password
from watchfloor.store.engine import transaction
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import add_user

SERIES = Path(__file__).resolve().parent / "data" / "series"
PROBLEM = "application/problem+json"


@pytest.fixture
def staffed(store: Engine, watch_floor_policy: object) -> Iterator[Engine]:  # noqa: F811
    add_staff(store)
    yield store


def _series() -> dict[str, Any]:
    """The series watchlist as a JSON body (its dates as YYYY-MM-DD text)."""
    data = yaml.safe_load((SERIES / "watchlist.yaml").read_text(encoding="utf-8"))
    body: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return body


def _names(client: httpx.Client) -> dict[str, tuple[str, bool]]:
    items = client.get("/api/v1/protectees").json()["items"]
    return {p["id"]: (p["name"], p["current"]) for p in items}


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    detail: str = response.json()["detail"]
    return detail


def _upload_series(client: httpx.Client, csrf: str) -> None:
    manifest = yaml.safe_load((SERIES / "series.yaml").read_text(encoding="utf-8"))
    for entry in manifest["escalating"]:
        path = SERIES / entry["file"]
        done = client.post(
            "/api/v1/documents",
            files={"file": (path.name, path.read_bytes(), "text/plain")},
            data={"published": str(entry["day"])},
            headers={"X-CSRF-Token": csrf},
        )
        assert done.status_code == 201, done.text


def test_a_load_relabels_threads_refuses_bad_input_and_is_audited(staffed: Engine) -> None:
    watchlist = (SERIES / "watchlist.yaml").read_bytes()
    upload = {"file": ("people.yaml", watchlist, "application/yaml")}
    with serving(staffed) as base:
        analyst, csrf = login(base, "ana-analyst")
        reader, reader_csrf = login(base, "rey-reader")
        duty, duty_csrf = login(base, "dov-duty")
        for who, token in ((reader, reader_csrf), (duty, duty_csrf)):
            refused = who.put(
                "/api/v1/watchlist/file", files=upload, headers={"X-CSRF-Token": token}
            )
            assert "'watchlist' permission" in _problem(refused, 403)
        # A session without its CSRF token is refused before anything is read.
        assert "CSRF" in _problem(analyst.put("/api/v1/watchlist/file", files=upload), 403)
        assert _names(analyst) == {}

        loaded = analyst.put("/api/v1/watchlist/file", files=upload, headers={"X-CSRF-Token": csrf})
        assert loaded.status_code == 200, loaded.text
        assert loaded.json()["added"] == ["ines-duarte", "jonas-berg"]
        _upload_series(analyst, csrf)
        [thread] = analyst.get("/api/v1/threads", params={"protectee": "ines-duarte"}).json()[
            "items"
        ]
        assert thread["target"] == "Ines Duarte"
        cases = [c for c in analyst.get("/api/v1/cases").json()["items"]]
        assert [c["target"] for c in cases if c["protectee"] == "ines-duarte"] == ["Ines Duarte"]

        # Bad input, as a file and as a body: one problem naming the entry, field and fix, and
        # nothing of it stored (the good first entry included).
        bad = _series()
        bad["protectees"][0]["name"] = "Somebody Else"
        bad["protectees"][1]["roles"][0]["since"] = "2028-13-01"
        body = analyst.put("/api/v1/watchlist", json=bad, headers={"X-CSRF-Token": csrf})
        detail = _problem(body, 422)
        assert "entry jonas-berg" in detail and "field roles.0.since" in detail
        assert "YYYY-MM-DD" in detail
        csv = "id,name,role_title\nines-duarte,Someone,Governor\nbad id,X,\n"
        files = {"file": ("people.csv", csv.encode(), "text/csv")}
        as_file = analyst.put("/api/v1/watchlist/file", files=files, headers={"X-CSRF-Token": csrf})
        detail = _problem(as_file, 422)
        assert "upload:people.csv" in detail and "field id" in detail and "no spaces" in detail
        unknown = {"file": ("people.txt", watchlist, "text/plain")}
        wrong = analyst.put("/api/v1/watchlist/file", files=unknown, headers={"X-CSRF-Token": csrf})
        assert ".yaml, .yml, .json or .csv" in _problem(wrong, 422)
        assert _names(analyst)["ines-duarte"] == ("Ines Duarte", True)

        # A rename as a JSON body: the board and the open case take the new name.
        renamed = _series()
        renamed["protectees"][0]["name"] = "Inês Duarte-Silva"
        done = analyst.put("/api/v1/watchlist", json=renamed, headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200, done.text
        assert done.json()["renamed"] == ["ines-duarte"]
        assert done.json()["unchanged"] == ["jonas-berg"]
        [thread] = analyst.get("/api/v1/threads", params={"protectee": "ines-duarte"}).json()[
            "items"
        ]
        assert thread["target"] == "Inês Duarte-Silva"
        cases = analyst.get("/api/v1/cases").json()["items"]
        assert [c["target"] for c in cases if c["protectee"] == "ines-duarte"] == [
            "Inês Duarte-Silva"
        ]

        admin, _ = login(base, "ada-admin")
        entries = admin.get("/api/v1/audit", params={"limit": 200}).json()["items"]
        loads = [e for e in entries if e["action"] == "watchlist.load"]
        # Newest first: the body, then the file; the refused attempts left no entry.
        assert [(e["actor"], e["subject_id"]) for e in loads] == [
            ("ana-analyst", "request body"),
            ("ana-analyst", "upload:people.yaml"),
        ]
        assert admin.get("/api/v1/audit/verify").json()["ok"]


def test_one_protectee_is_added_changed_and_taken_off(staffed: Engine) -> None:
    with serving(staffed) as base:
        analyst, csrf = login(base, "ana-analyst")
        head = {"X-CSRF-Token": csrf}
        assert analyst.put("/api/v1/watchlist", json=_series(), headers=head).status_code == 200
        person = {
            "name": "Amara Okafor",
            "aliases": ["Ambassador Okafor"],
            "roles": [{"title": "Ambassador", "organization": "Nigeria", "since": "2024-02-01"}],
            "notify": {"email": "desk@example.org"},
        }
        added = analyst.put("/api/v1/protectees/amara-okafor", json=person, headers=head)
        assert added.status_code == 200, added.text
        assert added.json()["added"] == ["amara-okafor"]
        assert set(added.json()["unchanged"]) == {"ines-duarte", "jonas-berg"}
        person["aliases"] = ["Ambassador Okafor", "Ms Okafor"]
        changed = analyst.put("/api/v1/protectees/amara-okafor", json=person, headers=head)
        assert changed.json()["updated"] == ["amara-okafor"]
        [stored] = [
            p
            for p in analyst.get("/api/v1/protectees").json()["items"]
            if p["id"] == "amara-okafor"
        ]
        assert stored["aliases"] == ["Ambassador Okafor", "Ms Okafor"]
        assert stored["roles"] == [
            {"title": "Ambassador", "organization": "Nigeria", "since": "2024-02-01"}
        ]

        other = analyst.put(
            "/api/v1/protectees/amara-okafor", json={**person, "id": "bo-li"}, headers=head
        )
        assert "differs from the path" in _problem(other, 422)
        blank = analyst.put("/api/v1/protectees/bo-li", json={"aliases": []}, headers=head)
        assert "field name" in _problem(blank, 422)
        nul = analyst.put("/api/v1/protectees/bo-li", json={"name": "Bo\u0000Li"}, headers=head)
        assert "NUL" in _problem(nul, 422)
        assert "bo-li" not in _names(analyst)

        gone = analyst.delete("/api/v1/protectees/jonas-berg", headers=head)
        assert gone.json()["no_longer_listed"] == ["jonas-berg"]
        assert _names(analyst)["jonas-berg"] == ("Jonas Berg", False)
        assert _problem(analyst.delete("/api/v1/protectees/jonas-berg", headers=head), 404)

        # A token acts with its scopes: `read` alone may not edit, `watchlist` may.
        tokens = {}
        for scope in ("read", "watchlist"):
            issued = analyst.post(
                "/api/v1/tokens", json={"label": scope, "scopes": [scope]}, headers=head
            )
            tokens[scope] = {"Authorization": f"Bearer {issued.json()['token']}"}
        with httpx.Client(base_url=base, timeout=60) as machine:
            url = "/api/v1/protectees/jonas-berg"
            body = {"name": "Jonas Berg", "aliases": ["Mayor Berg"]}
            assert machine.put(url, json=body, headers=tokens["read"]).status_code == 403
            back = machine.put(url, json=body, headers=tokens["watchlist"])
            assert back.status_code == 200 and back.json()["added"] == []
        assert _names(analyst)["jonas-berg"] == ("Jonas Berg", True)


def test_an_admins_reader_record_decides_what_new_staff_see(staffed: Engine) -> None:
    day = date(2026, 3, 10)
    with transaction(staffed) as s:
        public = add_document(s, source="Wire", reliability="B", title="Open", day=day, marking="U")
        withheld = add_document(
            s, source="Wire", reliability="B", title="Closed", day=day, marking="S//NF"
        )
        add_user(s, "nia-new", ["reader"], email=None, by="ada-admin", policy=CasePolicy.load())
        set_password(s, "nia-new", PASSWORD, by="ada-admin")
    with serving(staffed) as base:
        admin, csrf = login(base, "ada-admin")
        head = {"X-CSRF-Token": csrf}
        newcomer, _ = login(base, "nia-new")

        def seen() -> list[int]:
            return [d["id"] for d in newcomer.get("/api/v1/documents").json()["items"]]

        assert seen() == []  # no reader record: nothing marked
        analyst, analyst_csrf = login(base, "ana-analyst")
        clear = {"name": "nia-new", "clearance": "U", "nationality": "USA"}
        refused = analyst.post(
            "/api/v1/readers", json=clear, headers={"X-CSRF-Token": analyst_csrf}
        )
        assert "'admin' permission" in _problem(refused, 403)
        assert "CSRF" in _problem(admin.post("/api/v1/readers", json=clear), 403)
        typo = admin.post("/api/v1/readers", json={**clear, "clearance": "SECRETISH"}, headers=head)
        assert "clearance" in _problem(typo, 422)
        assert seen() == []

        added = admin.post("/api/v1/readers", json=clear, headers=head)
        assert added.status_code == 201, added.text
        assert added.json()["clearance"] == "U"
        assert seen() == [public]
        assert _problem(newcomer.get(f"/api/v1/documents/{withheld}"), 404)
        assert "Closed" not in newcomer.get("/api/v1/search", params={"q": "Closed"}).text

        raised = admin.post("/api/v1/readers", json={**clear, "clearance": "S"}, headers=head)
        assert raised.status_code == 200 and raised.json()["clearance"] == "S"
        assert sorted(seen()) == sorted([public, withheld])
        assert admin.delete("/api/v1/readers/nia-new", headers=head).status_code == 204
        assert seen() == []
        assert _problem(admin.delete("/api/v1/readers/nia-new", headers=head), 404)
        listed = admin.get("/api/v1/readers").json()["items"]
        assert "nia-new" not in [r["name"] for r in listed]

        entries = admin.get("/api/v1/audit", params={"limit": 200}).json()["items"]
        mine = [(e["action"], e["actor"]) for e in entries if e["subject_id"] == "nia-new"]
        assert mine[:3] == [
            ("reader.remove", "ada-admin"),
            ("reader.update", "ada-admin"),
            ("reader.add", "ada-admin"),
        ]


def test_an_analyst_sets_a_sources_marking(staffed: Engine) -> None:
    day = date(2026, 3, 10)
    with transaction(staffed) as s:
        doc = add_document(s, source="Wire", reliability="B", title="Open", day=day, marking="U")
        add_document(
            s, source="Hidden", reliability="B", title="Shut", day=day, marking="TS//SI//NF"
        )
    with serving(staffed) as base:
        analyst, csrf = login(base, "ana-analyst")
        reader, reader_csrf = login(base, "rey-reader")
        head = {"X-CSRF-Token": csrf}
        body = {"marking": "TLP:GREEN", "reason": "open reporting", "documents": True}
        no = reader.post(
            "/api/v1/sources/Wire/marking", json=body, headers={"X-CSRF-Token": reader_csrf}
        )
        assert "'edit' permission" in _problem(no, 403)
        bad = analyst.post(
            "/api/v1/sources/Wire/marking", json={**body, "marking": "TLP:PURPLE"}, headers=head
        )
        assert "TLP:PURPLE" in _problem(bad, 422)
        done = analyst.post("/api/v1/sources/Wire/marking", json=body, headers=head)
        assert done.status_code == 200, done.text
        assert done.json() == {"source": "Wire", "marking": "TLP:GREEN", "documents_remarked": 1}
        assert analyst.get(f"/api/v1/documents/{doc}").json()["marking"] == "TLP:GREEN"
        sources = {s["name"]: s["marking"] for s in analyst.get("/api/v1/sources").json()["items"]}
        assert sources["Wire"] == "TLP:GREEN"
        # The analyst is not cleared for SI: Hidden is no source of theirs, as if it did not exist.
        hidden = analyst.post("/api/v1/sources/Hidden/marking", json=body, headers=head)
        assert _problem(hidden, 404) == "source Hidden not found"
        # The /sources page's form does the same, with its CSRF token.
        form = {"source": "Wire", "marking": "U", "reason": "public wire", "csrf_token": csrf}
        posted = analyst.post("/sources/mark", data=form)
        assert posted.status_code == 303 and "done=" in posted.headers["location"]
        assert analyst.post("/sources/mark", data={**form, "csrf_token": ""}).status_code == 403
        sources = {s["name"]: s["marking"] for s in analyst.get("/api/v1/sources").json()["items"]}
        assert sources["Wire"] == "UNCLASSIFIED"  # stored as its banner
        admin, _ = login(base, "ada-admin")
        entries = admin.get("/api/v1/audit", params={"limit": 200}).json()["items"]
        marked = [(e["actor"], e["subject_id"]) for e in entries if e["action"] == "source.mark"]
        assert marked == [("ana-analyst", "Wire"), ("ana-analyst", "Wire")]


def test_the_editor_forms_need_their_csrf_token(staffed: Engine) -> None:
    with serving(staffed) as base:
        analyst, csrf = login(base, "ana-analyst")
        form = {"protectee_id": "bo-li", "name": "Bo Li", "role_title": "Mayor"}
        refused = analyst.post("/protectees/save", data=form)
        assert refused.status_code == 403
        saved = analyst.post("/protectees/save", data={**form, "csrf_token": csrf})
        assert saved.status_code == 303, saved.text
        assert _names(analyst) == {"bo-li": ("Bo Li", True)}
        page = analyst.get("/protectees", params={"edit": "bo-li"}).text
        assert 'value="Bo Li"' in page and 'name="csrf_token"' in page
        reader, reader_csrf = login(base, "rey-reader")
        assert "Add a protectee" not in reader.get("/protectees").text
        nope = reader.post("/protectees/save", data={**form, "csrf_token": reader_csrf})
        assert "needs" in httpx.QueryParams(nope.headers["location"].split("?", 1)[1])["error"]
        assert reader.get("/admin/readers").status_code == 403
