"""The warn commands end to end, in process, on both stores: users, cases, the reviewed
warning, the sender over real SMTP, the acknowledgement and the audit check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Backend
from sqlalchemy import Engine, text
from typer.testing import CliRunner
from warn_support import Change, Mailbox, add_thread, assessment, free_port, smtp_server

from watchfloor.cli import app
from watchfloor.store.engine import transaction
from watchfloor.warn import cases
from watchfloor.warn.duty import ThreadRule

runner = CliRunner()


def test_the_warn_commands(store: Engine, backend: Backend, tmp_path: Path) -> None:
    a = assessment()
    with transaction(store) as s:
        thread_id = add_thread(s, a)
        [opened] = cases.triage(s, [Change(thread_id, None, a)], rule=ThreadRule.load())
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(
        "protectees:\n  - id: amara-okafor\n    name: Amara Okafor\n"
        "    notify: {email: desk@example.org}\n",
        encoding="utf-8",
    )
    port = free_port()
    mailbox = Mailbox()
    server = smtp_server(port, mailbox)  # at once: the port stays ours for the whole test
    try:
        run_commands(store, backend, tmp_path, opened.case_id, watchlist, port, mailbox)
    finally:
        server.stop()


def run_commands(
    store: Engine,
    backend: Backend,
    tmp_path: Path,
    case_id: int,
    watchlist: Path,
    port: int,
    mailbox: Mailbox,
) -> None:
    env = backend.env(tmp_path / "home")
    env.update(
        WATCHFLOOR_SMTP_PORT=str(port),
        WATCHFLOOR_SECRET_KEY="cli-test-key-with-at-least-32-bytes",
        WATCHFLOOR_USER="",
    )

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("users", "add", "root", "--role", "admin")
    run("users", "add", "dora", "--role", "duty_officer", "--as", "root")
    run("users", "add", "ana", "--role", "analyst", "--as", "root")
    assert "only an admin" in run("users", "add", "eve", "--role", "admin", "--as", "ana", code=2)
    assert "who is acting" in run("cases", code=2)

    [listed] = json.loads(run("cases", "--as", "ana", "--format", "json"))
    assert (listed["id"], listed["state"]) == (case_id, "duty_determined")
    case = str(case_id)
    assert "duty_determined" in run("case", "show", case, "--as", "ana")

    draft = run("case", "warn", case, "--as", "dora", "--watchlist", str(watchlist))
    assert "Amara Okafor" in draft and "--confirm" in draft and "desk@example.org" in draft
    denied = run("case", "warn", case, "--as", "ana", "--confirm", "-w", str(watchlist), code=2)
    assert "may not move a case to warn_pending" in denied
    assert "queued notice" in run(
        "case", "warn", case, "--as", "dora", "--confirm", "-w", str(watchlist)
    )
    assert "not one of" in run(
        "case", "waive", case, "--as", "dora", "--code", "NOPE", "--reason", "x", code=2
    )

    assert "1 sent" in run("outbox", "send")
    [notice] = json.loads(run("outbox", "--format", "json"))
    assert notice["status"] == "sent"
    [message] = mailbox.messages.values()
    [token] = re.findall(r"watchfloor ack (\S+)", message.get_content())
    assert "receipt recorded" in run("ack", token)
    assert "already acknowledged" in run("ack", token)
    assert "matches no notice" in run("ack", "not-a-token", code=2)

    shown = json.loads(run("case", "show", case, "--as", "ana", "--format", "json"))
    assert shown["state"] == "warning_delivered"
    assert shown["notices"][0]["acknowledged_at"] is not None

    intact = run("audit", "verify")
    checked = int(re.search(r"(\d+) entries checked", intact).group(1))  # type: ignore[union-attr]
    log = json.loads(
        run("audit", "log", "--subject-type", "case", "--subject-id", case, "--format", "json")
    )
    assert [e["action"] for e in log].count("case.read") == 3  # two shows and the draft view
    with store.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET actor = 'nobody' WHERE id = :id"), {"id": checked // 2}
        )
    broken = run("audit", "verify", code=1)
    assert f"broken at entry {checked // 2}" in broken


@pytest.mark.parametrize("command", [["case", "show", "1"], ["cases"]])
def test_an_unknown_person_is_refused(
    store: Engine, backend: Backend, tmp_path: Path, command: list[str]
) -> None:
    env = backend.env(tmp_path / "home")
    result = runner.invoke(app, [*command, "--as", "mallory"], env=env)
    assert result.exit_code == 2 and "unknown" in result.output
