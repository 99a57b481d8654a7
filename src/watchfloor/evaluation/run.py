"""One evaluation run: the labelled set, the real-text set and MUC-4 dev; rules alone and the
combined system (rules and trained finder) side by side, with a keyword baseline for scale."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchfloor.evaluation.cases import WATCHLIST_FILE, EvalCase, load_cases
from watchfloor.evaluation.corpora import CorpusDocument
from watchfloor.evaluation.events import (
    EventScore,
    rams_scoring_half,
    score_events,
    wikievents_documents,
)
from watchfloor.evaluation.muc4 import MucData, MucScore, load_dev
from watchfloor.evaluation.realtext import SHARED_DATA, load_realtext
from watchfloor.evaluation.realtext_score import RealScore, score_realtext
from watchfloor.evaluation.scoring import Prediction, SetScore, predict, score_set
from watchfloor.ingest.records import Document

if TYPE_CHECKING:
    from watchfloor.evaluation.baseline import KeywordBaseline
    from watchfloor.link import Watchlist
    from watchfloor.pipeline import Analyzer

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SET_DIR = REPO_ROOT / "tests" / "data" / "eval"
DEFAULT_MUC_DIR = REPO_ROOT.parent / "shared" / "data" / "muc4"

Progress = Callable[[str], None]


SYSTEMS = ("rules", "combined")
REALTEXT_DIR = REPO_ROOT / "tests" / "data" / "realtext"
EVENTS_DIR = SHARED_DATA / "events"


@dataclass
class EvalReport:
    """One run: per system (`rules`, `combined`) on the labelled set, the real-text set and
    MUC-4 dev, with the keyword baseline beside them on the first and the last."""

    set_dir: str
    cases: int
    systems: dict[str, SetScore]
    baseline: SetScore
    muc_dir: str | None
    muc_skipped: str | None
    muc_systems: dict[str, MucScore]
    muc_baseline: MucScore | None
    muc_has_stage: bool
    muc_join_failures: int
    started: datetime
    seconds: float
    realtext_dir: str | None = None
    realtext_split: str = "dev"
    realtext_skipped: str | None = None
    realtext_systems: dict[str, RealScore] = field(default_factory=dict)
    # corpus ("rams", "wikievents") -> system -> argument-span score; empty when skipped
    events: dict[str, dict[str, EventScore]] = field(default_factory=dict)
    events_skipped: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        return "combined" if "combined" in self.systems else next(iter(self.systems))

    @property
    def ours(self) -> SetScore:
        return self.systems[self.primary]

    @property
    def muc_ours(self) -> MucScore | None:
        return self.muc_systems.get(self.primary)

    def to_dict(self, show_errors: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "started": self.started.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 1),
            "systems": list(self.systems),
            "notes": self.notes,
            "set": {
                "dir": self.set_dir,
                "ours": self.ours.summary(),
                "by_system": {name: score.summary() for name, score in self.systems.items()},
                "baseline": self.baseline.summary(),
            },
            "realtext": self._realtext(show_errors),
            "events": (
                {"skipped": self.events_skipped}
                if self.events_skipped is not None
                else {
                    corpus: {name: score.summary() for name, score in by_system.items()}
                    for corpus, by_system in self.events.items()
                }
            ),
            "muc4": None,
        }
        if show_errors:
            out["set"]["errors"] = self.ours.errors()
        if self.muc_skipped is not None:
            out["muc4"] = {"skipped": self.muc_skipped}
        elif self.muc_systems and self.muc_baseline is not None:
            out["muc4"] = {
                "dir": self.muc_dir,
                "split": "dev",
                "stage_in_keys": self.muc_has_stage,
                "key_join_failures": self.muc_join_failures,
                "ours": self.muc_systems[self.primary].summary(),
                "by_system": {name: s.summary() for name, s in self.muc_systems.items()},
                "baseline": self.muc_baseline.summary(),
            }
        return out

    def _realtext(self, show_errors: bool) -> dict[str, Any]:
        if self.realtext_skipped is not None:
            return {"skipped": self.realtext_skipped}
        out: dict[str, Any] = {
            "dir": self.realtext_dir,
            "split": self.realtext_split,
            "by_system": {name: s.summary() for name, s in self.realtext_systems.items()},
        }
        if show_errors:
            out["errors"] = {
                name: {"misses": s.misses, "false_positives": s.false_positives}
                for name, s in self.realtext_systems.items()
            }
        return out


def _quiet(_: str) -> None:
    return None


def run_evaluation(
    set_dir: Path = DEFAULT_SET_DIR,
    muc_dir: Path | None = DEFAULT_MUC_DIR,
    progress: Progress = _quiet,
    systems: Sequence[str] = SYSTEMS,
    realtext_dir: Path | None = REALTEXT_DIR,
    realtext_split: str = "dev",
    events_dir: Path | None = EVENTS_DIR,
) -> EvalReport:
    """Score each system and the baseline. `muc_dir=None` or `realtext_dir=None` leaves that
    part out on purpose; the held-out real-text split is `realtext_split="heldout"`.

    A MUC-4 folder that does not exist, or a real-text set whose corpora are absent (no
    ../shared/data), is skipped with a reason in the report, not an error, so the labelled set
    can be scored on machines without ../shared.
    """
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    cases = load_cases(set_dir)

    # Only now, with the set known to be good, pay for the pipeline and its spaCy model.
    from watchfloor import nlp as nlp_module
    from watchfloor.link import load_watchlist

    watchlist = load_watchlist(set_dir / WATCHLIST_FILE)
    pipeline = nlp_module.load()
    notes: list[str] = []
    analyzer = _analyzer_factory(pipeline, notes)
    progress(f"labelled set: {len(cases)} reports")
    scores, base, baseline = _score_labelled(cases, watchlist, systems, analyzer, pipeline)
    real_skipped, real_scores = _score_realtext_set(
        realtext_dir, realtext_split, systems, analyzer, progress
    )
    events_skipped, events = _score_event_sets(events_dir, systems, analyzer, progress)
    muc_skipped, muc_scores, muc_base, data = _score_muc(
        muc_dir, systems, analyzer, baseline.predict_many, progress
    )

    return EvalReport(
        set_dir=str(set_dir),
        cases=len(cases),
        systems=scores,
        baseline=base,
        muc_dir=str(muc_dir) if muc_dir is not None else None,
        muc_skipped=muc_skipped,
        muc_systems=muc_scores,
        muc_baseline=muc_base,
        muc_has_stage=bool(data and data.has_stage),
        muc_join_failures=data.join_failures if data else 0,
        started=started,
        seconds=time.perf_counter() - clock,
        realtext_dir=str(realtext_dir) if realtext_dir is not None else None,
        realtext_split=realtext_split,
        realtext_skipped=real_skipped,
        realtext_systems=real_scores,
        events=events,
        events_skipped=events_skipped,
        notes=notes,
    )


# The optional parts of an evaluation: each returns why it was skipped (None when it ran) and
# its scores; `make` gives the analyzer of a system for a watchlist.
MakeAnalyzer = Callable[["Watchlist", str], "Analyzer"]


def _score_labelled(
    cases: Sequence[EvalCase],
    watchlist: Watchlist,
    systems: Sequence[str],
    make: MakeAnalyzer,
    pipeline: Any,
) -> tuple[dict[str, SetScore], SetScore, KeywordBaseline]:
    """Each system's and the keyword baseline's scores on the labelled set, and the baseline
    (MUC-4 scores it too)."""
    from watchfloor.evaluation.baseline import KeywordBaseline

    scores = {
        system: score_set(cases, predict_cases(make(watchlist, system), cases))
        for system in systems
    }
    baseline = KeywordBaseline(pipeline, protectee_names(watchlist.protectees))
    return scores, score_set(cases, baseline.predict_many(c.text for c in cases)), baseline


def _analyzer_factory(pipeline: Any, notes: list[str]) -> MakeAnalyzer:
    """Analyzers sharing one spaCy pipeline; a system scored as another (no packaged finder
    model) is noted once."""
    from watchfloor.pipeline import Analyzer

    def analyzer(watch: Watchlist, system: str) -> Analyzer:
        made = Analyzer(watch, nlp=pipeline, finder=system)  # type: ignore[arg-type]
        note = f"{system}: no packaged finder model, scored as {made.finder}"
        if made.finder != system and note not in notes:
            notes.append(note)
        return made

    return analyzer


def _score_realtext_set(
    realtext_dir: Path | None,
    split: str,
    systems: Sequence[str],
    make: MakeAnalyzer,
    progress: Progress,
) -> tuple[str | None, dict[str, RealScore]]:
    from watchfloor.link import Watchlist, load_watchlist

    if realtext_dir is None:
        return "real-text set skipped: --no-realtext", {}
    if not SHARED_DATA.is_dir():
        return f"real-text set skipped: {SHARED_DATA} not found (../shared is absent)", {}
    files = load_realtext(realtext_dir)
    progress(f"real-text set, {split} split")
    scores: dict[str, RealScore] = {}
    for system in systems:

        def for_file(path: Path | None, system: str = system) -> Analyzer:
            return make(load_watchlist(path) if path else Watchlist.empty(), system)

        scores[system] = score_realtext(files, split, for_file)
    return None, scores


def _score_event_sets(
    events_dir: Path | None, systems: Sequence[str], make: MakeAnalyzer, progress: Progress
) -> tuple[str | None, dict[str, dict[str, EventScore]]]:
    from watchfloor.link import Watchlist

    if events_dir is None:
        return "RAMS and WikiEvents skipped: --no-events", {}
    if not (events_dir / "rams").is_dir() or not (events_dir / "wikievents").is_dir():
        return f"RAMS and WikiEvents skipped: not found under {events_dir}", {}
    progress("RAMS (scoring half) and WikiEvents (dev)")
    corpora: dict[str, list[CorpusDocument]] = {
        "rams": rams_scoring_half(events_dir / "rams"),
        "wikievents": wikievents_documents(events_dir / "wikievents"),
    }
    return None, {
        corpus: {
            system: score_events(documents, make(Watchlist.empty(), system)) for system in systems
        }
        for corpus, documents in corpora.items()
    }


def _score_muc(
    muc_dir: Path | None,
    systems: Sequence[str],
    make: MakeAnalyzer,
    baseline: Callable[[Iterable[str]], Iterable[list[Prediction]]],
    progress: Progress,
) -> tuple[str | None, dict[str, MucScore], MucScore | None, MucData | None]:
    from watchfloor.link import Watchlist

    if muc_dir is None:
        return "MUC-4 skipped: --no-muc4", {}, None, None
    if not (muc_dir / "dev.json").is_file():
        missing = f"MUC-4 skipped: {muc_dir / 'dev.json'} not found (../shared/data is absent)"
        return missing, {}, None, None
    data = load_dev(muc_dir)
    progress(f"MUC-4 dev: {len(data.documents)} documents")
    muc_documents = [
        Document.from_text(d.text, source=f"muc4:{d.docid}", published=d.published)
        for d in data.documents
    ]
    scores: dict[str, MucScore] = {}
    for system in systems:
        score = scores[system] = MucScore()
        found = predict(make(Watchlist.empty(), system), muc_documents)
        for muc_doc, predicted in zip(data.documents, found, strict=True):
            score.add(muc_doc, predicted)
    muc_base = MucScore()
    for muc_doc, predicted in zip(
        data.documents, baseline(d.text for d in data.documents), strict=True
    ):
        muc_base.add(muc_doc, predicted)
    return None, scores, muc_base, data


def predict_cases(analyzer: Analyzer, cases: Sequence[EvalCase]) -> list[list[Prediction]]:
    """The extractor's predictions per case, in the order of `cases`."""
    documents = [
        Document.from_text(c.text, source=f"eval:{c.id}", published=c.published) for c in cases
    ]
    return predict(analyzer, documents)


def protectee_names(protectees: Sequence[Any]) -> Mapping[str, list[str]]:
    """Protectee id -> name and aliases, what the baseline matches targets against."""
    return {p.id: [p.name, *p.aliases] for p in protectees}
