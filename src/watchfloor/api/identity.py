"""Who is asking: passwords (argon2id), lock-out, server-side sessions and scoped API tokens.

Every action the API and web UI take is attributed to the `Principal` resolved here from a
session cookie or a bearer token, never to a name in the request. What a principal may read is
their reader record's (publish.readers, same name as the user); without one, nothing marked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from watchfloor.api.settings import IdentitySettings
from watchfloor.errors import PermissionDenied, WatchfloorError
from watchfloor.publish.access import Reader
from watchfloor.publish.readers import get_reader
from watchfloor.store import audit
from watchfloor.store.logins import ApiToken, Login, TotpFactor, WebSession
from watchfloor.store.models import User, utcnow

# argon2-cffi's defaults are RFC 9106's second recommended argon2id profile.
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so that a wrong name costs as long as a wrong
# password and response times do not tell which names exist.
_DUMMY = _HASHER.hash("not a password anyone has")
TOKEN_PREFIX = "wf_"
MIN_PASSWORD = 12


class LoginFailed(WatchfloorError):
    """Wrong name or password, or a locked account (the message does not say which)."""


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    roles: frozenset[str]
    permissions: frozenset[str]
    reader: Reader
    via: str  # "session" or "token"
    csrf: str | None = None  # the session's CSRF token; None for a bearer token
    session_hash: str | None = None
    # Logged in, but a role requires TOTP and none is confirmed: no permissions, only enrolment.
    must_enrol: bool = False

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def set_password(session: Session, name: str, password: str, *, by: str) -> None:
    """Give staff member `name` a password (audited; the password itself never is)."""
    user = _user(session, name)
    if user is None:
        raise WatchfloorError(f"user {name!r} is unknown; add them with `watchfloor users add`")
    if len(password) < MIN_PASSWORD:
        raise WatchfloorError(f"the password is shorter than {MIN_PASSWORD} characters")
    login = session.get(Login, user.id) or Login(user_id=user.id)
    login.password_hash = _HASHER.hash(password)
    login.failures = 0
    login.locked_until = None
    login.updated_at = utcnow()
    session.add(login)
    audit.append(session, actor=by, action="login.password", subject_type="user", subject_id=name)


def check_password(session: Session, name: str, password: str, settings: IdentitySettings) -> User:
    """The user when `password` is theirs and the account is not locked; else LoginFailed.
    Failures are counted and audited in the caller's transaction, which must commit them."""
    user = _user(session, name)
    login = session.get(Login, user.id) if user else None
    now = utcnow()
    if user is None or login is None:
        _verify(_DUMMY, password)
        raise LoginFailed("wrong name or password")
    if login.locked_until is not None and login.locked_until > now:
        _verify(_DUMMY, password)
        audit.append(
            session, actor=name, action="login.refused_locked", subject_type="user", subject_id=name
        )
        raise LoginFailed("wrong name or password, or the account is locked for a while")
    if not _verify(login.password_hash, password):
        count_failure(session, login, name, settings, now)
        raise LoginFailed("wrong name or password, or the account is locked for a while")
    if not has_totp(session, user.id):
        # With TOTP on, the count is cleared by the right code (api.twofactor), not here:
        # else a thief with the password could guess codes for ever, clearing it every time.
        login.failures = 0
        login.locked_until = None
    if _HASHER.check_needs_rehash(login.password_hash):
        login.password_hash = _HASHER.hash(password)
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def totp_state(factor: TotpFactor | None) -> str:
    """'on', 'pending' (enrolment started, not confirmed) or 'off'."""
    if factor is None:
        return "off"
    return "on" if factor.confirmed_at is not None else "pending"


def has_totp(session: Session, user_id: int) -> bool:
    return totp_state(session.get(TotpFactor, user_id)) == "on"


def user_roles(user: User) -> frozenset[str]:
    return frozenset(r for r in user.roles.split(",") if r)


def count_failure(
    session: Session,
    login: Login,
    name: str,
    settings: IdentitySettings,
    now: datetime,
    action: str = "login.failed",
) -> None:
    """One more wrong password or code (audited as `action`); the last allowed one locks."""
    login.failures += 1
    details: dict[str, object] = {"failures": login.failures}
    audit.append(
        session,
        actor=name,
        action=action,
        subject_type="user",
        subject_id=name,
        details=details,
    )
    if login.failures >= settings.lockout_failures:
        login.locked_until = now + timedelta(minutes=settings.lock_minutes)
        login.failures = 0
        audit.append(
            session,
            actor="system",
            action="login.locked",
            subject_type="user",
            subject_id=name,
            details={
                "until": login.locked_until.isoformat(),
                "after_failures": details["failures"],
            },
        )


def start_session(
    session: Session, user: User, settings: IdentitySettings, *, must_enrol: bool = False
) -> tuple[str, str]:
    """A new session for `user`: (the cookie's secret, the CSRF token). Audited. A session
    that `must_enrol` may do nothing but enrol TOTP (api.twofactor)."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=digest(secret),
            user_id=user.id,
            csrf=csrf,
            created_at=now,
            seen_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            must_enrol=must_enrol,
        )
    )
    audit.append(
        session,
        actor=user.name,
        action="login",
        subject_type="user",
        subject_id=user.name,
        details={"must_enrol": True} if must_enrol else None,
    )
    return secret, csrf


def end_session(session: Session, principal: Principal) -> None:
    """Logout: the session row is ended, so the same cookie is refused from now on."""
    if principal.session_hash is None:
        return
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == principal.session_hash)
        .values(ended_at=utcnow())
    )
    audit.append(
        session,
        actor=principal.name,
        action="logout",
        subject_type="user",
        subject_id=principal.name,
    )


def from_cookie(session: Session, secret: str, settings: IdentitySettings) -> Principal | None:
    row = session.get(WebSession, digest(secret))
    now = utcnow()
    idle = timedelta(minutes=settings.idle_minutes)
    if (
        row is None
        or row.ended_at is not None
        or row.expires_at <= now
        or row.seen_at + idle <= now
    ):
        return None
    if now - row.seen_at > timedelta(minutes=1):  # one write a minute, not one a request
        row.seen_at = now
    user = session.get(User, row.user_id)
    if user is None:
        return None
    return _principal(
        session,
        user,
        settings,
        "session",
        csrf=row.csrf,
        session_hash=row.token_hash,
        must_enrol=row.must_enrol,
    )


def issue_token(
    session: Session,
    name: str,
    label: str,
    scopes: list[str],
    settings: IdentitySettings,
    *,
    by: str,
) -> str:
    """A new API token for `name` with `scopes`; the secret is returned once and stored hashed."""
    user = _user(session, name)
    if user is None:
        raise WatchfloorError(f"user {name!r} is unknown; add them with `watchfloor users add`")
    unknown = sorted(set(scopes) - set(settings.token_scopes))
    if unknown or not scopes:
        raise WatchfloorError(
            f"scope {unknown[0] if unknown else '(none)'!r}: give one or more of "
            f"{', '.join(settings.token_scopes)}"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        label=label,
        token_hash=digest(secret),
        scopes=",".join(sorted(set(scopes))),
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=by,
        action="token.issue",
        subject_type="token",
        subject_id=row.id,
        details={"user": name, "label": label, "scopes": sorted(set(scopes))},
    )
    return secret


def revoke_token(session: Session, token_id: int, *, by: Principal) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != by.user_id and not by.can("admin")):
        raise PermissionDenied(f"token {token_id}: no such token of yours")
    row.revoked_at = row.revoked_at or utcnow()
    audit.append(
        session, actor=by.name, action="token.revoke", subject_type="token", subject_id=token_id
    )


def from_token(session: Session, secret: str, settings: IdentitySettings) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None:
        return None
    return _principal(session, user, settings, "token", scopes=frozenset(row.scopes.split(",")))


def _principal(
    session: Session,
    user: User,
    settings: IdentitySettings,
    via: str,
    *,
    scopes: frozenset[str] | None = None,
    csrf: str | None = None,
    session_hash: str | None = None,
    must_enrol: bool = False,
) -> Principal:
    roles = user_roles(user)
    permissions = settings.permissions(roles)
    if scopes is not None:
        permissions &= scopes
    if must_enrol:
        permissions = frozenset()
    # No reader record: an empty clearance, which the access decision denies for everything.
    reader = get_reader(session, user.name) or Reader(name=user.name, clearance="")
    return Principal(
        user.id, user.name, roles, permissions, reader, via, csrf, session_hash, must_enrol
    )
