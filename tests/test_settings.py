"""The settings object, its table in docs/settings.md, and the variables the code names agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchfloor import settings
from watchfloor.settings import Settings, current, setting, use

ROOT = Path(__file__).resolve().parent.parent
TABLE = re.compile(r"<!-- settings table -->(.*?)<!-- end settings table -->", re.S)


def documented() -> list[str]:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    match = TABLE.search(text)
    assert match, "docs/settings.md has lost its table markers"
    return re.findall(r"^\| `(WATCHFLOOR_[A-Z_]+)` \|", match.group(1), re.M)


def test_the_table_lists_every_field_once_in_order() -> None:
    assert documented() == settings.variables()


def test_every_variable_the_code_names_is_a_setting() -> None:
    named: set[str] = set()
    for path in (ROOT / "src" / "watchfloor").rglob("*.py"):
        named |= set(re.findall(r"WATCHFLOOR_[A-Z][A-Z_]*[A-Z]", path.read_text(encoding="utf-8")))
    assert named - set(settings.variables()) == set()


def test_the_edge_settings_win_over_a_later_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHFLOOR_HOME", "/srv/first")
    built = Settings()
    monkeypatch.setenv("WATCHFLOOR_HOME", "/srv/second")
    with use(built):
        assert current().HOME == "/srv/first"
        assert setting("WATCHFLOOR_HOME") == "/srv/first"
    assert setting("WATCHFLOOR_HOME") == "/srv/second"


def test_a_secret_name_outside_the_fields_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESK_SMTP_PASSWORD", "hunter2-but-longer")
    monkeypatch.setenv("watchfloor_home", "/srv/lower")
    monkeypatch.delenv("WATCHFLOOR_HOME", raising=False)
    assert setting("DESK_SMTP_PASSWORD") == "hunter2-but-longer"
    assert current().HOME is None  # names are case-sensitive, as os.environ is
