"""The text of a warning, drafted from the case and its thread for a person to review.

A notice tells the recipient what they need to protect themselves and nothing that exposes how
we know: no source names, no quotations of the reporting, no document ids. `leaks` checks a
text (the draft, or a reviewer's edit) against the thread's sources and sentences.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.errors import WatchfloorError
from watchfloor.store.models import Case, Document, Source, Statement

NOTICE_FILE = Path(__file__).resolve().parent.parent / "data" / "policy" / "notice.yaml"
# Stands for the acknowledgement token until the sender fills it in: the stored, reviewed text
# never holds a token.
ACK_PLACEHOLDER = "[[ACK_TOKEN]]"
WORD = re.compile(r"\w+", re.UNICODE)


class DraftError(WatchfloorError):
    """A notice text that would disclose what its recipient may not see."""


@dataclass(frozen=True)
class Templates:
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path | None = None) -> Templates:
        path = path or NOTICE_FILE
        try:
            return cls(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError) as exc:
            raise WatchfloorError(f"{path}: cannot read the notice templates ({exc})") from exc


@dataclass(frozen=True)
class ThreadFacts:
    """What the thread's statements say about when, where and how, and what must not leak."""

    when: tuple[str, ...]
    where: tuple[str, ...]
    method: tuple[str, ...]
    sources: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


def thread_facts(session: Session, thread_id: int | None) -> ThreadFacts:
    if thread_id is None:
        return ThreadFacts((), (), (), (), (), ())
    rows = session.execute(
        select(Statement, Document.title, Source.name)
        .join(Document, Statement.document_id == Document.id)
        .join(Source, Document.source_id == Source.id)
        .where(Statement.thread_id == thread_id)
        .order_by(Statement.id)
    ).all()

    def distinct(values: list[str | None]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    return ThreadFacts(
        when=distinct([r[0].when for r in rows]),
        where=distinct([r[0].where for r in rows]),
        method=distinct([r[0].method for r in rows]),
        sources=distinct([r[2] for r in rows]),
        titles=distinct([r[1] for r in rows]),
        sentences=distinct([r[0].evidence_text for r in rows]),
    )


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
    if ACK_PLACEHOLDER not in text:
        raise DraftError(
            f"the notice text lacks {ACK_PLACEHOLDER}, where the acknowledgement token goes; "
            "keep that line of the draft"
        )
