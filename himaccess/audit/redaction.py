"""Keeping secrets out of logs: masking Aadhaar numbers, codes, tokens and passwords.

``RedactSecrets`` is a logging filter installed on every handler (settings
LOGGING) as defence in depth: code should never log a secret in the first
place, and the test suite checks that it does not (``audit/tests/log_scan.py``).
This module imports nothing from Django's models so that logging can load it
before the apps are ready.
"""

from __future__ import annotations

import logging
import re

from himaccess.lib.identifiers import verhoeff_is_valid

REDACTED = "[redacted]"
# Twelve digits, optionally grouped 4-4-4 by spaces or dashes, not inside a longer number.
TWELVE_DIGITS = re.compile(r"(?<!\d)(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
# "otp=123456", "password: hunter2", '"access_token": "abc"' and the like.
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b((?:[a-z_]*_)?(?:otp|totp|code|password|passwd|token|secret|pin))(\"?\s*[=:]\s*\"?)([^\s\"',;&]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")


def mask_aadhaar_numbers(text: str) -> str:
    """Mask every Verhoeff-valid 12-digit number in ``text`` to ``XXXX XXXX 1234`` (as pages show it)."""

    def mask(match: re.Match[str]) -> str:
        digits = "".join(match.groups())
        return f"XXXX XXXX {digits[-4:]}" if verhoeff_is_valid(digits) else match.group(0)

    return TWELVE_DIGITS.sub(mask, text)


def aadhaar_like_numbers(text: str) -> list[str]:
    return [
        "".join(match.groups())
        for match in TWELVE_DIGITS.finditer(text)
        if verhoeff_is_valid("".join(match.groups()))
    ]


def redact(text: str) -> str:
    text = mask_aadhaar_numbers(text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and its traceback text) with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it for the handler to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
