"""The `watchfloor` command: one Typer app over the same core the API and web UI use."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


UTF8_NAMES = frozenset({"utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "ascii"})


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
    if document.encoding and document.encoding.lower() not in UTF8_NAMES:
        err_console.print(
            f"note: {path} is not UTF-8; it was read as {document.encoding}",
            highlight=False,
            soft_wrap=True,
        )

    if output_format in (OutputFormat.jsonl, OutputFormat.json):
        for finding in findings:
            sys.stdout.write(json.dumps(finding.to_contract(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(findings)} threat statements in {document.source}")
    # Short columns never wrap; names and the evidence give way on a narrow terminal.
    for column, width, wraps in (
        ("act", 8, False),
        ("status", 11, False),
        ("actor", 12, True),
        ("target", 14, True),
        ("protectee", 9, False),
        ("warn", 4, False),
        ("when", 10, False),
    ):
        table.add_column(column, min_width=width, no_wrap=not wraps, overflow="fold")
    # The evidence needs room; on a narrow terminal it is left to --format jsonl.
    show_evidence = console.width >= 120
    if show_evidence:
        table.add_column("evidence", overflow="ellipsis", no_wrap=True, max_width=40)
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
            *([s.evidence.text] if show_evidence else []),
        )
    console.print(table)


# --- store: init, ingest, watch, documents, statements, search ----------------------------

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


def _store_engine(*, create: bool = False, immediate: bool = True) -> Any:
    """The configured store, checked against this code's schema (`create`: make a new one)."""
    from watchfloor.store import make_engine, require_current

    try:
        engine = make_engine(immediate=immediate)
        require_current(engine, create=create)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # a database that cannot be reached: say which and why
        from watchfloor.store.engine import database_url, describe

        raise fail(f"cannot open the store at {describe(database_url())}: {exc}") from None
    return engine


def _filters(
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
    from watchfloor.store.repository import Filters

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


def _print_json(rows: list[dict[str, Any]], output_format: OutputFormat) -> None:
    if output_format is OutputFormat.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")


@app.command("init")
def init_command() -> None:
    """Create the store, or upgrade it to this version's schema (alembic upgrade head)."""
    from watchfloor.store import make_engine
    from watchfloor.store.engine import database_url, describe
    from watchfloor.store.migrate import upgrade

    where = describe(database_url())
    try:
        before = upgrade(make_engine())
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        raise fail(f"cannot initialise the store at {where}: {exc}") from None
    if before.current is None:
        console.print(f"created the store at {where} (schema {before.head})", highlight=False)
    elif before.up_to_date:
        console.print(f"the store at {where} is up to date (schema {before.head})", highlight=False)
    else:
        console.print(
            f"upgraded the store at {where} from schema {before.current} to {before.head}",
            highlight=False,
        )


def _analyze_with(watchlist: Path | None, no_extract: bool) -> Any:
    """A lazy analyze_many: spaCy loads only when a document actually needs analysis."""
    if no_extract:
        return None
    from watchfloor.link import Watchlist, load_watchlist

    try:
        people = load_watchlist(watchlist) if watchlist else Watchlist.empty()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    analyzer: Any = None

    def analyze(documents: list[Any], published: date | None) -> Any:
        nonlocal analyzer
        if analyzer is None:
            from watchfloor.pipeline import Analyzer

            analyzer = Analyzer(people)
        return analyzer.analyze_many(documents, published)

    return analyze


def _run_ingest(ingestor: Any, items: list[Any], what: str, missing: int = 0) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from watchfloor.errors import PipelineNotFound
    from watchfloor.store.ingestion import Summary

    summary = Summary(failed=missing)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=len(items) < 10 or not err_console.is_terminal,
    )
    try:
        with progress:
            task = progress.add_task(what, total=len(items))
            for outcome in ingestor.run(items):
                summary.add(outcome)
                if outcome.status == "failed":
                    err_console.print(
                        f"[yellow]failed:[/] {outcome.location}: {outcome.reason}",
                        highlight=False,
                        soft_wrap=True,
                    )
                progress.advance(task)
    except PipelineNotFound as exc:
        raise fail(str(exc)) from None
    console.print(summary.line(), highlight=False)
    return summary


def _items_for(inputs: list[str], max_bytes: int, source: str | None) -> tuple[list[Any], int]:
    """Items to ingest, and the number of paths that do not exist (reported, not quarantined:
    a mistyped path is not a document)."""
    from watchfloor.ingest.files import iter_paths
    from watchfloor.store.ingestion import Item, SourceSpec, file_item

    items: list[Any] = []
    paths: list[Path] = []
    client: Any = None
    missing = 0
    for value in inputs:
        if value.startswith(("http://", "https://")):
            import functools
            from urllib.parse import urlsplit

            from watchfloor.ingest.feeds import fetch_url, new_client

            spec = None if source else SourceSpec(urlsplit(value).hostname or value, kind="site")
            client = client or new_client()
            load = functools.partial(fetch_url, client, value, max_bytes)
            items.append(Item(value, load, None, spec))
        elif not Path(value).exists():
            missing += 1
            err_console.print(
                f"[yellow]failed:[/] {value}: no such file or folder; check the path",
                highlight=False,
                soft_wrap=True,
            )
        else:
            paths.append(Path(value))
    items.extend(file_item(path, max_bytes) for path in iter_paths(paths))
    return items, missing


def _print_failures(output_format: OutputFormat) -> None:
    from watchfloor.store import transaction
    from watchfloor.store.repository import list_failures

    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        failures = list_failures(session)
        rows: list[dict[str, Any]] = [
            {
                "location": f.location,
                "source": f.source_name,
                "reason": f.reason,
                "sha256": f.sha256,
                "attempts": f.attempts,
                "first_failed_at": f.first_failed_at.isoformat(),
                "last_failed_at": f.last_failed_at.isoformat(),
            }
            for f in failures
        ]
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(
        title=f"{len(rows)} quarantined documents (retry with `watchfloor ingest --retry`)"
    )
    for column in ("location", "reason", "attempts", "last failed", "sha256"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["location"],
            row["reason"],
            str(row["attempts"]),
            row["last_failed_at"][:19],
            (row["sha256"] or "")[:12],
        )
    console.print(table)


@app.command("ingest")
def ingest_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, folders (read recursively) and http(s) URLs.", show_default=False
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Source to file the documents under (default: files, or the URL's host)."
        ),
    ] = None,
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", "-w", help="Watchlist YAML or CSV.")
    ] = None,
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD for all inputs (default: each one's own)."),
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="List quarantined documents.")] = False,
    retry: Annotated[bool, typer.Option("--retry", help="Retry quarantined documents.")] = False,
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Store documents without finding statements.")
    ] = False,
    max_bytes: Annotated[int, typer.Option(min=1, help="Refuse inputs larger than this.")] = (
        20 * 1024 * 1024
    ),
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Read reports into the store with their threat statements; failures are quarantined.

    Exits 1 only when none of the inputs is in the store afterwards (all failed, or none found).
    """
    from watchfloor.store.ingestion import Ingestor, SourceSpec, retry_items
    from watchfloor.store.neardup import Fingerprinter

    if failed:
        _print_failures(output_format)
        return
    if not inputs and not retry:
        raise fail("give files, folders or URLs to ingest, or --failed / --retry")
    day = parse_day(published, "--published")
    analyze = _analyze_with(watchlist, no_extract)
    engine = _store_engine(create=True)
    if watchlist is not None:
        err_console.print(_sync_watchlist(engine, watchlist).line(), highlight=False)
    spec = SourceSpec(source or "files", kind="analyst" if source is None else "site")
    ingestor = Ingestor(
        engine,
        spec,
        analyze=analyze,
        published=day,
        fingerprinter=Fingerprinter(),
        after_store=_after_store_hook(analyze),
    )
    if retry:
        from watchfloor.ingest.feeds import fetch_url, new_client

        client = new_client()
        items = retry_items(engine, max_bytes, fetch=lambda url: fetch_url(client, url, max_bytes))
        if not items:
            console.print("no quarantined documents to retry")
            return
        summary = _run_ingest(ingestor, items, "retrying")
    else:
        items, missing = _items_for(inputs or [], max_bytes, source)
        if not items:
            raise fail(f"no documents found in {', '.join(inputs or [])}", 1)
        summary = _run_ingest(ingestor, items, "ingesting", missing)
    if summary.nothing_ingested:
        raise typer.Exit(1)


@app.command("documents")
def documents_command(
    protectee: ProtecteeOpt = None,
    actor: ActorOpt = None,
    act: ActOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: SourceOpt = None,
    cluster: Annotated[int | None, typer.Option(help="Only this near-duplicate cluster.")] = None,
    limit: LimitOpt = 50,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """List stored documents, newest first (statement filters keep documents that match)."""
    from watchfloor.store import transaction
    from watchfloor.store.repository import find_documents

    filters = _filters(protectee, actor, act, status, since, until, source)
    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        found = find_documents(session, filters, cluster_id=cluster, limit=limit)
    if output_format is not OutputFormat.table:
        _print_json([d.to_json() for d in found], output_format)
        return
    table = Table(title=f"{len(found)} documents")
    for column in ("id", "date", "source", "title", "statements", "cluster", "marking"):
        table.add_column(column, overflow="fold")
    for d in found:
        cluster_text = "" if d.cluster_id is None else str(d.cluster_id)
        if d.cluster_id is not None and not d.is_origin:
            cluster_text += f" (copy of {d.origin_document_id})"
        table.add_row(
            str(d.id),
            d.day.isoformat(),
            f"{d.source} ({d.reliability})",
            d.title or d.location,
            str(d.statements) if d.analyzed else "not analyzed",
            cluster_text,
            d.marking,
        )
    console.print(table)


@app.command("statements")
def statements_command(
    protectee: ProtecteeOpt = None,
    actor: ActorOpt = None,
    act: ActOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: SourceOpt = None,
    warn: Annotated[
        bool | None,
        typer.Option("--warn/--no-warn", help="Only those that owe a warning (or not)."),
    ] = None,
    limit: LimitOpt = 100,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """List stored threat statements, newest document first."""
    from watchfloor.store import transaction
    from watchfloor.store.repository import find_statements

    filters = _filters(protectee, actor, act, status, since, until, source, warn)
    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        found = find_statements(session, filters, limit=limit)
        rows = [hit.to_json() for hit in found]
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} threat statements")
    for column in (
        "date",
        "doc",
        "act",
        "status",
        "actor",
        "target",
        "protectee",
        "warn",
        "evidence",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["document"]["day"],
            str(row["document"]["id"]),
            row["act"],
            row["status"],
            row["actor"]["entity"] or row["actor"]["text"] or "",
            row["target"]["text"] or "",
            row["target"]["protectee"] or "",
            "[bold red]yes[/]" if row["duty_to_warn"] else "no",
            row["evidence"]["text"][:160],
        )
    console.print(table)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help='Words, "exact phrases", -excluded, a OR b.')],
    protectee: ProtecteeOpt = None,
    actor: ActorOpt = None,
    act: ActOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    source: SourceOpt = None,
    limit: LimitOpt = 20,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Full-text search over stored documents, best match first."""
    from watchfloor.store import transaction
    from watchfloor.store.repository import search

    filters = _filters(protectee, actor, act, status, since, until, source)
    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        hits = search(session, query, filters, limit=limit)
    if output_format is not OutputFormat.table:
        _print_json([hit.to_json() for hit in hits], output_format)
        return
    table = Table(title=f"{len(hits)} documents match {query!r}")
    for column in ("id", "date", "source", "title", "snippet"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        d = hit.document
        table.add_row(str(d.id), d.day.isoformat(), d.source, d.title or d.location, hit.snippet)
    console.print(table)


@app.command("watch")
def watch_command(
    config: Annotated[Path, typer.Option("--config", "-c", help="Feeds config (YAML).")],
    once: Annotated[
        bool, typer.Option("--once", help="Poll every due feed once, then stop.")
    ] = False,
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", "-w", help="Watchlist YAML or CSV.")
    ] = None,
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Store documents without finding statements.")
    ] = False,
) -> None:
    """Poll the feeds and pages of a config, ingest new items, and keep going when one fails."""
    import logging
    import time
    from datetime import UTC, datetime

    from rich.logging import RichHandler

    from watchfloor.errors import PipelineNotFound
    from watchfloor.ingest.feeds import load_feeds, new_client
    from watchfloor.store.ingestion import Ingestor, SourceSpec, Summary
    from watchfloor.store.neardup import Fingerprinter
    from watchfloor.store.watching import watch_round

    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
    )
    try:
        feeds = load_feeds(config)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    analyze = _analyze_with(watchlist, no_extract)
    engine = _store_engine(create=True)
    if watchlist is not None:
        err_console.print(_sync_watchlist(engine, watchlist).line(), highlight=False)
    fingerprinter = Fingerprinter()

    def make_ingestor(source: SourceSpec) -> Ingestor:
        return Ingestor(
            engine,
            source,
            analyze=analyze,
            fingerprinter=fingerprinter,
            after_store=_after_store_hook(analyze),
        )

    with new_client() as client:
        while True:
            summary = Summary()
            next_due: list[datetime] = []
            try:
                for report in watch_round(engine, client, feeds, make_ingestor):
                    for outcome in report.outcomes:
                        summary.add(outcome)
                    if report.next_due is not None:
                        next_due.append(report.next_due)
                    if report.polled:
                        state = "ok" if report.ok else f"[red]failed[/]: {report.error}"
                        err_console.print(
                            f"{report.name}: {state}, {len(report.outcomes)} new items",
                            highlight=False,
                            soft_wrap=True,
                        )
            except PipelineNotFound as exc:
                raise fail(str(exc)) from None
            console.print(summary.line(), highlight=False)
            if once:
                return
            wait = min(next_due, default=datetime.now(UTC)) - datetime.now(UTC)
            time.sleep(min(max(wait.total_seconds(), 1.0), 60.0))


if TYPE_CHECKING:
    from watchfloor.evaluation.run import EvalReport


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("eval")
def eval_command(
    set_dir: Annotated[
        Path | None,
        typer.Option("--set", help="Folder of the labelled set (default: tests/data/eval)."),
    ] = None,
    output_format: Annotated[
        EvalFormat, typer.Option("--format", "-f", help="json for machines, table for people.")
    ] = EvalFormat.table,
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="List every miss and false positive.")
    ] = False,
    muc4: Annotated[
        Path | None,
        typer.Option("--muc4", help="MUC-4 folder with dev.json (default: ../shared/data/muc4)."),
    ] = None,
    no_muc4: Annotated[bool, typer.Option("--no-muc4", help="Leave MUC-4 out.")] = False,
) -> None:
    """Score the extractor and a keyword baseline on the labelled set and on MUC-4 dev."""
    from watchfloor.evaluation.run import DEFAULT_MUC_DIR, DEFAULT_SET_DIR, run_evaluation

    if no_muc4 and muc4 is not None:
        raise fail("--muc4 and --no-muc4 contradict each other; give one")
    chosen_set = set_dir or DEFAULT_SET_DIR
    chosen_muc = None if no_muc4 else (muc4 or DEFAULT_MUC_DIR)
    if muc4 is not None and not (muc4 / "dev.json").is_file():
        raise fail(f"--muc4 {muc4}: no dev.json there; pass the folder that holds MUC-4 dev.json")
    try:
        report = run_evaluation(
            chosen_set, chosen_muc, progress=lambda line: err_console.print(line, highlight=False)
        )
    except WatchfloorError as exc:
        raise fail(str(exc)) from None

    if output_format is EvalFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(show_errors), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    _print_eval(report, show_errors)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_eval(report: EvalReport, show_errors: bool) -> None:
    ours, base = report.ours, report.baseline
    console.print(
        f"[bold]watchfloor eval[/] {report.started:%Y-%m-%d %H:%M %Z} · {report.seconds:.1f} s · "
        f"set {report.set_dir}: {ours.reports} reports, {ours.negatives} negative, "
        f"{ours.expected} expected statements",
        highlight=False,
    )
    table = Table(title="labelled set", title_justify="left")
    for column in ("measure", "watchfloor", "baseline"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    rows: list[tuple[str, str, str]] = [
        ("statements predicted", str(ours.predicted), str(base.predicted)),
        ("true positives", str(ours.true_positives), str(base.true_positives)),
        ("precision", _pct(ours.precision), _pct(base.precision)),
        ("recall", _pct(ours.recall), _pct(base.recall)),
        ("F1", _pct(ours.f1), _pct(base.f1)),
        ("target linking accuracy", _pct(ours.link_accuracy), _pct(base.link_accuracy)),
        ("status accuracy", _pct(ours.status_accuracy), _pct(base.status_accuracy)),
        ("duty-to-warn precision", _pct(ours.warn_precision), _pct(base.warn_precision)),
        ("duty-to-warn recall", _pct(ours.warn_recall), _pct(base.warn_recall)),
        ("false positives on negatives", str(ours.negative_fp), str(base.negative_fp)),
        (
            f"negative reports hit (of {ours.negatives})",
            str(ours.negative_reports_hit),
            str(base.negative_reports_hit),
        ),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)

    acts = Table(title="watchfloor by act", title_justify="left")
    for column in ("act", "tp", "fp", "fn", "precision", "recall", "F1"):
        acts.add_column(column, justify="left" if column == "act" else "right")
    for act, c in ours.summary()["per_act"].items():
        acts.add_row(
            act,
            str(c["tp"]),
            str(c["fp"]),
            str(c["fn"]),
            _pct(c["precision"]),
            _pct(c["recall"]),
            _pct(c["f1"]),
        )
    console.print(acts)

    if report.muc_skipped is not None:
        console.print(f"[yellow]{report.muc_skipped}[/]", highlight=False)
    elif report.muc_ours is not None and report.muc_baseline is not None:
        mo, mb = report.muc_ours.summary(), report.muc_baseline.summary()
        muc = Table(title=f"MUC-4 dev ({mo['documents']} documents)", title_justify="left")
        for column in ("measure", "watchfloor", "baseline"):
            muc.add_column(column, justify="right" if column != "measure" else "left")
        muc.add_row(
            f"victim recall (of {mo['victims']})",
            _pct(mo["victim_recall"]),
            _pct(mb["victim_recall"]),
        )
        muc.add_row(
            f"physical target recall (of {mo['targets']})",
            _pct(mo["target_recall"]),
            _pct(mb["target_recall"]),
        )
        muc.add_row(
            f"incidents found (of {mo['incidents']})",
            str(mo["incidents_found"]),
            str(mb["incidents_found"]),
        )
        if report.muc_has_stage:
            muc.add_row(
                "stage-of-execution accuracy",
                _pct(mo["stage_accuracy"]),
                _pct(mb["stage_accuracy"]),
            )
        muc.add_row("statements predicted", str(mo["predicted"]), str(mb["predicted"]))
        muc.add_row(
            "share of predicted targets on a gold entity",
            _pct(mo["predicted_on_gold_share"]),
            _pct(mb["predicted_on_gold_share"]),
        )
        console.print(muc)
        if not report.muc_has_stage:
            console.print(
                "MUC-4 stage of execution: not scored, the keys in "
                f"{report.muc_dir} carry no stage-of-execution slot",
                highlight=False,
            )
        if report.muc_join_failures:
            console.print(
                f"MUC-4: {report.muc_join_failures} documents whose keys did not join to dev.json",
                highlight=False,
            )

    if show_errors:
        errors = Table(title="watchfloor errors on the labelled set", title_justify="left")
        for column in ("report", "kind", "act", "target", "detail"):
            errors.add_column(column, overflow="fold")
        for e in ours.errors():
            if e["kind"] in ("miss", "false_positive"):
                detail = f"{e['status']} → {e['protectee'] or '-'}"
                if e.get("evidence"):
                    detail += f" · {e['evidence']}"
            else:
                detail = f"expected {e['expected']}, got {e['got']}"
            errors.add_row(e["report"], e["kind"], e["act"], str(e["target"]), detail)
        console.print(errors)


# == assess: the threat board, thread detail, analyst overrides (issue 5) ====================


def _after_store_hook(analyze: Any) -> Any:
    """The stages after storing (assess, warn) when statements are being found, else none.

    pipeline (and with it spaCy) is imported on the first stored document, not before."""
    if analyze is None:
        return None

    def after_store(session: Any, document_id: int) -> None:
        from watchfloor.pipeline import after_store as hook

        hook(session, document_id)

    return after_store


def _score(value: float) -> str:
    return f"{value:.2f}"


def _target_label(target: str, protectee: str | None) -> str:
    return target if not protectee or protectee == target else f"{target} ({protectee})"


def _thread_row(view: Any) -> dict[str, Any]:
    a = view.assessment
    return {
        "id": view.id,
        "actor": a.actor or "unknown",
        "target": a.target,
        "protectee": a.protectee,
        "harm": a.harm,
        "grade": a.admiralty,
        "specificity": a.specificity.score,
        "trend": a.trend.label,
        "likelihood": a.likelihood,
        "confidence": a.confidence,
        "last_seen": a.last_seen.isoformat(),
        "priority": a.priority,
        "statements": a.statements,
    }


@app.command("threats")
def threats_command(
    protectee: Annotated[
        str | None, typer.Option(help="Only threads about this protectee id.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help="Actor, or a parent of it (Iran also lists Quds Force).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only threads last seen on or after this date.")
    ] = None,
    limit: LimitOpt = 50,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """The threat board: every assessed thread, highest priority first."""
    from watchfloor.assess.service import list_threads
    from watchfloor.store import transaction

    day = parse_day(since, "--since")
    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        views = list_threads(session, protectee=protectee, actor=actor, since=day, limit=limit)
    if output_format is not OutputFormat.table:
        _print_json([{**_thread_row(v), "key": v.key} for v in views], output_format)
        return
    table = Table(title=f"{len(views)} threat threads, highest priority first")
    for column in (
        "id",
        "actor",
        "target",
        "harm",
        "grade",
        "specificity",
        "trend",
        "likelihood",
        "confidence",
        "last seen",
    ):
        table.add_column(column, overflow="fold")
    for view in views:
        row = _thread_row(view)
        table.add_row(
            str(row["id"]),
            row["actor"],
            _target_label(row["target"], row["protectee"]),
            row["harm"],
            row["grade"],
            _score(row["specificity"]),
            row["trend"],
            row["likelihood"],
            row["confidence"],
            row["last_seen"],
        )
    console.print(table)


@app.command("threat")
def threat_command(
    thread_id: Annotated[int, typer.Argument(help="Thread id (see `watchfloor threats`).")],
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """One thread: grades and their parts, behaviours, timeline, rationale with evidence."""
    from watchfloor.assess.service import get_thread
    from watchfloor.store import transaction

    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        view = get_thread(session, thread_id)
    if view is None:
        raise fail(f"thread {thread_id} is not in the store; `watchfloor threats` lists thread ids")
    if output_format is not OutputFormat.table:
        sys.stdout.write(json.dumps(view.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    _print_thread(view)


def _print_thread(view: Any) -> None:
    a = view.assessment
    s = a.specificity
    console.print(
        f"[bold]thread {view.id}[/] {a.actor or 'unknown'} → "
        + _target_label(a.target, a.protectee),
        highlight=False,
    )
    console.print(
        f"grade {a.admiralty}"
        + (" (credibility set by an analyst)" if a.credibility_overridden else "")
        + f" · harm {a.harm} ({a.status}) · severity {a.severity}/10 · imminence {a.imminence}"
        + f" · seen {a.first_seen} to {a.last_seen} · {a.statements} statements in "
        f"{a.documents} documents, {a.clusters} clusters, {a.independent_origins} independent",
        highlight=False,
    )
    console.print(
        f"judgement: {a.likelihood} ({a.likelihood_range[0]}-{a.likelihood_range[1]}%). "
        f"Confidence: {a.confidence}. Trend: {a.trend.label} ({a.trend.reason}).",
        highlight=False,
    )
    parts = [
        ("target identified", s.target_identified),
        ("method", s.method),
        ("place", s.place),
        ("time", s.time),
        ("actor capability", s.actor_capability),
    ]
    console.print(
        f"specificity {s.score:.2f}: "
        + ", ".join(f"{name} {'yes' if present else 'no'}" for name, present in parts),
        highlight=False,
    )
    if a.behaviours:
        table = Table(title="warning behaviours", title_justify="left")
        for column in ("behaviour", "doc", "offsets", "evidence"):
            table.add_column(column, overflow="fold")
        for b in a.behaviours:
            e = b.evidence
            table.add_row(b.behaviour, str(e.document_id), f"{e.start}-{e.end}", e.text)
        console.print(table)
    series = Table(title=f"timeline ({a.trend.label})", title_justify="left")
    for column in ("day", "statements", "specificity", "severity", "credibility"):
        series.add_column(column)
    for p in a.trend.series:
        series.add_row(
            p.day.isoformat(),
            str(p.statements),
            f"{p.specificity:.2f}",
            str(p.severity),
            str(p.credibility),
        )
    console.print(series)
    rationale = Table(title="rationale", title_justify="left")
    for column in ("effect", "reason", "doc", "offsets", "evidence"):
        rationale.add_column(column, overflow="fold")
    for item in a.rationale:
        e = item.evidence
        rationale.add_row(
            item.effect,
            item.reason,
            str(e.document_id) if e else "",
            f"{e.start}-{e.end}" if e else "",
            f"“{e.text}”" if e else "",
        )
    console.print(rationale)
    if view.children:
        children = Table(title="folded threads (actors below this one)", title_justify="left")
        for column in ("id", "actor", "grade", "trend", "likelihood", "last seen"):
            children.add_column(column)
        for child in view.children:
            c = child.assessment
            children.add_row(
                str(child.id),
                c.actor or "unknown",
                c.admiralty,
                c.trend.label,
                c.likelihood,
                c.last_seen.isoformat(),
            )
        console.print(children)
    statements = Table(title="statements", title_justify="left")
    for column in ("id", "day", "doc", "cluster", "source", "act", "status", "evidence"):
        statements.add_column(column, overflow="fold")
    for st in view.statements:
        statements.add_row(
            str(st.id) + (" [dim](dismissed)[/]" if st.dismissed else ""),
            st.day.isoformat(),
            str(st.document_id),
            "" if st.cluster_id is None else str(st.cluster_id),
            st.source,
            st.act,
            st.status,
            st.evidence.text if len(st.evidence.text) <= 160 else st.evidence.text[:159] + "…",
        )
    console.print(statements)
    if view.overrides:
        overrides = Table(title="analyst overrides in force", title_justify="left")
        for column in ("kind", "subject", "value", "analyst", "when", "reason"):
            overrides.add_column(column, overflow="fold")
        for o in view.overrides:
            overrides.add_row(
                o.kind, o.subject, o.value, o.analyst, o.created_at.isoformat()[:19], o.reason or ""
            )
        console.print(overrides)


def _report_changes(what: str, changes: list[Any], output_format: OutputFormat) -> None:
    rows = [
        {
            "id": c.thread_id,
            "key": c.after.key,
            "before": c.before.admiralty if c.before else None,
            "after": c.after.admiralty,
            "likelihood": c.after.likelihood,
            "trend": c.after.trend.label,
            "changed": c.changed,
        }
        for c in changes
    ]
    if output_format is not OutputFormat.table:
        sys.stdout.write(
            json.dumps({"done": what, "threads": rows}, ensure_ascii=False, indent=2) + "\n"
        )
        return
    changed = sum(1 for r in rows if r["changed"])
    console.print(f"{what}; {len(rows)} threads re-assessed, {changed} changed", highlight=False)


def _override(what: str, output_format: OutputFormat, apply: Any) -> None:
    """Run one override and the stages after assess in one transaction, then report."""
    from watchfloor.pipeline import after_changes
    from watchfloor.store import transaction

    engine = _store_engine()
    try:
        with transaction(engine) as session:
            changes = apply(session)
            after_changes(session, changes)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    _report_changes(what, changes, output_format)


ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]
AnalystOpt = Annotated[
    str | None,
    typer.Option("--as", help="Analyst name (default: $WATCHFLOOR_USER, else the OS user)."),
]


@app.command("assess")
def assess_command(
    today: Annotated[
        str | None, typer.Option(help="Assess as of this date (default: today).")
    ] = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Re-assess every thread (e.g. after changing the assessment configuration)."""
    from watchfloor.assess.service import reassess_all

    day = parse_day(today, "--today")
    _override(
        "re-assessed the store",
        output_format,
        lambda session: reassess_all(session, today=day),
    )


source_app = typer.Typer(help="Analyst decisions about sources.", no_args_is_help=True)
thread_app = typer.Typer(help="Analyst decisions about threads.", no_args_is_help=True)
statement_app = typer.Typer(help="Analyst decisions about statements.", no_args_is_help=True)
actor_app = typer.Typer(help="Analyst decisions about actors.", no_args_is_help=True)
app.add_typer(source_app, name="source")
app.add_typer(thread_app, name="thread")
app.add_typer(statement_app, name="statement")
app.add_typer(actor_app, name="actor")


@source_app.command("grade")
def source_grade_command(
    name: Annotated[str, typer.Argument(help="Source name (see `watchfloor documents`).")],
    grade: Annotated[str, typer.Argument(help="Admiralty reliability A-F.")],
    reason: ReasonOpt,
    analyst: AnalystOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Grade a source's reliability; its threads are re-assessed."""
    from watchfloor.assess.service import analyst_name, grade_source

    who = analyst_name(analyst)
    _override(
        f"source {name!r} graded {grade.upper()} by {who}",
        output_format,
        lambda session: grade_source(session, name, grade, who, reason),
    )


@thread_app.command("credibility")
def thread_credibility_command(
    thread_id: Annotated[int, typer.Argument(help="Thread id (see `watchfloor threats`).")],
    value: Annotated[int, typer.Argument(help="Admiralty credibility 1-6.")],
    reason: ReasonOpt,
    analyst: AnalystOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Set a thread's information credibility over the computed one."""
    from watchfloor.assess.service import analyst_name, set_thread_credibility

    who = analyst_name(analyst)
    _override(
        f"thread {thread_id} credibility set to {value} by {who}",
        output_format,
        lambda session: set_thread_credibility(session, thread_id, value, who, reason),
    )


@statement_app.command("dismiss")
def statement_dismiss_command(
    statement_id: Annotated[int, typer.Argument(help="Statement id (see `watchfloor threat ID`).")],
    reason: ReasonOpt,
    analyst: AnalystOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Dismiss a statement as a false positive; it stays stored but no longer counts."""
    from watchfloor.assess.service import analyst_name, dismiss_statement

    who = analyst_name(analyst)
    _override(
        f"statement {statement_id} dismissed by {who}",
        output_format,
        lambda session: dismiss_statement(session, statement_id, who, reason),
    )


@actor_app.command("merge")
def actor_merge_command(
    from_actor: Annotated[str, typer.Argument(metavar="FROM", help="Actor to merge away.")],
    into_actor: Annotated[str, typer.Argument(metavar="INTO", help="Actor it is the same as.")],
    reason: ReasonOpt,
    analyst: AnalystOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Count every statement of one actor as another's (one group under two names)."""
    from watchfloor.assess.service import analyst_name, merge_actors

    who = analyst_name(analyst)
    _override(
        f"actor {from_actor!r} merged into {into_actor!r} by {who}",
        output_format,
        lambda session: merge_actors(session, from_actor, into_actor, who, reason),
    )


# == warn: duty-to-warn cases, notices, outbox, audit (issue 6) ==============================
AsOpt = Annotated[
    str | None, typer.Option("--as", help="Who is acting (default: $WATCHFLOOR_USER).")
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
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def _warn_run(action: Any, *, read_only: bool = False) -> Any:
    """Run `action(session)` in one store transaction; WatchfloorErrors become one line."""
    from watchfloor.store import transaction

    engine = _store_engine(immediate=not read_only)
    try:
        with transaction(engine) as session:
            return action(session)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _who(given: str | None) -> str:
    from watchfloor.warn.users import acting_name

    try:
        return acting_name(given)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _case_policy() -> Any:
    from watchfloor.warn.config import CasePolicy

    try:
        return CasePolicy.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _watchlist_for_warn(path: Path | None) -> Any:
    import os

    from watchfloor.link import load_watchlist
    from watchfloor.warn.cases import WATCHLIST_ENV

    chosen = path or (Path(os.environ[WATCHLIST_ENV]) if os.environ.get(WATCHLIST_ENV) else None)
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
    from watchfloor.warn import cases
    from watchfloor.warn.users import actor

    who = _who(as_)

    def run(session: Any) -> list[dict[str, Any]]:
        actor(session, who)
        return [cases.summary(c) for c in cases.list_cases(session, state=state, limit=limit)]

    rows = _warn_run(run, read_only=True)
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} duty-to-warn cases")
    for column in (
        "id",
        "state",
        "target",
        "harm",
        "grade",
        "specificity",
        "imminence",
        "deadline",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["state"],
            f"{row['target']} ({row['protectee']})" if row["protectee"] else row["target"],
            row["harm"],
            row["admiralty"] or "",
            f"{row['specificity']:.2f}" if row["specificity"] is not None else "",
            row["imminence"] or "",
            row["deadline"][:16] + (" [red]missed[/]" if row["overdue_escalated_at"] else ""),
        )
    console.print(table)


@case_app.command("show")
def case_show_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    as_: AsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Everything about one case (the read is audited)."""
    from watchfloor.warn import cases

    who = _who(as_)
    data = _warn_run(lambda session: cases.show(session, case_id, who))
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
    events = Table(title="events", title_justify="left")
    for column in ("at", "actor", "event", "details"):
        events.add_column(column, overflow="fold")
    for e in data["events"]:
        kind = e["kind"] if e["kind"] != "transition" else f"{e['from']} → {e['to']}"
        details = e["details"]
        if e["kind"] == "opened":
            g0 = details.get("grades", {})
            shown = (
                f"grade {g0.get('admiralty')} spec {g0.get('specificity')} {g0.get('imminence')}"
            )
        elif e["kind"] == "retriaged":
            shown = ", ".join(details.get("sharpened") or []) or "grades changed"
            b, a = details["before"], details["after"]
            shown += (
                f" (before {b['admiralty']} spec {b['specificity']:.2f} {b['imminence']};"
                f" after {a['admiralty']} spec {a['specificity']:.2f} {a['imminence']})"
            )
        else:
            shown = json.dumps(details, ensure_ascii=False)[:160] if details else ""
        events.add_row(e["at"][:19], e["actor"], kind, shown)
    console.print(events)
    if data["notices"]:
        notices = Table(title="notices", title_justify="left")
        for column in ("id", "kind", "channel", "recipient", "status", "tries", "acknowledged"):
            notices.add_column(column, overflow="fold")
        for n in data["notices"]:
            notices.add_row(
                str(n["id"]),
                n["kind"],
                n["channel"],
                n["recipient"],
                n["status"] + (f" ({n['last_error']})" if n["last_error"] else ""),
                str(n["attempts"]),
                (n["acknowledged_at"] or "")[:19],
            )
        console.print(notices)


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
    from watchfloor.store import audit
    from watchfloor.warn import cases
    from watchfloor.warn.drafting import ACK_PLACEHOLDER
    from watchfloor.warn.users import actor

    who = _who(as_)
    policy = _case_policy()
    people = _watchlist_for_warn(watchlist)
    subject, body = _edited_text(text_file) if text_file else (None, None)
    if not confirm:

        def preview(session: Any) -> tuple[str, str, list[Any]]:
            actor(session, who)
            case = cases.get_case(session, case_id)
            drafted = cases.draft(session, case, people)
            audit.append(
                session,
                actor=who,
                action="case.read",
                subject_type="case",
                subject_id=case_id,
                details={"view": "draft"},
            )
            return (*drafted, cases.contacts_of(case, people))

        drafted_subject, drafted_body, contacts = _warn_run(preview)
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
        return
    notices = _warn_run(
        lambda session: [
            (n.id, n.channel, n.recipient)
            for n in cases.warn(
                session, case_id, who, policy, subject=subject, body=body, watchlist=people
            )
        ]
    )
    for notice_id, channel, recipient in notices:
        console.print(f"queued notice {notice_id}: {channel} to {recipient}", highlight=False)
    console.print("`watchfloor outbox send` delivers them.", highlight=False)


@case_app.command("waive")
def case_waive_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    code: Annotated[str, typer.Option(help="Justification code (see docs/warn.md).")],
    reason: Annotated[str, typer.Option(help="The written justification.")],
    as_: AsOpt = None,
) -> None:
    """Propose withholding the warning; another person with the approver role decides."""
    from watchfloor.warn import cases

    who, policy = _who(as_), _case_policy()
    _warn_run(
        lambda session: cases.propose_waiver(
            session, case_id, who, policy, code=code, reason=reason
        )
    )
    console.print(f"case {case_id}: waiver {code} proposed by {who}", highlight=False)


def _decide(case_id: int, as_: str | None, approve: bool, reason: str | None) -> None:
    from watchfloor.warn import cases

    who, policy = _who(as_), _case_policy()
    _warn_run(
        lambda session: cases.decide_waiver(
            session, case_id, who, policy, approve=approve, reason=reason
        )
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
    from watchfloor.warn import cases

    who, policy = _who(as_), _case_policy()
    _warn_run(lambda session: cases.move(session, case_id, who, policy, to_state, reason=reason))
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
    from watchfloor.warn.outbox import list_notices

    def run(session: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": n.id,
                "case": n.case_id,
                "kind": n.kind,
                "channel": n.channel,
                "recipient": n.recipient,
                "status": n.status,
                "attempts": n.attempts,
                "next_attempt_at": n.next_attempt_at.isoformat(),
                "sent_at": n.sent_at.isoformat() if n.sent_at else None,
                "last_error": n.last_error,
                "idempotency_key": n.idempotency_key,
            }
            for n in list_notices(session, status=status, limit=limit)
        ]

    rows = _warn_run(run, read_only=True)
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} notices")
    for column in ("id", "case", "kind", "channel", "recipient", "status", "tries", "when"):
        table.add_column(column, overflow="fold")
    for r in rows:
        when = r["sent_at"] or f"next {r['next_attempt_at']}"
        table.add_row(
            str(r["id"]),
            str(r["case"]),
            r["kind"],
            r["channel"],
            r["recipient"],
            r["status"] + (f" ({r['last_error']})" if r["last_error"] else ""),
            str(r["attempts"]),
            when[:24],
        )
    console.print(table)


@outbox_app.command("send")
def outbox_send_command(
    loop: Annotated[bool, typer.Option("--loop", help="Keep running and sending.")] = False,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="With retries: stop once nothing is queued.")
    ] = False,
) -> None:
    """Deliver due notices (with retries and backoff) and escalate missed deadlines."""
    import logging

    from watchfloor.warn.config import NotifyConfig
    from watchfloor.warn.sender import send_due, send_loop

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    policy = _case_policy()
    try:
        config = NotifyConfig.load()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    engine = _store_engine()
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
    import os

    from watchfloor.warn.users import USER_ENV, add_user

    policy = _case_policy()
    by = as_ or os.environ.get(USER_ENV)
    _warn_run(lambda session: add_user(session, name, role, email=email, by=by, policy=policy))
    console.print(f"added {name} ({', '.join(role)})", highlight=False)


@users_app.command("list")
def users_list_command(output_format: StoreFormat = OutputFormat.table) -> None:
    """List staff and their roles."""
    from watchfloor.warn.users import list_users

    rows = _warn_run(
        lambda session: [
            {"name": u.name, "roles": u.roles.split(","), "email": u.email}
            for u in list_users(session)
        ],
        read_only=True,
    )
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} users")
    for column in ("name", "roles", "email"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], ", ".join(r["roles"]), r["email"] or "")
    console.print(table)


@app.command("ack")
def ack_command(
    token: Annotated[str, typer.Argument(help="The token from the notice.")],
    by: Annotated[str | None, typer.Option(help="Who confirms (default: the recipient).")] = None,
) -> None:
    """Confirm receipt of a notice with its acknowledgement token."""
    from watchfloor.warn.acks import acknowledge

    result = _warn_run(lambda session: acknowledge(session, token, by=by))
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


@audit_app.command("verify")
def audit_verify_command() -> None:
    """Walk the hash chain; report the entries checked or the first broken link."""
    from watchfloor.store import audit

    result = _warn_run(audit.verify, read_only=True)
    if result.ok:
        console.print(f"audit log intact: {result.entries} entries checked", highlight=False)
        return
    raise fail(
        f"audit log broken at entry {result.broken_at}: {result.problem} "
        f"({result.entries} entries read)",
        1,
    )


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

    from watchfloor.store.models import AuditEntry

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

    rows = _warn_run(run, read_only=True)
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} audit entries")
    for column in ("id", "at", "actor", "action", "subject", "details"):
        table.add_column(column, overflow="fold")
    for r in rows:
        details = json.dumps(r["details"], ensure_ascii=False)
        table.add_row(
            str(r["id"]), r["at"][:19], r["actor"], r["action"], r["subject"], details[:120]
        )
    console.print(table)


app.add_typer(case_app, name="case")
app.add_typer(outbox_app, name="outbox")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


# == publish: readers and the daily review (issue 7) =========================================

readers_app = typer.Typer(help="Readers: who products go to and what each is cleared for.")
review_app = typer.Typer(help="The daily review: build it, add portions, render it for a reader.")
app.add_typer(readers_app, name="readers")
app.add_typer(review_app, name="review")

PublishAsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Who is acting (default: $WATCHFLOOR_USER, else the OS user)."),
]
DateOpt = Annotated[str, typer.Option("--date", help="The review's date, YYYY-MM-DD.")]


def _csv(values: list[str] | None) -> list[str]:
    """Repeated options and comma lists alike: --audience a --audience b == --audience a,b."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _publish(apply: Any) -> Any:
    """Run one publish operation in one transaction; errors become one clear line."""
    from watchfloor.store import transaction

    engine = _store_engine()
    try:
        with transaction(engine) as session:
            return apply(session)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _review_day(value: str) -> date:
    day = parse_day(value, "--date")
    assert day is not None
    return day


@readers_app.command("add")
def readers_add_command(
    name: Annotated[str, typer.Argument(help="The reader's name (letters, digits, . _ @ -).")],
    clearance: Annotated[
        str, typer.Option(help="Clearance level: U, C, S, TS (or its name, e.g. SECRET).")
    ],
    nationality: Annotated[str, typer.Option(help="Country trigraph, e.g. USA, GBR.")],
    compartments: Annotated[
        list[str] | None, typer.Option(help="SCI held, comma-separated: SI,TK or SI-G.")
    ] = None,
    audience: Annotated[
        list[str] | None,
        typer.Option(help="Audiences the reader reads for (repeat, or comma-separated)."),
    ] = None,
    organization: Annotated[
        str | None, typer.Option(help="Organization (decides TLP:AMBER/GREEN access).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Where to reach the reader.")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change an existing reader instead of failing.")
    ] = False,
    analyst: PublishAsOpt = None,
) -> None:
    """Add a reader (or change one with --replace); the change is audited."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.publish.readers import add_reader, make_reader

    who = analyst_name(analyst)

    def apply(session: Any) -> Any:
        reader = make_reader(
            name,
            clearance=clearance,
            nationality=nationality,
            compartments=_csv(compartments),
            audiences=_csv(audience),
            organization=organization,
        )
        return add_reader(session, reader, actor=who, email=email, replace=replace)

    stored = _publish(apply)
    r = stored.reader
    held = "/".join(sorted(r.compartments)) or "no compartments"
    console.print(
        f"reader {r.name}: {r.clearance}, {held}, {r.nationality}, "
        f"audiences {', '.join(sorted(r.audiences)) or 'none'}, "
        f"organization {r.organization or 'none'}",
        highlight=False,
    )


@readers_app.command("list")
def readers_list_command(output_format: StoreFormat = OutputFormat.table) -> None:
    """List the readers and what each is cleared for."""
    from watchfloor.publish.readers import list_readers
    from watchfloor.store import transaction

    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        rows = [stored.to_json() for stored in list_readers(session)]
    if output_format is not OutputFormat.table:
        _print_json(rows, output_format)
        return
    table = Table(title=f"{len(rows)} readers")
    for column in ("name", "clearance", "compartments", "nationality", "audiences", "org"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            row["clearance"],
            "/".join(row["compartments"]),
            row["nationality"],
            ", ".join(row["audiences"]),
            row["organization"] or "",
        )
    console.print(table)


@readers_app.command("remove")
def readers_remove_command(
    name: Annotated[str, typer.Argument(help="The reader to remove.")],
    analyst: PublishAsOpt = None,
) -> None:
    """Remove a reader; later renders for them are refused. Audited."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.publish.readers import remove_reader

    who = analyst_name(analyst)
    _publish(lambda session: remove_reader(session, name, actor=who))
    console.print(f"reader {name} removed", highlight=False)


@review_app.command("build")
def review_build_command(
    day_text: DateOpt,
    window: Annotated[
        int | None,
        typer.Option(
            min=1, help="Threads last seen within this many days up to --date (default: 1)."
        ),
    ] = None,
    distribute: Annotated[
        list[str] | None,
        typer.Option(help="Audiences it goes to, comma-separated (replaces the list)."),
    ] = None,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Readers it goes to by name (repeatable).")
    ] = None,
    analyst: PublishAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Build (or rebuild) the review of a day from its threads; analysts' portions are kept."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.publish.readers import get_reader
    from watchfloor.publish.review import Distribution, ReviewError, build_review, load_review

    day = _review_day(day_text)
    who = analyst_name(analyst)

    def apply(session: Any) -> Any:
        distribution = None
        if distribute is not None or to is not None:
            current = load_review(session, day)
            before = current.distribution if current else Distribution()
            names = frozenset(_csv(to)) if to is not None else before.readers
            for name in sorted(names):
                if get_reader(session, name) is None:
                    raise ReviewError(f"--to {name!r}: no such reader; see watchfloor readers list")
            distribution = Distribution(
                audiences=(
                    frozenset(_csv(distribute)) if distribute is not None else before.audiences
                ),
                readers=names,
            )
        return build_review(session, day, actor=who, window_days=window, distribution=distribution)

    review = _publish(apply)
    # Titles and texts are left out on purpose: only a render for a reader shows contents.
    summary = {
        "date": review.day.isoformat(),
        "portions": len(review.portions),
        "judgements": sum(1 for p in review.portions if p.kind == "judgement"),
        "analyst_portions": sum(1 for p in review.portions if p.kind == "analyst"),
        "window_days": review.window_days,
        "banner": review.banner.banner() if review.banner else None,
        "distribution": review.distribution.to_json(),
    }
    if output_format is not OutputFormat.table:
        _print_json([summary], output_format)
        return
    console.print(
        f"built the review of {summary['date']}: {summary['judgements']} thread judgements "
        f"(threads last seen in the {summary['window_days']} days up to it) and "
        f"{summary['analyst_portions']} analyst portions; banner {summary['banner'] or 'none'}; "
        f"distribution: {review.distribution.describe()}",
        highlight=False,
        soft_wrap=True,
    )


@review_app.command("add")
def review_add_command(
    day_text: DateOpt,
    marking: Annotated[
        str, typer.Option(help='Portion marking: "(S//NF)", "SECRET//NOFORN" or "TLP:AMBER".')
    ],
    title: Annotated[str, typer.Option(help="The portion's title.")],
    text: Annotated[
        str | None, typer.Option(help="The portion's text (blank lines separate paragraphs).")
    ] = None,
    text_file: Annotated[
        Path | None, typer.Option("--text-file", help="Read the text from this file.")
    ] = None,
    audience: Annotated[
        list[str] | None,
        typer.Option(help="Only readers of these audiences may read it (repeat or comma list)."),
    ] = None,
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", help="Named readers, for TLP:RED portions (repeatable)."),
    ] = None,
    priority: Annotated[
        float | None,
        typer.Option(help="Place among the threads (their priority scale); default: after them."),
    ] = None,
    analyst: PublishAsOpt = None,
) -> None:
    """Add an analyst's marked portion to the review of a day."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.publish.review import add_portion

    day = _review_day(day_text)
    if (text is None) == (text_file is None):
        raise fail("give the portion's text with exactly one of --text or --text-file")
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--text-file {text_file}: cannot read it ({exc})") from None
    who = analyst_name(analyst)
    portion = _publish(
        lambda session: add_portion(
            session,
            day,
            marking=marking,
            title=title,
            text=text or "",
            actor=who,
            audiences=_csv(audience),
            recipients=_csv(recipient),
            priority=priority,
        )
    )
    console.print(
        f"added portion {portion.id} {portion.marking.portion()} to the review of "
        f"{day.isoformat()}",
        highlight=False,
    )


class RenderFormat(StrEnum):
    html = "html"
    pdf = "pdf"


@review_app.command("render")
def review_render_command(
    day_text: DateOpt,
    reader: Annotated[str, typer.Option("--reader", help="The reader's name.")],
    output_format: Annotated[
        RenderFormat, typer.Option("--format", "-f", help="html or pdf.")
    ] = RenderFormat.html,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here (HTML: default standard output).")
    ] = None,
    analyst: PublishAsOpt = None,
) -> None:
    """Render the review of a day for one reader: only what they may read, audited."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.publish.render import render_for

    day = _review_day(day_text)
    if out is None and output_format is RenderFormat.pdf:
        raise fail("--format pdf needs --out PATH")
    who = analyst_name(analyst)
    rendition = _publish(
        lambda session: render_for(session, day, reader, output_format.value, actor=who)
    )
    cut = rendition.cut
    line = (
        f"{len(cut.shown)} portions shown, {len(cut.withheld)} withheld; "
        f"banner {cut.banner.banner()}; sha256 {rendition.sha256}"
    )
    if out is None:
        sys.stdout.buffer.write(rendition.content)
        sys.stdout.flush()
        err_console.print(f"review of {day.isoformat()} for {reader}: {line}", highlight=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(rendition.content)
    except OSError as exc:
        raise fail(f"--out {out}: cannot write it ({exc})") from None
    console.print(f"wrote {out} for {reader}: {line}", highlight=False, soft_wrap=True)


# == link: the watchlist kept in the store ===================================================
watchlist_app = typer.Typer(
    help="The store's copy of the watchlist: names and notify contacts.", no_args_is_help=True
)


def _sync_watchlist(engine: Any, path: Path, analyst: str | None = None) -> Any:
    """Load a watchlist file into the store in one transaction; errors end the command."""
    from watchfloor.assess.service import analyst_name
    from watchfloor.link import load_watchlist
    from watchfloor.link.sync import file_sha256, sync_watchlist
    from watchfloor.store import transaction

    try:
        people = load_watchlist(path)
        sha = file_sha256(path)
        with transaction(engine) as session:
            return sync_watchlist(session, people, actor=analyst_name(analyst), sha256=sha)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


@watchlist_app.command("load")
def watchlist_load_command(
    path: Annotated[Path, typer.Argument(help="Watchlist YAML or CSV.", show_default=False)],
    analyst: Annotated[
        str | None, typer.Option("--as", help="Who loads it (default: $WATCHFLOOR_USER).")
    ] = None,
) -> None:
    """Add or update the protectees of a watchlist file in the store (audited)."""
    engine = _store_engine(create=True)
    summary = _sync_watchlist(engine, path, analyst)
    console.print(f"{path}: {summary.line()}", highlight=False, soft_wrap=True)


@watchlist_app.command("list")
def watchlist_list_command(
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """The protectees in the store, with whom to notify."""
    from watchfloor.store import transaction
    from watchfloor.store.protectees import list_protectees

    engine = _store_engine(immediate=False)
    with transaction(engine) as session:
        people = list_protectees(session)
    if output_format is not OutputFormat.table:
        _print_json([p.to_json() for p in people], output_format)
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
