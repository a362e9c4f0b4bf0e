"""Signing webhook bodies, and the verifier receivers can copy (docs/webhooks.md).

The ``Him-Signature`` header is ``t=<unix seconds>,v1=<hex>`` where ``<hex>``
is HMAC-SHA256, keyed with the subscription's secret (the whole ``whsec_…``
string, as UTF-8), over ``<t>.<body>``: the timestamp is signed, so an old
request replayed later fails the tolerance check. During a secret rotation
the header carries one ``v1=`` per secret in force; a receiver accepts the
request if any of them matches a secret it holds.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

HEADER = "Him-Signature"
DELIVERY_HEADER = "Him-Delivery"
EVENT_HEADER = "Him-Event"
# Seconds a receiver accepts between the signed time and its own clock, either way.
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request is not signed by a secret the receiver holds, or is too old or too new."""


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: Iterable[str], *, timestamp: int | None = None) -> str:
    """The ``Him-Signature`` header value for ``body`` with each of ``secrets``."""
    moment = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={moment}", *(f"v1={_mac(secret, moment, body)}" for secret in secrets)])


def verify(
    body: bytes,
    header: str,
    secrets: Iterable[str],
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check a received ``Him-Signature``; return its timestamp, or raise ``SignatureError``.

    1. Split the header on commas into ``key=value`` pairs: one ``t``, one or more ``v1``.
    2. Refuse a timestamp more than ``tolerance`` seconds from now (a replay, or a wrong clock).
    3. Compute HMAC-SHA256(secret, ``t + "." + body``) for each secret held and compare it in
       constant time with each ``v1``; one match is enough.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("malformed signature header")
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance window")
    for secret in secrets:
        expected = _mac(secret, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return timestamp
    raise SignatureError("no signature matches")
