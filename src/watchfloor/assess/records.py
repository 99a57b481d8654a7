"""What the assess stage takes in and hands on.

In: one `StatementEvidence` per threat statement of a thread (a flat view of a stored statement,
its document and source, with analyst overrides already applied to the source grade) and the
`Signal`s found in those statements' documents. Out: one `ThreadAssessment` per thread, the
picture the board, the duty-to-warn policy and the daily review all read.

Every piece of evidence points back to a document and character offsets (`EvidenceRef`), so a
reader of any judgement can open the sentence that moved it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any, Literal

TrendLabel = Literal["new", "escalating", "stable", "fading"]
Confidence = Literal["low", "moderate", "high"]
Effect = Literal["raise", "lower", "note"]
# Warning behaviours of domain.md section 4 that the text can show.
Behaviour = Literal[
    "leakage", "planning", "fixation", "direct_threat", "surveillance", "last_resort"
]
SignalKind = Literal["behaviour", "temporal", "escalation", "de_escalation"]


@dataclass(frozen=True)
class EvidenceRef:
    """A span of one stored document: `start`/`end` are offsets into that document's text."""

    document_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class StatementEvidence:
    """One stored threat statement as the assessor sees it."""

    statement_id: int
    # Stable across re-ingest and re-analysis: "<document sha256>:<trigger start>:<trigger end>".
    key: str
    document_id: int
    day: date  # the document's date (published, else retrieved)
    cluster_id: int | None  # near-duplicate cluster; None when the document is in none
    source: str  # name of the document's source
    # Source of the cluster's origin (earliest) document: syndicated copies share it.
    origin_source: str
    reliability: str  # Admiralty A-F of `source`, analyst overrides applied
    act: str
    status: str
    evidence: EvidenceRef
    trigger: EvidenceRef
    actor_entity: str | None
    actor_lineage: tuple[str, ...]  # the actor, then its parents ("Quds Force", "IRGC", "Iran")
    target_text: str | None
    target_kind: str
    protectee: str | None
    person_named: bool
    attribution: str | None  # who the report says said it ("US officials")
    hedged: bool
    when: str | None  # ISO date, possibly partial
    where: str | None
    method: str | None
    duty_to_warn: bool  # the per-statement flag from the extract stage
    # The protectee's name from the store's watchlist; None: not stored, show the id.
    protectee_name: str | None = None


@dataclass(frozen=True)
class Signal:
    """Something in a document's text the assessor weighs: a warning behaviour, a temporal
    phrase ("since the spring", "in recent weeks") or an escalation cue ("more specific")."""

    kind: SignalKind
    label: str  # the behaviour ("leakage"), the cue ("more_specific"), or "temporal"
    start: int
    end: int
    text: str
    # For temporal phrases: days before the document's date the phrase points to (e.g. about
    # 90 for "since the spring" in summer, 14 for "in recent weeks"); None otherwise.
    days_before: int | None = None


@dataclass(frozen=True)
class StoredSignal:
    document_id: int
    signal: Signal


@dataclass(frozen=True)
class Specificity:
    target_identified: bool
    method: bool
    place: bool
    time: bool
    actor_capability: bool
    score: float  # 0..1, weighted by the configuration


@dataclass(frozen=True)
class BehaviourFinding:
    behaviour: Behaviour
    evidence: EvidenceRef


@dataclass(frozen=True)
class TrendPoint:
    day: date
    statements: int
    specificity: float
    severity: int
    credibility: int


@dataclass(frozen=True)
class Trend:
    label: TrendLabel
    reason: str
    series: tuple[TrendPoint, ...]
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class RationaleItem:
    effect: Effect
    reason: str
    evidence: EvidenceRef | None = None


@dataclass(frozen=True)
class ThreadOverrides:
    """Analyst decisions that outrank computation for one thread."""

    credibility: int | None = None  # 1-6
    credibility_reason: str | None = None
    dismissed_statements: frozenset[str] = frozenset()  # StatementEvidence.key values


@dataclass(frozen=True)
class ThreadAssessment:
    key: str  # "<actor key>→<target key>"; see assess.threads.thread_key
    actor: str | None  # resolved actor entity (after merges), None when unknown
    actor_lineage: tuple[str, ...]
    target: str  # a label for people: the protectee's name, else the target text
    protectee: str | None  # watchlist id
    first_seen: date
    last_seen: date
    statements: int  # not dismissed
    documents: int
    clusters: int
    independent_origins: int
    reliability: str  # A-F: the best grade among independent origins
    credibility: int  # 1-6 (after override)
    credibility_overridden: bool
    specificity: Specificity
    harm: str  # the gravest act of the thread (kill > kidnap > attack > threaten > surveil)
    status: str  # the most advanced live stage, else the latest stage
    severity: int  # 0-10
    imminence: str  # "imminent" | "near" | "unspecified" | "past"
    imminence_days: int | None  # days from `today` to the nearest future `when`
    behaviours: tuple[BehaviourFinding, ...]
    trend: Trend
    likelihood: str  # an ICD 203 term, exactly as in config ("likely", "roughly even chance" ...)
    likelihood_range: tuple[int, int]  # percent
    confidence: Confidence
    priority: float  # higher first on the board
    rationale: tuple[RationaleItem, ...]
    duty_to_warn_statements: int  # statements whose per-statement flag is set
    document_ids: tuple[int, ...] = ()
    statement_ids: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # "live" or "history" (assess.standing): history is kept on the board as context.
    standing: str = "live"
    standing_reason: str = ""
    happened: str | None = None  # for a past stage: when it happened (ISO, possibly partial)
    caught: bool | None = None  # for a foiled plot: whether the plotters were reported caught

    @property
    def live(self) -> bool:
        return self.standing == "live"

    @property
    def admiralty(self) -> str:
        """Source and information grade together, e.g. "B2"."""
        return f"{self.reliability}{self.credibility}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _jsonable(self)
        data["admiralty"] = self.admiralty
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThreadAssessment:
        """The assessment `to_json` wrote (the derived "admiralty" key is ignored)."""
        spec = data["specificity"]
        trend = data["trend"]
        return cls(
            key=data["key"],
            actor=data["actor"],
            actor_lineage=tuple(data["actor_lineage"]),
            target=data["target"],
            protectee=data["protectee"],
            first_seen=date.fromisoformat(data["first_seen"]),
            last_seen=date.fromisoformat(data["last_seen"]),
            statements=data["statements"],
            documents=data["documents"],
            clusters=data["clusters"],
            independent_origins=data["independent_origins"],
            reliability=data["reliability"],
            credibility=data["credibility"],
            credibility_overridden=data["credibility_overridden"],
            specificity=Specificity(**spec),
            harm=data["harm"],
            status=data["status"],
            severity=data["severity"],
            imminence=data["imminence"],
            imminence_days=data["imminence_days"],
            behaviours=tuple(
                BehaviourFinding(b["behaviour"], _ref(b["evidence"])) for b in data["behaviours"]
            ),
            trend=Trend(
                label=trend["label"],
                reason=trend["reason"],
                series=tuple(
                    TrendPoint(**{**p, "day": date.fromisoformat(p["day"])})
                    for p in trend["series"]
                ),
                evidence=tuple(_ref(e) for e in trend["evidence"]),
            ),
            likelihood=data["likelihood"],
            likelihood_range=(data["likelihood_range"][0], data["likelihood_range"][1]),
            confidence=data["confidence"],
            priority=data["priority"],
            rationale=tuple(
                RationaleItem(
                    r["effect"],
                    r["reason"],
                    _ref(r["evidence"]) if r["evidence"] is not None else None,
                )
                for r in data["rationale"]
            ),
            duty_to_warn_statements=data["duty_to_warn_statements"],
            document_ids=tuple(data.get("document_ids", ())),
            statement_ids=tuple(data.get("statement_ids", ())),
            notes=tuple(data.get("notes", ())),
            standing=data.get("standing", "live"),
            standing_reason=data.get("standing_reason", ""),
            happened=data.get("happened"),
            caught=data.get("caught"),
        )


def _ref(data: dict[str, Any]) -> EvidenceRef:
    return EvidenceRef(data["document_id"], data["start"], data["end"], data["text"])


def _jsonable(value: Any) -> Any:
    """JSON values of a dataclass tree (dataclasses.asdict and then this took 28 ms for a
    thread of 2,000 documents: asdict deep-copies every id in the lists)."""
    if value is None or isinstance(value, str | int | float):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ThreadChange:
    """A thread's assessment before (None: never assessed) and after a re-assessment."""

    thread_id: int
    before: ThreadAssessment | None
    after: ThreadAssessment

    @property
    def changed(self) -> bool:
        return self.before is None or self.before.to_json() != self.after.to_json()


# --- threads as the board and the thread page read them ---------------------------------


@dataclass(frozen=True)
class AppliedOverride:
    """An analyst decision in force on a thread (the newest unrevoked one of its subject)."""

    id: int
    kind: str
    subject: str
    value: str
    reason: str | None
    analyst: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "value": self.value,
            "reason": self.reason,
            "analyst": self.analyst,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ThreadStatement:
    """One statement of a thread as the thread page lists it."""

    id: int
    key: str
    document_id: int
    day: date
    source: str
    cluster_id: int | None
    act: str
    status: str
    evidence: EvidenceRef
    dismissed: bool
    marking: str = ""  # of its document

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "document_id": self.document_id,
            "day": self.day.isoformat(),
            "source": self.source,
            "cluster": self.cluster_id,
            "act": self.act,
            "status": self.status,
            "evidence": {
                "text": self.evidence.text,
                "start": self.evidence.start,
                "end": self.evidence.end,
            },
            "dismissed": self.dismissed,
            "marking": self.marking,
        }


@dataclass(frozen=True)
class ThreadView:
    """A thread with its latest assessment. `get_thread` also fills the folded child threads
    (same target, an actor below this one in the hierarchy), its statements and the
    overrides in force; `list_threads` leaves them empty."""

    id: int
    key: str
    assessment: ThreadAssessment
    assessed_at: datetime
    version: int
    children: tuple[ThreadView, ...] = ()
    statements: tuple[ThreadStatement, ...] = ()
    overrides: tuple[AppliedOverride, ...] = ()
    older: int = 0  # statements older than `statements` left out (get_thread's `newest`)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "assessed_at": self.assessed_at.isoformat(),
            **self.assessment.to_json(),
            "children": [child.to_json() for child in self.children],
            "statement_list": [s.to_json() for s in self.statements],
            "older_statements": self.older,
            "overrides": [o.to_json() for o in self.overrides],
        }
