"""The drafted warning: what the recipient needs, nothing that exposes the reporting."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import Engine
from warn_support import Change, add_thread, assessment

from watchfloor.store.engine import transaction
from watchfloor.store.models import Blob, Document, Source, Statement
from watchfloor.warn import cases, drafting
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.users import add_user

POLICY = CasePolicy.load()
SENTENCE = (
    "Two officials at the Harbour Desk said a cell had photographed the convoy of Amara Okafor "
    "on three occasions and planned to strike during her visit to Mombasa."
)


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHFLOOR_SECRET_KEY", "drafting-test-key-with-at-least-32-bytes")


def reported_case(engine: Engine) -> int:
    """A case whose thread has one stored statement from a named source."""
    a = assessment()
    with transaction(engine) as s:
        add_user(s, "dora", ["duty_officer"], email=None, by=None, policy=POLICY)
        thread_id = add_thread(s, a)
        source = Source(name="Coastal Wire Service", kind="partner", reliability="B")
        text = "Plot against the envoy\n\n" + SENTENCE
        sha = hashlib.sha256(text.encode()).hexdigest()
        s.add_all([source, Blob(sha256=sha, size=len(text), data=text.encode())])
        s.flush()
        document = Document(
            sha256=sha,
            source_id=source.id,
            location="cable-17.txt",
            title="Plot against the envoy in Mombasa",
            day=date(2026, 3, 2),
            content_type="text/plain",
            marking="TLP:AMBER",
            text=text,
        )
        s.add(document)
        s.flush()
        start = text.index(SENTENCE)
        s.add(
            Statement(
                document_id=document.id,
                seq=0,
                act="kill",
                status="planned",
                duty_to_warn=True,
                evidence_text=SENTENCE,
                evidence_start=start,
                evidence_end=start + len(SENTENCE),
                trigger_text="strike",
                trigger_start=start + 120,
                trigger_end=start + 126,
                actor_text="a cell",
                target_text="Amara Okafor",
                target_kind="person",
                protectee="amara-okafor",
                link_method="name",
                person_named=True,
                hedged=False,
                when="2026-03-09",
                where="Mombasa",
                method="ambush of the convoy",
                thread_id=thread_id,
            )
        )
        [opened] = cases.triage(
            s, [Change(thread_id, None, a)], rule=ThreadRule.load(), policy=POLICY
        )
    return opened.case_id


def test_the_draft_says_what_when_where_and_nothing_of_the_sources(store: Engine) -> None:
    case_id = reported_case(store)
    with transaction(store) as s:
        case = cases.get_case(s, case_id)
        subject, body = cases.draft(s, case)
        facts = drafting.thread_facts(s, case.thread_id)
    text = subject + "\n" + body
    for needed in ("Amara Okafor", "a threat to kill", "Mombasa", "2026-03-09", "al-Shabaab"):
        assert needed in text
    assert "ambush of the convoy" in text and "likely" in text
    assert drafting.ACK_PLACEHOLDER in body
    for secret in ("Coastal Wire", "Harbour Desk", "cable-17", "Plot against the envoy"):
        assert secret not in text
    assert drafting.leaks(text, facts) == []


def test_an_edited_text_that_quotes_or_names_a_source_is_refused(store: Engine) -> None:
    case_id = reported_case(store)
    with transaction(store) as s:
        case = cases.get_case(s, case_id)
        _, body = cases.draft(s, case)
    quoted = body + "\nAs reported: a cell had photographed the convoy of Amara Okafor on three.\n"
    named = body + "\nOur partner Coastal Wire Service told us.\n"
    with transaction(store) as s, pytest.raises(drafting.DraftError, match="quotation"):
        cases.warn(s, case_id, "dora", POLICY, body=quoted)
    with transaction(store) as s, pytest.raises(drafting.DraftError, match="source name"):
        cases.warn(s, case_id, "dora", POLICY, body=named)
    without_token = body.replace(drafting.ACK_PLACEHOLDER, "")
    with transaction(store) as s, pytest.raises(drafting.DraftError, match="ACK_TOKEN"):
        cases.warn(s, case_id, "dora", POLICY, body=without_token)
