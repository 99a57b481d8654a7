"""Who is acting, for the audit log: the one place every command resolves a person's name.

Analyst work (overrides, watchlist loads, review portions and renders) falls back to the
operating-system user; duty-to-warn cases need a named member of staff and refuse the fallback
(watchfloor.warn.users.acting_name).
"""

from __future__ import annotations

import getpass

from watchfloor.settings import setting

USER_VAR = "WATCHFLOOR_USER"


def analyst_name(given: str | None = None) -> str:
    """Who is acting: the name given, else $WATCHFLOOR_USER, else the operating-system user."""
    for candidate in (given, setting(USER_VAR)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
