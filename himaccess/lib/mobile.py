"""Indian mobile numbers: the one rule for what is one, and the one way to read one as typed.

A mobile number is ten ASCII digits, the first 6, 7, 8 or 9 (the national
numbering plan's mobile series). It is stored and compared in that form only,
without a country code or a trunk zero.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[6-9][0-9]{9}")
# What people put between digits: spaces, hyphens, brackets round a part.
_SEPARATORS = re.compile(r"[\s\-()]")


def is_mobile(value: str) -> bool:
    """Exactly ten digits starting with 6 to 9: nothing around them, not even a newline."""
    return _NUMBER.fullmatch(value) is not None


def normalise_mobile(raw: str) -> str:
    """``+91 98160 00001``, ``91-98160-00001``, ``098160-00001`` and ``9816000001`` are one number.

    Returns the ten digits, or, for what is no mobile number, the input
    without separators for ``is_mobile`` to refuse.
    """
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+91"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits


def read_mobile(raw: str) -> str | None:
    """The ten-digit number in what was typed, or None when it holds none."""
    digits = normalise_mobile(raw)
    return digits if is_mobile(digits) else None
