"""Commands over one report: the pipeline's analysis and its threat statements."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column

from watchfloor.cli.common import (
    UTF8_NAMES,
    FinderChoice,
    OutputFormat,
    Row,
    app,
    console,
    err_console,
    fail,
    parse_day,
    plain,
    rows_table,
    show_rows,
)
from watchfloor.errors import WatchfloorError

# Short columns never wrap; names and the evidence give way on a narrow terminal.
FINDING_COLUMNS = tuple(
    Column(name, min_width=width, no_wrap=not wraps, overflow="fold")
    for name, width, wraps in (
        ("act", 8, False),
        ("status", 11, False),
        ("actor", 12, True),
        ("target", 14, True),
        ("protectee", 9, False),
        ("warn", 4, False),
        ("when", 10, False),
    )
)
EVIDENCE_COLUMN = Column("evidence", overflow="ellipsis", no_wrap=True, max_width=40)
# `watchfloor nlp`'s debugging table: Rich's own overflow, as it always printed.
TOKEN_COLUMNS = tuple(Column(c) for c in ("token", "lemma", "pos", "dep", "head", "entity"))


@app.command("nlp")
def nlp_command(
    path: Annotated[str, typer.Argument(help="A text file, or - for standard input.")],
) -> None:
    """Show the English pipeline's analysis of a text: sentences, tags, tree and entities."""
    from watchfloor import nlp
    from watchfloor.ingest import read_document

    try:
        document = read_document(path)
        pipeline = nlp.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    doc = pipeline(document.text)
    console.print(f"[bold]pipeline[/] {pipeline.meta.get('name')} {pipeline.meta.get('version')}")
    for number, sentence in enumerate(doc.sents, 1):
        rows = [(t.text, t.lemma_, t.pos_, t.dep_, t.head.text, _entity(t)) for t in sentence]
        console.print(rows_table(f"sentence {number}", TOKEN_COLUMNS, rows, title_justify="left"))
    console.print("[bold]entities[/]")
    for ent in doc.ents:
        console.print(f"  {ent.label_:<7} {ent.text}", highlight=False)


def _entity(token: Any) -> str:
    return f"{token.ent_iob_}-{token.ent_type_}" if token.ent_type_ else ""


@app.command("extract")
def extract_command(
    path: Annotated[
        str, typer.Argument(help="A .txt, .md or .html file, or - for standard input.")
    ],
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
    finder: Annotated[
        FinderChoice | None,
        typer.Option(help="combined (rules and the trained finder; the default) or rules alone."),
    ] = None,
) -> None:
    """Print every threat statement in one report, linked to the watchlist."""
    from watchfloor.ingest import read_document
    from watchfloor.link import Watchlist, load_watchlist
    from watchfloor.pipeline import Analyzer

    day = parse_day(published, "--published")
    try:
        people = load_watchlist(watchlist) if watchlist else Watchlist.empty()
        document = read_document(path)
        analyzer = Analyzer(people, finder=finder.value if finder else None)
        findings = analyzer.analyze(document, published=day)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    for note in analyzer.notes():
        err_console.print(plain(f"note: {path}: {note}"), highlight=False, soft_wrap=True)
    if document.encoding and document.encoding.lower() not in UTF8_NAMES:
        err_console.print(
            plain(f"note: {path} is not UTF-8; it was read as {document.encoding}"),
            highlight=False,
            soft_wrap=True,
        )

    if output_format in (OutputFormat.jsonl, OutputFormat.json):
        for finding in findings:
            sys.stdout.write(json.dumps(finding.to_contract(), ensure_ascii=False) + "\n")
        return
    # The evidence needs room; on a narrow terminal it is left to --format jsonl.
    show_evidence = console.width >= 120

    def _row(finding: Any) -> Row:
        s = finding.statement
        return (
            s.act,
            s.status,
            plain(finding.actor.entity or (s.actor.text if s.actor else "")),
            plain(s.target.text if s.target else ""),
            plain(finding.target.protectee),
            "[bold red]yes[/]" if finding.duty_to_warn else "no",
            plain(s.when),
            *([plain(s.evidence.text)] if show_evidence else []),
        )

    evidence = [EVIDENCE_COLUMN] if show_evidence else []
    show_rows(
        plain(f"{len(findings)} threat statements in {document.source}"),
        [*FINDING_COLUMNS, *evidence],
        map(_row, findings),
    )
