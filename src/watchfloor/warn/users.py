"""Staff who move cases, and the roles they hold. Deny by default: an unknown name, or a name
without the role a step needs, is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from watchfloor.errors import PermissionDenied, WatchfloorError
from watchfloor.identity import USER_VAR
from watchfloor.settings import setting
from watchfloor.store import audit
from watchfloor.store.models import User
from watchfloor.warn.config import SYSTEM_ACTOR, SYSTEM_ROLE, CasePolicy

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Actor:
    name: str
    roles: frozenset[str]


SYSTEM = Actor(SYSTEM_ACTOR, frozenset({SYSTEM_ROLE}))


def acting_name(given: str | None) -> str:
    name = given or setting(USER_VAR)
    if not name:
        raise PermissionDenied(f"who is acting? give --as NAME or set {USER_VAR}")
    return name


def actor(session: Session, name: str) -> Actor:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise PermissionDenied(
            f"user {name!r} is unknown; an admin adds staff with `watchfloor users add`"
        )
    return Actor(user.name, _roles(user.roles))


def _roles(text: str) -> frozenset[str]:
    return frozenset(r for r in text.split(",") if r)


def add_user(
    session: Session,
    name: str,
    roles: Sequence[str],
    *,
    email: str | None,
    by: str | None,
    policy: CasePolicy,
) -> User:
    """Add a member of staff. The first user may be added by anyone (bootstrap) and is always an
    admin, so that someone can add staff and approve waivers; after that only an admin adds
    users."""
    name = name.strip()
    if not name or name == SYSTEM_ACTOR:
        raise WatchfloorError(f"user name {name!r} is empty or reserved; choose another")
    unknown = sorted(set(roles) - policy.roles)
    if unknown or not roles:
        raise WatchfloorError(
            f"role {unknown[0] if unknown else '(none)'!r} is not one of "
            f"{', '.join(sorted(policy.roles))}; give --role with one of them"
        )
    existing = session.scalar(select(func.count()).select_from(User)) or 0
    if not existing:
        roles = [*roles, ADMIN_ROLE]
    if existing:
        if by is None:
            raise PermissionDenied(f"adding users needs an admin; give --as NAME or set {USER_VAR}")
        who = actor(session, by)
        if ADMIN_ROLE not in who.roles:
            raise PermissionDenied(f"{who.name} is not an admin; only an admin adds users")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise WatchfloorError(f"user {name!r} already exists")
    user = User(name=name, roles=",".join(sorted(set(roles))), email=email)
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor=by or name,
        action="user.add",
        subject_type="user",
        subject_id=name,
        details={"roles": sorted(set(roles)), "email": email},
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))
