"""Building blocks for the pure assessment tests: statements and signals written by hand."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from watchfloor.assess.records import EvidenceRef, StatementEvidence, StoredSignal
from watchfloor.assess.signals import find_signals

_ids = itertools.count(1)


def statement(
    *,
    document_id: int,
    day: date,
    source: str = "Wire One",
    origin_source: str | None = None,
    cluster_id: int | None = None,
    reliability: str = "B",
    act: str = "kill",
    status: str = "planned",
    start: int = 0,
    text: str = "a report of a plot",
    protectee: str | None = "envoy-1",
    person_named: bool = True,
    hedged: bool = False,
    when: str | None = None,
    where: str | None = None,
    method: str | None = None,
    actor: str | None = "Northland",
    lineage: tuple[str, ...] = ("Northland",),
    target_kind: str = "person",
    duty_to_warn: bool = False,
    key: str | None = None,
) -> StatementEvidence:
    number = next(_ids)
    evidence = EvidenceRef(document_id, start, start + len(text), text)
    return StatementEvidence(
        statement_id=number,
        key=key or f"doc{document_id}:{start}:{start + len(text)}",
        document_id=document_id,
        day=day,
        cluster_id=cluster_id,
        source=source,
        origin_source=origin_source or source,
        reliability=reliability,
        act=act,
        status=status,
        evidence=evidence,
        trigger=evidence,
        actor_entity=actor,
        actor_lineage=lineage,
        target_text="the envoy",
        target_kind=target_kind,
        protectee=protectee,
        person_named=person_named,
        attribution=None,
        hedged=hedged,
        when=when,
        where=where,
        method=method,
        duty_to_warn=duty_to_warn,
    )


def report(
    document_id: int, day: date, text: str, **fields: object
) -> tuple[StatementEvidence, list[StoredSignal]]:
    """A one-statement document whose evidence is the whole text, with the text's signals."""
    found = statement(document_id=document_id, day=day, text=text, **fields)  # type: ignore[arg-type]
    return found, [StoredSignal(document_id, s) for s in find_signals(text, day)]


def signals_of(
    reports: Sequence[tuple[StatementEvidence, list[StoredSignal]]],
) -> list[StoredSignal]:
    return [s for _, signals in reports for s in signals]
