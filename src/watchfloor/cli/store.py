"""Commands over the store: init, ingest, watch, documents, statements, search."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from watchfloor.cli.common import (
    ActOpt,
    ActorOpt,
    LimitOpt,
    OutputFormat,
    ProtecteeOpt,
    Row,
    SinceOpt,
    SourceOpt,
    StatusOpt,
    StoreFormat,
    UntilOpt,
    app,
    clean,
    console,
    err_console,
    fail,
    highlighted,
    parse_day,
    plain,
    show_rows,
    statement_filters,
    store_engine,
)
from watchfloor.cli.link import sync_watchlist_file
from watchfloor.errors import PipelineNotFound, WatchfloorError


@app.command("init")
def init_command(
    admin: Annotated[
        str | None,
        typer.Option(help="Add this person as the first user, an admin (who adds staff)."),
    ] = None,
    email: Annotated[str | None, typer.Option(help="The admin's email address.")] = None,
    organization: Annotated[
        str | None,
        typer.Option(help="Your own organization, for TLP (who may read AMBER portions)."),
    ] = None,
) -> None:
    """Create the store, or upgrade it to this version's schema (alembic upgrade head), and set
    who runs it: the first admin and the organization that owns its products."""
    from watchfloor.store import database_url, describe, make_engine, upgrade

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
    from watchfloor.cli.firsthour import first_admin, show_organization

    if admin is not None:
        first_admin(admin, email)
    show_organization(organization)


def _read_watchlist(watchlist: Path | None) -> Any:
    """The watchlist file, read once for both analysis and the store's copy; errors end here."""
    from watchfloor.link import Watchlist, load_watchlist

    try:
        return load_watchlist(watchlist) if watchlist else Watchlist.empty()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None


def _analyze_with(people: Any, no_extract: bool) -> Any:
    """A lazy analyze_many: spaCy loads only when a document actually needs analysis."""
    if no_extract:
        return None
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

    from watchfloor.ingest import Summary

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
                        "[yellow]failed:[/] "
                        + escape(clean(f"{outcome.location}: {outcome.reason}")),
                        highlight=False,
                        soft_wrap=True,
                    )
                elif outcome.status == "stored":
                    err_console.print(_dated_line(outcome), highlight=False, soft_wrap=True)
                progress.advance(task)
    except PipelineNotFound as exc:
        raise fail(str(exc)) from None
    console.print(plain(summary.line()), highlight=False)
    return summary


def _dated_line(outcome: Any) -> str:
    """Which date a stored report got, and from where: a wrong date moves every "on 16 March"."""
    if outcome.dated:
        return f"{outcome.location}: dated {outcome.dated}"
    today = date.today().isoformat()
    return (
        f"[yellow]undated:[/] {outcome.location}: no dateline, date header or metadata, so it "
        f"is dated today ({today}) and its relative dates were resolved against today; "
        "give --published YYYY-MM-DD to date it"
    )


def _items_for(inputs: list[str], max_bytes: int, source: str | None) -> tuple[list[Any], int]:
    """Items to ingest, and the number of paths that do not exist (reported, not quarantined:
    a mistyped path is not a document)."""
    from watchfloor.ingest import Item, SourceSpec, file_item, iter_paths

    items: list[Any] = []
    paths: list[Path] = []
    client: Any = None
    missing = 0
    for value in inputs:
        if value.startswith(("http://", "https://")):
            import functools
            from urllib.parse import urlsplit

            from watchfloor.ingest import fetch_url, new_client

            spec = None if source else SourceSpec(urlsplit(value).hostname or value, kind="site")
            client = client or new_client()
            load = functools.partial(fetch_url, client, value, max_bytes)
            items.append(Item(value, load, None, spec))
        elif not Path(value).exists():
            missing += 1
            err_console.print(
                "[yellow]failed:[/] "
                + escape(clean(f"{value}: no such file or folder; check the path")),
                highlight=False,
                soft_wrap=True,
            )
        else:
            paths.append(Path(value))
    items.extend(file_item(path, max_bytes) for path in iter_paths(paths))
    return items, missing


def _print_failures(output_format: OutputFormat) -> None:
    from watchfloor.store import list_failures, transaction

    engine = store_engine(immediate=False)
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

    def _row(row: Any) -> Row:
        return (
            plain(row["location"]),
            plain(row["reason"]),
            str(row["attempts"]),
            row["last_failed_at"][:19],
            (row["sha256"] or "")[:12],
        )

    show_rows(
        f"{len(rows)} quarantined documents (retry with `watchfloor ingest --retry`)",
        ("location", "reason", "attempts", "last failed", "sha256"),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


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
    from watchfloor.ingest import Fingerprinter, Ingestor, SourceSpec, retry_items

    if failed:
        _print_failures(output_format)
        return
    if not inputs and not retry:
        raise fail("give files, folders or URLs to ingest, or --failed / --retry")
    day = parse_day(published, "--published")
    people = _read_watchlist(watchlist)
    analyze = _analyze_with(people, no_extract)
    engine = store_engine(create=True)
    if watchlist is not None:
        loaded = sync_watchlist_file(engine, watchlist, people=people)
        err_console.print(loaded.line(), highlight=False)
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
        from watchfloor.ingest import fetch_url, new_client

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
    from watchfloor.store import find_documents, transaction

    filters = statement_filters(protectee, actor, act, status, since, until, source)
    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        found = find_documents(session, filters, cluster_id=cluster, limit=limit)

    def _row(d: Any) -> Row:
        cluster_text = "" if d.cluster_id is None else str(d.cluster_id)
        if d.cluster_id is not None and not d.is_origin:
            cluster_text += f" (copy of {d.origin_document_id})"
        return (
            str(d.id),
            d.day.isoformat(),
            plain(f"{d.source} ({d.reliability})"),
            plain(d.title or d.location),
            str(d.statements) if d.analyzed else "not analyzed",
            cluster_text,
            plain(d.marking),
        )

    show_rows(
        f"{len(found)} documents",
        ("id", "date", "source", "title", "statements", "cluster", "marking"),
        map(_row, found),
        records=[d.to_json() for d in found],
        output_format=output_format,
    )


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
    from watchfloor.store import find_statements, transaction

    filters = statement_filters(protectee, actor, act, status, since, until, source, warn)
    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        found = find_statements(session, filters, limit=limit)
        rows = [hit.to_json() for hit in found]

    def _row(row: Any) -> Row:
        return (
            row["document"]["day"],
            str(row["document"]["id"]),
            row["act"],
            row["status"],
            plain(row["actor"]["entity"] or row["actor"]["text"]),
            plain(row["target"]["text"]),
            plain(row["target"]["protectee"]),
            "[bold red]yes[/]" if row["duty_to_warn"] else "no",
            plain(row["document"]["marking"]),
            plain(row["evidence"]["text"][:160]),
        )

    show_rows(
        f"{len(rows)} threat statements",
        (
            "date",
            "doc",
            "act",
            "status",
            "actor",
            "target",
            "protectee",
            "warn",
            "marking",
            "evidence",
        ),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


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
    from watchfloor.store import search, transaction

    filters = statement_filters(protectee, actor, act, status, since, until, source)
    engine = store_engine(immediate=False)
    try:
        with transaction(engine) as session:
            hits = search(session, query, filters, limit=limit)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None

    def _row(hit: Any) -> Row:
        d = hit.document
        return (
            str(d.id),
            d.day.isoformat(),
            plain(d.source),
            plain(d.title or d.location),
            plain(d.marking),
            highlighted(hit.marked),
        )

    show_rows(
        plain(f"{len(hits)} documents match {query!r}"),
        ("id", "date", "source", "title", "marking", "snippet"),
        map(_row, hits),
        records=[hit.to_json() for hit in hits],
        output_format=output_format,
    )


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
    import time
    from datetime import UTC

    from watchfloor.ingest import Fingerprinter, Ingestor, SourceSpec, load_feeds, new_client

    _log_to_stderr()
    try:
        feeds = load_feeds(config)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    people = _read_watchlist(watchlist)
    analyze = _analyze_with(people, no_extract)
    engine = store_engine(create=True)
    if watchlist is not None:
        loaded = sync_watchlist_file(engine, watchlist, people=people)
        err_console.print(loaded.line(), highlight=False)
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
            summary, next_due = _watch_round(engine, client, feeds, make_ingestor)
            console.print(plain(summary.line()), highlight=False)
            if once:
                return
            wait = min(next_due, default=datetime.now(UTC)) - datetime.now(UTC)
            time.sleep(min(max(wait.total_seconds(), 1.0), 60.0))


def _log_to_stderr() -> None:
    import logging

    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
    )


def _watch_round(
    engine: Any, client: Any, feeds: Any, make_ingestor: Any
) -> tuple[Any, list[datetime]]:
    """One round over the due feeds, each reported on stderr: the summary and when each is
    next due."""
    from watchfloor.ingest import Summary, watch_round

    summary = Summary()
    next_due: list[datetime] = []
    try:
        for report in watch_round(engine, client, feeds, make_ingestor):
            for outcome in report.outcomes:
                summary.add(outcome)
            if report.next_due is not None:
                next_due.append(report.next_due)
            if report.polled:
                state = "ok" if report.ok else f"[red]failed[/]: {escape(clean(report.error))}"
                name = escape(clean(report.name))
                err_console.print(
                    f"{name}: {state}, {len(report.outcomes)} new items",
                    highlight=False,
                    soft_wrap=True,
                )
    except PipelineNotFound as exc:
        raise fail(str(exc)) from None
    return summary, next_due


def _after_store_hook(analyze: Any) -> Any:
    """The stages after storing (assess, warn) when statements are being found, else none.

    pipeline (and with it spaCy) is imported on the first stored document, not before."""
    if analyze is None:
        return None

    def after_store(session: Any, document_id: int) -> None:
        from watchfloor.pipeline import after_store as hook

        hook(session, document_id)

    return after_store
