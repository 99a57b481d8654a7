"""Evaluation: the labelled set, its scorer, a keyword baseline and the MUC-4 dev check.

`run_evaluation` (in `watchfloor.evaluation.run`) is what `watchfloor eval` calls; the loader and
scorer here need no spaCy model, so they can be tested and reused on their own.
"""

from watchfloor.evaluation.cases import EvalCase, ExpectedStatement, Span, load_cases
from watchfloor.evaluation.muc4 import STAGE_OF_STATUS, MucScore, load_dev, stage_of
from watchfloor.evaluation.scoring import Prediction, SetScore, match, score_case, score_set

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
