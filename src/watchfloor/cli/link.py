"""The store's copy of the watchlist."""

from __future__ import annotations

from pathlib import Path
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
    show_rows,
    store_engine,
)
from watchfloor.errors import WatchfloorError
from watchfloor.identity import analyst_name

watchlist_app = typer.Typer(
    help="The store's copy of the watchlist: names and notify contacts.", no_args_is_help=True
)


def sync_watchlist_file(
    engine: Any, path: Path, analyst: str | None = None, *, people: Any = None
) -> Any:
    """Load a watchlist file into the store in one transaction; errors end the command.

    `people`: the file already read (by ingest, for analysis), so it is not parsed twice."""
    from watchfloor.link import file_sha256, load_watchlist, sync_watchlist
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
    from watchfloor.link import list_protectees
    from watchfloor.store import transaction

    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        people = list_protectees(session)

    def _row(p: Any) -> Row:
        return (
            p.id,
            p.name,
            ", ".join(p.aliases),
            "; ".join(str(r.get("title", "")) for r in p.roles),
            ", ".join(x for x in (p.notify.email, p.notify.webhook) if x) if p.notify else "",
            "yes" if p.current else "no",
            p.updated_at.date().isoformat(),
        )

    show_rows(
        f"{len(people)} protectees",
        ("id", "name", "aliases", "roles", "notify", "listed", "updated"),
        map(_row, people),
        records=[p.to_json() for p in people],
        output_format=output_format,
    )


app.add_typer(watchlist_app, name="watchlist")
