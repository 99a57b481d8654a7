"""Threads, documents and readers for the review tests, written straight into a store.

The review reads threads the assess stage has stored; these helpers store such threads
(an assessment JSON as assess writes it) without running spaCy, so the review tests stay fast.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from watchfloor.assess.records import (
    EvidenceRef,
    RationaleItem,
    Specificity,
    ThreadAssessment,
    Trend,
    TrendPoint,
)
from watchfloor.assess.threads import actor_key, target_key, thread_key
from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.store.models import Blob, Document, Source, Statement, Thread

OWN_ORG = "Watch Floor"
CLIENTS = frozenset({"Senate Select Committee", "UK Liaison"})
POLICY = AccessPolicy(own_organization=OWN_ORG, client_organizations=CLIENTS)


def add_document(
    session: Session, *, source: str, reliability: str, title: str, day: date, marking: str
) -> int:
    row = session.query(Source).filter_by(name=source).one_or_none()
    if row is None:
        row = Source(name=source, kind="site", reliability=reliability)
        session.add(row)
        session.flush()
    text = f"{title} {source} {day.isoformat()}"
    sha = hashlib.sha256(text.encode()).hexdigest()
    session.add(Blob(sha256=sha, size=len(text), data=text.encode()))
    document = Document(
        sha256=sha,
        source_id=row.id,
        location=f"/reports/{sha[:8]}.txt",
        title=title,
        published=day,
        day=day,
        content_type="text/plain",
        marking=marking,
        text=text,
    )
    session.add(document)
    session.flush()
    return document.id


def assessment(
    *,
    key: str,
    actor: str | None,
    target: str,
    harm: str,
    likelihood: str,
    likelihood_range: tuple[int, int],
    confidence: str,
    priority: float,
    first_seen: date,
    last_seen: date,
    document_ids: tuple[int, ...],
    rationale: tuple[str, ...] = ("a named target and a method raise specificity",),
) -> ThreadAssessment:
    evidence = EvidenceRef(document_ids[0] if document_ids else 0, 0, 5, "words")
    return ThreadAssessment(
        key=key,
        actor=actor,
        actor_lineage=(actor,) if actor else (),
        target=target,
        protectee=None,
        first_seen=first_seen,
        last_seen=last_seen,
        statements=len(document_ids) + 1,
        documents=len(document_ids),
        clusters=len(document_ids),
        independent_origins=max(1, len(document_ids)),
        reliability="B",
        credibility=2,
        credibility_overridden=False,
        specificity=Specificity(True, True, False, True, False, 0.6),
        harm=harm,
        status="planned",
        severity=8,
        imminence="near",
        imminence_days=10,
        behaviours=(),
        trend=Trend(
            "escalating",
            "reporting moved from a general threat to a specific one",
            (TrendPoint(last_seen, 2, 0.6, 8, 2),),
        ),
        likelihood=likelihood,
        likelihood_range=likelihood_range,
        confidence=confidence,  # type: ignore[arg-type]
        priority=priority,
        rationale=tuple(RationaleItem("raise", reason, evidence) for reason in rationale),
        duty_to_warn_statements=1,
        document_ids=document_ids,
    )


def add_thread(session: Session, a: ThreadAssessment) -> int:
    """Store a thread as the board shows it, with one statement per document of `a`. Its key is
    the one the assess stage would give the actor and target (`a.key` is not used)."""
    key = thread_key(actor_key(a.actor, {}), target_key(a.protectee, a.target))
    a = replace(a, key=key)
    thread = Thread(
        key=a.key,
        actor_entity=a.actor,
        actor_lineage="|".join(a.actor_lineage),
        target_key=a.target.lower(),
        target_label=a.target,
        first_seen=a.first_seen,
        last_seen=a.last_seen,
        statements=a.statements,
        harm=a.harm,
        reliability=a.reliability,
        credibility=a.credibility,
        likelihood=a.likelihood,
        confidence=a.confidence,
        trend=a.trend.label,
        priority=a.priority,
        assessment=json.dumps(a.to_json(), sort_keys=True),
        assessed_at=datetime.now(UTC),
        standing=a.standing,
        imminence=a.imminence,
        specificity=a.specificity.score,
        version=1,
    )
    session.add(thread)
    session.flush()
    # The review judges a thread from its statements as of its day, so the thread gets one
    # statement in each of its documents, saying what the assessment says.
    for seq, document_id in enumerate(a.document_ids):
        document = session.get(Document, document_id)
        assert document is not None, f"no document {document_id}"
        text = document.text
        session.add(
            Statement(
                document_id=document_id,
                seq=seq,
                act=a.harm,
                status=a.status,
                duty_to_warn=False,
                evidence_text=text,
                evidence_start=0,
                evidence_end=len(text),
                trigger_text=text.split()[0],
                trigger_start=0,
                trigger_end=len(text.split()[0]),
                actor_text=a.actor,
                actor_entity=a.actor,
                actor_lineage="|".join(a.actor_lineage),
                target_text=a.target,
                target_kind="person",
                protectee=a.protectee,
                link_method="none",
                person_named=True,
                hedged=False,
                thread_id=thread.id,
            )
        )
    session.flush()
    return thread.id


# Three readers of different clearances (the acceptance case).
ALICE = Reader(
    name="alice",
    clearance="TS",
    compartments=frozenset({"SI", "TK"}),
    nationality="USA",
    audiences=frozenset({"senior-policy"}),
    organization=OWN_ORG,
)
BOB = Reader(
    name="bob",
    clearance="S",
    nationality="USA",
    audiences=frozenset({"congressional-oversight"}),
    organization="Senate Select Committee",
)
CAROL = Reader(
    name="carol",
    clearance="U",
    nationality="GBR",
    audiences=frozenset({"partner-liaison"}),
    organization="UK Liaison",
)


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: tags, the stylesheet and the title removed."""
    body = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
