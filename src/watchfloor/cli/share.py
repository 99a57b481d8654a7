"""`watchfloor export stix`, `watchfloor import stix` and `watchfloor taxii serve`: sharing
with partners in STIX 2.1 and TAXII 2.1 (docs/share.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from watchfloor.cli.common import (
    OutputFormat,
    app,
    fail,
    in_store,
    parse_day,
    print_json,
    store_engine,
)

export_app = typer.Typer(help="Export to other tools (STIX 2.1).", no_args_is_help=True)
import_app = typer.Typer(help="Import from other tools (STIX 2.1).", no_args_is_help=True)
taxii_app = typer.Typer(help="The TAXII 2.1 server for shared collections.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(taxii_app, name="taxii")


@export_app.command("stix")
def export_stix_command(
    reader: Annotated[str, typer.Option(help="The reader the export is for (its access decides).")],
    thread: Annotated[int | None, typer.Option(help="One thread (its id).")] = None,
    protectee: Annotated[
        str | None, typer.Option(help="Every thread of this protectee id.")
    ] = None,
    review: Annotated[str | None, typer.Option(help="The review of this day (YYYY-MM-DD).")] = None,
    since: Annotated[str | None, typer.Option(help="Threads seen from this day on.")] = None,
    until: Annotated[str | None, typer.Option(help="Threads first seen up to this day.")] = None,
    recipient: Annotated[
        str | None, typer.Option(help="Whose pseudonym settings apply (default: the reader's org).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    publish: Annotated[
        str | None, typer.Option(help="Also store the objects in this TAXII collection.")
    ] = None,
) -> None:
    """A STIX 2.1 bundle of a thread, a protectee, a review or a date range, for one reader."""
    from watchfloor.publish import get_reader
    from watchfloor.share import Selection, audience_for, export_stix, publish_bundle

    selection = Selection(
        thread=thread,
        protectee=protectee,
        review=parse_day(review, "--review"),
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
    )

    def run(session: Any) -> dict[str, Any]:
        found = get_reader(session, reader)
        if found is None:
            raise fail(f"--reader {reader!r}: no such reader; see watchfloor readers list")
        bundle = export_stix(session, audience_for(session, found, recipient), selection)
        if publish:
            publish_bundle(session, publish, bundle)
        return bundle

    bundle = in_store(run, read_only=not publish)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@import_app.command("stix")
def import_stix_command(
    location: Annotated[str, typer.Argument(help="A bundle file or an http(s) URL.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Import a STIX 2.1 bundle whole or not at all (reports and notes become documents)."""
    from watchfloor.share import import_location

    result = in_store(lambda session: import_location(session, location))
    _print_import(result.to_json(), output_format)


@import_app.command("taxii")
def import_taxii_command(
    url: Annotated[str, typer.Argument(help="The collection's URL (…/collections/ID/).")],
    token: Annotated[str, typer.Option(envvar="WATCHFLOOR_TAXII_TOKEN", help="Bearer token.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Import every object of a TAXII 2.1 collection, as one bundle, whole or not at all."""
    from watchfloor.share import import_collection

    result = in_store(lambda session: import_collection(session, url, token))
    _print_import(result.to_json(), output_format)


def _print_import(summary: dict[str, Any], output_format: OutputFormat) -> None:
    if output_format is not OutputFormat.table:
        print_json([summary], output_format)
        return
    typer.echo(
        f"imported {summary['objects']} object(s) from {summary['input']}: "
        f"{summary['new_versions']} new version(s), {len(summary['documents'])} document(s), "
        f"{len(summary['merged'])} merged with what was imported before, "
        f"{len(summary['ours'])} recognized as ours"
    )


@taxii_app.command("serve")
def taxii_serve(
    tokens: Annotated[Path, typer.Option(help="Token table: YAML {tokens: {sha256: reader}}.")],
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8017,
    collection: Annotated[
        list[str] | None, typer.Option(help="Collections to offer (besides stored ones).")
    ] = None,
) -> None:
    """Serve the shared collections over TAXII 2.1 at /taxii2/ (bearer tokens)."""
    import uvicorn

    from watchfloor.errors import WatchfloorError
    from watchfloor.share import TokenTable, make_app, table_authenticator

    engine = store_engine()
    try:
        table = TokenTable.load(tokens)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    options: dict[str, Any] = {"collections": collection} if collection else {}
    uvicorn.run(
        make_app(engine, table_authenticator(engine, table), **options), host=host, port=port
    )
