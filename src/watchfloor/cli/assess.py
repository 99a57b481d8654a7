"""The threat board, thread detail and analyst overrides (the assess stage)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from watchfloor.cli.common import (
    ActingAsOpt,
    LimitOpt,
    OutputFormat,
    Row,
    StoreFormat,
    app,
    clean,
    console,
    fail,
    parse_day,
    plain,
    rows_table,
    show_rows,
    store_engine,
)
from watchfloor.errors import WatchfloorError
from watchfloor.identity import analyst_name


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
        "standing": a.standing,
        "likelihood": a.likelihood,
        "confidence": a.confidence,
        "last_seen": a.last_seen.isoformat(),
        "priority": a.priority,
        "statements": a.statements,
    }


# Short columns never wrap; actor and target give way on a narrow terminal. The board names
# people; their watchlist ids are in the JSON form and in `threat ID`. ICD 203 terms run to three
# words ("roughly even chance"): let them wrap at spaces.
BOARD_COLUMNS = (
    Column("id", no_wrap=True),
    Column("actor", overflow="fold", ratio=1, min_width=9),
    Column("target", overflow="fold", ratio=1, min_width=9),
    *(Column(name, no_wrap=True) for name in ("harm", "grade", "spec.", "trend", "standing")),
    Column("likelihood", min_width=8),
    Column("confid.", no_wrap=True),
    Column("last seen", no_wrap=True),
    Column("marking", overflow="fold"),
)


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
    standing: Annotated[
        str | None,
        typer.Option(help="live: only live threats; history: only what is kept as context."),
    ] = None,
    limit: LimitOpt = 50,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """The threat board: every assessed thread, highest priority first (live threats above
    history)."""
    from watchfloor.assess import STANDINGS, list_threads
    from watchfloor.store import transaction

    day = parse_day(since, "--since")
    if standing is not None and standing not in STANDINGS:
        raise fail(f"--standing {standing!r}: use live or history")
    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        views = list_threads(
            session, protectee=protectee, actor=actor, since=day, limit=limit, standing=standing
        )
        marks = _board_markings(session, [v.id for v in views])
    records = [{**_thread_row(v), "key": v.key, "marking": marks.get(v.id)} for v in views]

    def _row(view: Any) -> Row:
        row = _thread_row(view)
        return (
            str(row["id"]),
            plain(row["actor"]),
            plain(row["target"]),
            row["harm"],
            row["grade"],
            _score(row["specificity"]),
            row["trend"],
            row["standing"],
            row["likelihood"],
            row["confidence"],
            row["last_seen"],
            plain(marks.get(view.id) or ""),
        )

    show_rows(
        f"{len(views)} threat threads, highest priority first",
        BOARD_COLUMNS,
        map(_row, views),
        records=records,
        output_format=output_format,
    )


@app.command("threat")
def threat_command(
    thread_id: Annotated[int, typer.Argument(help="Thread id (see `watchfloor threats`).")],
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """One thread: grades and their parts, behaviours, timeline, rationale with evidence."""
    from watchfloor.assess import get_thread
    from watchfloor.store import transaction

    engine = store_engine(immediate=False)
    with transaction(engine) as session:
        view = get_thread(session, thread_id)
    if view is None:
        raise fail(f"thread {thread_id} is not in the store; `watchfloor threats` lists thread ids")
    if output_format is not OutputFormat.table:
        sys.stdout.write(json.dumps(view.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    _print_thread(view)


def _print_thread(view: Any) -> None:
    _print_thread_summary(view.assessment, _thread_marking(view), view.id)
    for table in _thread_tables(view):
        console.print(table)


def _print_thread_summary(a: Any, marking: str, thread_id: int) -> None:
    s = a.specificity
    console.print(
        f"[bold]thread {thread_id}[/] "
        + escape(clean(f"{a.actor or 'unknown'} → " + _target_label(a.target, a.protectee))),
        highlight=False,
    )
    console.print(plain(f"marking: {marking}"), highlight=False)
    console.print(
        f"grade {a.admiralty}"
        + (" (credibility set by an analyst)" if a.credibility_overridden else "")
        + f" · harm {a.harm} ({a.status}) · severity {a.severity}/10 · imminence {a.imminence}"
        + f" · seen {a.first_seen} to {a.last_seen} · {a.statements} statements in "
        f"{a.documents} documents, {a.clusters} clusters, {a.independent_origins} independent",
        highlight=False,
    )
    console.print(f"standing: {a.standing} ({a.standing_reason})", highlight=False)
    console.print(
        plain(
            f"judgement: {a.likelihood} ({a.likelihood_range[0]}-{a.likelihood_range[1]}%). "
            f"Confidence: {a.confidence}. Trend: {a.trend.label} ({a.trend.reason})."
        ),
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


def _plain_columns(*names: str) -> tuple[Column, ...]:
    """Columns that keep Rich's default overflow (the timeline and folded threads)."""
    return tuple(Column(name) for name in names)


def _thread_tables(view: Any) -> list[Table]:
    """The detail tables of one thread, in the order they print; empty ones left out."""
    a = view.assessment
    tables: list[Table] = []
    if a.behaviours:
        tables.append(
            rows_table(
                "warning behaviours",
                ("behaviour", "doc", "offsets", "evidence"),
                (_behaviour_row(b) for b in a.behaviours),
                title_justify="left",
            )
        )
    tables.append(
        rows_table(
            f"timeline ({a.trend.label})",
            _plain_columns("day", "statements", "specificity", "severity", "credibility"),
            (_timeline_row(p) for p in a.trend.series),
            title_justify="left",
        )
    )
    tables.append(
        rows_table(
            "rationale",
            ("effect", "reason", "doc", "offsets", "evidence"),
            (_rationale_row(item) for item in a.rationale),
            title_justify="left",
        )
    )
    if view.children:
        tables.append(
            rows_table(
                "folded threads (actors below this one)",
                _plain_columns("id", "actor", "grade", "trend", "likelihood", "last seen"),
                (_child_row(child) for child in view.children),
                title_justify="left",
            )
        )
    tables.append(
        rows_table(
            "statements",
            ("id", "day", "doc", "cluster", "source", "act", "status", "marking", "evidence"),
            (_statement_row(st) for st in view.statements),
            title_justify="left",
        )
    )
    if view.overrides:
        tables.append(
            rows_table(
                "analyst overrides in force",
                ("kind", "subject", "value", "analyst", "when", "reason"),
                (_override_row(o) for o in view.overrides),
                title_justify="left",
            )
        )
    return tables


def _behaviour_row(b: Any) -> Row:
    e = b.evidence
    return (b.behaviour, str(e.document_id), f"{e.start}-{e.end}", plain(e.text))


def _timeline_row(p: Any) -> Row:
    return (
        p.day.isoformat(),
        str(p.statements),
        f"{p.specificity:.2f}",
        str(p.severity),
        str(p.credibility),
    )


def _rationale_row(item: Any) -> Row:
    e = item.evidence
    return (
        item.effect,
        plain(item.reason),
        str(e.document_id) if e else "",
        f"{e.start}-{e.end}" if e else "",
        plain(f"“{e.text}”" if e else ""),
    )


def _child_row(child: Any) -> Row:
    c = child.assessment
    return (
        str(child.id),
        plain(c.actor or "unknown"),
        c.admiralty,
        c.trend.label,
        c.likelihood,
        c.last_seen.isoformat(),
    )


def _statement_row(st: Any) -> Row:
    evidence = st.evidence.text
    return (
        str(st.id) + (" [dim](dismissed)[/]" if st.dismissed else ""),
        st.day.isoformat(),
        str(st.document_id),
        "" if st.cluster_id is None else str(st.cluster_id),
        plain(st.source),
        st.act,
        st.status,
        plain(st.marking),
        plain(evidence if len(evidence) <= 160 else evidence[:159] + "…"),
    )


def _override_row(o: Any) -> Row:
    return (
        o.kind,
        plain(o.subject),
        plain(o.value),
        plain(o.analyst),
        o.created_at.isoformat()[:19],
        plain(o.reason),
    )


def _board_markings(session: Any, thread_ids: list[int]) -> dict[int, str]:
    """Each thread's marking: the roll-up of its documents' markings."""
    from sqlalchemy import select

    from watchfloor.store import Document, Statement

    found: dict[int, set[str]] = {}
    if thread_ids:
        rows = session.execute(
            select(Statement.thread_id, Document.marking)
            .join(Document, Document.id == Statement.document_id)
            .where(Statement.thread_id.in_(thread_ids))
            .distinct()
        )
        for thread_id, marking in rows:
            found.setdefault(thread_id, set()).add(marking)
    return {t: _rolled_up(sorted(m)) for t, m in found.items()}


def _rolled_up(markings: list[str]) -> str:
    from watchfloor.publish import parse_marking, rollup

    try:
        return rollup([parse_marking(m) for m in markings]).banner() if markings else "none"
    except WatchfloorError as exc:
        return f"unknown ({exc})"


def _thread_marking(view: Any) -> str:
    """The roll-up of the markings of the thread's documents: the marking of this page."""
    return _rolled_up(sorted({st.marking for st in view.statements if st.marking}))


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

    engine = store_engine()
    try:
        with transaction(engine) as session:
            changes = apply(session)
            after_changes(session, changes)
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    _report_changes(what, changes, output_format)


ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]


@app.command("assess")
def assess_command(
    today: Annotated[
        str | None, typer.Option(help="Assess as of this date (default: today).")
    ] = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Re-assess every thread (e.g. after changing the assessment configuration)."""
    from watchfloor.assess import reassess_all

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
    analyst: ActingAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Grade a source's reliability; its threads are re-assessed."""
    from watchfloor.assess import grade_source

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
    analyst: ActingAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Set a thread's information credibility over the computed one."""
    from watchfloor.assess import set_thread_credibility

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
    analyst: ActingAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Dismiss a statement as a false positive; it stays stored but no longer counts."""
    from watchfloor.assess import dismiss_statement

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
    analyst: ActingAsOpt = None,
    output_format: StoreFormat = OutputFormat.table,
) -> None:
    """Count every statement of one actor as another's (one group under two names)."""
    from watchfloor.assess import merge_actors

    who = analyst_name(analyst)
    _override(
        f"actor {from_actor!r} merged into {into_actor!r} by {who}",
        output_format,
        lambda session: merge_actors(session, from_actor, into_actor, who, reason),
    )
