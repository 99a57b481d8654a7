"""The identity settings (session lifetime, lock-out, cookie flags, roles) as a pydantic model,
read from data/web/identity.yaml or the file WATCHFLOOR_IDENTITY names."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from watchfloor.datafiles import load_yaml
from watchfloor.settings import setting

IDENTITY_ENV = "WATCHFLOOR_IDENTITY"
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "web" / "identity.yaml"
PERMISSIONS = (
    "read", "ingest", "edit", "watchlist", "case", "approve", "audit", "admin", "taxii",
)  # fmt: skip


class CookieSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "watchfloor_session"
    secure: bool = True
    samesite: Literal["strict", "lax"] = "strict"


class IdentitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_hours: float = Field(8, gt=0)
    idle_minutes: float = Field(60, gt=0)
    lockout_failures: int = Field(20, ge=1)
    lock_minutes: float = Field(30, gt=0)
    cookie: CookieSettings = CookieSettings()
    token_scopes: tuple[str, ...] = PERMISSIONS
    roles: dict[str, tuple[str, ...]]
    # Staff holding one of these roles must have TOTP: until they confirm it, a login gives a
    # session that may only enrol (api.twofactor). Empty: TOTP stays optional for everyone.
    require_totp_for: tuple[str, ...] = ()
    # The name authenticator apps show next to the account.
    totp_issuer: str = Field("watchfloor", min_length=1, max_length=64)

    @model_validator(mode="after")
    def _known_permissions(self) -> IdentitySettings:
        named = set(self.token_scopes) | {p for ps in self.roles.values() for p in ps}
        unknown = sorted(named - set(PERMISSIONS))
        if unknown:
            raise ValueError(f"unknown permission {unknown[0]!r}; use {', '.join(PERMISSIONS)}")
        strangers = sorted(set(self.require_totp_for) - set(self.roles))
        if strangers:
            raise ValueError(
                f"require_totp_for: {strangers[0]!r} is not a role here; "
                f"use {', '.join(self.roles)}"
            )
        return self

    def permissions(self, roles: frozenset[str]) -> frozenset[str]:
        """What someone holding `roles` may do; a role not listed here grants nothing."""
        return frozenset(p for role in roles for p in self.roles.get(role, ()))

    @classmethod
    def load(cls, path: Path | None = None) -> IdentitySettings:
        path = path or Path(setting(IDENTITY_ENV) or DEFAULT_PATH)
        return load_yaml(path, cls, hint=f"set {IDENTITY_ENV} to a readable file")


@cache
def identity_settings() -> IdentitySettings:
    return IdentitySettings.load()
