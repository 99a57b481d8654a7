"""The duty-to-warn rule: one configurable policy, read from YAML.

The packaged default is `data/policy/duty_to_warn.yaml`; `WATCHFLOOR_DUTY_POLICY` names another
file, for a service whose doctrine differs (for instance one that also warns on surveillance).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from watchfloor.datafiles import Schema, load_yaml
from watchfloor.settings import setting

DEFAULT_POLICY_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "policy" / "duty_to_warn.yaml"
)
POLICY_ENV_VAR = "WATCHFLOOR_DUTY_POLICY"


class ThreadSection(Schema):
    max_credibility: int
    min_specificity: float
    imminence: frozenset[str]


class DutyToWarnFile(Schema):
    """data/policy/duty_to_warn.yaml."""

    harm_acts: frozenset[str]
    live_statuses: frozenset[str]
    require_identifiable_person: bool = True
    min_link_confidence: float = 0.5
    # A user's file from before thread thresholds existed keeps the packaged ones (warn.duty).
    thread: ThreadSection | None = None


def read_policy(path: Path) -> DutyToWarnFile:
    return load_yaml(path, DutyToWarnFile, hint=f"Point {POLICY_ENV_VAR} at a readable file.")


@dataclass(frozen=True)
class DutyToWarnPolicy:
    harm_acts: frozenset[str]
    live_statuses: frozenset[str]
    require_identifiable_person: bool
    # A protectee link makes the target identifiable only when it is at least this sure.
    min_link_confidence: float = 0.5

    @classmethod
    def load(cls, path: Path | None = None) -> DutyToWarnPolicy:
        path = path or Path(setting(POLICY_ENV_VAR) or DEFAULT_POLICY_FILE)
        data = read_policy(path)
        return cls(
            harm_acts=data.harm_acts,
            live_statuses=data.live_statuses,
            require_identifiable_person=data.require_identifiable_person,
            min_link_confidence=data.min_link_confidence,
        )

    def identifiable(self, link_confidence: float, person_named: bool) -> bool:
        """A target a warning can reach: a confident protectee link, or a person named."""
        return link_confidence >= self.min_link_confidence or person_named

    def owes_warning(self, act: str, status: str, identifiable_person: bool) -> bool:
        if act not in self.harm_acts or status not in self.live_statuses:
            return False
        return identifiable_person or not self.require_identifiable_person
