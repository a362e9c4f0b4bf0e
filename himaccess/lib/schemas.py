"""The project's base for JSON the API reads: every string in it is cleaned as it is parsed.

Every input schema of the API derives from ``CleanTextSchema`` (a test finds
them and checks it). Each string field, and each string inside a list or an
object field, is put through ``lib.text.clean`` before validation: invisible
and direction-changing characters go, ZWJ and ZWNJ stay only inside
Devanagari, and the text is in NFC. Types are not loosened: a number is
still not a string.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Path, Schema
from pydantic import Field, WithJsonSchema, field_validator

from himaccess.lib import identifiers, text

# An LGD code (district, tehsil, block, panchayat, village...): a positive number that fits the
# database's integer column, so an absurd one is a 422, not an overflow deep in a query.
LgdCode = Annotated[int, Field(ge=1, le=2_147_483_647)]


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


def _identifier(prefix: str, what: str) -> Any:
    """A register identifier in the address, documented with its pattern.

    The document gives the canonical form; the endpoint checks the ID itself
    (the printed form with spaces is accepted, and the Verhoeff digit checked), so
    a malformed one gets that endpoint's own message in the reader's language (422).
    """
    description = f"{what}: {prefix} and 11 digits, the last a Verhoeff check digit."
    return Annotated[
        str,
        WithJsonSchema(
            {"type": "string", "pattern": identifiers.pattern(prefix), "description": description}
        ),
        Path(..., description=description),
    ]


FamilyId = _identifier(identifiers.FAMILY_PREFIX, "Family ID")
MemberId = _identifier(identifiers.MEMBER_PREFIX, "Member ID")
ApplicationNumber = _identifier("A", "Application number")
ComplaintReference = _identifier("G", "Complaint reference")
