"""warn: the duty-to-warn policy, cases, notices and the audit trail.

- policy: the per-statement rule; duty: the same rule judged on a thread, with thresholds.
- cases: triage and the case workflow (states, roles, waivers, deadlines).
- drafting: the text of a notice, sanitized; outbox: notices queued with their case change.
- sender: delivery with retries and backoff over mail (SMTP) and webhooks (signed).
- acks: acknowledgement tokens; users: staff and their roles; config: policy and delivery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.lazy import lazy_attribute

# What the CLI (and the API) call, loaded on first use like the names above: a command imports
# the stage's face, never its modules.
if TYPE_CHECKING:
    from watchfloor.warn.acks import acknowledge as acknowledge
    from watchfloor.warn.cases import WATCHLIST_ENV as WATCHLIST_ENV
    from watchfloor.warn.config import CasePolicy as CasePolicy
    from watchfloor.warn.config import NotifyConfig as NotifyConfig
    from watchfloor.warn.drafting import ACK_PLACEHOLDER as ACK_PLACEHOLDER
    from watchfloor.warn.outbox import list_notices as list_notices
    from watchfloor.warn.sender import send_due as send_due
    from watchfloor.warn.sender import send_loop as send_loop
    from watchfloor.warn.users import acting_name as acting_name
    from watchfloor.warn.users import actor as actor
    from watchfloor.warn.users import add_user as add_user
    from watchfloor.warn.users import list_users as list_users

_LAZY = {
    "ACK_PLACEHOLDER": "drafting",
    "CasePolicy": "config",
    "NotifyConfig": "config",
    "WATCHLIST_ENV": "cases",
    "acknowledge": "acks",
    "acting_name": "users",
    "actor": "users",
    "add_user": "users",
    "list_notices": "outbox",
    "list_users": "users",
    "send_due": "sender",
    "send_loop": "sender",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
