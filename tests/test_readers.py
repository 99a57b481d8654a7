"""Readers: checked on the way in, stored, listed, changed only on purpose, audited."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Backend
from sqlalchemy import Engine

from watchfloor.publish.readers import (
    ReaderError,
    add_reader,
    get_reader,
    list_readers,
    make_reader,
    remove_reader,
)
from watchfloor.publish.review import ReviewError
from watchfloor.store import audit
from watchfloor.store.engine import transaction

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")


def test_make_reader_normalises() -> None:
    reader = make_reader(
        "dana",
        clearance="top secret",
        nationality="usa",
        compartments=["si", "TK"],
        audiences=["Senior-Policy"],
        organization="  Watch Floor ",
    )
    assert reader.clearance == "TS"
    assert reader.nationality == "USA"
    assert reader.compartments == frozenset({"SI", "TK"})
    assert reader.audiences == frozenset({"senior-policy"})
    assert reader.organization == "Watch Floor"


@pytest.mark.parametrize(
    ("fields", "error", "named"),
    [
        ({"clearance": "SECRETISH"}, ReaderError, "SECRETISH"),
        ({"nationality": "XYZ"}, ReaderError, "XYZ"),
        ({"compartments": ["ZZ"]}, ReaderError, "ZZ"),
        ({"audiences": ["senate"]}, ReviewError, "senate"),
        ({"clearance": "U", "compartments": ["SI"]}, ReaderError, "SI"),
    ],
)
def test_bad_values_are_named(fields: dict[str, object], error: type, named: str) -> None:
    values: dict[str, object] = {"clearance": "S", "nationality": "USA", **fields}
    with pytest.raises(error, match=named):
        make_reader("dana", **values)  # type: ignore[arg-type]


def test_bad_name_is_refused() -> None:
    with pytest.raises(ReaderError, match="no spaces"):
        make_reader("dana smith", clearance="S", nationality="USA")


def test_store_list_replace_remove(store: Engine) -> None:
    bob = make_reader("bob", clearance="S", nationality="USA", audiences=["senior-policy"])
    with transaction(store) as session:
        add_reader(session, bob, actor="admin", email="bob@example.org")
    with pytest.raises(ReaderError, match="already exists"), transaction(store) as session:
        add_reader(session, bob, actor="admin")
    promoted = make_reader("bob", clearance="TS", nationality="USA", compartments=["SI"])
    with transaction(store) as session:
        add_reader(session, promoted, actor="admin", replace=True)
        assert get_reader(session, "bob") == promoted
        listed = [s.to_json() for s in list_readers(session)]
    assert [(r["name"], r["clearance"], r["compartments"]) for r in listed] == [
        ("bob", "TS", ["SI"])
    ]
    with transaction(store) as session:
        remove_reader(session, "bob", actor="admin")
        assert get_reader(session, "bob") is None
        entries = audit.entries_for(session, "reader", "bob")
    assert [e.action for e in entries] == ["reader.add", "reader.update", "reader.remove"]
    assert json.loads(entries[1].details)["clearance"] == "TS"


def test_cli_readers_add_and_list(backend: Backend, tmp_path: Path) -> None:
    env = backend.env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [WATCHFLOOR, *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert run("init").returncode == 0
    added = run(
        "readers",
        "add",
        "alice",
        "--clearance",
        "TS",
        "--compartments",
        "SI,TK",
        "--nationality",
        "USA",
        "--audience",
        "senior-policy",
        "--organization",
        "Watch Floor",
    )
    assert added.returncode == 0, added.stderr
    bad = run("readers", "add", "eve", "--clearance", "Q", "--nationality", "USA")
    assert bad.returncode == 2
    assert "--clearance 'Q' is not a clearance" in bad.stderr
    listed = run("readers", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["clearance"], r["compartments"], r["audiences"]) for r in rows] == [
        ("alice", "TS", ["SI", "TK"], ["senior-policy"])
    ]
    table = run("readers", "list")
    assert "alice" in table.stdout and "SI/TK" in table.stdout
