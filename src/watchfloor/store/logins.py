"""The tables behind logins (issue 16): password hashes, server-side sessions, API tokens,
TOTP second factors and the half-done logins waiting for a code.

Storage only: hashing, lock-out and scopes are decided in watchfloor.api.identity. Secrets are
never stored, only their hashes (argon2id for passwords, SHA-256 for the random session and
token secrets, which carry 256 bits and need no slow hash).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from watchfloor.store.models import Base, Document, UTCDateTime, utcnow


class Login(Base):
    """A member of staff's password and the count of wrong guesses since the last success."""

    __tablename__ = "logins"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebSession(Base):
    """A browser session: the cookie holds the secret, the store its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A role that requires TOTP, and none confirmed yet: this session may only enrol.
    must_enrol: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ApiToken(Base):
    """A machine's bearer token with the scopes it was given; revoked, never deleted."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(Text)  # comma-joined, sorted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TotpFactor(Base):
    """A member of staff's TOTP secret, sealed with the TOTP key (api.totp.seal); pending until
    `confirmed_at`. `last_step` is the step of the last code accepted: it and every earlier one
    are refused from then on (the replay guard)."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(Integer)


class LoginStep(Base):
    """A right password whose owner must still give a code (the web login's second page): the
    browser holds the secret in a short-lived cookie, the store its hash."""

    __tablename__ = "login_steps"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Every API request asks which markings the store holds (api/visibility.py): an index answers
# that with a few probes per marking. Declared here, with the other issue-16 schema, because
# models.py is at its size limit.
Index("ix_documents_marking", Document.marking)
