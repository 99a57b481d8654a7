"""One settings object: every `WATCHFLOOR_*` environment variable watchfloor reads.

The edge builds it (the CLI at the start of each command, the API at start-up) and makes it
the active one with `use()`; the stages read the active one through `current()`. Outside an
edge (a library caller, a test) `current()` reads the environment afresh on each call, so a
changed variable takes effect the way it always has. docs/settings.md lists every variable in
one table, and tests/test_settings.py checks that table against the fields below.

Each value keeps the meaning the stage gives it: an empty variable counts as unset where the
stage says "else the default" (`settings.home or DEFAULT_HOME`), as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "WATCHFLOOR_"


class Settings(BaseSettings):
    """The deployment's settings; a field `x` is the variable `WATCHFLOOR_X`."""

    # Strings, not typed values: each stage parses its own (paths, "1", ports) exactly as it did
    # when it read the variable itself, so its error messages name the variable and the fix.
    model_config = SettingsConfigDict(env_prefix=PREFIX, case_sensitive=True, extra="ignore")

    HOME: str | None = None
    DATABASE_URL: str | None = None
    KEY_DIR: str | None = None
    AUDIT_KEY: str | None = None
    AUDIT_KEY_FILE: str | None = None
    SECRET_KEY: str | None = None
    SECRET_KEY_FILE: str | None = None
    USER: str | None = None
    SPACY_MODEL: str | None = None
    ALLOW_PRIVATE_FETCH: str | None = None
    WATCHLIST: str | None = None
    ASSESS_CONFIG: str | None = None
    DUTY_POLICY: str | None = None
    CASE_POLICY: str | None = None
    NOTIFY_CONFIG: str | None = None
    SMTP_HOST: str | None = None
    SMTP_PORT: str | None = None
    SMTP_STARTTLS: str | None = None
    SMTP_SSL: str | None = None
    SMTP_USER: str | None = None
    SMTP_FROM: str | None = None
    SMTP_CA_FILE: str | None = None
    SMTP_PASSWORD: str | None = None
    WEBHOOK_SECRET: str | None = None
    ACCESS_POLICY: str | None = None
    ROLLUP_RULES: str | None = None
    REVIEW_CONFIG: str | None = None
    MARKINGS_DIR: str | None = None
    SHARE_CONFIG: str | None = None
    PSEUDONYM_KEY: str | None = None
    PSEUDONYM_KEY_FILE: str | None = None
    TAXII_TOKEN: str | None = None
    IDENTITY: str | None = None
    PASSWORD: str | None = None
    TOTP_KEY: str | None = None
    TOTP_KEY_FILE: str | None = None

    def get(self, variable: str) -> str | None:
        """The value of the variable `WATCHFLOOR_X` (None when unset)."""
        return getattr(self, variable.removeprefix(PREFIX), None)


def variables() -> list[str]:
    """Every variable, in the order of the fields."""
    return [PREFIX + name for name in Settings.model_fields]


_active: list[Settings] = []


def current() -> Settings:
    """The settings the edge built, else the environment as it is now."""
    return _active[-1] if _active else Settings()


@contextmanager
def use(settings: Settings) -> Iterator[Settings]:
    """Make `settings` the active ones while the block runs (an edge wraps its work in this)."""
    _active.append(settings)
    try:
        yield settings
    finally:
        _active.remove(settings)


def setting(variable: str) -> str | None:
    """The active value of `variable`: a settings field, else (a secret's name a deployment
    chose in its notify file) the environment variable itself."""
    name = variable.removeprefix(PREFIX)
    if variable.startswith(PREFIX) and name in Settings.model_fields:
        return current().get(variable)
    return os.environ.get(variable)
