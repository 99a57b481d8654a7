"""What `watchfloor export stix` exports: a thread, a protectee's threads, a review, or every
thread seen in a date range (with what partners sent in that range), for one audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.assess.records import ThreadView
from watchfloor.assess.views import get_thread, list_threads
from watchfloor.errors import ReviewError, StixInputError
from watchfloor.publish.markings import parse_marking
from watchfloor.publish.rollup import rollup
from watchfloor.share import collection, ids
from watchfloor.share.audience import Audience
from watchfloor.share.bundle import BundleBuilder, references
from watchfloor.share.config import ShareConfig, default_config
from watchfloor.share.export import ThreadExporter, stamp
from watchfloor.store.models import Portion, Review


@dataclass(frozen=True)
class Selection:
    thread: int | None = None
    protectee: str | None = None
    review: date | None = None
    since: date | None = None
    until: date | None = None

    def check(self) -> None:
        chosen = [self.thread is not None, self.protectee is not None, self.review is not None]
        ranged = self.since is not None or self.until is not None
        if sum(chosen) + ranged != 1:
            raise StixInputError(
                "export stix: choose one of --thread, --protectee, --review, or a date range "
                "(--since/--until)"
            )


def export_stix(
    session: Session,
    audience: Audience,
    selection: Selection,
    *,
    config: ShareConfig | None = None,
) -> dict[str, Any]:
    """The bundle of `selection` for `audience`: every object decided for its reader."""
    selection.check()
    config = config or default_config()
    builder = BundleBuilder(audience)
    exporter = ThreadExporter(session, builder, config.producer)
    if selection.review is not None:
        _review(session, exporter, selection.review)
    else:
        for view in _threads(session, selection):
            exporter.thread(view)
        if selection.thread is None and selection.protectee is None:
            _imported(session, builder, selection)
    return builder.build()


def _threads(session: Session, selection: Selection) -> list[ThreadView]:
    if selection.thread is not None:
        view = get_thread(session, selection.thread)
        if view is None:
            raise StixInputError(f"--thread {selection.thread}: no such assessed thread")
        return [view]
    views = list_threads(session, protectee=selection.protectee, since=selection.since)
    if selection.until is not None:
        views = [v for v in views if v.assessment.first_seen <= selection.until]
    full = [get_thread(session, v.id) for v in sorted(views, key=lambda v: v.id)]
    return [v for v in full if v is not None]


def _imported(session: Session, builder: BundleBuilder, selection: Selection) -> None:
    """Partner reports published in the range, and everything they refer to, as stored."""
    stored = collection.latest(collection.rows(session, collection.IMPORTED))
    by_id = {s.stix_id: s for s in stored}
    for item in stored:  # statement markings their portions may carry
        if item.body.get("definition_type") == "statement":
            builder.granular_definitions[item.stix_id] = item.body
    reports = {s.stix_id for s in stored if s.type == "report" and _in_range(s.body, selection)}
    about = {
        s.stix_id
        for s in stored
        if s.type in ("note", "opinion") and set(s.body.get("object_refs") or ()) & reports
    }
    seen = _closure(by_id, [*reports, *about])
    for stix_id in seen:
        builder.add(dict(by_id[stix_id].body), parse_marking(by_id[stix_id].marking))
    for item in stored:  # relationships between what is exported
        ends = {item.body.get("source_ref"), item.body.get("target_ref")}
        if item.type == "relationship" and ends <= seen:
            builder.add(dict(item.body), parse_marking(item.marking))


def _in_range(body: dict[str, Any], selection: Selection) -> bool:
    published = str(body.get("published", ""))
    try:
        day = datetime.fromisoformat(published.replace("Z", "+00:00")).date()
    except ValueError:
        return False
    low, high = selection.since or date.min, selection.until or date.max
    return low <= day <= high


def _closure(by_id: dict[str, collection.Stored], start: list[str]) -> set[str]:
    """`start` and every stored object they refer to, transitively (markings aside: the
    bundle defines those itself)."""
    seen: set[str] = set()
    wanted = list(start)
    while wanted:
        stix_id = wanted.pop()
        item = by_id.get(stix_id)
        if stix_id in seen or item is None or item.type == "marking-definition":
            continue
        seen.add(stix_id)
        wanted.extend(references(item.body))
    return seen


def _review(session: Session, exporter: ThreadExporter, day: date) -> None:
    review = session.scalar(select(Review).where(Review.day == day))
    if review is None or review.built_at is None:
        raise ReviewError(f"--review {day}: no built review for that day; build it first")
    builder = exporter.builder
    refs: list[str] = []
    portions: list[dict[str, str]] = []
    report_obj: dict[str, Any] = {}
    markings = []
    for portion in sorted(review.portions, key=lambda p: p.seq):
        if not _portion_visible(builder, portion):
            continue
        marking = parse_marking(portion.marking)
        markings.append(marking)
        if portion.thread_id is not None:
            view = get_thread(session, portion.thread_id)
            made = exporter.thread(view) if view is not None else None
            if made:
                refs.append(made)
        index = len(portions)
        portions.append(
            {
                "title": exporter.audience.scrub(portion.title),
                "text": exporter.audience.scrub(portion.body),
            }
        )
        builder.mark_portion(report_obj, f"x_watchfloor_portions.[{index}]", marking)
    if not portions:
        return
    exporter.add_producer()
    name = f"Protective intelligence review {day.isoformat()}"
    published = datetime.combine(day, time(), UTC)
    report_obj.update(
        {
            "type": "report",
            "spec_version": "2.1",
            "id": ids.report(name, published),
            "created": stamp(published),
            "modified": max(stamp(published), stamp(review.built_at)),
            "name": name,
            "published": stamp(published),
            "report_types": ["threat-report"],
            "created_by_ref": exporter.producer,
            "object_refs": refs or [exporter.producer],
            "x_watchfloor_portions": portions,
        }
    )
    builder.add(report_obj, rollup(markings))


def _portion_visible(builder: BundleBuilder, portion: Portion) -> bool:
    try:
        marking = parse_marking(portion.marking)
    except Exception:
        return False
    audiences = frozenset(a for a in portion.audiences.split(",") if a)
    recipients = frozenset(r for r in portion.recipients.split(",") if r)
    return builder.allowed(marking, audiences=audiences, recipients=recipients)
