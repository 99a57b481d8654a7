"""The keyed, hash-chained audit log: verify it, anchor its head, read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from watchfloor.cli.common import (
    LimitOpt,
    OutputFormat,
    Row,
    StoreFormat,
    app,
    console,
    fail,
    in_store,
    plain,
    show_rows,
)
from watchfloor.errors import WatchfloorError

audit_app = typer.Typer(help="The keyed, hash-chained audit log.", no_args_is_help=True)


def _read_anchor(value: str) -> Any:
    """The anchor in `value`: a file (its last line) or the anchor's JSON itself."""
    from watchfloor.store import Anchor

    path = Path(value)
    if not value.lstrip().startswith("{"):
        try:
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--anchor {value}: cannot read it ({exc})") from None
        if not lines:
            raise fail(f"--anchor {value}: the file holds no anchor")
        value = lines[-1]
    try:
        return Anchor.parse(value)
    except WatchfloorError as exc:
        raise fail(f"--anchor: {exc}") from None


@audit_app.command("verify")
def audit_verify_command(
    anchor: Annotated[
        str | None,
        typer.Option(help="An anchor file (its last line) or line from `audit anchor`."),
    ] = None,
) -> None:
    """Check every entry's MAC and link; with --anchor, also that nothing after it was cut."""
    from watchfloor.store import verify_audit

    given = _read_anchor(anchor) if anchor else None
    result = in_store(lambda session: verify_audit(session, anchor=given), read_only=True)
    if result.ok:
        note = f", {result.unkeyed} from before the audit key" if result.unkeyed else ""
        against = f", up to the anchor of {given.at} ({given.count})" if given else ""
        console.print(
            f"audit log intact: {result.entries} entries checked{note}{against}", highlight=False
        )
        return
    raise fail(
        f"audit log broken at entry {result.broken_at}: {result.problem} "
        f"({result.entries} entries read)",
        1,
    )


@audit_app.command("anchor")
def audit_anchor_command(
    append: Annotated[
        Path | None, typer.Option(help="Also append the anchor line to this file.")
    ] = None,
    webhook: Annotated[
        str | None, typer.Option(help="Also POST it, signed, to this webhook URL.")
    ] = None,
) -> None:
    """Print the log's head (count and hash, MACed): keep it where the store's writers cannot
    change it, and check the log against it with `audit verify --anchor`."""
    from watchfloor.store import audit_anchor

    head = in_store(audit_anchor, read_only=True)
    line = json.dumps(head.to_json(), sort_keys=True)
    if append is not None:
        try:
            with append.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            raise fail(f"--append {append}: cannot write ({exc})") from None
    if webhook is not None:
        from watchfloor.warn import NotifyConfig, deliver_webhook

        try:
            settings = NotifyConfig.load().webhook
            deliver_webhook(webhook, head.to_json(), f"anchor-{head.count}", settings)
        except WatchfloorError as exc:
            raise fail(f"--webhook: {exc}") from None
    console.print(plain(line), highlight=False, soft_wrap=True)


@audit_app.command("log")
def audit_log_command(
    subject_type: Annotated[str | None, typer.Option(help="case, notice, user ...")] = None,
    subject_id: Annotated[
        str | None, typer.Option(help="With --subject-type: one subject.")
    ] = None,
    limit: LimitOpt = 50,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """The newest audit entries, newest last."""
    from sqlalchemy import select

    from watchfloor.store import AuditEntry

    def run(session: Any) -> list[dict[str, Any]]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if subject_type:
            query = query.where(AuditEntry.subject_type == subject_type)
        if subject_id:
            query = query.where(AuditEntry.subject_id == subject_id)
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "subject": f"{e.subject_type} {e.subject_id}",
                "details": json.loads(e.details),
                "hash": e.hash,
            }
            for e in reversed(list(session.scalars(query)))
        ]

    rows = in_store(run, read_only=True)

    def _row(r: Any) -> Row:
        details = json.dumps(r["details"], ensure_ascii=False)
        return (
            str(r["id"]),
            r["at"][:19],
            plain(r["actor"]),
            r["action"],
            plain(r["subject"]),
            plain(details[:120]),
        )

    show_rows(
        f"{len(rows)} audit entries",
        ("id", "at", "actor", "action", "subject", "details"),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


app.add_typer(audit_app, name="audit")
