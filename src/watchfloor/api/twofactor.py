"""Optional TOTP as a second factor: enrolment, confirmation, turning it off, an admin's reset,
the code at login (with the web login's half-done step), and the roles that require it.

- The secret is sealed with the TOTP key (WATCHFLOOR_TOTP_KEY, else `totp.key` in the key
  folder: watchfloor.store.keys) and shown once, when enrolment starts; never logged.
- A code is accepted once: the step it belongs to is stored, and that step and every earlier
  one are refused from then on (replay guard).
- A wrong code counts toward the same lock-out as a wrong password (audited `totp.failed`);
  the count is cleared by a whole login (password and code), never by the password alone.
- API tokens never need a code: machines do not carry authenticators. A token is issued from a
  whole login, and revoking it is how to stop it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from watchfloor.api import totp
from watchfloor.api.identity import (
    LoginFailed,
    Principal,
    count_failure,
    digest,
    has_totp,
    start_session,
    totp_state,
    user_roles,
)
from watchfloor.api.settings import IdentitySettings
from watchfloor.errors import BadInput, CodeRefused, ConfigError, PermissionDenied
from watchfloor.store import audit
from watchfloor.store.keys import load_key
from watchfloor.store.logins import Login, LoginStep, TotpFactor, WebSession
from watchfloor.store.models import User, utcnow

KEY_VAR = "WATCHFLOOR_TOTP_KEY"
KEY_FILE_VAR = "WATCHFLOOR_TOTP_KEY_FILE"
STEP_MINUTES = 5  # how long a right password waits for its code on the web login
REFUSED = "the code is wrong or was used before, or the account is locked for a while"


class CodeNeeded(LoginFailed):
    """The password was right, and this account needs its one-time code as well."""


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, as authenticator apps take it
    uri: str  # otpauth://totp/...


def _key() -> bytes:
    return load_key("totp", KEY_VAR, KEY_FILE_VAR)


def _secret(factor: TotpFactor) -> bytes:
    try:
        return totp.unseal(_key(), factor.sealed_secret, str(factor.user_id))
    except totp.SealBroken:
        raise ConfigError(
            f"the TOTP secret of user {factor.user_id} does not open with the TOTP key "
            f"(${KEY_VAR}, ${KEY_FILE_VAR} or totp.key in the key folder): restore the key it "
            "was sealed with, or reset their TOTP (`watchfloor users totp-reset NAME`)"
        ) from None


def state(session: Session, user_id: int) -> str:
    """'on', 'pending' (enrolment started, not confirmed) or 'off'."""
    return totp_state(session.get(TotpFactor, user_id))


def required(settings: IdentitySettings, roles: frozenset[str] | set[str]) -> bool:
    return bool(set(settings.require_totp_for) & set(roles))


def _person(session: Session, principal: Principal) -> User:
    if principal.via != "session":
        raise PermissionDenied("TOTP is for people: log in with a password, not a token")
    user = session.get(User, principal.user_id)
    if user is None:
        raise PermissionDenied(f"user {principal.name!r} is gone")
    return user


def enrol(session: Session, principal: Principal, settings: IdentitySettings) -> Enrolment:
    """Start (or start again) enrolment: a new secret, pending until a code confirms it."""
    user = _person(session, principal)
    factor = session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise BadInput("TOTP is already on; turn it off with a current code first")
    secret = totp.new_secret()
    sealed = totp.seal(_key(), secret, str(user.id))
    if factor is None:
        session.add(TotpFactor(user_id=user.id, sealed_secret=sealed))
    else:
        factor.sealed_secret, factor.created_at, factor.last_step = sealed, utcnow(), None
    audit.append(session, actor=user.name, action="totp.enrol", subject_type="user",
                 subject_id=user.name)  # fmt: skip
    return Enrolment(totp.to_base32(secret), totp.otpauth_uri(secret, user.name,
                                                               settings.totp_issuer))  # fmt: skip


def _accept(
    session: Session, user: User, factor: TotpFactor, code: str, settings: IdentitySettings
) -> None:
    """The code, if it is right, not used before, and the account not locked; else CodeRefused,
    counted toward the lock-out and audited (the caller commits that before answering)."""
    login = session.get(Login, user.id)
    now = utcnow()
    if login is None:
        raise CodeRefused(f"{user.name} has no password; set one first")
    if login.locked_until is not None and login.locked_until > now:
        audit.append(session, actor=user.name, action="totp.refused_locked", subject_type="user",
                     subject_id=user.name)  # fmt: skip
        raise CodeRefused(REFUSED)
    step = totp.match(_secret(factor), code, after_step=factor.last_step)
    if step is None or not _claim(session, factor, step):
        count_failure(session, login, user.name, settings, now, action="totp.failed")
        raise CodeRefused(REFUSED)
    login.failures = 0
    login.locked_until = None


def _claim(session: Session, factor: TotpFactor, step: int) -> bool:
    """Record `step` as used, unless a concurrent request got there first: one conditional
    UPDATE, so two logins racing with the same code cannot both pass (on PostgreSQL the second
    waits for the first's row lock, then finds the step taken)."""
    claimed = session.execute(
        update(TotpFactor)
        .where(
            TotpFactor.user_id == factor.user_id,
            or_(TotpFactor.last_step.is_(None), TotpFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    session.expire(factor, ["last_step"])
    return bool(getattr(claimed, "rowcount", 0) == 1)


def confirm(session: Session, principal: Principal, code: str, settings: IdentitySettings) -> None:
    """Turn TOTP on with a code from the pending secret; a session that had to enrol becomes a
    whole one (it has now shown the password and the code)."""
    user = _person(session, principal)
    factor = session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise BadInput("no TOTP enrolment is waiting; start one (POST /api/v1/me/totp)")
    _accept(session, user, factor, code, settings)
    factor.confirmed_at = utcnow()
    if principal.session_hash is not None:
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == principal.session_hash)
            .values(must_enrol=False)
        )
    audit.append(session, actor=user.name, action="totp.confirm", subject_type="user",
                 subject_id=user.name)  # fmt: skip


def disable(session: Session, principal: Principal, code: str, settings: IdentitySettings) -> None:
    """Turn TOTP off, with a current code; refused where the person's role requires it."""
    user = _person(session, principal)
    factor = session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is None:
        raise BadInput("TOTP is not on for you")
    demanding = sorted(user_roles(user) & set(settings.require_totp_for))
    if demanding:
        raise PermissionDenied(
            f"a role of yours ({', '.join(demanding)}) requires TOTP; a lost device is an "
            "admin's reset"
        )
    _accept(session, user, factor, code, settings)
    session.delete(factor)
    audit.append(session, actor=user.name, action="totp.disable", subject_type="user",
                 subject_id=user.name)  # fmt: skip


def reset(session: Session, name: str, *, by: str) -> None:
    """An admin's reset (a lost device): TOTP off for `name`, whose sessions end with it."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise BadInput(f"user {name!r} is unknown; `watchfloor users list` shows who there is")
    factor = session.get(TotpFactor, user.id)
    was = totp_state(factor)
    if factor is not None:
        session.delete(factor)
    ended = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    session.execute(delete(LoginStep).where(LoginStep.user_id == user.id))
    audit.append(
        session,
        actor=by,
        action="totp.reset",
        subject_type="user",
        subject_id=name,
        details={"was": was, "sessions_ended": getattr(ended, "rowcount", 0)},
    )


# -- login ---------------------------------------------------------------------------------------


def second_factor(
    session: Session, user: User, code: str | None, settings: IdentitySettings
) -> tuple[str, str]:
    """After a right password: a session when no code is needed or `code` is right (then one
    that must enrol when a role requires TOTP and it is off); CodeNeeded without a code."""
    factor = session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is None:
        must_enrol = required(settings, user_roles(user))
        return start_session(session, user, settings, must_enrol=must_enrol)
    if not code:
        raise CodeNeeded("this account needs its one-time code too: send it as `code`")
    try:
        _accept(session, user, factor, code, settings)
    except CodeRefused as exc:
        raise LoginFailed(str(exc)) from None
    return start_session(session, user, settings)


def begin_step(session: Session, user: User) -> str | None:
    """After a right password on the web form: the secret of a short-lived step waiting for the
    code (None when the account has no TOTP)."""
    if not has_totp(session, user.id):
        return None
    now = utcnow()
    session.execute(delete(LoginStep).where(LoginStep.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    session.add(
        LoginStep(
            token_hash=digest(secret),
            user_id=user.id,
            expires_at=now + timedelta(minutes=STEP_MINUTES),
        )
    )
    return secret


def finish_step(
    session: Session, secret: str, code: str, settings: IdentitySettings
) -> tuple[str, str]:
    """The web login's second page: the step's user gets a session for a right code."""
    step = session.get(LoginStep, digest(secret)) if secret else None
    now: datetime = utcnow()
    user = session.get(User, step.user_id) if step is not None else None
    if step is None or user is None or step.expires_at <= now:
        raise LoginFailed("the login took too long or was not started; log in again")
    factor = session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is None:
        session.delete(step)
        raise LoginFailed("the login was interrupted (TOTP was reset); log in again")
    try:
        _accept(session, user, factor, code, settings)
    except CodeRefused as exc:
        raise LoginFailed(str(exc)) from None
    session.delete(step)
    return start_session(session, user, settings)
