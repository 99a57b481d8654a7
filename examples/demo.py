"""`make demo`: watchfloor on the example watchlist and reports, through the real commands.

Everything runs offline against the embedded store in ./var/demo (removed first, so the demo
always starts from nothing). Each step prints the command it runs, so a reader can repeat it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
REPORTS = sorted((EXAMPLES / "reports").iterdir())
WATCHLIST = EXAMPLES / "watchlist.yaml"
HOME = REPO / "var" / "demo"


def watchfloor(*args: str) -> None:
    command = [str(Path(sys.executable).parent / "watchfloor"), *args]
    shown = " ".join(
        [
            "watchfloor",
            *(str(Path(a).relative_to(REPO)) if a.startswith(str(REPO)) else a for a in args),
        ]
    )
    print(f"\n$ {shown}", flush=True)
    env = {**os.environ, "WATCHFLOOR_HOME": str(HOME), "COLUMNS": os.environ.get("COLUMNS", "160")}
    env.pop("WATCHFLOOR_DATABASE_URL", None)
    subprocess.run(command, check=True, env=env)


def dated(report: Path) -> list[str]:
    # The example files carry their date in their names (YYYY-MM-DD-...).
    return ["--watchlist", str(WATCHLIST), "--published", report.name[:10]]


def main() -> None:
    shutil.rmtree(HOME, ignore_errors=True)
    print("== 1. The English pipeline watchfloor ships (no download needed)")
    first_sentence = REPORTS[1].read_text(encoding="utf-8").split("\n\n")[1].split(" - ", 1)[1]
    sample = HOME / "sentence.txt"
    sample.parent.mkdir(parents=True, exist_ok=True)
    sample.write_text(first_sentence, encoding="utf-8")
    watchfloor("nlp", str(sample))

    print("\n== 2. Threat statements in each example report, linked to the example watchlist")
    for report in REPORTS:
        watchfloor("extract", str(report), *dated(report))

    print("\n== 3. Keep them: the embedded store (SQLite under var/demo), then the threat table")
    watchfloor("init")
    for report in REPORTS:
        watchfloor("ingest", str(report), *dated(report))
    watchfloor("ingest", str(REPORTS[0]), *dated(REPORTS[0]))  # a repeat is a no-op
    watchfloor("statements")
    watchfloor("statements", "--warn")
    watchfloor("search", "high commissioner")
    board_step(4)
    warn_step(5)
    review_step(6)
    serve_step(7)


def board_step(number: int) -> None:
    """The threat board: the threads the ingest step assessed, the top one in detail, and an
    analyst's grade for the demo's source, which re-assesses its threads at once."""
    import json
    import shlex

    print(f"\n== {number}. The threat board, the top thread, and an analyst override")

    def run(*args: str, capture: bool = False) -> str:
        if not capture:
            print(f"\n$ watchfloor {' '.join(shlex.quote(a) for a in args)}", flush=True)
        env = {**os.environ, "WATCHFLOOR_HOME": str(HOME)}
        env["COLUMNS"] = os.environ.get("COLUMNS", "160")
        env.pop("WATCHFLOOR_DATABASE_URL", None)
        command = [str(Path(sys.executable).parent / "watchfloor"), *args]
        done = subprocess.run(command, check=True, env=env, capture_output=capture, text=True)
        return done.stdout if capture else ""

    # The examples date from early 2026, so judged as of today every thread is fading. An
    # analyst replaying them judges the board as of the day of the last report instead.
    run("threats")
    # The example reports come in through `ingest` without --source, so their source is "files",
    # graded F (reliability cannot be judged) until an analyst grades it; watch the grade column.
    run("source", "grade", "files", "B", "--as", "analyst-1",
        "--reason", "desk reporting, checked against the original documents")  # fmt: skip
    run("assess", "--today", REPORTS[-1].name[:10])
    run("threats")
    board = json.loads(run("threats", "--format", "json", capture=True))
    if not board:
        print("\nThe board is empty: ingest assessed no thread.")
        return
    run("threat", str(board[0]["id"]))


def warn_step(number: int) -> None:
    """Duty to warn: the case triage opened for the plot, the reviewed warning sent over SMTP to
    a mail server started here (a Maildir under var/demo/mail), its receipt, the audit check."""
    import email
    import email.policy
    import json
    import re
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    print(f"\n== {number}. Duty to warn: the case for the plot, a reviewed warning, sent over SMTP")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    extra = {
        "WATCHFLOOR_USER": "duty-officer",
        "WATCHFLOOR_SMTP_HOST": "127.0.0.1",
        "WATCHFLOOR_SMTP_PORT": str(port),
        "WATCHFLOOR_SMTP_FROM": "watchfloor@demo.invalid",
    }

    def run(*args: str, capture: bool = False) -> str:
        shown = [str(Path(a).relative_to(REPO)) if a.startswith(str(REPO)) else a for a in args]
        if not capture:
            print(f"\n$ WATCHFLOOR_USER=duty-officer watchfloor {' '.join(shown)}", flush=True)
        env = {
            **os.environ,
            "WATCHFLOOR_HOME": str(HOME),
            "COLUMNS": os.environ.get("COLUMNS", "160"),
        }
        env.pop("WATCHFLOOR_DATABASE_URL", None)
        env.update(extra)
        command = [str(Path(sys.executable).parent / "watchfloor"), *args]
        done = subprocess.run(command, check=True, env=env, capture_output=capture, text=True)
        return done.stdout if capture else ""

    run("users", "add", "duty-officer", "--role", "admin", "--role", "duty_officer")
    run("cases")
    listed = json.loads(run("cases", "--format", "json", capture=True))
    plot = next((c for c in listed if c["protectee"] == "amara-okafor"), None)
    if plot is None:
        print("\nNo case was opened for the plot: triage did not run during ingest.")
        return
    case = str(plot["id"])
    run("case", "show", case)
    # The contacts come from the watchlist the ingest stored (`watchfloor watchlist list`).
    run("case", "warn", case)
    run("case", "warn", case, "--confirm")
    maildir = HOME / "mail"
    server = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)
    server.start()
    try:
        run("outbox", "send")
    finally:
        server.stop()
    landed = sorted((maildir / "new").iterdir())
    print(f"\nThe warning landed in {landed[0].relative_to(REPO)}:")
    message = email.message_from_bytes(landed[0].read_bytes(), policy=email.policy.default)
    for header in ("From", "To", "Subject", "Message-ID"):
        print(f"  {header}: {message[header]}")
    print()
    body = message.get_body().get_content()  # type: ignore[union-attr]
    print("  " + "\n  ".join(body.splitlines()))
    token = re.findall(r"watchfloor ack (\S+)", body)[0]
    run("ack", token)
    run("case", "show", case)
    run("audit", "verify")


def review_step(number: int) -> None:
    """The daily review: built from the threads of the example reports, one classified portion
    written by an analyst, and a copy for each of two readers of different clearances."""
    print(f"\n== {number}. The daily review, and a copy for each of two readers")
    out = HOME / "review"
    out.mkdir(parents=True, exist_ok=True)
    # Who counts as our organization and its clients decides who reads TLP:AMBER reporting.
    policy = out / "access.yaml"
    policy.write_text(
        f"own_organization: {DESK}\nclient_organizations: [{COMMITTEE}]\n",
        encoding="utf-8",
    )
    extra = {"WATCHFLOOR_USER": "analyst-1", "WATCHFLOOR_ACCESS_POLICY": str(policy)}

    def run(*args: str) -> None:
        import shlex

        shown = [str(Path(a).relative_to(REPO)) if a.startswith(str(REPO)) else a for a in args]
        quoted = " ".join(shlex.quote(a) for a in shown)
        print(f"\n$ watchfloor {quoted}", flush=True)
        env = {**os.environ, "WATCHFLOOR_HOME": str(HOME), **extra}
        env["COLUMNS"] = os.environ.get("COLUMNS", "160")
        env.pop("WATCHFLOOR_DATABASE_URL", None)
        command = [str(Path(sys.executable).parent / "watchfloor"), *args]
        subprocess.run(command, check=True, env=env)

    day = REPORTS[-1].name[:10]  # the latest example report's date
    print(f"(WATCHFLOOR_ACCESS_POLICY={policy.relative_to(REPO)}, WATCHFLOOR_USER=analyst-1)")
    director = "readers add director --clearance TS --compartments SI --nationality USA"
    run(*director.split(), "--audience", "senior-policy", "--organization", DESK)
    staffer = "readers add staffer --clearance S --nationality USA"
    run(*staffer.split(), "--audience", "congressional-oversight", "--organization", COMMITTEE)
    run("readers", "list")
    for marking, audience, title, text in ANALYST_PORTIONS:
        limit = ["--audience", audience] if audience else []
        run("review", "add", "--date", day, "--marking", marking, *limit, "--title", title,
            "--text", text)  # fmt: skip
    run(*f"review build --date {day} --window 10".split(), "--distribute", AUDIENCES)
    for reader in ("director", "staffer"):
        for kind in ("html", "pdf"):
            target = out / f"{day}-{reader}.{kind}"
            run(*f"review render --date {day} --reader {reader} --format {kind}".split(),
                "--out", str(target))  # fmt: skip
    print("\nThe copies (side by side: the staffer's lacks the TS//SI portion and says so):")
    for path in sorted(out.glob(f"{day}-*")):
        print(f"  {path.relative_to(REPO)}")


DEMO_LOGIN = ("analyst-1", "demo-password-analyst")
DEMO_PORT = 8000


def serve_step(number: int) -> None:
    """The web UI and API: a password for the analyst, their reader record (what they may
    read), the access policy in the store's home, then how to start `watchfloor serve`."""
    import shlex

    print(f"\n== {number}. The analysts' workspace: the web UI and API")
    (HOME / "access.yaml").write_text(
        f"own_organization: {DESK}\nclient_organizations: [{COMMITTEE}]\n", encoding="utf-8"
    )
    name, password = DEMO_LOGIN
    env = {**os.environ, "WATCHFLOOR_HOME": str(HOME), "WATCHFLOOR_USER": "duty-officer"}
    env.pop("WATCHFLOOR_DATABASE_URL", None)
    binary = str(Path(sys.executable).parent / "watchfloor")
    steps = [
        ["users", "add", name, "--role", "analyst"],
        ["readers", "add", name, "--clearance", "TS", "--compartments", "SI",
         "--nationality", "USA", "--organization", DESK],
        ["users", "password", name],
    ]  # fmt: skip
    for args in steps:
        print(f"\n$ watchfloor {' '.join(shlex.quote(a) for a in args)}", flush=True)
        secret = {"WATCHFLOOR_PASSWORD": password} if args[1] == "password" else {}
        subprocess.run([binary, *args], check=True, env={**env, **secret})
    home = HOME.relative_to(REPO)
    print(
        f"\nStart it with:\n  WATCHFLOOR_HOME={home} {Path(sys.executable).parent}/watchfloor "
        f"serve --port {DEMO_PORT} --insecure-cookies\n"
        f"then open http://127.0.0.1:{DEMO_PORT}/ and log in as {name} / {password}"
        "\n(--insecure-cookies lets the session cookie travel over plain http on 127.0.0.1 "
        "only; docs/deploy.md puts TLS in front.)"
    )


DESK = "Protective Intelligence Desk"
COMMITTEE = "Senate Select Committee on Intelligence"
AUDIENCES = "senior-policy,congressional-oversight"
# (marking, audience, title, text): one portion only the senior-policy reader is cleared for.
ANALYST_PORTIONS = [
    (
        "(TS//SI//NF)",
        "senior-policy",
        "Intercepted tasking of a surveillance team",
        "Intercepted communications indicate that a team was tasked to record the protectee's "
        "movements between the residence and the office in the week before the visit.",
    ),
    (
        "(S//NF)",
        None,
        "Protective measures in place",
        "The protective detail has changed routes and timings for the rest of the visit and "
        "informed the host nation's police.",
    ),
]

if __name__ == "__main__":
    main()
