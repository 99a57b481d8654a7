"""Readers and the daily review."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
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
    err_console,
    fail,
    in_store,
    parse_day,
    print_json,
    show_rows,
    store_engine,
)
from watchfloor.identity import analyst_name

readers_app = typer.Typer(help="Readers: who products go to and what each is cleared for.")
review_app = typer.Typer(help="The daily review: build it, add portions, render it for a reader.")
app.add_typer(readers_app, name="readers")
app.add_typer(review_app, name="review")

DateOpt = Annotated[str, typer.Option("--date", help="The review's date, YYYY-MM-DD.")]


def _csv(values: list[str] | None) -> list[str]:
    """Repeated options and comma lists alike: --audience a --audience b == --audience a,b."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


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
    analyst: ActingAsOpt = None,
) -> None:
    """Add a reader (or change one with --replace); the change is audited."""
    from watchfloor.publish import add_reader, make_reader

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

    stored = in_store(apply)
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
    from watchfloor.publish import list_readers
    from watchfloor.store import transaction

    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        rows = [stored.to_json() for stored in list_readers(session)]

    def _row(row: Any) -> Row:
        return (
            row["name"],
            row["clearance"],
            "/".join(row["compartments"]),
            row["nationality"],
            ", ".join(row["audiences"]),
            row["organization"] or "",
        )

    show_rows(
        f"{len(rows)} readers",
        ("name", "clearance", "compartments", "nationality", "audiences", "org"),
        map(_row, rows),
        records=rows,
        output_format=output_format,
    )


@readers_app.command("remove")
def readers_remove_command(
    name: Annotated[str, typer.Argument(help="The reader to remove.")],
    analyst: ActingAsOpt = None,
) -> None:
    """Remove a reader; later renders for them are refused. Audited."""
    from watchfloor.publish import remove_reader

    who = analyst_name(analyst)
    in_store(lambda session: remove_reader(session, name, actor=who))
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
    analyst: ActingAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Build (or rebuild) the review of a day from its threads; analysts' portions are kept."""
    from watchfloor.publish import Distribution, ReviewError, build_review, get_reader, load_review

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

    review = in_store(apply)
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
    if not summary["judgements"]:
        # An empty window is most often reports dated wrongly (the day of ingest, not their
        # own): say so rather than publish an empty review in silence.
        err_console.print(
            f"[yellow]warning:[/] no thread has reporting in the {summary['window_days']} days "
            f"up to {summary['date']}; check the reports' dates (watchfloor documents) or "
            "widen --window",
            highlight=False,
            soft_wrap=True,
        )
    if output_format is not OutputFormat.table:
        print_json([summary], output_format)
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
    analyst: ActingAsOpt = None,
) -> None:
    """Add an analyst's marked portion to the review of a day."""
    from watchfloor.publish import add_portion

    day = _review_day(day_text)
    if (text is None) == (text_file is None):
        raise fail("give the portion's text with exactly one of --text or --text-file")
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--text-file {text_file}: cannot read it ({exc})") from None
    who = analyst_name(analyst)
    portion = in_store(
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
    analyst: ActingAsOpt = None,
) -> None:
    """Render the review of a day for one reader: only what they may read, audited."""
    from watchfloor.publish import render_for

    day = _review_day(day_text)
    if out is None and output_format is RenderFormat.pdf:
        raise fail("--format pdf needs --out PATH")
    who = analyst_name(analyst)
    rendition = in_store(
        lambda session: render_for(session, day, reader, output_format.value, actor=who)
    )
    cut = rendition.cut
    line = (
        f"{len(cut.shown)} portions shown, {cut.withheld_line()}; "
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
