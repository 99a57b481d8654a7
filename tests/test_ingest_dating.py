"""Dates from the text (issue 13, point 5): a report without --published takes its date from
its dateline, a date header, its HTML metadata or its e-mail date, in that order, and ingest
says which; an undated report is said to be dated today; `review build` warns when its window
holds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from watchfloor.ingest.dating import text_date
from watchfloor.ingest.files import document_from_bytes

REPO = Path(__file__).resolve().parents[1]
CABLE = REPO / "examples" / "reports" / "2026-03-02-nairobi-cable.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headline\n\nNAIROBI, 2 March 2026 - Police said ...", (date(2026, 3, 2), "dateline")),
        ("WASHINGTON (Wire), March 4, 2026 — Officials ...", (date(2026, 3, 4), "dateline")),
        ("Title\nDate: 5 March 2026\n\nBody text.", (date(2026, 3, 5), "header")),
        ("---\ndate: 2026-03-07\n---\nBody.", (date(2026, 3, 7), "header")),
        ("A note with no date but 'on 16 March' in it.", None),
        ("NAIROBI, 31 February 2026 - not a real day", None),
    ],
)
def test_dates_read_from_the_text(text: str, expected: tuple[date, str] | None) -> None:
    assert text_date(text) == expected


def test_the_dateline_outranks_html_metadata_and_metadata_is_named() -> None:
    html = (
        b"<html><head><meta property='article:published_time' content='2026-01-01'></head>"
        b"<body><p>KAMPALA, 9 March 2026 - A report.</p></body></html>"
    )
    document = document_from_bytes(html, "report.html")
    assert (document.published, document.dated_by) == (date(2026, 3, 9), "dateline")
    plain = html.replace(b"KAMPALA, 9 March 2026 - ", b"")
    document = document_from_bytes(plain, "report.html")
    assert (document.published, document.dated_by) == (date(2026, 1, 1), "HTML metadata")
    mail = b"From: a@example.org\nDate: Tue, 03 Mar 2026 10:00:00 +0000\nSubject: x\n\nA note.\n"
    document = document_from_bytes(mail, "note.eml")
    assert (document.published, document.dated_by) == (date(2026, 3, 3), "e-mail date")


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"WATCHFLOOR_HOME": str(home), "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    env["PYTHONPATH"] = str(REPO / "src")
    return subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_ingest_dates_the_cable_by_its_dateline_and_says_so(tmp_path: Path) -> None:
    undated = tmp_path / "note.txt"
    undated.write_text("Someone threatened to kill the mayor on Tuesday.\n", encoding="utf-8")
    home = tmp_path / "home"
    assert _cli(home, "init").returncode == 0
    done = _cli(home, "ingest", str(CABLE), str(undated))
    assert done.returncode == 0, done.stderr
    assert f"{CABLE}: dated 2026-03-02 from its dateline" in done.stderr
    assert "undated:" in done.stderr and "resolved against today" in done.stderr
    statements = _cli(home, "statements", "--format", "jsonl").stdout.splitlines()
    whens = {json.loads(line)["when"] for line in statements}
    # "on 16 March" in a cable of 2 March 2026 is that March, not next year's.
    assert "2026-03-16" in whens, whens
    empty = _cli(home, "review", "build", "--date", "2001-01-01")
    assert empty.returncode == 0, empty.stderr
    assert "no thread has reporting in the 1 days up to 2001-01-01" in empty.stderr
