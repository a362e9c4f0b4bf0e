"""Made-up Aadhaar-shaped numbers with a valid Verhoeff digit, for tests."""

from __future__ import annotations

from himaccess.lib.identifiers import verhoeff_check_digit


def aadhaar(body: str) -> str:
    """Eleven digits -> the twelve-digit number with its check digit."""
    assert len(body) == 11 and body[0] not in "01"
    return body + str(verhoeff_check_digit(body))


ASHA = aadhaar("23456789012")
RAVI = aadhaar("34567890123")
KARAN = aadhaar("45678901234")
