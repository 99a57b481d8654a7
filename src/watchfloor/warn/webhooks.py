"""Signed webhooks (the Standard Webhooks scheme): how watchfloor posts a notice, and how a
receiver checks it.

Each request carries three headers:

- `webhook-id`: the notice's idempotency key, the same on every retry, so a receiver that has
  processed it once answers 2xx and does nothing more;
- `webhook-timestamp`: Unix seconds when this attempt was signed;
- `webhook-signature`: `v1,` + base64 HMAC-SHA256(secret, id + "." + timestamp + "." + body);
  several space-separated signatures may be sent while a secret is rotated.

The signature covers the id, so a captured request cannot be replayed under a new id. A secret
`whsec_...` is base64 (the Standard Webhooks form); any other is used as UTF-8 text. An empty
secret is refused on both sides. `verify` is the receiver's side: it rejects a malformed header,
a wrong signature, a timestamp outside the tolerance (a replay of an old capture) and a delivery
id its replay store has seen (a replay of a fresh capture, or a resend already processed).
`ReplayStore` keeps those ids in a SQLite file, so they survive a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from watchfloor.errors import DeliveryError, WebhookRejected
from watchfloor.warn.config import WebhookSettings

DELIVERY_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300
_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,200}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class WebhookReplay(WebhookRejected):
    """A delivery id already accepted: a replay, or a resend of something already processed."""


def secret_bytes(secret: str | None) -> bytes:
    """The HMAC key of a webhook secret; an empty one is refused."""
    if not secret or not secret.strip():
        raise WebhookRejected("the webhook secret is empty; set a long random secret")
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_") :], validate=True)
        except (binascii.Error, ValueError):
            raise WebhookRejected("the webhook secret whsec_... is not valid base64") from None
    return secret.encode("utf-8")


def sign(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    message = f"{delivery_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret_bytes(secret), message, hashlib.sha256).digest()
    return f"{SCHEME}," + base64.b64encode(mac).decode("ascii")


def signed_headers(
    secret: str, delivery_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, delivery_id, timestamp, body),
    }


def deliver(
    url: str,
    payload: Mapping[str, Any],
    delivery_id: str,
    settings: WebhookSettings,
    client: httpx.Client | None = None,
) -> int:
    """POST one signed notice; returns the HTTP status, raises DeliveryError unless 2xx."""
    if not settings.secret or not settings.secret.strip():
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


class SeenIds(Protocol):
    def check_and_remember(self, delivery_id: str, now: float) -> None:
        """Raise WebhookReplay if `delivery_id` was accepted before; else remember it."""


@dataclass
class ReplayGuard:
    """Delivery ids accepted, in memory: for one process that never restarts (and tests).
    Remembered for twice the timestamp tolerance; older requests fail the timestamp check."""

    tolerance_s: int = DEFAULT_TOLERANCE_S
    _seen: dict[str, float] = field(default_factory=dict)

    def check_and_remember(self, delivery_id: str, now: float) -> None:
        horizon = now - 2 * self.tolerance_s
        for key in [k for k, at in self._seen.items() if at < horizon]:
            del self._seen[key]
        if delivery_id in self._seen:
            raise WebhookReplay(f"delivery {delivery_id} was already accepted")
        self._seen[delivery_id] = now


class ReplayStore:
    """Delivery ids accepted, in a SQLite file: a restarted receiver still refuses a replay.
    Ids older than twice the tolerance are pruned (their timestamps are refused anyway)."""

    def __init__(self, path: str | Path, tolerance_s: int = DEFAULT_TOLERANCE_S) -> None:
        self.path = Path(path)
        self.tolerance_s = tolerance_s
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at REAL NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level="IMMEDIATE")

    def check_and_remember(self, delivery_id: str, now: float) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM seen WHERE at < ?", (now - 2 * self.tolerance_s,))
            try:
                db.execute("INSERT INTO seen (id, at) VALUES (?, ?)", (delivery_id, now))
            except sqlite3.IntegrityError:
                raise WebhookReplay(f"delivery {delivery_id} was already accepted") from None


def _header(lower: Mapping[str, str], name: str) -> str:
    value = lower.get(name)
    if value is None:
        raise WebhookRejected(f"missing header {name}")
    if not value.isascii() or not value.isprintable():
        raise WebhookRejected(f"header {name} holds characters no signature uses")
    return value.strip()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    guard: SeenIds,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> str:
    """Check a received webhook; returns its delivery id or raises WebhookRejected."""
    key = secret_bytes(secret)
    lower = {k.lower(): v for k, v in headers.items()}
    delivery_id = _header(lower, DELIVERY_HEADER)
    timestamp_text = _header(lower, TIMESTAMP_HEADER)
    signature = _header(lower, SIGNATURE_HEADER)
    if not _ID.fullmatch(delivery_id):
        raise WebhookRejected(f"{DELIVERY_HEADER} {delivery_id[:60]!r} is not a delivery id")
    if not _TIMESTAMP.fullmatch(timestamp_text):
        raise WebhookRejected(f"{TIMESTAMP_HEADER} {timestamp_text[:30]!r} is not Unix seconds")
    timestamp = int(timestamp_text)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise WebhookRejected(
            f"timestamp {timestamp} is {int(current - timestamp)} s from now, "
            f"beyond the {tolerance_s} s allowed"
        )
    message = f"{delivery_id}.{timestamp}.".encode() + body
    expected = hmac.new(key, message, hashlib.sha256).digest()
    # One candidate per space-separated entry; compare in constant time so the check leaks
    # nothing. Entries of other schemes or bad base64 are skipped, not errors.
    matched = False
    for candidate in signature.split():
        scheme, _, value = candidate.partition(",")
        if scheme != SCHEME:
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        matched = hmac.compare_digest(expected, given) or matched
    if not matched:
        raise WebhookRejected("signature does not match the id, timestamp and body")
    guard.check_and_remember(delivery_id, current)
    return delivery_id
