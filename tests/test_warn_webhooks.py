"""The webhook signature: what a receiver accepts and what it refuses."""

from __future__ import annotations

import json

import pytest

from watchfloor.warn.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ReplayGuard,
    WebhookRejected,
    WebhookReplay,
    signed_headers,
    verify,
)

SECRET = "shared-secret"
BODY = json.dumps({"case": 1, "text": "notice"}).encode()
NOW = 1_800_000_000.0


def headers(now: float = NOW, body: bytes = BODY, secret: str = SECRET) -> dict[str, str]:
    return signed_headers(secret, "delivery-1", body, now=now)


def test_a_signed_request_verifies_and_names_its_delivery() -> None:
    assert verify(SECRET, headers(), BODY, now=NOW + 10, guard=ReplayGuard()) == "delivery-1"
    # Header names are case-insensitive on the wire.
    lowered = {k.lower(): v for k, v in headers().items()}
    assert verify(SECRET, lowered, BODY, now=NOW, guard=ReplayGuard()) == "delivery-1"


@pytest.mark.parametrize(
    ("sent", "body", "now", "problem"),
    [
        (headers(), BODY + b" ", NOW, "signature"),
        (headers(secret="another"), BODY, NOW, "signature"),
        (headers(), BODY, NOW + 301, "beyond"),
        (headers(), BODY, NOW - 301, "beyond"),
        ({**headers(), TIMESTAMP_HEADER: str(int(NOW) + 1)}, BODY, NOW, "signature"),
        ({**headers(), TIMESTAMP_HEADER: "yesterday"}, BODY, NOW, "Unix seconds"),
        ({k: v for k, v in headers().items() if k != SIGNATURE_HEADER}, BODY, NOW, "missing"),
    ],
)
def test_tampered_old_or_incomplete_requests_are_refused(
    sent: dict[str, str], body: bytes, now: float, problem: str
) -> None:
    with pytest.raises(WebhookRejected, match=problem):
        verify(SECRET, sent, body, now=now, guard=ReplayGuard())


def test_a_replayed_delivery_is_refused_within_the_window() -> None:
    guard = ReplayGuard(tolerance_s=300)
    verify(SECRET, headers(), BODY, now=NOW, guard=guard)
    with pytest.raises(WebhookReplay):
        verify(SECRET, headers(), BODY, now=NOW + 1, guard=guard)
    # A resend signed later is still the same delivery.
    with pytest.raises(WebhookReplay):
        verify(SECRET, headers(now=NOW + 60), BODY, now=NOW + 60, guard=guard)
    other = {**signed_headers(SECRET, "delivery-2", BODY, now=NOW), DELIVERY_HEADER: "delivery-2"}
    assert verify(SECRET, other, BODY, now=NOW, guard=guard) == "delivery-2"
    # Past twice the tolerance the guard forgets; the timestamp check refuses old captures.
    with pytest.raises(WebhookRejected, match="beyond"):
        verify(SECRET, headers(), BODY, now=NOW + 700, guard=guard)
