"""Evaluation: the labelled set, its scorer, a keyword baseline and the MUC-4 dev check.

`run_evaluation` (in `watchfloor.evaluation.run`) is what `watchfloor eval` calls; the loader and
scorer here need no spaCy model, so they can be tested and reused on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.evaluation.cases import EvalCase, ExpectedStatement, Span, load_cases
from watchfloor.evaluation.muc4 import STAGE_OF_STATUS, MucScore, load_dev, stage_of
from watchfloor.evaluation.scoring import Prediction, SetScore, match, score_case, score_set
from watchfloor.lazy import lazy_attribute

__all__ = [
    "STAGE_OF_STATUS",
    "EvalCase",
    "ExpectedStatement",
    "MucScore",
    "Prediction",
    "SetScore",
    "Span",
    "load_cases",
    "load_dev",
    "match",
    "score_case",
    "score_set",
    "stage_of",
]

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.evaluation.run import DEFAULT_MUC_DIR as DEFAULT_MUC_DIR
    from watchfloor.evaluation.run import DEFAULT_SET_DIR as DEFAULT_SET_DIR
    from watchfloor.evaluation.run import EVENTS_DIR as EVENTS_DIR
    from watchfloor.evaluation.run import REALTEXT_DIR as REALTEXT_DIR
    from watchfloor.evaluation.run import SYSTEMS as SYSTEMS
    from watchfloor.evaluation.run import EvalReport as EvalReport
    from watchfloor.evaluation.run import run_evaluation as run_evaluation

_LAZY = {
    "DEFAULT_MUC_DIR": "run",
    "DEFAULT_SET_DIR": "run",
    "EVENTS_DIR": "run",
    "EvalReport": "run",
    "REALTEXT_DIR": "run",
    "SYSTEMS": "run",
    "run_evaluation": "run",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
