"""The one way an Aadhaar number is shown outside the vault: its last four digits.

Imports nothing from the vault's models, so pages, PDFs, exports and API
schemas of any app may use it.
"""

from __future__ import annotations

import re

MASK_PREFIX = "XXXX XXXX "
_LAST4 = re.compile(r"[0-9]{4}")


def masked(last4: str | None) -> str:
    """``"1234"`` -> ``"XXXX XXXX 1234"``; no or malformed digits -> ``""`` (nothing on file)."""
    if not last4 or not _LAST4.fullmatch(last4):
        return ""
    return f"{MASK_PREFIX}{last4}"
