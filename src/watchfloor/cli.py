"""The `watchfloor` command: one Typer app over the same core the API and web UI use."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from watchfloor.errors import WatchfloorError

app = typer.Typer(
    name="watchfloor",
    help="Find threats against people in reporting, link them to a watchlist, and warn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


@app.command("nlp")
def nlp_command(
    path: Annotated[str, typer.Argument(help="A text file, or - for standard input.")],
) -> None:
    """Show the English pipeline's analysis of a text: sentences, tags, tree and entities."""
    from watchfloor import nlp
    from watchfloor.ingest.files import read_document

    try:
        document = read_document(path)
        pipeline = nlp.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    doc = pipeline(document.text)
    console.print(f"[bold]pipeline[/] {pipeline.meta.get('name')} {pipeline.meta.get('version')}")
    for number, sentence in enumerate(doc.sents, 1):
        table = Table(title=f"sentence {number}", title_justify="left")
        for column in ("token", "lemma", "pos", "dep", "head", "entity"):
            table.add_column(column)
        for token in sentence:
            entity = f"{token.ent_iob_}-{token.ent_type_}" if token.ent_type_ else ""
            table.add_row(token.text, token.lemma_, token.pos_, token.dep_, token.head.text, entity)
        console.print(table)
    console.print("[bold]entities[/]")
    for ent in doc.ents:
        console.print(f"  {ent.label_:<7} {ent.text}", highlight=False)


@app.command("extract")
def extract_command(
    path: Annotated[str, typer.Argument(help="A .txt, .md or .html file, or - for standard input.")],
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", "-w", help="Watchlist YAML or CSV.")
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD (default: the document's, else today)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="jsonl for machines, table for people.")
    ] = OutputFormat.table,
) -> None:
    """Print every threat statement in one report, linked to the watchlist."""
    from watchfloor.ingest.files import read_document
    from watchfloor.link import Watchlist, load_watchlist
    from watchfloor.pipeline import Analyzer

    day = parse_day(published, "--published")
    try:
        people = load_watchlist(watchlist) if watchlist else Watchlist.empty()
        document = read_document(path)
        findings = Analyzer(people).analyze(document, published=day)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None

    if output_format in (OutputFormat.jsonl, OutputFormat.json):
        for finding in findings:
            sys.stdout.write(json.dumps(finding.to_contract(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(findings)} threat statements in {document.source}")
    for column in ("act", "status", "actor", "target", "protectee", "warn", "when", "evidence"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        s = finding.statement
        table.add_row(
            s.act,
            s.status,
            finding.actor.entity or (s.actor.text if s.actor else ""),
            s.target.text if s.target else "",
            finding.target.protectee or "",
            "[bold red]yes[/]" if finding.duty_to_warn else "no",
            s.when or "",
            s.evidence.text[:160],
        )
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
