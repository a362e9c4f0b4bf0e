"""What a transcript may keep: personal numbers are replaced before a message is saved.

``redact(text)`` replaces, in this order:

1. Aadhaar-like numbers: twelve digits, grouped 4-4-4 by spaces or dashes or not
   (checksum or not: a mistyped Aadhaar number is still one);
2. mobile numbers: ten digits starting 6-9, with or without +91, 91 or 0 in
   front and spaces or dashes inside ("98160 00001", "+91-9816000001");
3. one-time codes: a lone six-digit number (a pincode typed alone goes too);
4. any other run of 9 to 18 digits (bank accounts, card numbers);
5. e-mail addresses.

A register identifier (a letter and eleven digits, ``G48210937562`` or
``G 4821 0937 562``) is kept: helpline agents need it, and it names a record,
not a person's secret. The dialogue reads the text as typed, in memory; only
what is stored or echoed passes through here.
"""

from __future__ import annotations

import re

AADHAAR = "[redacted: 12-digit number]"
MOBILE = "[redacted: mobile number]"
CODE = "[redacted: code]"
NUMBER = "[redacted: number]"
EMAIL = "[redacted: e-mail]"

# Digits glued to a letter (an identifier like G48210937562) are not personal numbers.
_START = r"(?<![\dA-Za-z])"
_END = r"(?![\d])"
_TWELVE = re.compile(_START + r"\d{4}[ -]?\d{4}[ -]?\d{4}" + _END)
_MOBILE = re.compile(r"(?<![\dA-Za-z])(?:(?:\+|00)?91[ -]?|0)?[6-9]\d{4}[ -]?\d{5}" + _END)
_SIX = re.compile(_START + r"\d{3}[ -]?\d{3}" + _END)
_LONG = re.compile(_START + r"\d(?:[ -]?\d){8,17}" + _END)
# A decimal digit of another script (Devanagari ०-९ and the like).
_ANY_DIGIT = re.compile(r"(?![0-9])\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A register identifier as printed: its digit groups must survive the rules above.
_IDENTIFIER = re.compile(r"\b[A-Za-z] ?\d{4} ?\d{4} ?\d{3}\b")
# Sentinels that contain no digit, so no rule can touch an identifier while it is set aside.
_HOLD = "\ue000{}\ue001"
_HELD = re.compile("\ue000(\\w+)\ue001")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _hold_key(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 26)
        digits = _LETTERS[rest] + digits
        if number == 0:
            return digits


def redact(text: str) -> str:
    """``text`` with personal numbers and addresses replaced by a marker (see the module docstring)."""
    held: dict[str, str] = {}

    def hold(match: re.Match[str]) -> str:
        key = _hold_key(len(held))
        held[key] = match.group(0)
        return _HOLD.format(key)

    text = _IDENTIFIER.sub(hold, ascii_digits(text))
    text = _EMAIL.sub(EMAIL, text)
    text = _TWELVE.sub(AADHAAR, text)
    text = _MOBILE.sub(MOBILE, text)
    text = _LONG.sub(NUMBER, text)
    text = _SIX.sub(CODE, text)
    return _HELD.sub(lambda match: held.get(match.group(1), ""), text)


def ascii_digits(text: str) -> str:
    """Devanagari (and other Unicode) decimal digits as ASCII ones: "९८१६" is "9816"."""
    return _ANY_DIGIT.sub(lambda match: str(int(match.group(0))), text)


def has_code(text: str) -> bool:
    """Whether the text holds a lone six-digit number (what a one-time code looks like)."""
    return bool(codes_in(text))


def codes_in(text: str) -> list[str]:
    text = _MOBILE.sub(" ", _TWELVE.sub(" ", _IDENTIFIER.sub(" ", ascii_digits(text))))
    return [re.sub(r"[ -]", "", match) for match in _SIX.findall(_LONG.sub(" ", text))]


def mobiles_in(text: str) -> list[str]:
    """The ten-digit mobile numbers in the text, without prefixes or separators."""
    found = []
    for match in _MOBILE.findall(_IDENTIFIER.sub(" ", ascii_digits(text))):
        digits = re.sub(r"\D", "", match)
        found.append(digits[-10:])
    return found
