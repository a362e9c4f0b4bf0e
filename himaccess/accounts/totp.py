"""Time-based one-time passwords (RFC 6238) for officials' second factor.

HOTP (RFC 4226) over HMAC-SHA1 with 30-second steps and 6 digits: the
parameters every authenticator app (Google Authenticator, Microsoft
Authenticator, FreeOTP, Aegis) accepts from an ``otpauth://`` URI.

``matching_step`` accepts the step before and after the current one, for
clocks a little out of step, and returns the step that matched so that the
caller can refuse it next time (``TotpDevice.last_used_step``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1


def new_secret() -> str:
    """160 random bits, base32 without padding (the length RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(secret: str, counter: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def step_at(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    return hotp(secret, step_at(unix_time))


def matching_step(secret: str, code: str, *, at: float | None = None, after_step: int = 0) -> int | None:
    """The step within ±WINDOW of ``at`` whose code is ``code`` and that is later than ``after_step``."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = step_at(time.time() if at is None else at)
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Compare every candidate (no early exit) so timing does not say which step matched.
        if hmac.compare_digest(hotp(secret, step), code) and step > after_step and found is None:
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
