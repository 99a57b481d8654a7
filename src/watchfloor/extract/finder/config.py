"""The finder's settings: data with a schema (data/finder/finder.yaml), read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from watchfloor.datafiles import load_yaml

DATA = Path(__file__).resolve().parents[2] / "data" / "finder" / "finder.yaml"


class FinderConfig(BaseModel):
    """How the trained finder and the rules are combined (docs/extract.md, "The finder")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # What runs when a caller does not say: "combined" (the rules and the trained finder), or
    # "rules" alone. Without a packaged model "combined" falls back to the rules, with a warning.
    mode: str = Field("combined", pattern="^(rules|combined)$")
    # A trigger the model tags becomes a statement of its own at this probability or above,
    # and only in a sentence the model reads as a statement at `sentence_probability` or above.
    trigger_probability: float = Field(0.5, ge=0.0, le=1.0)
    sentence_probability: float = Field(0.5, ge=0.0, le=1.0)
    # The model's target replaces the rules' for a trigger both found when the rules' target is
    # none the model tagged and the model's is at least this sure.
    target_probability: float = Field(0.5, ge=0.0, le=1.0)
    # A statement the rules found is dropped when the model reads its sentence as a statement
    # with a probability below this (figurative, fiction, advice the rules did not filter).
    veto_below: float = Field(0.02, ge=0.0, le=1.0)
    # Where the statement's status comes from when the model found it alone: "model", or
    # "rules" (the rules' cue and tense reading around the model's trigger).
    status_from: str = Field("model", pattern="^(model|rules)$")
    # A trigger only the model tagged is dropped where the rules' filters say the words are not
    # violence against someone: a figurative phrase over it, a fiction, sports or advice cue in
    # its sentence; with `rules_rejections`, also a lexicon trigger at the same words that the
    # rules read and turned down (not literal, a question, a target of the wrong kind).
    rules_filters: bool = True
    rules_rejections: bool = False
    # The cascade: sentences the gate passes, and every sentence with a rules trigger, are read.
    use_gate: bool = True
    context: bool = True
    batch_size: int = Field(32, ge=1, le=512)
    threads: int = Field(1, ge=1, le=64)


@cache
def load_config(path: Path = DATA) -> FinderConfig:
    return load_yaml(path, FinderConfig, hint="Fix or restore the file.")
