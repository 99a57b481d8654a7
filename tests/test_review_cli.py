"""`watchfloor review build / add / render` as a user runs them, in a subprocess."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import Backend
from pypdf import PdfReader
from review_support import add_document, add_thread, assessment, visible_text

from watchfloor.store import audit
from watchfloor.store.engine import make_engine, transaction

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
DAY = date(2026, 3, 10)
SECRET = "Embassy vehicle movements near the residence"


def test_review_commands(backend: Backend, tmp_path: Path) -> None:
    policy = tmp_path / "access.yaml"
    policy.write_text("own_organization: Watch Floor\nclient_organizations: [UK Liaison]\n")
    env = {**backend.env(tmp_path), "WATCHFLOOR_ACCESS_POLICY": str(policy)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [WATCHFLOOR, *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert run("init").returncode == 0
    engine = make_engine(backend.url)
    with transaction(engine) as session:
        doc = add_document(
            session,
            source="Wire A",
            reliability="B",
            title="Envoy threatened",
            day=DAY,
            marking="TLP:AMBER",
        )
        add_thread(
            session,
            assessment(
                key="iran→lana-marks",
                actor="Iran",
                target="Lana Marks",
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=5.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=(doc,),
            ),
        )
    for args in (
        [
            "alice",
            "--clearance",
            "S",
            "--nationality",
            "USA",
            "--audience",
            "senior-policy",
            "--organization",
            "Watch Floor",
        ],
        [
            "carol",
            "--clearance",
            "U",
            "--nationality",
            "GBR",
            "--audience",
            "partner-liaison",
            "--organization",
            "UK Liaison",
        ],
    ):
        done = run("readers", "add", *args)
        assert done.returncode == 0, done.stderr

    bad = run(
        "review",
        "add",
        "--date",
        "2026-03-10",
        "--marking",
        "(S//QQ)",
        "--title",
        "t",
        "--text",
        "x",
    )
    assert bad.returncode == 2
    assert "(S//QQ)" in bad.stderr and "QQ" in bad.stderr
    added = run(
        "review",
        "add",
        "--date",
        "2026-03-10",
        "--marking",
        "SECRET//NOFORN",
        "--title",
        SECRET,
        "--text",
        "Seen twice this week.",
        "--as",
        "analyst-1",
    )
    assert added.returncode == 0, added.stderr
    assert "(S//NF)" in added.stdout

    built = run(
        "review",
        "build",
        "--date",
        "2026-03-10",
        "--distribute",
        "senior-policy,partner-liaison",
        "--format",
        "json",
    )
    assert built.returncode == 0, built.stderr
    summary = json.loads(built.stdout)[0]
    assert (summary["judgements"], summary["analyst_portions"]) == (1, 1)
    assert summary["banner"] == "SECRET//NOFORN TLP:AMBER"
    # The build says how much went in, never what: titles appear only in a reader's copy.
    assert SECRET not in built.stdout

    carol = run("review", "render", "--date", "2026-03-10", "--reader", "carol")
    assert carol.returncode == 0, carol.stderr
    text = visible_text(carol.stdout)
    assert "Iran: threat to kill Lana Marks" in text
    assert SECRET not in text
    assert "Withheld from this copy: 1 portion" in text
    # Only a TLP portion is left, so the banner is its TLP label alone.
    assert text.startswith("TLP:AMBER watchfloor")
    assert text.endswith(" TLP:AMBER")
    assert "1 portions shown, 1 withheld" in carol.stderr

    out = tmp_path / "copies" / "alice.pdf"
    alice = run(
        "review",
        "render",
        "--date",
        "2026-03-10",
        "--reader",
        "alice",
        "--format",
        "pdf",
        "--out",
        str(out),
        "--as",
        "desk",
    )
    assert alice.returncode == 0, alice.stderr
    pdf_text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(out).pages
    )
    assert SECRET in pdf_text and "SECRET//NOFORN TLP:AMBER" in pdf_text
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest in alice.stdout

    refused = run("review", "render", "--date", "2026-03-11", "--reader", "alice")
    assert refused.returncode == 2
    assert "no review has been built for 2026-03-11" in refused.stderr
    unknown = run("review", "render", "--date", "2026-03-10", "--reader", "mallory")
    assert unknown.returncode == 2 and "no reader named 'mallory'" in unknown.stderr

    with transaction(engine) as session:
        renders = [
            json.loads(e.details)
            for e in audit.entries_for(session, "review", "2026-03-10")
            if e.action == "review.render"
        ]
    engine.dispose()
    assert [(r["reader"], r["format"], r["shown"], r["withheld"]) for r in renders] == [
        ("carol", "html", 1, 1),
        ("alice", "pdf", 2, 0),
    ]
    assert renders[1]["sha256"] == digest
