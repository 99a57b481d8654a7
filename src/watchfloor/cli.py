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
    spec = SourceSpec(source or "files", kind="analyst" if source is None else "site")
    ingestor = Ingestor(engine, spec, analyze=analyze, published=day, fingerprinter=Fingerprinter())
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
    fingerprinter = Fingerprinter()

    def make_ingestor(source: SourceSpec) -> Ingestor:
        return Ingestor(engine, source, analyze=analyze, fingerprinter=fingerprinter)

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

# == warn: duty-to-warn cases, notices, outbox, audit (issue 6) ==============================

# == publish: readers and the daily review (issue 7) =========================================


def main() -> None:
    app()


if __name__ == "__main__":
    main()
