"""The analysts' journey in real headless Chromium (Debian `chromium`, driven by Playwright):
log in, upload the seed article, see the ambassador's thread first on the board, open its
case, try a waiver as an analyst (refused), propose it as a duty officer, approve it as a
different approver, and check that a reader without the clearance sees neither a withheld
document's title nor a withheld portion of the review. Every page is screenshotted to
$WATCHFLOOR_SCREENS when it names a folder (to look at them after a change to the UI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import need_shared
from sqlalchemy import Engine
from web_support import add_staff, serving, watch_floor_policy  # noqa: F401

from watchfloor.ingest.ingestion import Ingestor, SourceSpec, file_item
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.link import load_watchlist
from watchfloor.link.sync import sync_watchlist
from watchfloor.pipeline import Analyzer, after_store
from watchfloor.publish.review import Distribution, add_portion, build_review
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_90c7e3912a3a1d27.txt"
LANA = """
  - id: lana-marks
    name: Lana Marks
    aliases: [Ambassador Marks]
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01, until: 2021-01-20}
    notify: {email: protection@example.org}
"""
# The withheld material: tokens found nowhere else, so finding one is finding a leak.
SECRET_TITLE = "Zebraquartz cable"
SECRET_SOURCE = "liaison-qx"
SECRET_PORTION = "Vantablack portion"
SECRET_DAY = date(2026, 3, 12)
SECRET_TEXT = f"""# {SECRET_TITLE}

Al-Shabaab fighters are planning to kill Ambassador Amara Okafor in Nairobi next week,
according to a liaison service report received on 12 March 2026.
"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)


def _screens() -> Path | None:
    chosen = os.environ.get("WATCHFLOOR_SCREENS")
    return Path(chosen) if chosen else None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
    upgrade(engine)
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(
        (REPO / "examples" / "watchlist.yaml").read_text(encoding="utf-8") + LANA,
        encoding="utf-8",
    )
    with transaction(engine) as session:
        sync_watchlist(session, load_watchlist(watchlist), actor="setup", sha256="0" * 64)
    add_staff(engine)
    yield engine
    engine.dispose()


def _withhold(engine: Engine, tmp_path: Path) -> None:
    """A secret document (its thread S//NF) and a review with a secret portion."""
    path = tmp_path / "cable.md"
    path.write_text(SECRET_TEXT, encoding="utf-8")
    watchlist = load_watchlist(REPO / "examples" / "watchlist.yaml")
    ingestor = Ingestor(
        engine,
        SourceSpec(SECRET_SOURCE, marking="S//NF"),
        analyze=Analyzer(watchlist).analyze_many,
        published=SECRET_DAY,
        fingerprinter=Fingerprinter(),
        after_store=after_store,
    )
    outcome = next(iter(ingestor.run([file_item(path, 1 << 20)])))
    assert outcome.status == "stored" and outcome.statements >= 1
    readers = frozenset({"rey-reader", "ana-analyst"})
    with transaction(engine) as session:
        build_review(
            session, SECRET_DAY, actor="ana-analyst", distribution=Distribution(readers=readers)
        )
        for marking, title, text in (
            ("(S//NF)", SECRET_PORTION, "Only for the cleared."),
            ("(U)", "Open note", "Everyone on the distribution may read this."),
        ):
            add_portion(
                session, SECRET_DAY, marking=marking, title=title, text=text, actor="ana-analyst"
            )


class Journey:
    def __init__(self, page: Any, base: str, screens: Path | None) -> None:
        self.page, self.base, self.screens = page, base, screens

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        if self.screens is not None:
            self.screens.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.screens / f"{name}.png"), full_page=True)

    def login(self, name: str, shot: str | None = None) -> None:
        self.go("/login")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Password").fill("correct horse battery staple")
        if shot:
            self.shot(shot)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/board")

    def logout(self) -> None:
        self.go("/board")  # a reader's copy of the review is the bare product, without the menu
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_url("**/login")

    def text(self) -> str:
        return str(self.page.content())


@pytest.mark.slow
def test_the_analysts_journey(
    store: Engine,
    tmp_path: Path,
    watch_floor_policy: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import sync_playwright

    seed = need_shared(SEED)
    with serving(store) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        j = Journey(page, base, _screens())
        _analyst_uploads_and_reads(j, seed)
        case_path = page.url.replace(base, "")
        _waiver_refused_then_approved(j, case_path)
        _withhold(store, tmp_path)
        _reader_sees_nothing_withheld(j)
        _admin_pages(j)
        browser.close()


def _analyst_uploads_and_reads(j: Journey, seed: Path) -> None:
    j.login("ana-analyst", shot="01-login")
    j.go("/ingest")
    j.page.get_by_label("Report (text, HTML, PDF)").set_input_files(str(seed))
    j.page.get_by_role("button", name="Upload and analyse").click()
    j.page.wait_for_selector("#ingest-result", timeout=240_000)
    assert "stored" in j.page.inner_text("#ingest-result")
    j.shot("02-ingest")
    j.go("/board")
    first = j.page.locator("#board-rows tr").first
    assert "Lana Marks" in first.inner_text()
    j.shot("03-board")
    first.get_by_role("link", name="Lana Marks").click()
    j.page.wait_for_url("**/threads/*")
    assert j.page.locator("mark").count() >= 1  # the evidence, highlighted in the text
    j.shot("04-thread")
    j.page.locator('a[href^="/documents/"]').first.click()
    j.page.wait_for_url("**/documents/*")
    assert j.page.locator("mark").count() >= 1
    j.shot("04b-document")
    j.page.go_back()
    j.page.get_by_role("link", name="Protectee timeline").click()
    j.page.wait_for_url("**/protectees/lana-marks")
    assert j.page.locator("svg.chart").count() == 1
    j.shot("05-protectee")
    j.page.go_back()
    j.page.get_by_role("link", name="Open its duty-to-warn case").click()
    j.page.wait_for_url("**/cases/*")
    j.shot("06-case")


def _propose(j: Journey) -> None:
    j.page.get_by_label("Justification").fill("The embassy's security office briefed her.")
    j.page.get_by_label("Reason code").select_option("ALREADY_AWARE")
    j.page.get_by_role("button", name="Propose the waiver").click()
    j.page.wait_for_load_state()


def _waiver_refused_then_approved(j: Journey, case_path: str) -> None:
    state = j.page.inner_text("#case-state")
    _propose(j)
    assert j.page.locator(".flash.error").count() == 1  # an analyst may not waive
    assert j.page.inner_text("#case-state") == state
    j.shot("07-case-waiver-refused")
    j.logout()
    j.login("dov-duty")
    j.go(case_path)
    _propose(j)
    assert j.page.inner_text("#case-state") == "waiver_proposed"
    j.logout()
    j.login("apu-approver")
    j.go(case_path)
    j.page.get_by_role("button", name="Approve the waiver").click()
    j.page.wait_for_load_state()
    assert j.page.inner_text("#case-state") == "waiver_approved", j.text()
    j.shot("08-case-approved")
    j.logout()


def _reader_sees_nothing_withheld(j: Journey) -> None:
    # The cleared analyst sees the secret material: the checks below can fail.
    j.login("ana-analyst")
    j.go("/search?q=Zebraquartz")
    assert SECRET_TITLE in j.text()
    j.go(f"/reviews/{SECRET_DAY.isoformat()}/copy")
    assert SECRET_PORTION in j.text()
    j.logout()
    j.login("rey-reader")
    pages = {
        "09-reader-board": "/board",
        "10-reader-search": "/search?q=Zebraquartz",
        "11-reader-review": f"/reviews?day={SECRET_DAY.isoformat()}",
        "11-reader-review-copy": f"/reviews/{SECRET_DAY.isoformat()}/copy",
        "12-reader-sources": "/sources",
        "13-reader-cases": "/cases",
        "14-reader-protectee": "/protectees/amara-okafor",
    }
    for name, path in pages.items():
        j.go(path)
        j.page.wait_for_load_state("load")
        content = j.text() + "".join(str(f.content()) for f in j.page.frames)
        for secret in (SECRET_TITLE, SECRET_SOURCE, SECRET_PORTION, "Zebraquartz"):
            if "search" in name and secret == "Zebraquartz":
                continue  # the query itself is echoed back
            assert secret not in content, f"{secret} leaked on {path}"
        j.shot(name)
    j.go(f"/reviews/{SECRET_DAY.isoformat()}/copy")
    assert "Open note" in j.text()  # the reader does get the review, less what is withheld
    j.logout()


def _admin_pages(j: Journey) -> None:
    j.login("ada-admin")
    j.go("/sources")
    j.page.locator("#g-source").select_option("files")
    j.page.get_by_label("Reliability").select_option("B")
    j.page.get_by_label("Why (kept in the audit log)").fill("checked against the originals")
    j.page.get_by_role("button", name="Grade").click()
    j.page.wait_for_load_state()
    assert "files graded B" in j.page.inner_text(".flash.ok")
    assert 'B <span class="small muted">(analyst)</span>' in j.text()
    for name, path in {
        "15-admin-staff": "/admin/staff",
        "16-sources": "/sources",
        "17-protectees": "/protectees",
        "18-search": "/search?q=ambassador",
        "19-cases": "/cases",
        "20-board-admin": "/board",
    }.items():
        j.go(path)
        j.shot(name)
