"""Checks on register values, shared by forms, API schemas and actions.

Each raises ``ValidationError`` with a translatable message and a stable code,
so pages and the API show the same words in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"^[6-9]\d{9}$")
IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
BANK_ACCOUNT = re.compile(r"^\d{9,18}$")
RATION_CARD = re.compile(r"^[A-Z0-9/-]{6,20}$")
# Latin names: letters, spaces, dots, apostrophes and hyphens.
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")
MAX_NAME_LENGTH = 100
OLDEST_PLAUSIBLE_AGE = 120


def today() -> date:
    return timezone.localdate()


def validate_mobile(value: str) -> None:
    if not MOBILE.match(value):
        raise ValidationError(_("Enter a 10-digit mobile number starting with 6, 7, 8 or 9."), code="mobile")


def validate_ifsc(value: str) -> None:
    if not IFSC.match(value):
        raise ValidationError(
            _(
                "Enter a valid IFSC: 4 letters, the digit 0, then 6 letters or digits "
                "(for example SBIN0001234)."
            ),
            code="ifsc",
        )


def validate_bank_account(value: str) -> None:
    if not BANK_ACCOUNT.match(value):
        raise ValidationError(_("A bank account number has 9 to 18 digits."), code="bank_account")


def validate_ration_card(value: str) -> None:
    if not RATION_CARD.match(value.upper()):
        raise ValidationError(_("Enter the ration card number as printed on the card."), code="ration_card")


def validate_name_en(value: str) -> None:
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(_("A name can be at most 100 characters long."), code="name_length")
    if not LATIN_NAME.match(value):
        raise ValidationError(_("Write the English name in Latin letters only."), code="name_script")


def validate_name_hi(value: str) -> None:
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(_("A name can be at most 100 characters long."), code="name_length")
    for ch in value:
        if ch in " .-'" or "\u0900" <= ch <= "\u097f":
            continue
        if unicodedata.category(ch).startswith("M") or ch in "\u200c\u200d":
            continue
        raise ValidationError(_("Write the Hindi name in Devanagari letters only."), code="name_script")


def validate_past_date(value: date) -> None:
    if value > today():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


def validate_date_of_birth(value: date) -> None:
    validate_past_date(value)
    if value.year < today().year - OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(_("The date of birth is more than 120 years ago."), code="implausible_date")


def validate_disability_percent(value: int) -> None:
    if not 0 <= value <= 100:
        raise ValidationError(_("Disability must be between 0 and 100 percent."), code="disability_range")
