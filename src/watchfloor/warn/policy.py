"""The duty-to-warn rule: one configurable policy, read from YAML.

The packaged default is `data/policy/duty_to_warn.yaml`; `WATCHFLOOR_DUTY_POLICY` names another
file, for a service whose doctrine differs (for instance one that also warns on surveillance).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from watchfloor.errors import WatchfloorError
from watchfloor.settings import setting

DEFAULT_POLICY_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "policy" / "duty_to_warn.yaml"
)
POLICY_ENV_VAR = "WATCHFLOOR_DUTY_POLICY"


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
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return cls(
                harm_acts=frozenset(data["harm_acts"]),
                live_statuses=frozenset(data["live_statuses"]),
                require_identifiable_person=bool(data.get("require_identifiable_person", True)),
                min_link_confidence=float(data.get("min_link_confidence", 0.5)),
            )
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
            raise WatchfloorError(f"{path}: not a valid duty-to-warn policy ({exc})") from exc

    def identifiable(self, link_confidence: float, person_named: bool) -> bool:
        """A target a warning can reach: a confident protectee link, or a person named."""
        return link_confidence >= self.min_link_confidence or person_named

    def owes_warning(self, act: str, status: str, identifiable_person: bool) -> bool:
        if act not in self.harm_acts or status not in self.live_statuses:
            return False
        return identifiable_person or not self.require_identifiable_person
