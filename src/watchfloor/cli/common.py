"""What every command shares: the app, consoles, output formats, errors, the store."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from watchfloor import settings
from watchfloor.errors import WatchfloorError

app = typer.Typer(
    name="watchfloor",
    help="Find threats against people in reporting, link them to a watchlist, and warn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()


@app.callback()
def _edge(ctx: typer.Context) -> None:
    # The edge: one Settings per command, read from the environment once and active (for
    # every stage the command calls) until the command ends.
    ctx.with_resource(settings.use(settings.Settings()))


err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


class FinderChoice(StrEnum):
    """What finds statements: the rules and the trained finder together, or the rules alone."""

    combined = "combined"
    rules = "rules"


UTF8_NAMES = frozenset({"utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "ascii"})


# C0 controls but tab and newline, DEL and C1 (ESC and CSI start terminal escape sequences),
# and the bidirectional overrides that make a line read differently from what it holds.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Reported text made safe for a terminal: control and escape characters removed."""
    return _CONTROLS.sub("", text or "")


def plain(text: str | None) -> Text:
    """A table cell of reported text: never read as Rich markup, never a terminal escape."""
    return Text(clean(text))


def highlighted(snippet: str) -> Text:
    """A search snippet with its matched words in bold (the markers, not brackets, say which)."""
    from watchfloor.store import HIT_END, HIT_START

    out = Text()
    for i, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        out.append(clean(part), style="bold" if i % 2 else "")
    return out


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", clean(message)), highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


StoreFormat = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json/jsonl for machines.")
]
ProtecteeOpt = Annotated[str | None, typer.Option(help="Only statements about this protectee id.")]
ActorOpt = Annotated[
    str | None, typer.Option(help="Actor entity, a parent of it (Iran), or words of its text.")
]
ActOpt = Annotated[str | None, typer.Option(help="kill, kidnap, attack, threaten or surveil.")]
StatusOpt = Annotated[str | None, typer.Option(help="threatened, considered, planned, ...")]
SinceOpt = Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD), inclusive.")]
UntilOpt = Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD), inclusive.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Only this source (name).")]
LimitOpt = Annotated[int, typer.Option(min=1, help="At most this many rows.")]


def store_engine(*, create: bool = False, immediate: bool = True) -> Any:
    """The configured store, checked against this code's schema (`create`: make a new one)."""
    from watchfloor.store import make_engine, require_current

    try:
        engine = make_engine(immediate=immediate)
        require_current(engine, create=create)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # a database that cannot be reached: say which and why
        from watchfloor.store import database_url, describe

        raise fail(f"cannot open the store at {describe(database_url())}: {exc}") from None
    return engine


def in_store(action: Any, *, read_only: bool = False) -> Any:
    """Run `action(session)` in one store transaction; WatchfloorErrors become one line."""
    from watchfloor.store import transaction

    engine = store_engine(immediate=not read_only)
    try:
        with transaction(engine) as session:
            return action(session)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def statement_filters(
    protectee: str | None,
    actor: str | None,
    act: str | None,
    status: str | None,
    since: str | None,
    until: str | None,
    source: str | None,
    duty_to_warn: bool | None = None,
) -> Any:
    from watchfloor.extract.records import ACTS, STATUSES
    from watchfloor.store import Filters

    if act is not None and act not in ACTS:
        raise fail(f"--act {act!r} is not one of {', '.join(ACTS)}")
    if status is not None and status not in STATUSES:
        raise fail(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    return Filters(
        protectee=protectee,
        actor=actor,
        act=act,
        status=status,
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
        source=source,
        duty_to_warn=duty_to_warn,
    )


Cell = str | Text
Row = tuple[Cell, ...]


def rows_table(
    title: str | Text, columns: Iterable[str | Column], rows: Iterable[Row], **options: Any
) -> Table:
    """A Rich table of `rows` under `columns`: a name (its long cells fold rather than cut),
    or a Column where a command needs widths or wrapping of its own (copied: a table fills
    its columns with cells, and a command's Column constants serve many tables)."""
    headers = [c.copy() if isinstance(c, Column) else Column(c, overflow="fold") for c in columns]
    table = Table(*headers, title=title, **options)
    for row in rows:
        table.add_row(*row)
    return table


def show_rows(
    title: str | Text,
    columns: Iterable[str | Column],
    rows: Iterable[Row],
    *,
    records: list[dict[str, Any]] | None = None,
    output_format: OutputFormat = OutputFormat.table,
    **options: Any,
) -> None:
    """The one output of a listing: `rows` as a table for people, or with --format json/jsonl
    the `records` for machines (the rows are then never built)."""
    if output_format is not OutputFormat.table:
        print_json(records or [], output_format)
        return
    console.print(rows_table(title, columns, rows, **options))


def print_json(rows: list[dict[str, Any]], output_format: OutputFormat) -> None:
    if output_format is OutputFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")


# Analyst work is attributed to --as, else $WATCHFLOOR_USER, else the OS user (identity.py).
ActingAsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Who is acting (default: $WATCHFLOOR_USER, else the OS user)."),
]
