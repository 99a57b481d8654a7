"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), and the sealing of their
secrets at rest. Pure functions over bytes and times: the store-backed flows (enrolment, login,
replay guard, lock-out) are watchfloor.api.twofactor's.

watchfloor's codes are the ones authenticator apps expect by default: HMAC-SHA-1, 6 digits, a
30-second step, accepted one step either side of now for clock drift.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of the current one
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length for HMAC-SHA-1
ALGORITHM = "SHA1"


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32, without padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def from_base32(text: str) -> bytes:
    cleaned = text.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 section 5.3: HMAC the counter, truncate dynamically, keep `digits` digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(when: float, step: int = STEP_SECONDS) -> int:
    """RFC 6238's T: whole steps since the Unix epoch (T0 = 0)."""
    return int(when // step)


def totp(key: bytes, when: float, digits: int = DIGITS, step: int = STEP_SECONDS) -> str:
    return hotp(key, step_at(when, step), digits)


def match(
    key: bytes, code: str, *, after_step: int | None, when: float | None = None
) -> int | None:
    """The step whose code `code` is, among now and WINDOW steps either side, if that step is
    later than `after_step` (the last step accepted for this secret: a code once used, and every
    earlier one, is refused); else None. Every candidate is compared in constant time."""
    code = code.strip()
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_at(time.time() if when is None else when)
    found = None
    for candidate in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(hotp(key, candidate), code) and found is None:
            found = candidate
    if found is None or (after_step is not None and found <= after_step):
        return None
    return found


def otpauth_uri(secret: bytes, account: str, issuer: str) -> str:
    """The key URI authenticator apps read (Google Authenticator's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {
            "secret": to_base32(secret),
            "issuer": issuer,
            "algorithm": ALGORITHM,
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


# -- sealing the secret at rest ------------------------------------------------------------------
# HMAC-SHA-256 as a pseudo-random function in counter mode for the ciphertext, and an
# HMAC-SHA-256 tag over (context, nonce, ciphertext): encrypt-then-MAC with two keys derived from
# one, stdlib only. The context (the user's id) binds a sealed secret to its row.

SEAL_VERSION = "v1"
_NONCE = 16


class SealBroken(ValueError):
    """The sealed value was not made with this key and context (or was changed)."""


def _subkeys(key: bytes) -> tuple[bytes, bytes]:
    enc = hmac.new(key, b"watchfloor totp encryption", hashlib.sha256).digest()
    mac = hmac.new(key, b"watchfloor totp authentication", hashlib.sha256).digest()
    return enc, mac


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
        for i in range(-(-length // 32))
    )
    return b"".join(blocks)[:length]


def seal(key: bytes, secret: bytes, context: str) -> str:
    enc, mac = _subkeys(key)
    nonce = secrets.token_bytes(_NONCE)
    body = bytes(a ^ b for a, b in zip(secret, _stream(enc, nonce, len(secret)), strict=True))
    tag = hmac.new(mac, context.encode() + nonce + body, hashlib.sha256).digest()
    return SEAL_VERSION + "." + base64.urlsafe_b64encode(nonce + body + tag).decode("ascii")


def unseal(key: bytes, sealed: str, context: str) -> bytes:
    version, _, packed = sealed.partition(".")
    try:
        raw = base64.urlsafe_b64decode(packed)
    except ValueError:
        raise SealBroken("not a sealed secret") from None
    if version != SEAL_VERSION or len(raw) < _NONCE + 32:
        raise SealBroken("not a sealed secret")
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-32], raw[-32:]
    enc, mac = _subkeys(key)
    expected = hmac.new(mac, context.encode() + nonce + body, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SealBroken("the tag does not match: another key, another user, or changed")
    return bytes(a ^ b for a, b in zip(body, _stream(enc, nonce, len(body)), strict=True))
