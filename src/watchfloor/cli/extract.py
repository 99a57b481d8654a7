"""Commands over one report: the pipeline's analysis, threat statements, and `eval`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from watchfloor.cli.common import (
    UTF8_NAMES,
    FinderChoice,
    OutputFormat,
    app,
    console,
    err_console,
    fail,
    parse_day,
    plain,
)
from watchfloor.errors import WatchfloorError


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
    finder: Annotated[
        FinderChoice | None,
        typer.Option(help="combined (rules and the trained finder; the default) or rules alone."),
    ] = None,
) -> None:
    """Print every threat statement in one report, linked to the watchlist."""
    from watchfloor.ingest.files import read_document
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
    table = Table(title=plain(f"{len(findings)} threat statements in {document.source}"))
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
            plain(finding.actor.entity or (s.actor.text if s.actor else "")),
            plain(s.target.text if s.target else ""),
            plain(finding.target.protectee),
            "[bold red]yes[/]" if finding.duty_to_warn else "no",
            plain(s.when),
            *([plain(s.evidence.text)] if show_evidence else []),
        )
    console.print(table)


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
