"""The daily review: one marked portion per thread active that day, plus analysts' portions.

A thread portion says the thread's ICD 203 judgement (likelihood and confidence in separate
sentences), the rationale that moved it and the sources it rests on, and carries the roll-up of
its documents' markings. Analysts add portions of their own with a marking they choose. The
review's banner is the roll-up of every portion; what one reader sees is decided in render.py.

Rebuilding a day replaces its thread portions with fresh ones and keeps the analysts' portions.
The words of the judgements, the window of days and the known audiences come from
`data/publish/review.yaml` (`WATCHFLOOR_REVIEW_CONFIG` names another file).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from watchfloor.assess.records import ThreadAssessment
from watchfloor.datafiles import check_data, read_yaml
from watchfloor.errors import ReviewError, WatchfloorError
from watchfloor.publish.drawn import documents_of, origins_of
from watchfloor.publish.markings import Marking, parse_marking
from watchfloor.publish.rollup import rollup
from watchfloor.publish.wording import StageWords, capitalized, stage_key, stage_values
from watchfloor.schemas import ReviewFile
from watchfloor.settings import setting
from watchfloor.store import audit
from watchfloor.store.models import (
    Portion,
    Review,
    Thread,
    utcnow,
)

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "data" / "publish" / "review.yaml"
CONFIG_ENV_VAR = "WATCHFLOOR_REVIEW_CONFIG"


@dataclass(frozen=True)
class ReviewConfig:
    window_days: int
    audiences: frozenset[str]
    title: str
    sentences: tuple[str, ...]
    unknown_actor: str
    unknown_actor_title: str
    harm: Mapping[str, tuple[str, str]]  # act -> (title verb, sentence phrase)
    reliability: Mapping[str, str]
    credibility: Mapping[int, str]
    effects: Mapping[str, str]
    stages: StageWords | None = None  # judgements worded by stage (publish.wording)

    @classmethod
    def load(cls, path: Path | None = None) -> ReviewConfig:
        path = path or Path(setting(CONFIG_ENV_VAR) or DEFAULT_CONFIG_FILE)
        data = read_yaml(path, error=ReviewError) or {}
        check_data(data, ReviewFile, path, error=ReviewError)
        try:
            judgement = data["judgement"]
            config = cls(
                window_days=int(data["window_days"]),
                audiences=frozenset(str(a) for a in data["audiences"]),
                title=str(judgement["title"]),
                sentences=tuple(str(s) for s in judgement["sentences"]),
                unknown_actor=str(data["unknown_actor"]),
                unknown_actor_title=str(data["unknown_actor_title"]),
                harm={
                    str(act): (str(words["verb"]), str(words["phrase"]))
                    for act, words in data["harm"].items()
                },
                reliability={str(k): str(v) for k, v in data["reliability"].items()},
                credibility={int(k): str(v) for k, v in data["credibility"].items()},
                effects={str(k): str(v) for k, v in data["effects"].items()},
                stages=StageWords.from_data(judgement["by_stage"], data["harm"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReviewError(f"{path}: not a valid review configuration ({exc})") from exc
        if config.window_days < 1:
            raise ReviewError(f"{path}: window_days must be 1 or more, not {config.window_days}")
        return config

    def check_audiences(self, audiences: Iterable[str], what: str) -> frozenset[str]:
        """The audiences, normalised; an unknown one is an error naming it."""
        chosen = frozenset(a.strip().lower() for a in audiences if a.strip())
        unknown = sorted(chosen - self.audiences)
        if unknown:
            raise ReviewError(
                f"{what}: unknown audience {', '.join(repr(a) for a in unknown)}; "
                f"known audiences are {', '.join(sorted(self.audiences))} "
                f"(add one to {CONFIG_ENV_VAR} or {DEFAULT_CONFIG_FILE.name})"
            )
        return chosen


@dataclass(frozen=True)
class Citation:
    """A document a judgement rests on, as ICD 206 asks a product to cite it."""

    document_id: int
    source: str
    reliability: str  # the source's Admiralty letter
    title: str
    day: date
    marking: str

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "source": self.source,
            "reliability": self.reliability,
            "title": self.title,
            "day": self.day.isoformat(),
            "marking": self.marking,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Citation:
        return cls(
            document_id=int(data["document_id"]),
            source=str(data["source"]),
            reliability=str(data["reliability"]),
            title=str(data["title"]),
            day=date.fromisoformat(data["day"]),
            marking=str(data["marking"]),
        )


@dataclass(frozen=True)
class RationaleLine:
    effect: str  # raise | lower | note
    reason: str


@dataclass(frozen=True)
class Distribution:
    """Who a review goes to: readers with one of `audiences`, and the readers named."""

    audiences: frozenset[str] = frozenset()
    readers: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, list[str]]:
        return {"audiences": sorted(self.audiences), "readers": sorted(self.readers)}

    @classmethod
    def from_json(cls, text: str) -> Distribution:
        data = json.loads(text or "{}")
        return cls(frozenset(data.get("audiences", ())), frozenset(data.get("readers", ())))

    def includes(self, name: str, audiences: frozenset[str]) -> bool:
        return name in self.readers or bool(self.audiences & audiences)

    def describe(self) -> str:
        parts = []
        if self.audiences:
            parts.append(", ".join(sorted(self.audiences)))
        if self.readers:
            parts.append("named readers: " + ", ".join(sorted(self.readers)))
        return "; ".join(parts) or "nobody"

    def describe_for(self, name: str) -> str:
        """What one reader's copy says of the distribution: the audiences, and the reader
        themself if named; never the other named readers."""
        parts = [", ".join(sorted(self.audiences))] if self.audiences else []
        if name in self.readers:
            parts.append(f"named reader: {name}")
        return "; ".join(parts) or "nobody"


@dataclass(frozen=True)
class ReviewPortion:
    id: int
    seq: int
    kind: str  # judgement | analyst
    marking: Marking
    title: str
    body: str
    audiences: frozenset[str] = frozenset()
    recipients: frozenset[str] = frozenset()
    rationale: tuple[RationaleLine, ...] = ()
    sources: tuple[Citation, ...] = ()
    thread_id: int | None = None
    priority: float | None = None
    author: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class DailyReview:
    id: int
    day: date
    built_at: datetime | None
    window_days: int | None
    banner: Marking | None  # the roll-up of every portion; a reader's banner is recomputed
    distribution: Distribution
    portions: tuple[ReviewPortion, ...] = field(default=())  # in reading order


def reading_order(portions: Iterable[ReviewPortion]) -> tuple[ReviewPortion, ...]:
    """Highest priority first; portions without one (most analysts' notes) after, as added."""
    return tuple(
        sorted(
            portions,
            key=lambda p: (p.priority is None, -(p.priority or 0.0), p.seq),
        )
    )


# --- judgements in words -------------------------------------------------------------------


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def judgement_text(assessment: ThreadAssessment, config: ReviewConfig) -> tuple[str, str]:
    """The title and the body of a thread's portion."""
    verb, phrase = config.harm.get(assessment.harm, (assessment.harm, assessment.harm))
    low, high = assessment.likelihood_range
    values: dict[str, object] = {
        "actor": assessment.actor or config.unknown_actor,
        "actor_title": assessment.actor or config.unknown_actor_title,
        "target": assessment.target,
        "harm": assessment.harm,
        "harm_verb": verb,
        "harm_phrase": phrase,
        "likelihood": assessment.likelihood,
        "low": low,
        "high": high,
        "confidence": assessment.confidence,
        "admiralty": assessment.admiralty,
        "reliability": config.reliability.get(assessment.reliability, assessment.reliability),
        "credibility": config.credibility.get(assessment.credibility, str(assessment.credibility)),
        "status": assessment.status.replace("_", " "),
        "trend": assessment.trend.label,
        "trend_reason": _sentence(assessment.trend.reason),
        "statements": assessment.statements,
        "statements_word": _plural(assessment.statements, "statement", "statements"),
        "documents": assessment.documents,
        "documents_word": _plural(assessment.documents, "report", "reports"),
        "origins": assessment.independent_origins,
        "origins_word": _plural(assessment.independent_origins, "origin", "origins"),
        "first_seen": assessment.first_seen.isoformat(),
        "last_seen": assessment.last_seen.isoformat(),
    }
    title_template, sentences = config.title, list(config.sentences)
    stage = stage_key(assessment) if config.stages is not None else None
    if stage is not None and config.stages is not None:
        # What happened, was foiled or is history is never worded as what someone "will" do:
        # the stage's title and lead sentence replace the likelihood sentence.
        values |= stage_values(assessment, config.stages)
        values["actor_cap"] = capitalized(str(values["actor"]))
        title_template = config.stages.titles[stage]
        sentences = [config.stages.leads[stage], *sentences[1:]]
    try:
        title = title_template.format(**values)
        body = " ".join(sentence.format(**values) for sentence in sentences)
    except (KeyError, IndexError, ValueError) as exc:
        raise ReviewError(f"review configuration: a judgement template is invalid ({exc})") from exc
    return title, body


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text.endswith((".", "!", "?")) else text + "."


# --- the store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judged:
    id: int
    version: int  # of the stored assessment, to tell a later reader which board state it was
    assessment: ThreadAssessment  # as of the review's day


def _threads_for(session: Session, day: date, window_days: int) -> list[_Judged]:
    """The threads with reporting in the window ending on `day`, judged as of `day`: a review
    built later neither counts later reports nor measures fading against the wall clock."""
    from watchfloor.assess import assess_as_of, threads_active

    start = day - timedelta(days=window_days - 1)
    judged = assess_as_of(session, threads_active(session, start, day), day)
    chosen = [
        # assess_as_of loaded the threads into this session: get() reads them from it.
        _Judged(thread_id, _version(session, thread_id), assessment)
        for thread_id, assessment in judged.items()
        # A thread whose reports in the window were all dismissed is not new that day.
        if start <= assessment.last_seen <= day
    ]
    return sorted(chosen, key=lambda j: (-j.assessment.priority, j.id))


def _version(session: Session, thread_id: int) -> int:
    thread = session.get(Thread, thread_id)
    return (thread.version or 0) if thread is not None else 0


def _internal(effect: str, reason: str) -> bool:
    """A rationale line about the analysts' own work (statements dismissed), which stays on
    the board and out of the product."""
    return effect == "note" and "dismissed by an analyst" in reason


def parse_document_marking(document_id: int, text: str) -> Marking:
    try:
        return parse_marking(text)
    except WatchfloorError as exc:
        raise ReviewError(f"document {document_id} has marking {text!r}: {exc}") from exc


def _get_or_create(session: Session, day: date) -> Review:
    review = session.scalar(select(Review).where(Review.day == day))
    if review is None:
        review = Review(day=day, distribution=json.dumps(Distribution().to_json()))
        session.add(review)
        session.flush()
    return review


def _next_seq(session: Session, review_id: int) -> int:
    last = session.scalar(select(func.max(Portion.seq)).where(Portion.review_id == review_id))
    return (last or 0) + 1


def _join(values: Iterable[str]) -> str:
    return ",".join(sorted(set(values)))


def _split(text: str) -> frozenset[str]:
    return frozenset(v for v in text.split(",") if v)


def _banner(markings: Sequence[Marking]) -> Marking | None:
    return rollup(list(markings)) if markings else None


def build_review(
    session: Session,
    day: date,
    *,
    actor: str,
    window_days: int | None = None,
    distribution: Distribution | None = None,
    config: ReviewConfig | None = None,
) -> DailyReview:
    """(Re)build the review of `day` from the threads active in the window ending on it,
    judged as of `day`."""
    config = config or ReviewConfig.load()
    window = window_days if window_days is not None else config.window_days
    if window < 1:
        raise ReviewError(f"--window {window}: the window is a number of days, 1 or more")
    if distribution is not None:
        config.check_audiences(distribution.audiences, "distribution")
    review = _get_or_create(session, day)
    session.execute(
        delete(Portion).where(Portion.review_id == review.id).where(Portion.kind == "judgement")
    )
    seq = _next_seq(session, review.id)
    threads = []
    for view in _threads_for(session, day, window):
        session.add(_judgement_portion(session, review.id, seq, view, actor, config))
        threads.append(view.id)
        seq += 1
    session.flush()
    if distribution is not None:
        review.distribution = json.dumps(distribution.to_json())
    review.window_days = window
    review.built_at = utcnow()
    review.built_by = actor
    session.expire(review, ["portions"])
    built = _view(review)
    review.banner = built.banner.banner() if built.banner else None
    audit.append(
        session,
        actor=actor,
        action="review.build",
        subject_type="review",
        subject_id=day.isoformat(),
        details={
            "window_days": window,
            "threads": threads,
            "portions": len(built.portions),
            "analyst_portions": sum(1 for p in built.portions if p.kind == "analyst"),
            "banner": review.banner,
            "distribution": built.distribution.to_json(),
        },
    )
    return load_review(session, day) or built


def _judgement_portion(
    session: Session, review_id: int, seq: int, view: Any, actor: str, config: ReviewConfig
) -> Portion:
    """The portion of one thread's judgement, marked with the roll-up of what it draws on."""
    from watchfloor.assess import source_grades

    assessment: ThreadAssessment = view.assessment
    documents = documents_of(session, view.id, assessment)
    if not documents:
        raise ReviewError(
            f"thread {view.id} ({assessment.key}) has no stored documents, so its portion "
            "cannot be marked; re-assess it (watchfloor assess)"
        )
    # The rationale names the clusters' origins ("one origin ... (SOURCE)"): their
    # markings roll into the portion's even when none of their statements is in the thread.
    drawn = documents + origins_of(session, [d for d, _ in documents])
    marking = rollup([parse_document_marking(d.id, d.marking) for d, _ in drawn])
    graded = source_grades(session, {s.name for _, s in documents})
    title, body = judgement_text(assessment, config)
    citations = [
        Citation(
            document_id=d.id,
            source=s.name,
            # The grade the judgement used: an analyst's grade over the stored one.
            reliability=graded.get(s.name, s.reliability),
            title=d.title or Path(d.location).name,
            day=d.day,
            marking=d.marking,
        ).to_json()
        for d, s in documents
    ]
    rationale = [
        {"effect": r.effect, "reason": r.reason}
        for r in assessment.rationale
        if not _internal(r.effect, r.reason)
    ]
    return Portion(
        review_id=review_id,
        seq=seq,
        kind="judgement",
        marking=marking.portion(),
        audiences="",
        recipients="",
        title=title,
        body=body,
        rationale=json.dumps(rationale, ensure_ascii=False),
        sources=json.dumps(citations, ensure_ascii=False),
        thread_id=view.id,
        thread_version=view.version,
        priority=assessment.priority,
        author=actor,
    )


def set_distribution(
    session: Session,
    day: date,
    distribution: Distribution,
    *,
    actor: str,
    config: ReviewConfig | None = None,
) -> DailyReview:
    config = config or ReviewConfig.load()
    config.check_audiences(distribution.audiences, "distribution")
    review = _get_or_create(session, day)
    review.distribution = json.dumps(distribution.to_json())
    audit.append(
        session,
        actor=actor,
        action="review.distribute",
        subject_type="review",
        subject_id=day.isoformat(),
        details=distribution.to_json(),
    )
    session.flush()
    return _view(review)


def add_portion(
    session: Session,
    day: date,
    *,
    marking: str,
    title: str,
    text: str,
    actor: str,
    audiences: Iterable[str] = (),
    recipients: Iterable[str] = (),
    priority: float | None = None,
    config: ReviewConfig | None = None,
) -> ReviewPortion:
    """Add an analyst's portion to the review of `day` (created if it does not exist yet)."""
    config = config or ReviewConfig.load()
    try:
        parsed = parse_marking(marking)
    except WatchfloorError as exc:
        raise ReviewError(f"--marking {marking!r}: {exc}") from exc
    if not title.strip():
        raise ReviewError("--title is empty; a portion needs a title")
    if not text.strip():
        raise ReviewError("--text is empty; a portion needs a text")
    chosen_audiences = config.check_audiences(audiences, "--audience")
    chosen_recipients = frozenset(r.strip() for r in recipients if r.strip())
    review = _get_or_create(session, day)
    row = Portion(
        review_id=review.id,
        seq=_next_seq(session, review.id),
        kind="analyst",
        marking=parsed.portion(),
        audiences=_join(chosen_audiences),
        recipients=_join(chosen_recipients),
        title=title.strip(),
        body=text.strip(),
        rationale="[]",
        sources="[]",
        thread_id=None,
        priority=priority,
        author=actor,
    )
    session.add(row)
    session.flush()
    session.expire(review, ["portions"])
    banner = _view(review).banner
    review.banner = banner.banner() if banner else None
    audit.append(
        session,
        actor=actor,
        action="review.portion_add",
        subject_type="review",
        subject_id=day.isoformat(),
        details={
            "portion": row.id,
            "marking": row.marking,
            "audiences": sorted(chosen_audiences),
            "recipients": sorted(chosen_recipients),
            "priority": priority,
        },
    )
    return _portion(row)


def load_review(session: Session, day: date) -> DailyReview | None:
    review = session.scalar(select(Review).where(Review.day == day))
    return _view(review) if review is not None else None


def _portion(row: Portion) -> ReviewPortion:
    return ReviewPortion(
        id=row.id,
        seq=row.seq,
        kind=row.kind,
        # Stored markings were validated on the way in; parsing again guards against edits.
        marking=parse_marking(row.marking),
        title=row.title,
        body=row.body,
        audiences=_split(row.audiences),
        recipients=_split(row.recipients),
        rationale=tuple(
            RationaleLine(str(r["effect"]), str(r["reason"])) for r in json.loads(row.rationale)
        ),
        sources=tuple(Citation.from_json(c) for c in json.loads(row.sources)),
        thread_id=row.thread_id,
        priority=row.priority,
        author=row.author,
    )


def _view(review: Review) -> DailyReview:
    portions = reading_order(_portion(row) for row in review.portions)
    return DailyReview(
        id=review.id,
        day=review.day,
        built_at=review.built_at,
        window_days=review.window_days,
        banner=_banner([p.marking for p in portions]),
        distribution=Distribution.from_json(review.distribution),
        portions=portions,
    )
