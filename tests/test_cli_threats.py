"""`watchfloor threats / threat / assess` and the override commands as a user runs them: in a
subprocess, against SQLite and PostgreSQL, on the report series of tests/data/series."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Backend
from sqlalchemy import select
from typer.testing import CliRunner

from watchfloor.cli import app
from watchfloor.store import audit
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.models import AuditEntry

SERIES = Path(__file__).resolve().parent / "data" / "series"
TODAY = "2031-04-02"
KEY = "al-Shabaab→protectee:ines-duarte"


def run(
    backend: Backend, home: Path, *args: str, timeout: float = 600, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = backend.env(home)
    if user is not None:
        env["WATCHFLOOR_USER"] = user
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def as_json(backend: Backend, home: Path, *args: str) -> Any:
    return json.loads(ok(run(backend, home, *args, "--format", "json")).stdout)


def escalating() -> list[dict[str, Any]]:
    manifest = yaml.safe_load((SERIES / "series.yaml").read_text(encoding="utf-8"))
    return list(manifest["escalating"])


def ingest(backend: Backend, home: Path, path: Path, *options: str) -> str:
    return ok(
        run(backend, home, "ingest", str(path), "--source", "Coast Wire", "--watchlist",
            str(SERIES / "watchlist.yaml"), *options)
    ).stdout  # fmt: skip


def in_process(backend: Backend, home: Path, *args: str) -> str:
    """The same command run in this process, for the fixture's setup: here the English pipeline
    stays loaded from one call to the next, where each subprocess loads it again (most of the
    setup's time). The commands the tests are about run in a subprocess, as a user runs them."""
    result = CliRunner().invoke(app, list(args), env=backend.env(home))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def home(backend: Backend, tmp_path: Path) -> Path:
    """A store holding the escalating series, ingested with analysis (and so assessed)."""
    home = tmp_path / "home"
    for entry in escalating():
        out = in_process(
            backend, home, "ingest", str(SERIES / entry["file"]), "--source", "Coast Wire",
            "--watchlist", str(SERIES / "watchlist.yaml"), "--published", str(entry["day"]),
        )  # fmt: skip
        assert "1 stored" in out
    in_process(backend, home, "assess", "--today", TODAY)
    return home


def test_board_detail_overrides_and_reingest(backend: Backend, home: Path) -> None:
    board = as_json(backend, home, "threats")
    mine = [row for row in board if row["key"] == KEY]
    assert mine, [row["key"] for row in board]
    row = mine[0]
    assert row["trend"] == "escalating"
    assert row["grade"][0] == "F"  # a new source nobody has graded yet
    assert [r["priority"] for r in board] == sorted((r["priority"] for r in board), reverse=True)
    assert as_json(backend, home, "threats", "--actor", "Hezbollah") == []
    assert [r["id"] for r in as_json(backend, home, "threats", "--protectee", "ines-duarte")]
    assert as_json(backend, home, "threats", "--since", "2031-04-01") == []

    table = ok(run(backend, home, "threats")).stdout
    assert "al-Shabaab" in table and "escalating" in table and row["grade"] in table

    # Analyst decisions through the CLI, each audited under the analyst's name.
    graded = ok(
        run(backend, home, "source", "grade", "Coast Wire", "b", "--reason", "long record",
            "--as", "alice")
    )  # fmt: skip
    assert "1 threads re-assessed" in graded.stdout or "threads re-assessed" in graded.stdout
    detail = as_json(backend, home, "threat", str(row["id"]))
    assert detail["admiralty"][0] == "B"
    statements = detail["statement_list"]
    assert statements and all(s["evidence"]["text"] for s in statements)
    dismissed = statements[0]["id"]
    ok(run(backend, home, "statement", "dismiss", str(dismissed), "--reason", "misread quote",
           user="bob"))  # fmt: skip
    ok(run(backend, home, "thread", "credibility", str(row["id"]), "2", "--reason",
           "confirmed by liaison", "--as", "carol"))  # fmt: skip

    def holds() -> dict[str, Any]:
        d = as_json(backend, home, "threat", str(row["id"]))
        assert d["admiralty"] == "B2" and d["credibility_overridden"] is True
        assert [s["dismissed"] for s in d["statement_list"] if s["id"] == dismissed] == [True]
        kinds = {(o["kind"], o["analyst"]) for o in d["overrides"]}
        assert kinds == {
            ("source_reliability", "alice"),
            ("statement_dismissed", "bob"),
            ("thread_credibility", "carol"),
        }
        return d

    before = holds()
    ok(run(backend, home, "assess", "--today", TODAY))
    holds()
    again = ingest(backend, home, SERIES / "escalating")
    assert "0 stored, 3 repeats" in again
    assert holds()["version"] >= before["version"]

    shown = ok(run(backend, home, "threat", str(row["id"]))).stdout
    for part in ("rationale", "timeline", "statements", "analyst overrides", "B2"):
        assert part in shown, part

    engine = make_engine(backend.url, immediate=False)
    try:
        with transaction(engine) as session:
            assert audit.verify(session).ok
            overrides = session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("override.%"))
            ).all()
            assert sorted(overrides) == [
                "override.source_reliability",
                "override.statement_dismissed",
                "override.thread_credibility",
            ]
    finally:
        engine.dispose()


def test_clear_errors_for_unknown_ids_and_bad_values(backend: Backend, home: Path) -> None:
    board = as_json(backend, home, "threats")
    thread_id = str(board[0]["id"])
    cases = [
        (["threat", "99999"], "thread 99999"),
        (["source", "grade", "Coast Wire", "Z", "--reason", "x"], "Admiralty"),
        (["source", "grade", "Nobody", "B", "--reason", "x"], "'Nobody' is not in the store"),
        (["thread", "credibility", thread_id, "9", "--reason", "x"], "1-6"),
        (["thread", "credibility", "99999", "2", "--reason", "x"], "thread 99999"),
        (["statement", "dismiss", "99999", "--reason", "x"], "statement 99999"),
        (["actor", "merge", "Nobody", "Iran", "--reason", "x"], "'Nobody'"),
        (["threats", "--since", "April"], "YYYY-MM-DD"),
    ]
    for args, message in cases:
        result = run(backend, home, *args)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
    missing_reason = run(backend, home, "source", "grade", "Coast Wire", "B")
    assert missing_reason.returncode != 0 and "--reason" in missing_reason.stderr


def test_actor_merge_through_the_cli(backend: Backend, home: Path) -> None:
    merged = ok(run(backend, home, "actor", "merge", "al-Shabaab", "Harakat al-Shabaab",
                    "--reason", "one group", "--as", "dana"))  # fmt: skip
    assert "merged" in merged.stdout
    keys = [row["key"] for row in as_json(backend, home, "threats")]
    assert "Harakat al-Shabaab→protectee:ines-duarte" in keys and KEY not in keys
    assert as_json(backend, home, "threats", "--actor", "al-Shabaab") == []
    assert [r["key"] for r in as_json(backend, home, "threats", "--actor", "harakat al-shabaab")]
