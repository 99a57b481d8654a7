"""The first hour: `init --admin/--organization` and `watchfloor sources` (list, grade, mark).

A store that nobody administers, with no own organization and every source TLP:AMBER, shows
every reader an empty review; these commands set who runs the store, whose products they are
and how each source's reporting is graded and marked, each change audited.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from watchfloor.cli.common import (
    ActingAsOpt,
    OutputFormat,
    Row,
    StoreFormat,
    app,
    console,
    fail,
    in_store,
    show_rows,
)
from watchfloor.errors import WatchfloorError
from watchfloor.identity import analyst_name

sources_app = typer.Typer(
    help="Sources: list them, grade their reliability, set the marking of their reporting.",
    no_args_is_help=True,
)
app.add_typer(sources_app, name="sources")

ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]


def first_admin(name: str, email: str | None) -> None:
    """Add the first user as an admin; refused once the store has users."""
    from sqlalchemy import func, select

    from watchfloor.store import User
    from watchfloor.warn import CasePolicy, add_user

    def add(session: Any) -> None:
        if session.scalar(select(func.count()).select_from(User)):
            raise WatchfloorError(
                "--admin: the store already has users; an admin adds more with "
                "`watchfloor users add NAME --role admin --as ADMIN`"
            )
        add_user(session, name, ["admin"], email=email, by=None, policy=CasePolicy.load())

    in_store(add)
    console.print(f"added {name} as the first user, an admin (adds staff)", highlight=False)


def show_organization(organization: str | None) -> None:
    """Set the own organization when given; always say which one is in force."""
    from watchfloor.publish import AccessPolicy, policy_path, set_own_organization

    try:
        if organization is not None:
            set_own_organization(organization)
        own = AccessPolicy.load().own_organization
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    if own:
        console.print(f"organization: {own} (access policy {policy_path()})", highlight=False)
    else:
        console.print(
            "organization: none set, so no reader may read TLP:AMBER reporting (every source's "
            "default); set it with `watchfloor init --organization NAME`",
            highlight=False,
        )


@sources_app.command("list")
def sources_list_command(output_format: StoreFormat = OutputFormat.table) -> None:
    """Every source with its reliability grade, its marking and how many documents it gave."""
    from watchfloor.publish import list_sources

    rows = in_store(lambda session: [r.to_json() for r in list_sources(session)], read_only=True)

    def _row(r: Any) -> Row:
        grade = r["reliability"] + (" (analyst)" if r["graded_by_analyst"] else "")
        return (r["name"], r["kind"], grade, r["marking"], str(r["documents"]))

    show_rows(
        f"{len(rows)} sources",
        ("name", "kind", "grade", "marking", "documents"),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


@sources_app.command("grade")
def sources_grade_command(
    name: Annotated[str, typer.Argument(help="Source name (see `watchfloor sources list`).")],
    grade: Annotated[str, typer.Argument(help="Admiralty reliability A-F.")],
    reason: ReasonOpt,
    analyst: ActingAsOpt = None,
) -> None:
    """Grade a source's reliability (audited); its threads are re-assessed."""
    from watchfloor.assess import grade_source

    who = analyst_name(analyst)
    changes = in_store(lambda session: grade_source(session, name, grade, who, reason))
    console.print(
        f"source {name!r} graded {grade.strip().upper()} by {who}; "
        f"{len(changes)} threads re-assessed",
        highlight=False,
    )


@sources_app.command("mark")
def sources_mark_command(
    name: Annotated[str, typer.Argument(help="Source name (see `watchfloor sources list`).")],
    marking: Annotated[
        str, typer.Argument(help='A marking: "TLP:GREEN", "SECRET//NOFORN", "S//REL TO USA, GBR".')
    ],
    reason: ReasonOpt,
    documents: Annotated[
        bool,
        typer.Option("--documents", help="Re-mark the documents already stored from it too."),
    ] = False,
    analyst: ActingAsOpt = None,
) -> None:
    """Set the marking of a source's reporting (audited); rebuild reviews to carry it."""
    from watchfloor.publish import mark_source

    who = analyst_name(analyst)
    changed = in_store(
        lambda session: mark_source(
            session, name, marking, actor=who, reason=reason, documents=documents
        )
    )
    tail = f"; {changed} stored documents re-marked" if documents else ""
    console.print(f"source {name!r} marked {marking} by {who}{tail}", highlight=False)
