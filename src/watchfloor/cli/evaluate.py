"""`watchfloor eval`: rules alone and the combined system, side by side, on every set we score."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table

from watchfloor.cli.common import app, console, err_console, fail, rows_table
from watchfloor.errors import WatchfloorError

if TYPE_CHECKING:
    from watchfloor.evaluation import EvalReport


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


class EvalSystems(StrEnum):
    both = "both"
    rules = "rules"
    combined = "combined"


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
    system: Annotated[
        EvalSystems,
        typer.Option("--system", help="Score the rules alone, the combined system, or both."),
    ] = EvalSystems.both,
    heldout: Annotated[
        bool,
        typer.Option(
            "--heldout",
            help="Score the real-text set's held-out split (for the record; never tune to it).",
        ),
    ] = False,
    no_events: Annotated[
        bool, typer.Option("--no-events", help="Leave RAMS and WikiEvents out.")
    ] = False,
    no_realtext: Annotated[
        bool, typer.Option("--no-realtext", help="Leave the real-text set out.")
    ] = False,
    muc4: Annotated[
        Path | None,
        typer.Option("--muc4", help="MUC-4 folder with dev.json (default: ../shared/data/muc4)."),
    ] = None,
    no_muc4: Annotated[bool, typer.Option("--no-muc4", help="Leave MUC-4 out.")] = False,
) -> None:
    """Score rules alone and the combined system (and a keyword baseline) on the labelled set,
    the real-text set and MUC-4 dev."""
    from watchfloor.evaluation import (
        DEFAULT_MUC_DIR,
        DEFAULT_SET_DIR,
        EVENTS_DIR,
        REALTEXT_DIR,
        SYSTEMS,
        run_evaluation,
    )

    if no_muc4 and muc4 is not None:
        raise fail("--muc4 and --no-muc4 contradict each other; give one")
    if muc4 is not None and not (muc4 / "dev.json").is_file():
        raise fail(f"--muc4 {muc4}: no dev.json there; pass the folder that holds MUC-4 dev.json")
    try:
        report = run_evaluation(
            set_dir or DEFAULT_SET_DIR,
            None if no_muc4 else (muc4 or DEFAULT_MUC_DIR),
            progress=lambda line: err_console.print(line, highlight=False),
            systems=SYSTEMS if system is EvalSystems.both else (system.value,),
            realtext_dir=None if no_realtext else REALTEXT_DIR,
            realtext_split="heldout" if heldout else "dev",
            events_dir=None if no_events else EVENTS_DIR,
        )
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    for note in report.notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if output_format is EvalFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(show_errors), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    _print_set(report)
    _print_realtext(report)
    _print_events(report)
    _print_muc(report)
    if show_errors:
        _print_errors(report)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _table(title: str, columns: list[str]) -> Table:
    """An empty score table (rows are added measure by measure): names left, numbers right."""
    headers = [Column(c, justify="left" if i == 0 else "right") for i, c in enumerate(columns)]
    return rows_table(title, headers, (), title_justify="left")


def _print_set(report: EvalReport) -> None:
    ours, base = report.ours, report.baseline
    console.print(
        f"[bold]watchfloor eval[/] {report.started:%Y-%m-%d %H:%M %Z} · {report.seconds:.1f} s · "
        f"set {report.set_dir}: {ours.reports} reports, {ours.negatives} negative, "
        f"{ours.expected} expected statements",
        highlight=False,
    )
    scores = [*report.systems.values(), base]
    table = _table("labelled set", ["measure", *report.systems, "baseline"])
    rows: list[tuple[str, Any]] = [
        ("statements predicted", lambda s: str(s.predicted)),
        ("true positives", lambda s: str(s.true_positives)),
        ("precision", lambda s: _pct(s.precision)),
        ("recall", lambda s: _pct(s.recall)),
        ("F1", lambda s: _pct(s.f1)),
        ("target linking accuracy", lambda s: _pct(s.link_accuracy)),
        ("status accuracy", lambda s: _pct(s.status_accuracy)),
        ("duty-to-warn precision", lambda s: _pct(s.warn_precision)),
        ("duty-to-warn recall", lambda s: _pct(s.warn_recall)),
        ("false positives on negatives", lambda s: str(s.negative_fp)),
        (f"negative reports hit (of {ours.negatives})", lambda s: str(s.negative_reports_hit)),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(s) for s in scores))
    console.print(table)


def _print_realtext(report: EvalReport) -> None:
    if report.realtext_skipped is not None:
        console.print(f"[yellow]{report.realtext_skipped}[/]", highlight=False)
        return
    summaries = {name: s.summary() for name, s in report.realtext_systems.items()}
    if not summaries:
        return
    first = next(iter(summaries.values()))
    title = (
        f"real-text set, {report.realtext_split} split ({first['documents']} documents, "
        f"{first['sentences']} sentences, {first['negatives']} negative, "
        f"{first['expected']} statements, {first['warnings_owed']} owing a warning)"
    )
    table = _table(title, ["measure", *summaries])
    rows = [
        ("statements predicted", "predicted", str),
        ("precision", "precision", _pct),
        ("recall", "recall", _pct),
        ("F1", "f1", _pct),
        ("act accuracy (matched)", "act_accuracy", _pct),
        ("status accuracy (matched)", "status_accuracy", _pct),
        ("warning recall", "warning_recall", _pct),
        ("warning precision", "warning_precision", _pct),
        ("negatives giving a statement", "negatives_with_statement", str),
        ("share of negatives giving one", "negative_rate", _pct),
        (
            f"unseen-trigger recall (of {first['unseen_trigger_statements']})",
            "unseen_trigger_recall",
            _pct,
        ),
    ]
    for label, key, shown in rows:
        table.add_row(label, *(shown(s[key]) for s in summaries.values()))  # type: ignore[operator]
    console.print(table)


def _print_events(report: EvalReport) -> None:
    if report.events_skipped is not None:
        console.print(f"[yellow]{report.events_skipped}[/]", highlight=False)
        return
    for corpus, by_system in report.events.items():
        summaries = {name: score.summary() for name, score in by_system.items()}
        if not summaries:
            continue
        first = next(iter(summaries.values()))
        part = "scoring half" if corpus == "rams" else "dev"
        table = _table(
            f"{corpus} {part} ({first['documents']} documents): attacker/target/victim spans",
            ["measure", *summaries],
        )
        for group, label in (("all", "all"), ("actor", "attacker"), ("target", "target/victim")):
            table.add_row(
                f"{label} F1 (of {first[group]['gold']})",
                *(_pct(s[group]["f1"]) for s in summaries.values()),
            )
            table.add_row(
                f"{label} precision / recall",
                *(
                    f"{_pct(s[group]['precision'])} / {_pct(s[group]['recall'])}"
                    for s in summaries.values()
                ),
            )
        console.print(table)


def _print_muc(report: EvalReport) -> None:
    if report.muc_skipped is not None:
        console.print(f"[yellow]{report.muc_skipped}[/]", highlight=False)
        return
    if not report.muc_systems or report.muc_baseline is None:
        return
    summaries = [s.summary() for s in (*report.muc_systems.values(), report.muc_baseline)]
    first = summaries[0]
    table = _table(
        f"MUC-4 dev ({first['documents']} documents)", ["measure", *report.muc_systems, "baseline"]
    )
    rows = [
        (f"victim recall (of {first['victims']})", "victim_recall", _pct),
        (f"physical target recall (of {first['targets']})", "target_recall", _pct),
        (f"incidents found (of {first['incidents']})", "incidents_found", str),
        ("statements predicted", "predicted", str),
        ("share of predicted targets on a gold entity", "predicted_on_gold_share", _pct),
    ]
    if report.muc_has_stage:
        rows.insert(3, ("stage-of-execution accuracy", "stage_accuracy", _pct))
    for label, key, shown in rows:
        table.add_row(label, *(shown(s[key]) for s in summaries))  # type: ignore[operator]
    console.print(table)
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


def _print_errors(report: EvalReport) -> None:
    errors = _table(f"{report.primary}: errors on the labelled set", ["report", "kind", "act"])
    errors.add_column("target", overflow="fold")
    errors.add_column("detail", overflow="fold")
    for e in report.ours.errors():
        if e["kind"] in ("miss", "false_positive"):
            detail = f"{e['status']} → {e['protectee'] or '-'}"
            if e.get("evidence"):
                detail += f" · {e['evidence']}"
        else:
            detail = f"expected {e['expected']}, got {e['got']}"
        errors.add_row(e["report"], e["kind"], e["act"], str(e["target"]), detail)
    console.print(errors)
    real = report.realtext_systems.get(report.primary)
    if real is None:
        return
    table = _table(f"{report.primary}: real-text misses and false positives", ["document", "kind"])
    table.add_column("detail", overflow="fold")
    for miss in real.misses:
        detail = f"{miss['act']} {miss['status']} «{miss['trigger']}» · {miss['sentence']}"
        table.add_row(miss["document"], "miss", detail)
    for extra in real.false_positives:
        detail = f"{extra['act']} {extra['status']} «{extra['trigger']}» → {extra['target']}"
        table.add_row(extra["document"], f"fp ({extra['sentence_kind']})", detail)
    console.print(table)
