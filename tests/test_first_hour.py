"""The first hour of a new user (issue 13, point 6): the first user is an admin (or `init
--admin`), the own organization is set at `init` and shown, `watchfloor sources` lists, grades
and marks sources with the audit log, and a reader's copy says in one line why portions were
withheld without revealing them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from watchfloor.store.engine import transaction
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.users import PermissionDenied, add_user, list_users

REPO = Path(__file__).resolve().parents[1]
WATCHLIST = """
protectees:
  - id: lana-marks
    name: Lana Marks
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01}
"""


def test_the_first_user_is_an_admin_whatever_role_was_asked(store: Engine) -> None:
    policy = CasePolicy.load()
    with transaction(store) as session:
        add_user(session, "first", ["analyst"], email=None, by=None, policy=policy)
        add_user(session, "second", ["analyst"], email=None, by="first", policy=policy)
        roles = {u.name: set(u.roles.split(",")) for u in list_users(session)}
    assert roles == {"first": {"admin", "analyst"}, "second": {"analyst"}}
    with pytest.raises(PermissionDenied), transaction(store) as session:
        add_user(session, "third", ["analyst"], email=None, by="second", policy=policy)


def _cli(home: Path, *args: str, policy: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"WATCHFLOOR_HOME": str(home), "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    env["PYTHONPATH"] = str(REPO / "src")
    env["WATCHFLOOR_USER"] = "chief"
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _json(home: Path, *args: str) -> list[dict[str, object]]:
    result = _cli(home, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_init_sets_the_admin_and_the_organization_and_shows_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bare = _ok(_cli(home, "init"))
    assert "organization: none set" in bare and "--organization" in bare
    out = _ok(_cli(home, "init", "--admin", "chief", "--organization", "Example Desk"))
    assert "added chief as the first user, an admin" in out
    assert "organization: Example Desk" in out
    assert "organization: Example Desk" in _ok(_cli(home, "init"))
    users = _json(home, "users", "list")
    assert users == [{"name": "chief", "roles": ["admin"], "email": None}]
    again = _cli(home, "init", "--admin", "other")
    assert again.returncode != 0 and "already has users" in again.stderr


def test_sources_are_listed_graded_and_marked_with_the_audit_log(
    tmp_path: Path, seed_path: Path
) -> None:
    home = tmp_path / "home"
    _ok(_cli(home, "init", "--admin", "chief"))
    _ok(_cli(home, "ingest", str(seed_path), "--published", "2020-09-14", "--no-extract"))
    listed = _json(home, "sources", "list")
    assert [(s["name"], s["reliability"], s["marking"], s["documents"]) for s in listed] == [
        ("files", "F", "TLP:AMBER", 1)
    ]
    _ok(_cli(home, "sources", "grade", "files", "B", "--reason", "our own desk"))
    mark = ("sources", "mark", "files", "SECRET//NOFORN", "--reason", "cables", "--documents")
    out = _ok(_cli(home, *mark))
    assert "1 stored documents re-marked" in out
    listed = _json(home, "sources", "list")
    assert (listed[0]["reliability"], listed[0]["graded_by_analyst"]) == ("B", True)
    assert listed[0]["marking"] == "SECRET//NOFORN"
    documents = _ok(_cli(home, "documents", "--format", "jsonl"))
    assert json.loads(documents.splitlines()[0])["marking"] == "SECRET//NOFORN"
    log = _ok(_cli(home, "audit", "log"))
    assert "source.mark" in log
    bad = _cli(home, "sources", "mark", "files", "SECRET//NOPE", "--reason", "x")
    assert bad.returncode != 0 and "SECRET//NOPE" in bad.stderr
    missing = _cli(home, "sources", "mark", "nowhere", "TLP:GREEN", "--reason", "x")
    assert missing.returncode != 0 and "'nowhere' is not in the store" in missing.stderr


@pytest.mark.shared
def test_a_reader_of_the_own_organization_sees_every_portion_and_a_foreign_one_is_told_why(
    tmp_path: Path, seed_path: Path
) -> None:
    home = tmp_path / "home"
    watchlist = tmp_path / "marks.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    _ok(_cli(home, "init", "--admin", "chief", "--organization", "Example Desk"))
    _ok(_cli(home, "ingest", str(seed_path), "-w", str(watchlist), "--published", "2020-09-14"))
    _ok(_cli(home, "assess", "--today", "2020-09-14"))
    for name, clearance, nationality, org in (
        ("officer", "TS", "USA", "Example Desk"),
        ("visitor", "U", "FRA", "Elsewhere"),
    ):
        _ok(
            _cli(
                home,
                *("readers", "add", name, "--clearance", clearance),
                *("--nationality", nationality, "--organization", org),
            )
        )
    built = _ok(
        _cli(home, "review", "build", "--date", "2020-09-14", "--to", "officer", "--to", "visitor")
    )
    total = int(built.split(": ", 1)[1].split(" thread judgements")[0])
    assert total > 0
    officer = _ok(_cli(home, "review", "render", "--date", "2020-09-14", "--reader", "officer"))
    assert f"{total} portions shown, nothing withheld" in officer
    visitor = _cli(home, "review", "render", "--date", "2020-09-14", "--reader", "visitor")
    line = next(x for x in visitor.stderr.splitlines() if "portions shown" in x)
    assert f"0 portions shown, {total} withheld: {total} not cleared for its marking" in line
    # The copy itself says why, in one line, without a word of what was withheld.
    assert f"{total} not cleared for its marking" in visitor.stdout
    assert "Lana Marks" not in visitor.stdout
