"""The Aadhaar check for Django forms and Ninja schemas, sharing ``normalise``'s reasons."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from himaccess.vault.actions import InvalidAadhaar, normalise


def validate_aadhaar(value: str) -> None:
    try:
        normalise(value)
    except InvalidAadhaar as exc:
        raise ValidationError(exc.message, code=f"aadhaar_{exc.code}") from None
