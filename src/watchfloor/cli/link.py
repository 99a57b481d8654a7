"""The store's copy of the watchlist."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from watchfloor.cli.common import (
    ActingAsOpt,
    OutputFormat,
    StoreFormat,
    app,
    console,
    fail,
    print_json,
    store_engine,
)
from watchfloor.errors import WatchfloorError

watchlist_app = typer.Typer(
    help="The store's copy of the watchlist: names and notify contacts.", no_args_is_help=True
)


def sync_watchlist_file(
    engine: Any, path: Path, analyst: str | None = None, *, people: Any = None
) -> Any:
    """Load a watchlist file into the store in one transaction; errors end the command.

    `people`: the file already read (by ingest, for analysis), so it is not parsed twice."""
    from watchfloor.identity import analyst_name
    from watchfloor.link import load_watchlist
    from watchfloor.link.sync import file_sha256, sync_watchlist
    from watchfloor.store import transaction

    try:
        people = people if people is not None else load_watchlist(path)
        sha = file_sha256(path)
        with transaction(engine) as session:
            return sync_watchlist(session, people, actor=analyst_name(analyst), sha256=sha)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


@watchlist_app.command("load")
def watchlist_load_command(
    path: Annotated[Path, typer.Argument(help="Watchlist YAML or CSV.", show_default=False)],
    analyst: ActingAsOpt = None,
) -> None:
    """Add or update the protectees of a watchlist file in the store (audited)."""
    engine = store_engine(create=True)
    summary = sync_watchlist_file(engine, path, analyst)
    console.print(f"{path}: {summary.line()}", highlight=False, soft_wrap=True)


@watchlist_app.command("list")
def watchlist_list_command(
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """The protectees in the store, with whom to notify."""
    from watchfloor.link.protectees import list_protectees
    from watchfloor.store import transaction

    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        people = list_protectees(session)
    if output_format is not OutputFormat.table:
        print_json([p.to_json() for p in people], output_format)
        return
    table = Table(title=f"{len(people)} protectees")
    for column in ("id", "name", "aliases", "roles", "notify", "listed", "updated"):
        table.add_column(column, overflow="fold")
    for p in people:
        table.add_row(
            p.id,
            p.name,
            ", ".join(p.aliases),
            "; ".join(str(r.get("title", "")) for r in p.roles),
            ", ".join(x for x in (p.notify.email, p.notify.webhook) if x) if p.notify else "",
            "yes" if p.current else "no",
            p.updated_at.date().isoformat(),
        )
    console.print(table)


app.add_typer(watchlist_app, name="watchlist")
