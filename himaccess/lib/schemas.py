"""The project's base for JSON the API reads: every string in it is cleaned as it is parsed.

Every input schema of the API derives from ``CleanTextSchema`` (a test finds
them and checks it). Each string field, and each string inside a list or an
object field, is put through ``lib.text.clean`` before validation: invisible
and direction-changing characters go, ZWJ and ZWNJ stay only inside
Devanagari, and the text is in NFC. Types are not loosened: a number is
still not a string.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import field_validator

from himaccess.lib import text


def _cleaned(value: Any) -> Any:
    # JSON nesting is capped at the edge (JSON_MAX_DEPTH), so this recursion is shallow.
    if isinstance(value, str):
        return text.clean(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    return value


class CleanTextSchema(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return _cleaned(value)
