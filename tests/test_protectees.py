"""The watchlist kept in the store, on both stores: `watchlist load` / `ingest --watchlist`
store the protectees; the board, thread page, cases and warning drafts show their names; `case
warn` finds notify contacts without --watchlist; a changed watchlist updates them; loads are
audited."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Backend
from sqlalchemy import Engine
from typer.testing import CliRunner

from watchfloor.cli import app
from watchfloor.link import Notify, Protectee, Watchlist
from watchfloor.link.protectees import StoredWatchlist, list_protectees, protectee_names
from watchfloor.link.sync import sync_watchlist
from watchfloor.store import audit
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.models import AuditEntry

SERIES = Path(__file__).resolve().parent / "data" / "series"
runner = CliRunner()


def write_watchlist(path: Path, name: str, email: str) -> Path:
    """The series watchlist with Ines Duarte renamed and given a notify address."""
    data = yaml.safe_load((SERIES / "watchlist.yaml").read_text(encoding="utf-8"))
    [duarte] = [p for p in data["protectees"] if p["id"] == "ines-duarte"]
    duarte["name"] = name
    duarte["notify"] = {"email": email}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def watchlist_of(*people: tuple[str, str, str | None]) -> Watchlist:
    return Watchlist(
        (
            Protectee(id=pid, name=name, notify=Notify(email=email) if email else None)
            for pid, name, email in people
        ),
        source="people.yaml",
    )


def test_loading_adds_updates_keeps_and_audits(store: Engine) -> None:
    first = watchlist_of(
        ("amara-okafor", "Amara Okafor", "a@example.org"), ("bo-li", "Bo Li", None)
    )
    with transaction(store) as s:
        summary = sync_watchlist(s, first, actor="ana", sha256="1" * 64)
    assert (summary.added, summary.updated) == (("amara-okafor", "bo-li"), ())
    second = watchlist_of(("amara-okafor", "Amara N. Okafor", "desk@example.org"))
    with transaction(store) as s:
        again = sync_watchlist(s, second, actor="ana", sha256="2" * 64)
        people = {p.id: p for p in list_protectees(s)}
        found = StoredWatchlist(s).get("amara-okafor")
        names = protectee_names(s, ["amara-okafor", "bo-li", "nobody"])
        entries = audit.entries_for(s, "watchlist", "people.yaml")
        assert audit.verify(s).ok
    assert again.updated == ("amara-okafor",) and again.renamed == ("amara-okafor",)
    assert again.no_longer_listed == ("bo-li",)
    # Dropped from the file but kept: threads and cases may still refer to them.
    assert set(people) == {"amara-okafor", "bo-li"} and not people["bo-li"].current
    assert found is not None and found.notify is not None
    assert (found.name, found.notify.email) == ("Amara N. Okafor", "desk@example.org")
    assert names == {"amara-okafor": "Amara N. Okafor", "bo-li": "Bo Li"}
    details = [json.loads(e.details) for e in entries]
    assert [e.action for e in entries] == ["watchlist.load", "watchlist.load"]
    assert [(d["added"], d["updated"], d["sha256"][0]) for d in details] == [
        (2, 0, "1"),
        (0, 1, "2"),
    ]
    with transaction(store) as s:
        unchanged = sync_watchlist(s, second, actor="ana", sha256="2" * 64)
    assert unchanged.unchanged == ("amara-okafor",) and not unchanged.updated


def test_names_and_contacts_come_from_the_store(backend: Backend, tmp_path: Path) -> None:
    env = backend.env(tmp_path / "home")
    env.pop("WATCHFLOOR_WATCHLIST", None)
    env.update(
        WATCHFLOOR_USER="", WATCHFLOOR_SECRET_KEY="protectee-test-key-with-at-least-32-bytes"
    )

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    def as_json(*args: str) -> Any:
        return json.loads(run(*args, "--format", "json"))

    listed = write_watchlist(tmp_path / "watchlist.yaml", "Ines Duarte", "desk@example.org")
    manifest = yaml.safe_load((SERIES / "series.yaml").read_text(encoding="utf-8"))
    for entry in manifest["escalating"]:
        out = run(
            "ingest", str(SERIES / entry["file"]), "--source", "Coast Wire",
            "--published", str(entry["day"]), "--watchlist", str(listed),
        )  # fmt: skip
        assert "1 stored" in out
    stored = {p["id"]: p for p in as_json("watchlist", "list")}
    assert stored["ines-duarte"]["name"] == "Ines Duarte"
    assert stored["ines-duarte"]["notify"]["email"] == "desk@example.org"
    assert stored["jonas-berg"]["aliases"] == ["Mayor Berg"]

    [row] = [r for r in as_json("threats") if r["protectee"] == "ines-duarte"]
    assert row["target"] == "Ines Duarte"
    board = run("threats")
    assert "Ines Duarte" in board and "ines-duarte" not in board  # people by name, not by id
    thread = as_json("threat", str(row["id"]))
    assert thread["target"] == "Ines Duarte"
    assert any("Ines Duarte" in r["reason"] for r in thread["rationale"]), thread["rationale"]

    run("users", "add", "root", "--role", "admin")
    run("users", "add", "dora", "--role", "duty_officer", "--as", "root")
    [case] = [c for c in as_json("cases", "--as", "dora") if c["protectee"] == "ines-duarte"]
    assert case["target"] == "Ines Duarte", case

    # A changed watchlist: new name and new contact, loaded without ingesting.
    changed = write_watchlist(tmp_path / "changed.yaml", "Inês Duarte-Silva", "ops@example.org")
    assert "1 updated" in run("watchlist", "load", str(changed), "--as", "ana")
    [row] = [r for r in as_json("threats") if r["protectee"] == "ines-duarte"]
    assert row["target"] == "Inês Duarte-Silva"
    draft = run("case", "warn", str(case["id"]), "--as", "dora")
    assert "Inês Duarte-Silva" in draft and "ops@example.org" in draft
    assert "desk@example.org" not in draft
    assert "queued notice" in run("case", "warn", str(case["id"]), "--as", "dora", "--confirm")
    [notice] = as_json("outbox")
    assert notice["recipient"] == "ops@example.org"

    engine = make_engine(backend.url)
    try:
        with transaction(engine) as s:
            loads = [e for e in s.query(AuditEntry).filter_by(action="watchlist.load")]
            details = [json.loads(e.details) for e in loads]
    finally:
        engine.dispose()
    sha = hashlib.sha256(changed.read_bytes()).hexdigest()
    assert details[0]["added"] == 2 and details[-1]["sha256"] == sha
    assert details[-1]["updated"] == 1 and loads[-1].actor == "ana"


@pytest.mark.parametrize("content", ["protectees:\n  - {id: a, name: A}\n  - {id: a, name: B}\n"])
def test_a_bad_watchlist_is_refused(backend: Backend, tmp_path: Path, content: str) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(content, encoding="utf-8")
    env = backend.env(tmp_path / "home")
    result = runner.invoke(app, ["watchlist", "load", str(path)], env=env)
    assert result.exit_code == 2 and "duplicate id" in result.output
    listed = runner.invoke(app, ["watchlist", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0 and json.loads(listed.output) == []
