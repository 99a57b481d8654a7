"""One evaluation run: the labelled set and MUC-4 dev, extractor and baseline side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchfloor.evaluation.cases import WATCHLIST_FILE, EvalCase, load_cases
from watchfloor.evaluation.muc4 import MucData, MucScore, load_dev
from watchfloor.evaluation.scoring import Prediction, SetScore, score_set
from watchfloor.ingest.records import Document

if TYPE_CHECKING:
    from watchfloor.pipeline import Analyzer

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SET_DIR = REPO_ROOT / "tests" / "data" / "eval"
DEFAULT_MUC_DIR = REPO_ROOT.parent / "shared" / "data" / "muc4"

Progress = Callable[[str], None]


@dataclass
class EvalReport:
    set_dir: str
    cases: int
    ours: SetScore
    baseline: SetScore
    muc_dir: str | None
    muc_skipped: str | None
    muc_ours: MucScore | None
    muc_baseline: MucScore | None
    muc_has_stage: bool
    muc_join_failures: int
    started: datetime
    seconds: float

    def to_dict(self, show_errors: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "started": self.started.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 1),
            "set": {
                "dir": self.set_dir,
                "ours": self.ours.summary(),
                "baseline": self.baseline.summary(),
            },
            "muc4": None,
        }
        if show_errors:
            out["set"]["errors"] = self.ours.errors()
        if self.muc_skipped is not None:
            out["muc4"] = {"skipped": self.muc_skipped}
        elif self.muc_ours is not None and self.muc_baseline is not None:
            out["muc4"] = {
                "dir": self.muc_dir,
                "split": "dev",
                "stage_in_keys": self.muc_has_stage,
                "key_join_failures": self.muc_join_failures,
                "ours": self.muc_ours.summary(),
                "baseline": self.muc_baseline.summary(),
            }
        return out


def _quiet(_: str) -> None:
    return None


def run_evaluation(
    set_dir: Path = DEFAULT_SET_DIR,
    muc_dir: Path | None = DEFAULT_MUC_DIR,
    progress: Progress = _quiet,
) -> EvalReport:
    """Score the extractor and the baseline. `muc_dir=None` leaves MUC-4 out on purpose.

    A MUC-4 folder that does not exist is skipped with a reason in the report, not an error,
    so the labelled set can be scored on machines without ../shared.
    """
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    cases = load_cases(set_dir)

    # Only now, with the set known to be good, pay for the pipeline and its spaCy model.
    from watchfloor import nlp as nlp_module
    from watchfloor.evaluation.baseline import KeywordBaseline
    from watchfloor.link import Watchlist, load_watchlist
    from watchfloor.pipeline import Analyzer

    watchlist = load_watchlist(set_dir / WATCHLIST_FILE)
    pipeline = nlp_module.load()

    progress(f"labelled set: {len(cases)} reports")
    ours = score_set(cases, predict_cases(Analyzer(watchlist, nlp=pipeline), cases))
    baseline = KeywordBaseline(pipeline, protectee_names(watchlist.protectees))
    base = score_set(cases, baseline.predict_many(c.text for c in cases))

    muc_skipped: str | None = None
    muc_ours = muc_base = None
    data: MucData | None = None
    if muc_dir is None:
        muc_skipped = "MUC-4 skipped: --no-muc4"
    elif not (muc_dir / "dev.json").is_file():
        muc_skipped = f"MUC-4 skipped: {muc_dir / 'dev.json'} not found (../shared/data is absent)"
    else:
        data = load_dev(muc_dir)
        progress(f"MUC-4 dev: {len(data.documents)} documents")
        analyzer = Analyzer(Watchlist.empty(), nlp=pipeline)
        documents = [
            Document.from_text(d.text, source=f"muc4:{d.docid}", published=d.published)
            for d in data.documents
        ]
        muc_ours = MucScore()
        for muc_doc, (_, findings) in zip(
            data.documents, analyzer.analyze_many(documents), strict=True
        ):
            muc_ours.add(muc_doc, [Prediction.from_finding(f) for f in findings])
        muc_base = MucScore()
        for muc_doc, predicted in zip(
            data.documents, baseline.predict_many(d.text for d in data.documents), strict=True
        ):
            muc_base.add(muc_doc, predicted)

    return EvalReport(
        set_dir=str(set_dir),
        cases=len(cases),
        ours=ours,
        baseline=base,
        muc_dir=str(muc_dir) if muc_dir is not None else None,
        muc_skipped=muc_skipped,
        muc_ours=muc_ours,
        muc_baseline=muc_base,
        muc_has_stage=bool(data and data.has_stage),
        muc_join_failures=data.join_failures if data else 0,
        started=started,
        seconds=time.perf_counter() - clock,
    )


def predict_cases(analyzer: Analyzer, cases: Sequence[EvalCase]) -> list[list[Prediction]]:
    """The extractor's predictions per case, in the order of `cases`."""
    documents = [
        Document.from_text(c.text, source=f"eval:{c.id}", published=c.published) for c in cases
    ]
    return [
        [Prediction.from_finding(f) for f in findings]
        for _, findings in analyzer.analyze_many(documents)
    ]


def protectee_names(protectees: Sequence[Any]) -> Mapping[str, list[str]]:
    """Protectee id -> name and aliases, what the baseline matches targets against."""
    return {p.id: [p.name, *p.aliases] for p in protectees}
