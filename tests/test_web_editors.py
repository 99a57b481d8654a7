"""The editors in real headless Chromium (Debian `chromium`, Playwright): an admin adds a
protectee through the watchlist editor, from the keyboard, and sees them listed; changes them;
replaces the watchlist with a file (a bad one first, which changes nothing); clears a reader
on /admin/readers; a reader sees no editor. Each page is screenshotted to $WATCHFLOOR_SCREENS
when it names a folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from web_support import add_staff, serving, watch_floor_policy  # noqa: F401

from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import AuditEntry

CHROMIUM = Path("/usr/bin/chromium")
SERIES = Path(__file__).resolve().parent / "data" / "series" / "watchlist.yaml"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}")
    upgrade(engine)
    add_staff(engine)
    yield engine
    engine.dispose()


class Browser:
    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        chosen = os.environ.get("WATCHFLOOR_SCREENS")
        self.screens = Path(chosen) if chosen else None

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        if self.screens is not None:
            self.screens.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.screens / f"{name}.png"), full_page=True)

    def login(self, name: str) -> None:
        self.go("/login")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Password").fill("correct horse battery staple")
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/board")

    def logout(self) -> None:
        self.go("/board")
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_url("**/login")

    def rows(self) -> list[str]:
        return [str(t) for t in self.page.locator("table tbody tr").all_inner_texts()]


def _type(page: Any, text: str) -> None:
    """Tab to the next field and type into it, as a keyboard user does."""
    page.keyboard.press("Tab")
    page.keyboard.type(text)


@pytest.mark.slow
def test_an_admin_edits_the_watchlist_and_readers(
    store: Engine,
    tmp_path: Path,
    watch_floor_policy: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import sync_playwright

    with serving(store) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        b = Browser(browser.new_page(viewport={"width": 1280, "height": 1000}), base)
        b.login("ada-admin")
        _add_from_the_keyboard(b)
        _change_one(b)
        _upload(b, tmp_path)
        _clear_a_reader(b)
        b.logout()
        b.login("rey-reader")
        b.go("/protectees")
        assert b.page.locator("#editor").count() == 0
        assert "Amara N. Okafor" in b.page.content()
        b.shot("e6-reader-protectees")
        browser.close()
    with transaction(store) as s:
        actions = [
            (e.actor, e.action)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.actor == "ada-admin"))
        ]
    assert actions.count(("ada-admin", "watchlist.load")) == 3  # added, changed, the file
    assert ("ada-admin", "reader.add") in actions


def _add_from_the_keyboard(b: Browser) -> None:
    b.go("/protectees")
    assert "No watchlist loaded" in b.page.content()
    b.page.get_by_label("Id (letters", exact=False).focus()
    b.page.keyboard.type("amara-okafor")
    _type(b.page, "Amara Okafor")  # Name
    _type(b.page, "Ambassador Okafor")  # Aliases
    _type(b.page, "Ambassador")  # the new role's title
    _type(b.page, "Nigeria")  # its organization
    b.page.locator("#p-email").fill("desk@example.org")
    b.shot("e1-protectee-form")
    b.page.locator("#p-email").press("Enter")  # submits the form
    b.page.wait_for_url("**/protectees?done=*")
    assert "Amara Okafor saved" in b.page.inner_text(".flash.ok")
    [row] = b.rows()
    assert "Amara Okafor" in row and "Ambassador, Nigeria" in row and "desk@example.org" in row
    b.shot("e2-protectee-listed")


def _change_one(b: Browser) -> None:
    b.page.get_by_role("link", name="Edit Amara Okafor").click()
    b.page.wait_for_url("**/protectees?edit=amara-okafor*")
    assert b.page.locator("#p-id").get_attribute("readonly") is not None
    b.page.locator("#p-name").fill("Amara N. Okafor")
    b.page.locator("#r2-title").fill("Envoy")
    b.page.locator("#r2-since").fill("2025-01-01")
    b.page.get_by_role("button", name="Save the changes").click()
    b.page.wait_for_url("**/protectees?done=*")
    [row] = b.rows()
    assert "Amara N. Okafor" in row and "Envoy" in row
    b.shot("e3-protectee-changed")


def _upload(b: Browser, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"protectees": [{"id": "x y", "name": "X"}]}), encoding="utf-8")
    b.page.get_by_label("Watchlist file").set_input_files(str(bad))
    b.page.get_by_role("button", name="Load the file").click()
    b.page.wait_for_url("**/protectees?error=*")
    error = b.page.inner_text(".flash.error")
    assert "upload:bad.json" in error and "field id" in error
    assert len(b.rows()) == 1  # nothing of the bad file was loaded
    b.page.get_by_label("Watchlist file").set_input_files(str(SERIES))
    b.page.get_by_role("button", name="Load the file").click()
    b.page.wait_for_url("**/protectees?done=*")
    assert "2 added" in b.page.inner_text(".flash.ok")
    listed = {r.split("\t")[0]: r for r in b.rows()}
    assert set(listed) == {"Amara N. Okafor", "Ines Duarte", "Jonas Berg"}
    assert "no longer" in listed["Amara N. Okafor"]  # the file leaves her out
    b.shot("e4-watchlist-uploaded")


def _clear_a_reader(b: Browser) -> None:
    b.page.get_by_role("link", name="Readers").click()
    b.page.wait_for_url("**/admin/readers")
    b.page.get_by_label("Name (a member").fill("partner-desk")
    b.page.get_by_label("Clearance").select_option("S")
    b.page.get_by_label("Nationality").fill("GBR")
    b.page.get_by_label("Organization").fill("Partner Org")
    b.page.get_by_role("button", name="Save the reader").click()
    b.page.wait_for_url("**/admin/readers?done=*")
    assert "partner-desk added: cleared S" in b.page.inner_text(".flash.ok")
    assert any("partner-desk" in r and "GBR" in r for r in b.rows())
    b.shot("e5-readers")
