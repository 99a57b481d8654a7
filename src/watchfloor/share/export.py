"""Threads as STIX 2.1: per thread a `report`, the `threat-actor` and its hierarchy
(`attributed-to` up the lineage), the targeted person as an `identity` (`targets`), the
sources as author identities graded on the Admiralty scale, the rationale as a `note`, the
analyst's decisions as `opinion`s and the countries named as `location`s. Statements the
reader may not see are left out before anything is built from them; what is left is marked
with its roll-up, each quoted portion with its own granular marking."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.assess.records import AppliedOverride, ThreadStatement, ThreadView
from watchfloor.datafiles import load_yaml
from watchfloor.link.catalog import ActorCatalog
from watchfloor.publish.markings import Marking, parse_marking
from watchfloor.publish.rollup import rollup
from watchfloor.schemas import ScalesFile
from watchfloor.share import ids
from watchfloor.share.bundle import BundleBuilder
from watchfloor.share.config import DATA
from watchfloor.share.places import country_of
from watchfloor.store.models import Source, Statement

# Entities (actors, people, places, sources) are not dated by any one thread: a fixed stamp
# keeps their objects identical across exports.
ENTITY_TIME = "2020-01-01T00:00:00.000Z"
CLEAR = parse_marking("TLP:CLEAR")


@dataclass(frozen=True)
class Scales:
    confidence: dict[int, int]
    bands: list[tuple[int, int]]
    reliability: dict[str, str]
    resource_levels: dict[str, str | None]

    def credibility_from(self, confidence: int) -> int:
        return next(grade for low, grade in self.bands if confidence >= low)


@cache
def scales() -> Scales:
    data = load_yaml(DATA / "scales.yaml", ScalesFile).model_dump()
    return Scales(
        {int(k): int(v) for k, v in data["credibility_to_confidence"].items()},
        [(int(b["min"]), int(b["grade"])) for b in data["confidence_to_credibility"]],
        {str(k): str(v) for k, v in data["reliability"].items()},
        dict(data["resource_levels"]),
    )


@cache
def catalog() -> ActorCatalog:
    return ActorCatalog.load()


def stamp(day: date | datetime) -> str:
    """A STIX timestamp (UTC, milliseconds) for a day or a time."""
    if not isinstance(day, datetime):
        day = datetime.combine(day, time(), UTC)
    elif day.tzinfo is None:
        day = day.replace(tzinfo=UTC)
    return day.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (f"{day.microsecond // 1000:03d}Z")


class ThreadExporter:
    def __init__(self, session: Session, builder: BundleBuilder, producer: str) -> None:
        self.session = session
        self.builder = builder
        self.audience = builder.audience
        self.producer_name = producer
        # Added with the first thing it authored, so an export of partner objects alone
        # carries no author of ours.
        self.producer = ids.identity(producer, "organization")

    def thread(self, view: ThreadView) -> str | None:
        """Add the thread's objects; its report id, or None unless the reader may see every one
        of its statements. A thread partly withheld is left out whole, as the API and the web
        UI leave it out: its grades, counts and summary draw on all its statements, so a part
        of it would still hint at what the reader may not see."""
        current = [s for s in view.statements if not s.dismissed]
        visible = [s for s in current if self._visible(s)]
        if not visible or len(visible) < len(current):
            return None
        marking = rollup([parse_marking(s.marking) for s in visible])
        self.add_producer()
        a = view.assessment
        refs: list[str] = []
        target = self._target(view, marking)
        refs.append(target)
        actor = self._actor(a.actor, a.actor_lineage, marking, refs)
        if actor is not None:
            refs.append(self._relationship("targets", actor, target, marking, a.credibility))
        refs += self._sources(visible)
        refs += self._places(visible, marking)
        report = self._report(view, visible, marking, refs)
        self._note(view, report, marking)
        for override in view.overrides:
            self._opinion(override, report, marking)
        return report

    def add_producer(self) -> None:
        self._identity(self.producer_name, "organization", CLEAR)

    # --- entities --------------------------------------------------------------------------

    def _identity(self, name: str, kind: str, marking: Marking, **extra: Any) -> str:
        obj = {
            "type": "identity",
            "spec_version": "2.1",
            "id": ids.identity(name, kind),
            "created": ENTITY_TIME,
            "modified": ENTITY_TIME,
            "name": name,
            "identity_class": kind,
            **extra,
        }
        return self.builder.add(obj, marking)

    def _target(self, view: ThreadView, marking: Marking) -> str:
        a = view.assessment
        name = self.audience.person(a.protectee, a.target)
        kind = "individual" if a.protectee or a.specificity.target_identified else "unknown"
        return self._identity(name, kind, marking)

    def _actor(
        self, actor: str | None, lineage: Sequence[str], marking: Marking, refs: list[str]
    ) -> str | None:
        chain = list(lineage) or ([actor] if actor else [])
        if actor and chain[0] != actor:
            chain.insert(0, actor)
        made: list[str] = []
        for name in chain:
            made.append(self._threat_actor(name, marking))
            refs.append(made[-1])
        for child, parent in itertools.pairwise(made):
            refs.append(self._relationship("attributed-to", child, parent, marking))
        return made[0] if made else None

    def _threat_actor(self, name: str, marking: Marking) -> str:
        entity = catalog().resolve(name)
        aliases = sorted({*entity.aliases, *entity.codes} - {name}) if entity else []
        level = scales().resource_levels.get(entity.kind) if entity else None
        obj: dict[str, Any] = {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": ids.threat_actor(name),
            "created": ENTITY_TIME,
            "modified": ENTITY_TIME,
            "name": name,
            "created_by_ref": self.producer,
        }
        if aliases:
            obj["aliases"] = aliases
        if level:
            obj["resource_level"] = level
        return self.builder.add(obj, marking)

    def _relationship(
        self, kind: str, source: str, target: str, marking: Marking, credibility: int = 6
    ) -> str:
        obj: dict[str, Any] = {
            "type": "relationship",
            "spec_version": "2.1",
            "id": ids.relationship(kind, source, target),
            "created": ENTITY_TIME,
            "modified": ENTITY_TIME,
            "relationship_type": kind,
            "source_ref": source,
            "target_ref": target,
            "created_by_ref": self.producer,
        }
        confidence = scales().confidence.get(credibility)
        if confidence is not None:
            obj["confidence"] = confidence
        return self.builder.add(obj, marking)

    def _sources(self, visible: Sequence[ThreadStatement]) -> list[str]:
        names = sorted({s.source for s in visible})
        rows = self.session.execute(
            select(Source.name, Source.reliability).where(Source.name.in_(names))
        )
        grades = {name: grade for name, grade in rows}
        out = []
        for name in names:
            grade = grades.get(name, "F")
            out.append(
                self._identity(
                    name,
                    "organization",
                    CLEAR,
                    x_opencti_reliability=scales().reliability[grade],
                    labels=[f"admiralty:reliability={grade}"],
                )
            )
        return out

    def _places(self, visible: Sequence[ThreadStatement], marking: Marking) -> list[str]:
        wheres = self.session.scalars(
            select(Statement.where).where(
                Statement.id.in_([s.id for s in visible]), Statement.where.is_not(None)
            )
        )
        out = []
        for country in sorted({c for w in wheres if (c := country_of(w or "")) is not None}):
            code, name = country
            obj = {
                "type": "location",
                "spec_version": "2.1",
                "id": ids.location(name, "Country"),
                "created": ENTITY_TIME,
                "modified": ENTITY_TIME,
                "name": name,
                "country": code,
                "x_opencti_location_type": "Country",
            }
            out.append(self.builder.add(obj, marking))
        return out

    # --- the thread's own objects --------------------------------------------------------

    def _visible(self, statement: ThreadStatement) -> bool:
        try:
            return self.builder.allowed(parse_marking(statement.marking))
        except Exception:  # an unreadable marking is withheld, never passed on
            return False

    def _report(
        self,
        view: ThreadView,
        visible: Sequence[ThreadStatement],
        marking: Marking,
        refs: list[str],
    ) -> str:
        a = view.assessment
        scrub = self.audience.scrub
        target = self.audience.person(a.protectee, a.target)
        name = f"Threat to {target}" + (f" by {a.actor}" if a.actor else "")
        published = stamp(a.first_seen)
        obj: dict[str, Any] = {
            "type": "report",
            "spec_version": "2.1",
            "id": ids.report(name, datetime.combine(a.first_seen, time(), UTC)),
            "created": published,
            "modified": max(published, stamp(view.assessed_at)),
            "name": name,
            "published": published,
            "report_types": ["threat-report"],
            "description": scrub(_summary(view, target)),
            "created_by_ref": self.producer,
            "object_refs": list(dict.fromkeys(refs)),
            "labels": [
                f"admiralty:reliability={a.reliability}",
                f"admiralty:credibility={a.credibility}",
                f"harm:{a.harm}",
            ],
            # ICD 203 likelihood is a word with a meaning of its own, kept as the word.
            "x_watchfloor_likelihood": a.likelihood,
            "x_watchfloor_first_seen": a.first_seen.isoformat(),
            "x_watchfloor_last_seen": a.last_seen.isoformat(),
            "x_watchfloor_portions": [
                {"source": s.source, "day": s.day.isoformat(), "text": scrub(s.evidence.text)}
                for s in visible
            ],
        }
        confidence = scales().confidence.get(a.credibility)
        if confidence is not None:
            obj["confidence"] = confidence
        for i, statement in enumerate(visible):
            self.builder.mark_portion(
                obj, f"x_watchfloor_portions.[{i}]", parse_marking(statement.marking)
            )
        return self.builder.add(obj, marking)

    def _note(self, view: ThreadView, report: str, marking: Marking) -> None:
        a = view.assessment
        lines = [f"{item.effect}: {item.reason}" for item in a.rationale]
        if a.standing_reason:
            lines.append(f"standing: {a.standing_reason}")
        if not lines:
            return
        created = stamp(a.first_seen)
        obj = {
            "type": "note",
            "spec_version": "2.1",
            # Keyed by what it is about, not its words: a re-assessment updates the note.
            "id": ids.note(f"rationale of {report}", created),
            "created": created,
            # A thread can be assessed before the day its reports carry (a dated release).
            "modified": max(created, stamp(view.assessed_at)),
            "abstract": "Why the thread is graded as it is",
            "content": self.audience.scrub("\n".join(lines)),
            "object_refs": [report],
            "created_by_ref": self.producer,
        }
        self.builder.add(obj, marking)

    def _opinion(self, override: AppliedOverride, report: str, marking: Marking) -> None:
        created = stamp(override.created_at)
        reason = f": {override.reason}" if override.reason else ""
        obj = {
            "type": "opinion",
            "spec_version": "2.1",
            "id": ids.opinion(f"{override.kind} {override.subject} of {report}", created),
            "created": created,
            "modified": created,
            "opinion": _opinion_value(override),
            "explanation": self.audience.scrub(
                f"analyst decision {override.kind} = {override.value}{reason}"
            ),
            "authors": [self.audience.scrub(override.analyst)],
            "object_refs": [report],
            "created_by_ref": self.producer,
        }
        self.builder.add(obj, marking)


def _summary(view: ThreadView, target: str) -> str:
    a = view.assessment
    actor = a.actor or "an unknown actor"
    return (
        f"{actor} — {a.harm} ({a.status}) against {target}; {a.statements} statement(s) in "
        f"{a.documents} document(s), {a.first_seen} to {a.last_seen}. Source reliability "
        f"{a.reliability}, information credibility {a.credibility} (Admiralty). It is "
        f"{a.likelihood} (ICD 203) that the threat is carried out; analytic confidence "
        f"{a.confidence}. Trend: {a.trend.label}. Imminence: {a.imminence}."
    )


def _opinion_value(override: AppliedOverride) -> str:
    """The analyst's stance on the automatic grading the decision changed."""
    if override.kind == "statement_dismissed":
        return "strongly-disagree"
    if override.kind == "thread_credibility":
        # A lower credibility number is a stronger grade: confirming the thread more.
        return "agree" if override.value.strip() in {"1", "2"} else "disagree"
    return "neutral"
