"""Issue 14, leaks 1-5 and bad input 11: markings follow the text into products, notices, the
audit log and the operator's listings, and report text is never read as terminal markup.

Stores are SQLite files written straight through the models (no spaCy), and the listings run
as the real CLI in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from review_support import ALICE, BOB, add_document, add_thread, assessment, visible_text
from sqlalchemy import Engine, select

from watchfloor.assess.records import RationaleItem
from watchfloor.publish.readers import add_reader
from watchfloor.publish.render import render_for
from watchfloor.publish.review import Distribution, build_review, load_review
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import AuditEntry, Blob, Cluster, Document, Source, Statement
from watchfloor.warn import cases, drafting
from watchfloor.warn.config import CasePolicy
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.users import add_user

DAY = date(2026, 3, 10)
POLICY = CasePolicy.load()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["WATCHFLOOR_HOME"] = str(tmp_path / "home")
    env["WATCHFLOOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}"
    env["COLUMNS"] = "250"
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- 1: a cluster origin's marking rolls into the portion ------------------------------------


def test_cluster_origin_marking_rolls_into_the_portion(db: Engine) -> None:
    with transaction(db) as s:
        origin = add_document(
            s,
            source="Special Channel",
            reliability="C",
            title="Original cable",
            day=DAY - timedelta(days=1),
            marking="TS//SI//NF",
        )
        copy = add_document(
            s, source="Wire A", reliability="B", title="Copy", day=DAY, marking="TLP:GREEN"
        )
        cluster = Cluster(origin_document_id=origin)
        s.add(cluster)
        s.flush()
        for doc_id in (origin, copy):
            doc = s.get(Document, doc_id)
            assert doc is not None
            doc.cluster_id = cluster.id
        add_thread(
            s,
            assessment(
                key="k",
                actor="Iran",
                target="Lana Marks",
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=9.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=(copy,),
                rationale=("credibility 3: one origin, graded C (Special Channel)",),
            ),
        )
        build_review(s, DAY, actor="tester")
    with transaction(db) as s:
        review = load_review(s, DAY)
        assert review is not None
        [portion] = [p for p in review.portions if p.kind == "judgement"]
        # The rationale names the TS origin's source: the portion is at least TS//SI//NF.
        assert portion.marking.level == "TS" and "SI" in portion.marking.sci
        assert "NF" in portion.marking.portion()


# --- 2: notices use no dismissed statement, and only what each recipient may see --------------


def _statement(s: object, doc: Document, thread_id: int, where: str, trigger: int) -> None:
    text = doc.text
    s.add(  # type: ignore[attr-defined]
        Statement(
            document_id=doc.id,
            seq=trigger,
            act="kill",
            status="planned",
            duty_to_warn=True,
            evidence_text=text,
            evidence_start=0,
            evidence_end=len(text),
            trigger_text=text[trigger : trigger + 3],
            trigger_start=trigger,
            trigger_end=trigger + 3,
            target_text="Amara Okafor",
            target_kind="person",
            protectee="amara-okafor",
            link_method="name",
            person_named=True,
            hedged=False,
            when="2026-03-09",
            where=where,
            method="an ambush",
            thread_id=thread_id,
        )
    )


def _doc(s: object, source: Source, text: str, marking: str) -> Document:
    sha = hashlib.sha256(text.encode()).hexdigest()
    s.add(Blob(sha256=sha, size=len(text), data=text.encode()))  # type: ignore[attr-defined]
    doc = Document(
        sha256=sha,
        source_id=source.id,
        location=f"{sha[:6]}.txt",
        title=None,
        day=date(2026, 3, 2),
        content_type="text/plain",
        marking=marking,
        text=text,
    )
    s.add(doc)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return doc


@pytest.fixture
def warn_case(db: Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    from warn_support import Change
    from warn_support import add_thread as add_warn_thread
    from warn_support import assessment as warn_assessment

    monkeypatch.setenv("WATCHFLOOR_SECRET_KEY", "leak-test-key-" + "x" * 32)
    a = warn_assessment()
    with transaction(db) as s:
        add_user(s, "dora", ["duty_officer"], email=None, by=None, policy=POLICY)
        thread_id = add_warn_thread(s, a)
        source = Source(name="Harbour Wire", kind="partner", reliability="B")
        s.add(source)
        s.flush()
        amber = _doc(s, source, "A cell plans to strike the envoy in Mombasa soon.", "TLP:AMBER")
        secret = _doc(s, source, "Intercepts place the team at Kilifi pier.", "TS//SI//NF")
        noise = _doc(s, source, "Rumour says Lamu harbour, but it is a false report.", "TLP:AMBER")
        _statement(s, amber, thread_id, "Mombasa", 2)
        _statement(s, secret, thread_id, "Kilifi pier", 0)
        _statement(s, noise, thread_id, "Lamu harbour", 0)
        [opened] = cases.triage(
            s, [Change(thread_id, None, a)], rule=ThreadRule.load(), policy=POLICY
        )
        case = cases.get_case(s, opened.case_id)
        case.notify = json.dumps([{"email": "guard@example.org", "webhook": None}])
        noise_id = s.scalar(select(Statement.id).where(Statement.where == "Lamu harbour"))
    from watchfloor.assess.service import dismiss_statement

    with transaction(db) as s:
        dismiss_statement(s, int(noise_id or 0), "ana", "the report is false")
    return opened.case_id


def test_notice_uses_no_dismissed_statement_and_carries_its_marking(
    db: Engine, warn_case: int
) -> None:
    with transaction(db) as s:
        subject, body = cases.draft(s, cases.get_case(s, warn_case), policy=POLICY)
    text = subject + "\n" + body
    assert "Mombasa" in text
    assert "Lamu" not in text  # dismissed
    assert "Kilifi" not in text  # TS//SI//NF: beyond the recipient's TLP:AMBER limit
    assert body.startswith("TLP:AMBER") and body.rstrip().endswith("TLP:AMBER")
    assert subject.startswith("(TLP:AMBER)")


def test_an_edited_notice_may_not_add_a_withheld_fact_or_drop_its_marking(
    db: Engine, warn_case: int
) -> None:
    with transaction(db) as s:
        _, body = cases.draft(s, cases.get_case(s, warn_case), policy=POLICY)
    added = body.replace("Where: Mombasa.", "Where: Mombasa, or Kilifi pier.")
    unmarked = "\n".join(line for line in body.splitlines() if line != "TLP:AMBER")
    with transaction(db) as s, pytest.raises(drafting.DraftError, match="may not see"):
        cases.warn(s, warn_case, "dora", POLICY, body=added)
    with transaction(db) as s, pytest.raises(drafting.DraftError, match="marking"):
        cases.warn(s, warn_case, "dora", POLICY, body=unmarked)


def test_a_recipient_cleared_higher_gets_more_and_the_marking_says_so(
    db: Engine, warn_case: int
) -> None:
    cleared = replace(POLICY, release_limits={"guard@example.org": "TS//SI//NF"})
    with transaction(db) as s:
        _, body = cases.draft(s, cases.get_case(s, warn_case), policy=cleared)
    assert "Kilifi pier" in body and "Lamu" not in body
    assert body.startswith("TOP SECRET//SI//NOFORN")


def test_a_recipient_below_every_statement_gets_no_notice(db: Engine, warn_case: int) -> None:
    low = replace(POLICY, release_limits={"guard@example.org": "TLP:CLEAR"})
    with transaction(db) as s, pytest.raises(drafting.DraftError, match="releasable"):
        cases.warn(s, warn_case, "dora", low)


# --- 3: the audit log keeps ids and hashes, not text ------------------------------------------


def test_audit_log_keeps_no_statement_text(db: Engine, warn_case: int) -> None:
    with transaction(db) as s:
        details = [e.details for e in s.scalars(select(AuditEntry))]
    dismissed = [d for d in details if "statement_key" in d]
    assert dismissed, "the dismissal is audited"
    assert "evidence_sha256" in dismissed[0]
    for d in details:
        assert "false report" not in d and "Lamu harbour" not in d


# --- 4: a reader's copy names no other reader and no dismissals -------------------------------


def test_reader_copy_names_no_other_reader_and_no_dismissal_count(db: Engine) -> None:
    with transaction(db) as s:
        doc = add_document(
            s, source="Wire A", reliability="B", title="Report", day=DAY, marking="TLP:GREEN"
        )
        a = assessment(
            key="k",
            actor="Iran",
            target="Lana Marks",
            harm="kill",
            likelihood="likely",
            likelihood_range=(55, 80),
            confidence="moderate",
            priority=9.0,
            first_seen=DAY,
            last_seen=DAY,
            document_ids=(doc,),
        )
        note = RationaleItem("note", "2 statements dismissed by an analyst and left out")
        add_thread(s, replace(a, rationale=(*a.rationale, note)))
        for reader in (ALICE, BOB):
            add_reader(s, reader, actor="tester")
        distribution = Distribution(readers=frozenset({"alice", "bob"}))
        build_review(s, DAY, actor="tester", distribution=distribution)
        page = render_for(s, DAY, "bob", "html", actor="tester").content.decode()
    text = visible_text(page)
    assert "bob" in text
    assert "alice" not in text.lower()
    assert "dismissed" not in text


# --- 5 and 11: listings show markings; report text is text, not markup or escapes -------------

HOSTILE_TITLE = "Convoy [/b] plan \x1b]8;;http://evil.example\x07link\x1b[31m red"
HOSTILE_TEXT = "They photographed the envoy's convoy [/caption] near the port [bold]twice[/]."


@pytest.fixture
def listed(db: Engine, tmp_path: Path) -> int:
    with transaction(db) as s:
        doc_id = add_document(
            s, source="Wire A", reliability="B", title=HOSTILE_TITLE, day=DAY, marking="S//NF"
        )
        doc = s.get(Document, doc_id)
        assert doc is not None
        doc.text = HOSTILE_TEXT
        thread_id = add_thread(
            s,
            assessment(
                key="k",
                actor="Iran",
                target="Lana Marks",
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=9.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=(doc_id,),
            ),
        )
    return thread_id


@pytest.mark.parametrize(
    "args",
    [("documents",), ("statements",), ("search", "convoy"), ("threat", "1"), ("threats",)],
    ids=["documents", "statements", "search", "threat", "threats"],
)
def test_listings_show_marking_and_never_read_text_as_markup(
    listed: int, tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = cli(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out  # no terminal escape reaches the terminal
    assert "S//NF" in out or "SECRET//NOFORN" in out  # every listing shows the marking
    if args[0] in ("documents", "search"):
        assert "[/b]" in out  # the title as written
    if args[0] == "search":
        assert "convoy" in out and "envoy's" in out  # highlight and text both survive
    if args[0] in ("statements", "threat"):
        assert "[/caption]" in out
