"""Signed webhooks: how watchfloor posts a notice, and how a receiver checks it.

Each request carries three headers:

- `X-Watchfloor-Timestamp`: Unix seconds when this attempt was signed;
- `X-Watchfloor-Delivery`: the notice's idempotency key, the same on every retry, so a receiver
  that has processed it once answers 2xx and does nothing more;
- `X-Watchfloor-Signature`: `v1=` + hex HMAC-SHA256(secret, timestamp + "." + body).

`verify` is the receiver's side: it rejects a wrong signature, a timestamp outside the tolerance
(a replay of an old capture) and, with a `ReplayGuard`, a delivery id seen before within that
window (a replay of a fresh capture, or a resend the receiver already has).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from watchfloor.errors import WatchfloorError
from watchfloor.warn.config import WebhookSettings

SIGNATURE_HEADER = "X-Watchfloor-Signature"
TIMESTAMP_HEADER = "X-Watchfloor-Timestamp"
DELIVERY_HEADER = "X-Watchfloor-Delivery"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


class DeliveryError(WatchfloorError):
    """One attempt to deliver a notice failed; the outbox retries it."""


class WebhookRejected(WatchfloorError):
    """A webhook request that must not be trusted."""


class WebhookReplay(WebhookRejected):
    """A delivery id already accepted: a replay, or a resend of something already processed."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(
    secret: str, delivery_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def deliver(
    url: str,
    payload: Mapping[str, Any],
    delivery_id: str,
    settings: WebhookSettings,
    client: httpx.Client | None = None,
) -> int:
    """POST one signed notice; returns the HTTP status, raises DeliveryError unless 2xx."""
    if not settings.secret:
        raise DeliveryError(
            f"no webhook secret: set {settings.secret_env} (the receiver verifies with it)"
        )
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    headers = signed_headers(settings.secret, delivery_id, body)
    try:
        if client is not None:
            response = client.post(url, content=body, headers=headers)
        else:
            with httpx.Client(timeout=settings.timeout_s, follow_redirects=False) as own:
                response = own.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"{url}: HTTP {response.status_code}")
    return response.status_code


@dataclass
class ReplayGuard:
    """Delivery ids a receiver has accepted, remembered for twice the timestamp tolerance
    (older requests are refused by their timestamp anyway)."""

    tolerance_s: int = DEFAULT_TOLERANCE_S
    _seen: dict[str, float] = field(default_factory=dict)

    def check_and_remember(self, delivery_id: str, now: float) -> None:
        horizon = now - 2 * self.tolerance_s
        for key in [k for k, at in self._seen.items() if at < horizon]:
            del self._seen[key]
        if delivery_id in self._seen:
            raise WebhookReplay(f"delivery {delivery_id} was already accepted")
        self._seen[delivery_id] = now


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    guard: ReplayGuard | None = None,
) -> str:
    """Check a received webhook; returns its delivery id or raises WebhookRejected."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp_text = lower[TIMESTAMP_HEADER.lower()]
        delivery_id = lower[DELIVERY_HEADER.lower()]
        signature = lower[SIGNATURE_HEADER.lower()]
    except KeyError as exc:
        raise WebhookRejected(f"missing header {exc.args[0]}") from None
    try:
        timestamp = int(timestamp_text)
    except ValueError:
        raise WebhookRejected(
            f"{TIMESTAMP_HEADER} {timestamp_text!r} is not Unix seconds"
        ) from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise WebhookRejected(
            f"timestamp {timestamp} is {int(current - timestamp)} s from now, "
            f"beyond the {tolerance_s} s allowed"
        )
    expected = sign(secret, timestamp, body)
    # One candidate per scheme; compare in constant time so the check leaks nothing.
    candidates = [part.strip() for part in signature.split(",")]
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise WebhookRejected("signature does not match the body and timestamp")
    if guard is not None:
        guard.check_and_remember(delivery_id, current)
    return delivery_id
