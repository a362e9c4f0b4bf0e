"""Family and Member IDs that can be read over the phone.

An ID is a letter (``F`` for a family, ``M`` for a member) followed by ten
digits and a Verhoeff check digit: ``F 4821 0937 562`` when printed. Verhoeff
catches every single mistyped digit and every swap of two neighbouring digits,
the two errors people make reading numbers aloud.

IDs are not sequential: the n-th ID issued is a keyed permutation of n over
the ten-digit space (a four-round Feistel network on two five-digit halves),
so consecutive IDs look unrelated, and two counters can never produce the
same ID. The key (settings.REGISTER_ID_KEY) must never change once IDs exist.
Eleven digits also keep IDs out of the shape of an Aadhaar number (twelve).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

BODY_DIGITS = 10
_HALF = 10**5
_ROUNDS = 4

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

FAMILY_PREFIX = "F"
MEMBER_PREFIX = "M"
_CANONICAL = re.compile(r"^([A-Z])(\d{11})$")
_SEPARATORS = re.compile(r"[\s\-./]")


def verhoeff_check_digit(digits: str) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return _VERHOEFF_INV[c]


def verhoeff_is_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


@lru_cache(maxsize=8)
def _round_keys(key: str) -> tuple[int, ...]:
    digest = hashlib.blake2b(key.encode(), digest_size=8 * _ROUNDS).digest()
    return tuple(int.from_bytes(digest[i * 8 : (i + 1) * 8], "big") | 1 for i in range(_ROUNDS))


def _mix(value: int, round_key: int) -> int:
    # A cheap integer hash (multiply / xor-shift): the permutation only has
    # to look unrelated to the counter, not resist cryptanalysis.
    x = (value * 0x9E3779B97F4A7C15 + round_key) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 32
    return x % _HALF


def permute(counter: int, key: str) -> int:
    """Map ``counter`` (0 <= counter < 10**10) to a unique ten-digit body."""
    if not 0 <= counter < _HALF * _HALF:
        raise ValueError("counter out of range")
    left, right = divmod(counter, _HALF)
    for round_key in _round_keys(key):
        left, right = right, (left + _mix(right, round_key)) % _HALF
    return left * _HALF + right


def prefix_key(prefix: str, key: str) -> str:
    """Each kind of ID has its own permutation, so F and M IDs of one counter differ."""
    return f"{key}:{prefix}"


def make_id(prefix: str, counter: int, key: str) -> str:
    body = f"{permute(counter, prefix_key(prefix, key)):0{BODY_DIGITS}d}"
    return f"{prefix}{body}{verhoeff_check_digit(body)}"


def normalise(raw: str) -> str:
    """Canonical form of a typed or spoken ID: upper case, no spaces or dashes."""
    return _SEPARATORS.sub("", raw or "").upper()


def is_valid(raw: str, prefix: str) -> bool:
    match = _CANONICAL.match(normalise(raw))
    return bool(match) and match.group(1) == prefix and verhoeff_is_valid(match.group(2))  # type: ignore[union-attr]


def pattern(prefix: str) -> str:
    """The canonical shape of an ID with ``prefix`` (F, M, A, C, G, R, ...) as a regular expression.

    For documents such as the API's OpenAPI schema; checking an ID takes ``is_valid``,
    which also accepts the printed form with spaces and checks the Verhoeff digit.
    """
    return rf"^{prefix}[0-9]{{{BODY_DIGITS + 1}}}$"


def display(canonical: str) -> str:
    """``F48210937562`` → ``F 4821 0937 562`` for cards and phone calls."""
    return f"{canonical[0]} {canonical[1:5]} {canonical[5:9]} {canonical[9:]}"
