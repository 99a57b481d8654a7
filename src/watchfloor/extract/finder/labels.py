"""The finder's output vocabulary: tags per word piece and classes per trigger.

Training (training/finder/) and the runtime read the same lists, and the packaged model's
meta.json repeats them, so a model trained on another vocabulary is refused at load time.
"""

from __future__ import annotations

from watchfloor.extract.records import ACTS, STATUSES

OUTSIDE = "O"
# Trigger tags carry the act: B-kill, I-kill, ... One tag set for the harm word(s).
TRIGGER_TAGS: tuple[str, ...] = (
    OUTSIDE,
    *(f"{prefix}-{act}" for act in ACTS for prefix in ("B", "I")),
)
# Argument tags, one head each for the target and the actor.
SPAN_TAGS: tuple[str, ...] = (OUTSIDE, "B", "I")
STATUS_CLASSES: tuple[str, ...] = STATUSES
IGNORE = -100


def trigger_tag(act: str, first: bool) -> int:
    return TRIGGER_TAGS.index(f"{'B' if first else 'I'}-{act}")


def tag_act(tag: int) -> tuple[str, bool] | None:
    """The act and whether the piece begins a trigger, or None outside one."""
    name = TRIGGER_TAGS[tag]
    if name == OUTSIDE:
        return None
    prefix, act = name.split("-", 1)
    return act, prefix == "B"
