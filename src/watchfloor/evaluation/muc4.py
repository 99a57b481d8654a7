"""External check on MUC-4 (terrorism news 1989-91), development split only.

Reads `dev.json` (one JSON object per line: docid, lower-cased doctext, templates with Victim and
Target entities, each a list of coreferent [mention, offset] pairs) and, when present, the answer
keys in `keys/keys_dev` (JSON templates separated by `%%%`), joined by message id and template
order, for the stage of execution. The test split is never read: nothing is tuned to MUC-4.

A gold entity counts as found when some predicted target span overlaps one of its mentions, at
the offset the data gives or anywhere else the same words occur (case-insensitive, whole words).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from watchfloor.errors import InputError
from watchfloor.evaluation.scoring import Prediction, ratio

DEV_FILE = "dev.json"
KEYS_FILE = Path("keys") / "keys_dev"
DOCS_FILE = Path("keys") / "doc_dev"
FALLBACK_DAY = date(1990, 1, 1)

# Our statuses in MUC's stage-of-execution terms; denied and hypothetical have no MUC stage.
STAGE_OF_STATUS: dict[str, str] = {
    "carried_out": "accomplished",
    "attempted": "attempted",
    "foiled": "attempted",
    "threatened": "threatened",
    "considered": "threatened",
    "planned": "threatened",
}
# Key values by prefix: the 1992 keys write ACCOMPLISHED, ATTEMPTED and THREAT.
_GOLD_STAGES = (("ACCOMPLISH", "accomplished"), ("ATTEMPT", "attempted"), ("THREAT", "threatened"))


def stage_of(status: str) -> str | None:
    return STAGE_OF_STATUS.get(status)


@dataclass(frozen=True)
class Entity:
    """One gold victim or target: its mention strings and the character spans they occur at."""

    mentions: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def found_by(self, predicted: Sequence[Prediction]) -> Prediction | None:
        """The first prediction (in reading order) whose target overlaps a mention."""
        hits = [
            p
            for p in predicted
            if p.target_start is not None
            and p.target_end is not None
            and any(p.target_start < end and start < p.target_end for start, end in self.spans)
        ]
        return min(hits, key=lambda p: p.target_start or 0) if hits else None


@dataclass(frozen=True)
class Incident:
    incident_type: str
    victims: tuple[Entity, ...]
    targets: tuple[Entity, ...]
    stage: str | None


@dataclass(frozen=True)
class MucDocument:
    docid: str
    text: str
    published: date
    incidents: tuple[Incident, ...]


def _mention_spans(
    text: str, mentions: list[Any]
) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    lowered = text.lower()
    strings: list[str] = []
    spans: set[tuple[int, int]] = set()
    for mention, offset in mentions:
        strings.append(mention)
        if isinstance(offset, int) and offset >= 0:
            spans.add((offset, offset + len(mention)))
        needle = re.escape(mention.lower())
        left = r"\b" if mention[:1].isalnum() else ""
        right = r"\b" if mention[-1:].isalnum() else ""
        for m in re.finditer(f"{left}{needle}{right}", lowered):
            spans.add((m.start(), m.end()))
    return tuple(strings), tuple(sorted(spans))


def _entities(text: str, raw: list[Any]) -> tuple[Entity, ...]:
    return tuple(Entity(*_mention_spans(text, mentions)) for mentions in raw if mentions)


def _gold_stage(slots: list[Any]) -> str | None:
    for name, value in slots:
        if "stage" not in str(name).lower() or value is None:
            continue
        strings = value.get("strings", []) if isinstance(value, dict) else [value]
        for string in strings:
            word = str(string).strip().upper()
            for prefix, stage in _GOLD_STAGES:
                if word.startswith(prefix):
                    return stage
    return None


def _read_keys(path: Path) -> dict[str, list[tuple[str, str | None]]]:
    """Per message id, (incident type, stage) of each real template in key order."""
    keys: dict[str, list[tuple[str, str | None]]] = {}
    for block in path.read_text(encoding="utf-8").split("%%%"):
        if not block.strip():
            continue
        try:
            slots = json.loads(block)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"a key template is not JSON ({exc})") from exc
        first = {name: value for name, value in reversed(slots)}
        kind = str(first.get("incident_type") or "*")
        if kind == "*":
            continue
        keys.setdefault(str(first.get("message_id")), []).append((kind, _gold_stage(slots)))
    return keys


def _raw_keys(directory: Path) -> dict[str, list[tuple[str, str | None]]]:
    """Per message id, (incident type, stage) of every template of the raw development keys."""
    from watchfloor.evaluation.corpora import read_muc4_raw

    return {
        document.doc_id: [(event.kind, event.stage) for event in document.events]
        for document in read_muc4_raw(directory, "dev")
    }


def _in_order(
    key: list[tuple[str, str | None]], kinds: list[str]
) -> list[tuple[str, str | None]] | None:
    """The key's templates that line up, in order, with `kinds` (dev.json keeps only some
    incident types of the full keys), or None when they do not."""
    chosen: list[tuple[str, str | None]] = []
    rest = iter(key)
    for kind in kinds:
        found = next((k for k in rest if k[0].lower() == kind.lower()), None)
        if found is None:
            return None
        chosen.append(found)
    return chosen


def _read_days(path: Path) -> dict[str, date]:
    """Publication days from the datelines ("SAN SALVADOR, 18 FEB 90 (DPA)")."""
    days: dict[str, date] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        m = re.search(r"\b(\d{1,2}) ([A-Z]{3}) (\d{2})\b", str(item.get("dateline", "")))
        if m:
            with contextlib.suppress(ValueError):
                days[item["docid"]] = datetime.strptime(" ".join(m.groups()), "%d %b %y").date()
    return days


@dataclass(frozen=True)
class MucData:
    documents: tuple[MucDocument, ...]
    has_stage: bool
    join_failures: int


def load_dev(directory: Path) -> MucData:
    """The development split with its keys. Raises InputError when dev.json is missing or bad."""
    path = directory / DEV_FILE
    if not path.is_file():
        raise InputError(str(path), "not found; pass the folder that holds MUC-4's dev.json")
    keys = _read_keys(directory / KEYS_FILE) if (directory / KEYS_FILE).is_file() else {}
    if not any(stage for key in keys.values() for _, stage in key) and (directory / "raw").is_dir():
        # The processed keys lack the stage of execution; the raw keys (TST1, TST2) have it.
        keys = _raw_keys(directory / "raw")
    days = _read_days(directory / DOCS_FILE) if (directory / DOCS_FILE).is_file() else {}
    documents: list[MucDocument] = []
    join_failures = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            docid, text, templates = item["docid"], item["doctext"], item["templates"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}", f"not a MUC-4 document line ({exc})") from exc
        key = _in_order(keys.get(docid, []), [str(t["incident_type"]) for t in templates])
        joined = key is not None
        if keys and templates and not joined:
            join_failures += 1
        incidents = tuple(
            Incident(
                incident_type=t["incident_type"],
                victims=_entities(text, t.get("Victim", [])),
                targets=_entities(text, t.get("Target", [])),
                stage=key[i][1] if key is not None else None,
            )
            for i, t in enumerate(templates)
        )
        documents.append(MucDocument(docid, text, days.get(docid, FALLBACK_DAY), incidents))
    has_stage = any(i.stage for d in documents for i in d.incidents)
    return MucData(tuple(documents), has_stage, join_failures)


@dataclass
class MucScore:
    """One system's numbers on MUC-4 dev."""

    documents: int = 0
    victims: int = 0
    victims_found: int = 0
    targets: int = 0
    targets_found: int = 0
    incidents: int = 0
    incidents_found: int = 0
    stage_judged: int = 0
    stage_agree: int = 0
    predicted: int = 0
    predicted_on_gold: int = 0

    def add(self, document: MucDocument, predicted: Sequence[Prediction]) -> None:
        self.documents += 1
        self.predicted += len(predicted)
        gold_spans = [
            span
            for incident in document.incidents
            for entity in (*incident.victims, *incident.targets)
            for span in entity.spans
        ]
        self.predicted_on_gold += sum(
            1
            for p in predicted
            if p.target_start is not None
            and p.target_end is not None
            and any(p.target_start < e and s < p.target_end for s, e in gold_spans)
        )
        for incident in document.incidents:
            entities = (*incident.victims, *incident.targets)
            if not entities:
                continue
            self.incidents += 1
            victim_hits = [v.found_by(predicted) for v in incident.victims]
            target_hits = [t.found_by(predicted) for t in incident.targets]
            self.victims += len(victim_hits)
            self.victims_found += sum(h is not None for h in victim_hits)
            self.targets += len(target_hits)
            self.targets_found += sum(h is not None for h in target_hits)
            hits = [h for h in (*victim_hits, *target_hits) if h is not None]
            if not hits:
                continue
            self.incidents_found += 1
            if incident.stage is not None:
                self.stage_judged += 1
                first = min(hits, key=lambda p: p.target_start or 0)
                self.stage_agree += stage_of(first.status) == incident.stage

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "victim_recall": ratio(self.victims_found, self.victims),
            "victims": self.victims,
            "victims_found": self.victims_found,
            "target_recall": ratio(self.targets_found, self.targets),
            "targets": self.targets,
            "targets_found": self.targets_found,
            "incidents": self.incidents,
            "incidents_found": self.incidents_found,
            "stage_accuracy": ratio(self.stage_agree, self.stage_judged),
            "stage_judged": self.stage_judged,
            "predicted": self.predicted,
            "predicted_on_gold_share": ratio(self.predicted_on_gold, self.predicted),
        }
