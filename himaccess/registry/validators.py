"""Checks on register values, shared by forms, API schemas and actions.

Each raises ``ValidationError`` with a translatable message and a stable code,
so pages and the API show the same words in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.lib import text
from himaccess.lib.mobile import is_mobile

IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
BANK_ACCOUNT = re.compile(r"^\d{9,18}$")
RATION_CARD = re.compile(r"^[A-Z0-9/-]{6,20}$")
# Latin names: letters, spaces, dots, apostrophes and hyphens.
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")
MAX_NAME_LENGTH = 100
OLDEST_PLAUSIBLE_AGE = 120
# Dates people enter: nothing before this is a date anyone alive dealt with.
EARLIEST_DATE = date(1900, 1, 1)
# How far ahead a date may lie where a future date is meant.
FUTURE_HORIZON_DAYS = 366
# How a date reads to people, in messages and on the register's pages; ISO stays for machines
# (the API, the value of a date input).
PEOPLES_DATE = "d-m-Y"


def today() -> date:
    return timezone.localdate()


def validate_mobile(value: str) -> None:
    if not is_mobile(value):
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


def _visible_only(value: str) -> None:
    # Forms and API schemas clean names as they arrive (lib.text.clean); a name that still holds an
    # invisible or direction-changing character, or a stray ZWJ/ZWNJ, came round them.
    if text.without_invisible(value) != value:
        raise ValidationError(
            _("The name holds invisible characters; type it again without them."), code="name_invisible"
        )


def validate_name_en(value: str) -> None:
    _visible_only(value)
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(_("A name can be at most 100 characters long."), code="name_length")
    if not LATIN_NAME.match(value):
        raise ValidationError(_("Write the English name in Latin letters only."), code="name_script")


def validate_name_hi(value: str) -> None:
    _visible_only(value)
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(_("A name can be at most 100 characters long."), code="name_length")
    for ch in value:
        if ch in " .-'" or "\u0900" <= ch <= "\u097f":
            continue
        if unicodedata.category(ch).startswith("M") or ch in "\u200c\u200d":
            continue
        raise ValidationError(_("Write the Hindi name in Devanagari letters only."), code="name_script")


def _not_in_future(value: date) -> None:
    if value > today():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


def _not_before_1900(value: date) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(_("The date cannot be before 1900."), code="implausible_date")


def validate_past_date(value: date) -> None:
    """A date something happened on: not in the future, and not before 1900."""
    _not_in_future(value)
    _not_before_1900(value)


def validate_plausible_date(value: date) -> None:
    """A date that may lie ahead (a rule taking effect): from 1900 to a year or so from today."""
    latest = today() + timedelta(days=FUTURE_HORIZON_DAYS)
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            _("Enter a date from 1900 to %(latest)s."),
            params={"latest": f"{latest:%d-%m-%Y}"},
            code="implausible_date",
        )


def validate_upcoming_date(value: date) -> None:
    """A date something is to happen on (an appointment): from today to a year or so ahead."""
    latest = today() + timedelta(days=FUTURE_HORIZON_DAYS)
    if value < today():
        raise ValidationError(_("The date cannot be in the past."), code="past_date")
    if value > latest:
        raise ValidationError(
            _("The date cannot be after %(latest)s."),
            params={"latest": f"{latest:%d-%m-%Y}"},
            code="implausible_date",
        )


def validate_date_of_birth(value: date) -> None:
    _not_in_future(value)
    if value.year < today().year - OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(_("The date of birth is more than 120 years ago."), code="implausible_date")
    _not_before_1900(value)


def validate_disability_percent(value: int) -> None:
    if not 0 <= value <= 100:
        raise ValidationError(_("Disability must be between 0 and 100 percent."), code="disability_range")


# How lists write gender: codes, English words, Hindi words.
_GENDER_WORDS = {
    "F": ("f", "female", "woman", "महिला", "स्त्री"),
    "M": ("m", "male", "man", "पुरुष"),
    "T": ("t", "transgender", "ट्रांसजेंडर", "तृतीय लिंग", "किन्नर"),
}
GENDER_BY_WORD = {word: code for code, words in _GENDER_WORDS.items() for word in words}


def gender_code(value: str) -> str:
    """F, M or T from a code or a word in English or Hindi, in any case; ValueError (translated) if none."""
    code = GENDER_BY_WORD.get(" ".join(value.split()).casefold())
    if code is None:
        message = _("gender must be M, F or T (or male, female, transgender), not %(value)s")
        raise ValueError(message % {"value": value[:20]})
    return code
