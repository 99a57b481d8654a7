"""Duty-to-warn cases, notices, the outbox and staff users (the audit log: cli/audit.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column

from watchfloor.cli.common import (
    LimitOpt,
    OutputFormat,
    Row,
    StoreFormat,
    app,
    console,
    fail,
    in_store,
    rows_table,
    show_rows,
    store_engine,
)
from watchfloor.errors import WatchfloorError
from watchfloor.identity import USER_VAR
from watchfloor.settings import setting

AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who is acting (default: $WATCHFLOOR_USER). For a local operator at the store; "
        "the web UI and API take the actor from the login.",
    ),
]
WatchlistOpt = Annotated[
    Path | None,
    typer.Option(
        "--watchlist",
        "-w",
        help="Watchlist with notify contacts (default: $WATCHFLOOR_WATCHLIST, else the store's).",
    ),
]
case_app = typer.Typer(
    help="One duty-to-warn case: show, warn, waive, decide.", no_args_is_help=True
)
outbox_app = typer.Typer(help="Notices waiting to be sent, and the sender.")
users_app = typer.Typer(help="Staff who move cases, and their roles.", no_args_is_help=True)


def _who(given: str | None) -> str:
    from watchfloor.warn import acting_name

    try:
        return acting_name(given)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _case_policy() -> Any:
    from watchfloor.warn import CasePolicy

    try:
        return CasePolicy.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _watchlist_for_warn(path: Path | None) -> Any:

    from watchfloor.link import load_watchlist
    from watchfloor.warn import WATCHLIST_ENV

    named = setting(WATCHLIST_ENV)
    chosen = path or (Path(named) if named else None)
    if chosen is None:
        return None
    try:
        return load_watchlist(chosen)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


@app.command("cases")
def cases_command(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    limit: LimitOpt = 100,
    as_: AsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """List duty-to-warn cases, nearest deadline first."""
    from watchfloor.warn import actor, case_summary, list_cases

    who = _who(as_)

    def run(session: Any) -> list[dict[str, Any]]:
        actor(session, who)
        return [case_summary(c) for c in list_cases(session, state=state, limit=limit)]

    rows = in_store(run, read_only=True)

    def _row(row: Any) -> Row:
        return (
            str(row["id"]),
            row["state"],
            f"{row['target']} ({row['protectee']})" if row["protectee"] else row["target"],
            row["harm"],
            row["admiralty"] or "",
            f"{row['specificity']:.2f}" if row["specificity"] is not None else "",
            row["imminence"] or "",
            row["deadline"][:16] + (" [red]missed[/]" if row["overdue_escalated_at"] else ""),
        )

    show_rows(
        f"{len(rows)} duty-to-warn cases",
        (
            "id",
            "state",
            "target",
            "harm",
            "grade",
            "specificity",
            "imminence",
            "deadline",
        ),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


@case_app.command("show")
def case_show_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    as_: AsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Everything about one case (the read is audited)."""
    from watchfloor.warn import show_case

    who = _who(as_)
    data = in_store(lambda session: show_case(session, case_id, who))
    if output_format is not OutputFormat.table:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    g = data["grades"]
    console.print(
        f"[bold]case {data['id']}[/] · {data['state']} · {data['harm']} → {data['target']}"
        f" · actor {data['actor'] or 'unknown'} · deadline {data['deadline'][:16]}",
        highlight=False,
    )
    console.print(
        f"grade {g['admiralty']} · specificity {g['specificity']:.2f} · imminence "
        f"{g['imminence']} · {g['likelihood']} ({g['confidence']} confidence) · trend {g['trend']}",
        highlight=False,
    )
    for reason in data["rationale"]:
        console.print(f"  · {reason}", highlight=False)
    if data["waiver"]:
        w = data["waiver"]
        console.print(
            f"waiver {w['code']} proposed by {w['proposed_by']}: {w['reason']}", highlight=False
        )
    console.print(
        rows_table(
            "events",
            ("at", "actor", "event", "details"),
            map(_event_row, data["events"]),
            title_justify="left",
        )
    )
    if data["notices"]:
        columns = ("id", "kind", "channel", "recipient", "status", "tries", "acknowledged")
        rows = map(_notice_row, data["notices"])
        console.print(rows_table("notices", columns, rows, title_justify="left"))


def _event_row(e: dict[str, Any]) -> Row:
    kind = e["kind"] if e["kind"] != "transition" else f"{e['from']} → {e['to']}"
    details = e["details"]
    if e["kind"] == "opened":
        g0 = details.get("grades", {})
        shown = f"grade {g0.get('admiralty')} spec {g0.get('specificity')} {g0.get('imminence')}"
    elif e["kind"] == "retriaged":
        shown = ", ".join(details.get("sharpened") or []) or "grades changed"
        b, a = details["before"], details["after"]
        shown += (
            f" (before {b['admiralty']} spec {b['specificity']:.2f} {b['imminence']};"
            f" after {a['admiralty']} spec {a['specificity']:.2f} {a['imminence']})"
        )
    else:
        shown = json.dumps(details, ensure_ascii=False)[:160] if details else ""
    return (e["at"][:19], e["actor"], kind, shown)


def _notice_row(n: dict[str, Any]) -> Row:
    return (
        str(n["id"]),
        n["kind"],
        n["channel"],
        n["recipient"],
        n["status"] + (f" ({n['last_error']})" if n["last_error"] else ""),
        str(n["attempts"]),
        (n["acknowledged_at"] or "")[:19],
    )


def _edited_text(path: Path) -> tuple[str | None, str]:
    """A reviewer's text: an optional first line `Subject: ...`, then the body."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"--text-file {path}: cannot read it ({exc})") from None
    first, _, rest = content.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip() or None, rest.lstrip("\n")
    return None, content


@case_app.command("warn")
def case_warn_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Queue the notices (without: show the draft).")
    ] = False,
    text_file: Annotated[
        Path | None,
        typer.Option(help="Your reviewed text: optional 'Subject: ...' line, then the body."),
    ] = None,
    watchlist: WatchlistOpt = None,
    as_: AsOpt = None,
) -> None:
    """Draft the warning for review; with --confirm, queue it to the protectee's contacts."""
    from watchfloor.warn import warn_case

    who = _who(as_)
    policy = _case_policy()
    people = _watchlist_for_warn(watchlist)
    subject, body = _edited_text(text_file) if text_file else (None, None)
    if not confirm:
        _show_draft(case_id, who, people, subject, body)
        return
    notices = in_store(
        lambda session: [
            (n.id, n.channel, n.recipient)
            for n in warn_case(
                session, case_id, who, policy, subject=subject, body=body, watchlist=people
            )
        ]
    )
    for notice_id, channel, recipient in notices:
        console.print(f"queued notice {notice_id}: {channel} to {recipient}", highlight=False)
    console.print("`watchfloor outbox send` delivers them.", highlight=False)


def _show_draft(case_id: int, who: str, people: Any, subject: str | None, body: str | None) -> None:
    """The drafted (or the reviewer's) warning and its recipients; reading it is audited."""
    from watchfloor.store import append_audit
    from watchfloor.warn import ACK_PLACEHOLDER, actor, contacts_of, draft_notices, get_case

    def preview(session: Any) -> tuple[str, str, list[Any]]:
        actor(session, who)
        case = get_case(session, case_id)
        drafted = draft_notices(session, case, people)
        append_audit(
            session,
            actor=who,
            action="case.read",
            subject_type="case",
            subject_id=case_id,
            details={"view": "draft"},
        )
        return (*drafted, contacts_of(case, people))

    drafted_subject, drafted_body, contacts = in_store(preview)
    console.print(f"[bold]Subject:[/] {subject or drafted_subject}\n", highlight=False)
    shown = (body or drafted_body).replace(ACK_PLACEHOLDER, "<acknowledgement token>")
    console.print(shown, highlight=False, markup=False)
    to = [c.email or c.webhook for c in contacts] or ["(no contact: `watchlist load` one)"]
    console.print(f"to: {', '.join(t for t in to if t)}", highlight=False)
    console.print(
        "Review the draft. Send it with --confirm, or save an edited copy and pass "
        "--text-file FILE --confirm.",
        highlight=False,
    )


@case_app.command("waive")
def case_waive_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    code: Annotated[str, typer.Option(help="Justification code (see docs/warn.md).")],
    reason: Annotated[str, typer.Option(help="The written justification.")],
    as_: AsOpt = None,
) -> None:
    """Propose withholding the warning; another person with the approver role decides."""
    from watchfloor.warn import propose_waiver

    who, policy = _who(as_), _case_policy()
    in_store(
        lambda session: propose_waiver(session, case_id, who, policy, code=code, reason=reason)
    )
    console.print(f"case {case_id}: waiver {code} proposed by {who}", highlight=False)


def _decide(case_id: int, as_: str | None, approve: bool, reason: str | None) -> None:
    from watchfloor.warn import decide_waiver

    who, policy = _who(as_), _case_policy()
    in_store(
        lambda session: decide_waiver(session, case_id, who, policy, approve=approve, reason=reason)
    )
    verdict = "approved" if approve else "rejected"
    console.print(f"case {case_id}: waiver {verdict} by {who}", highlight=False)


@case_app.command("approve")
def case_approve_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
    as_: AsOpt = None,
) -> None:
    """Approve the proposed waiver."""
    _decide(case_id, as_, True, reason)


@case_app.command("reject")
def case_reject_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    as_: AsOpt = None,
) -> None:
    """Reject the proposed waiver: the warning is owed again."""
    _decide(case_id, as_, False, reason)


def _move(case_id: int, as_: str | None, to_state: str, reason: str | None) -> None:
    from watchfloor.warn import move_case

    who, policy = _who(as_), _case_policy()
    in_store(lambda session: move_case(session, case_id, who, policy, to_state, reason=reason))
    console.print(f"case {case_id}: {to_state} by {who}", highlight=False)


@case_app.command("close")
def case_close_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    as_: AsOpt = None,
) -> None:
    """Close a case (after delivery, an approved waiver, or monitoring)."""
    _move(case_id, as_, "closed", reason)


@case_app.command("monitor")
def case_monitor_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    as_: AsOpt = None,
) -> None:
    """Keep watching a case after the warning or waiver."""
    _move(case_id, as_, "monitor", reason)


@case_app.command("dispute")
def case_dispute_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str, typer.Option(help="What is disputed.")],
    as_: AsOpt = None,
) -> None:
    """Record a dispute about the case (then an approver escalates it)."""
    _move(case_id, as_, "disputed", reason)


@case_app.command("escalate")
def case_escalate_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    as_: AsOpt = None,
) -> None:
    """Escalate a disputed case."""
    _move(case_id, as_, "escalated", reason)


@outbox_app.callback(invoke_without_command=True)
def outbox_command(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="queued, sent or failed.")] = None,
    limit: LimitOpt = 100,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """List notices, newest first (`outbox send` delivers the queued ones)."""
    if ctx.invoked_subcommand is not None:
        return
    from watchfloor.warn import list_notices, notice_json

    def run(session: Any) -> list[dict[str, Any]]:
        return [notice_json(n) for n in list_notices(session, status=status, limit=limit)]

    rows = in_store(run, read_only=True)

    def _row(r: Any) -> Row:
        when = r["sent_at"] or f"next {r['next_attempt_at']}"
        return (
            str(r["id"]),
            str(r["case"]),
            r["kind"],
            r["channel"],
            r["recipient"],
            r["status"] + (f" ({r['last_error']})" if r["last_error"] else ""),
            str(r["attempts"]),
            when[:24],
        )

    show_rows(
        f"{len(rows)} notices",
        ("id", "case", "kind", "channel", "recipient", "status", "tries", "when"),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


@outbox_app.command("send")
def outbox_send_command(
    loop: Annotated[bool, typer.Option("--loop", help="Keep running and sending.")] = False,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="With retries: stop once nothing is queued.")
    ] = False,
) -> None:
    """Deliver due notices (with retries and backoff) and escalate missed deadlines."""
    import logging

    from watchfloor.warn import NotifyConfig, send_due, send_loop

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    policy = _case_policy()
    try:
        config = NotifyConfig.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    engine = store_engine()
    try:
        if loop or until_idle:
            report = send_loop(
                engine,
                config,
                policy,
                until_idle=until_idle and not loop,
                on_round=lambda r: (
                    console.print(r.line(), highlight=False) if r.sent or r.gave_up else None
                ),
            )
        else:
            report = send_due(engine, config, policy)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    console.print(report.line(), highlight=False)
    if report.gave_up:
        raise typer.Exit(1)


@users_app.command("add")
def users_add_command(
    name: Annotated[str, typer.Argument(help="The person's user name.")],
    role: Annotated[list[str], typer.Option("--role", help="A role (repeat for more).")],
    email: Annotated[str | None, typer.Option(help="Their email address.")] = None,
    as_: AsOpt = None,
) -> None:
    """Add a member of staff (the first user may add themselves; after that, admins)."""

    from watchfloor.warn import add_user

    policy = _case_policy()
    by = as_ or setting(USER_VAR)
    in_store(lambda session: add_user(session, name, role, email=email, by=by, policy=policy))
    console.print(f"added {name} ({', '.join(role)})", highlight=False)


@users_app.command("list")
def users_list_command(output_format: StoreFormat = OutputFormat.table) -> None:
    """List staff and their roles."""
    from watchfloor.warn import list_users

    rows = in_store(
        lambda session: [
            {"name": u.name, "roles": u.roles.split(","), "email": u.email}
            for u in list_users(session)
        ],
        read_only=True,
    )
    show_rows(
        f"{len(rows)} users",
        (Column("name"), Column("roles"), Column("email")),
        ((r["name"], ", ".join(r["roles"]), r["email"] or "") for r in rows),
        records=rows,
        output_format=output_format,
    )


@app.command("ack")
def ack_command(
    token: Annotated[str, typer.Argument(help="The token from the notice.")],
    by: Annotated[str | None, typer.Option(help="Who confirms (default: the recipient).")] = None,
) -> None:
    """Confirm receipt of a notice with its acknowledgement token."""
    from watchfloor.warn import acknowledge

    result = in_store(lambda session: acknowledge(session, token, by=by))
    if result.first:
        console.print(
            f"notice {result.notice_id} (case {result.case_id}) to {result.recipient}: "
            f"receipt recorded at {result.acknowledged_at:%Y-%m-%d %H:%M:%S} UTC",
            highlight=False,
        )
    else:
        console.print(
            f"notice {result.notice_id} was already acknowledged at "
            f"{result.acknowledged_at:%Y-%m-%d %H:%M:%S} UTC; nothing new recorded",
            highlight=False,
        )


app.add_typer(case_app, name="case")
app.add_typer(outbox_app, name="outbox")
app.add_typer(users_app, name="users")
