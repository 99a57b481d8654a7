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
    from watchfloor.warn.cases import contacts_of as contacts_of
    from watchfloor.warn.cases import decide_waiver as decide_waiver
    from watchfloor.warn.cases import draft as draft_notices  # noqa: F401
    from watchfloor.warn.cases import get_case as get_case
    from watchfloor.warn.cases import list_cases as list_cases
    from watchfloor.warn.cases import move as move_case  # noqa: F401
    from watchfloor.warn.cases import propose_waiver as propose_waiver
    from watchfloor.warn.cases import show as show_case  # noqa: F401
    from watchfloor.warn.cases import summary as case_summary  # noqa: F401
    from watchfloor.warn.cases import warn as warn_case  # noqa: F401
    from watchfloor.warn.config import CasePolicy as CasePolicy
    from watchfloor.warn.config import NotifyConfig as NotifyConfig
    from watchfloor.warn.drafting import ACK_PLACEHOLDER as ACK_PLACEHOLDER
    from watchfloor.warn.outbox import list_notices as list_notices
    from watchfloor.warn.outbox import notice_json as notice_json
    from watchfloor.warn.sender import send_due as send_due
    from watchfloor.warn.sender import send_loop as send_loop
    from watchfloor.warn.users import acting_name as acting_name
    from watchfloor.warn.users import actor as actor
    from watchfloor.warn.users import add_user as add_user
    from watchfloor.warn.users import list_users as list_users
    from watchfloor.warn.webhooks import deliver as deliver_webhook  # noqa: F401

_LAZY = {
    "ACK_PLACEHOLDER": "drafting",
    "CasePolicy": "config",
    "NotifyConfig": "config",
    "WATCHLIST_ENV": "cases",
    "acknowledge": "acks",
    "case_summary": "cases:summary",
    "contacts_of": "cases",
    "decide_waiver": "cases",
    "deliver_webhook": "webhooks:deliver",
    "draft_notices": "cases:draft",
    "get_case": "cases",
    "list_cases": "cases",
    "move_case": "cases:move",
    "propose_waiver": "cases",
    "show_case": "cases:show",
    "warn_case": "cases:warn",
    "acting_name": "users",
    "actor": "users",
    "add_user": "users",
    "list_notices": "outbox",
    "notice_json": "outbox",
    "list_users": "users",
    "send_due": "sender",
    "send_loop": "sender",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
