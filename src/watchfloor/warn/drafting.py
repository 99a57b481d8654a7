"""The text of a warning, drafted from the case and its thread for a person to review.

A notice tells the recipient what they need to protect themselves and nothing that exposes how
we know: no source names, no quotations of the reporting, no document ids. `leaks` checks a
text (the draft, or a reviewer's edit) against the thread's sources and sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.assess.threads import statement_key
from watchfloor.datafiles import Schema, load_yaml
from watchfloor.errors import DraftError
from watchfloor.hooks import marking_scheme
from watchfloor.store.models import Case, Document, Override, Source, Statement

NOTICE_FILE = Path(__file__).resolve().parent.parent / "data" / "policy" / "notice.yaml"
# Stands for the acknowledgement token until the sender fills it in: the stored, reviewed text
# never holds a token.
ACK_PLACEHOLDER = "[[ACK_TOKEN]]"
WORD = re.compile(r"\w+", re.UNICODE)


class NoticeFile(Schema):
    """data/policy/notice.yaml: the wording of notices ({placeholders} filled per case)."""

    subject: str
    harm_phrases: dict[str, str]
    status_phrases: dict[str, str]
    imminence_phrases: dict[str, str]
    body: str
    escalation_subject: str
    escalation_body: str
    quote_words: int = 8
    unsourced_marking: str = "UNCLASSIFIED"


@dataclass(frozen=True)
class Templates:
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path | None = None) -> Templates:
        path = path or NOTICE_FILE
        return cls(load_yaml(path, NoticeFile).model_dump())


@dataclass(frozen=True)
class ThreadFacts:
    """What the thread's statements say about when, where and how, and what must not leak.

    when/where/method come only from statements an analyst has not dismissed and whose
    documents every recipient may see (their release limits); `marking` is the roll-up of
    those documents' markings, the marking the notice carries. sources/titles/sentences cover
    every statement of the thread: none of them may appear in a notice."""

    when: tuple[str, ...]
    where: tuple[str, ...]
    method: tuple[str, ...]
    sources: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]
    marking: str | None = None
    usable: int = 0  # statements the notice may draw on
    withheld: int = 0  # live statements beyond a recipient's release limit
    # Places and methods only withheld statements give: an edited text may not add them.
    withheld_facts: tuple[str, ...] = ()


def _dismissed(session: Session, rows: Sequence[Any]) -> set[str]:
    keys = {statement_key(r.sha256, r[0].trigger_start, r[0].trigger_end) for r in rows}
    if not keys:
        return set()
    return set(
        session.scalars(
            select(Override.subject).where(
                Override.kind == "statement_dismissed",
                Override.subject.in_(sorted(keys)),
                Override.revoked_at.is_(None),
            )
        )
    )


def thread_facts(
    session: Session, thread_id: int | None, limits: Sequence[str] = ()
) -> ThreadFacts:
    """The facts of a thread a notice to recipients with release `limits` may use."""
    if thread_id is None:
        return ThreadFacts((), (), (), (), (), ())
    rows = session.execute(
        select(Statement, Document.title, Source.name, Document.marking, Document.sha256)
        .join(Document, Statement.document_id == Document.id)
        .join(Source, Document.source_id == Source.id)
        .where(Statement.thread_id == thread_id)
        .order_by(Statement.id)
    ).all()
    dismissed = _dismissed(session, rows)
    live = [
        r
        for r in rows
        if statement_key(r.sha256, r[0].trigger_start, r[0].trigger_end) not in dismissed
    ]
    scheme = marking_scheme()
    usable = [r for r in live if all(scheme.releasable(limit, r.marking) for limit in limits)]

    def distinct(values: list[str | None]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    return ThreadFacts(
        when=distinct([r[0].when for r in usable]),
        where=distinct([r[0].where for r in usable]),
        method=distinct([r[0].method for r in usable]),
        sources=distinct([r[2] for r in rows]),
        titles=distinct([r[1] for r in rows]),
        sentences=distinct([r[0].evidence_text for r in rows]),
        marking=scheme.combine([r.marking for r in usable]) if usable else None,
        usable=len(usable),
        withheld=len(live) - len(usable),
        withheld_facts=tuple(
            sorted(
                {v for r in rows for v in (r[0].where, r[0].method) if v}
                - {v for r in usable for v in (r[0].where, r[0].method) if v}
            )
        ),
    )


def releasable(session: Session, case: Case, limits: Sequence[str]) -> ThreadFacts:
    """The case's thread facts that recipients with `limits` may receive; refused when none."""
    facts = thread_facts(session, case.thread_id, limits)
    if facts.withheld and not facts.usable:
        raise DraftError(
            f"case {case.id}: no statement of its thread is releasable to its recipients (the "
            "release limits of the case policy); obtain a releasable version of the reporting, "
            "or decide on a waiver"
        )
    scheme = marking_scheme()
    beyond = [limit for limit in limits if not scheme.releasable(limit, facts.marking or "")]
    if facts.marking and beyond:
        # Parts each within a limit can roll up to a marking that is not (a widening control
        # that only some carry): deny rather than send it.
        raise DraftError(
            f"case {case.id}: the releasable statements together are marked {facts.marking}, "
            f"beyond the release limit {beyond[0]}; a person must sanitize this warning"
        )
    return facts


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values).strip() + "\n"


def draft_warning(
    case: Case, facts: ThreadFacts, templates: Templates | None = None
) -> tuple[str, str]:
    """(subject, body) of the warning; the body holds ACK_PLACEHOLDER for the token."""
    t = (templates or Templates.load()).data
    g = json.loads(case.grades)
    low, high = (g.get("likelihood_range") or [None, None])[:2]
    values = {
        "case_id": str(case.id),
        "target": case.target_label,
        "harm_phrase": t["harm_phrases"].get(case.harm, "a threat"),
        "status_phrase": t["status_phrases"].get(g.get("status", ""), ""),
        "actor": case.actor_label or "not known",
        "when": "; ".join(facts.when)
        or t["imminence_phrases"].get(g.get("imminence", ""), "not known"),
        "where": "; ".join(facts.where) or "not known",
        "method": "; ".join(facts.method) or "not known",
        "likelihood": str(g.get("likelihood") or "not assessed"),
        "likelihood_range": f"{low}-{high}%" if low is not None else "no range",
        "confidence": str(g.get("confidence") or "not assessed"),
        "ack_placeholder": ACK_PLACEHOLDER,
        "marking": facts.marking or str(t.get("unsourced_marking", "UNCLASSIFIED")),
    }
    return _fill(t["subject"], values).strip(), _fill(t["body"], values)


def draft_escalation(case: Case, templates: Templates | None = None) -> tuple[str, str]:
    t = (templates or Templates.load()).data
    values = {
        "case_id": str(case.id),
        "target": case.target_label,
        "harm_phrase": t["harm_phrases"].get(case.harm, "a threat"),
        "deadline": case.deadline.isoformat(timespec="minutes"),
        "state": case.state,
        "ack_placeholder": ACK_PLACEHOLDER,
    }
    return _fill(t["escalation_subject"], values).strip(), _fill(t["escalation_body"], values)


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def leaks(text: str, facts: ThreadFacts, templates: Templates | None = None) -> list[str]:
    """What in `text` the recipient may not see: a source name, a document title, or a run of
    `quote_words` consecutive words from a reported sentence."""
    size = int((templates or Templates.load()).data.get("quote_words", 8))
    found: list[str] = []
    lowered = text.lower()
    for name in facts.sources:
        if len(name) >= 3 and re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            found.append(f"the source name {name!r}")
    for title in facts.titles:
        if len(_words(title)) >= 3 and " ".join(_words(title)) in " ".join(_words(text)):
            found.append("a document title")
    for fact in facts.withheld_facts:
        if len(_words(fact)) and f" {' '.join(_words(fact))} " in f" {' '.join(_words(text))} ":
            found.append(f"a fact its recipients may not see ({fact!r})")
    words = _words(text)
    grams = {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}
    for sentence in facts.sentences:
        sw = _words(sentence)
        for i in range(len(sw) - size + 1):
            if tuple(sw[i : i + size]) in grams:
                found.append(f"a quotation of the reporting ({' '.join(sw[i : i + size])!r} ...)")
                break
    return found


def check(text: str, facts: ThreadFacts, templates: Templates | None = None) -> None:
    problems = leaks(text, facts, templates)
    if problems:
        raise DraftError(
            "the notice text discloses " + "; ".join(problems) + "; remove it and try again"
        )
    # The text is the subject, a newline, then the body: the body itself must be marked.
    if facts.marking and facts.marking not in text.split("\n", 1)[-1]:
        raise DraftError(
            f"the notice text lacks its marking {facts.marking}; keep the draft's marking lines"
        )
    if ACK_PLACEHOLDER not in text:
        raise DraftError(
            f"the notice text lacks {ACK_PLACEHOLDER}, where the acknowledgement token goes; "
            "keep that line of the draft"
        )
