"""Anything not an Aadhaar number is refused, with the reason in the reader's language; nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from himaccess.audit.models import AuditEntry
from himaccess.vault import actions
from himaccess.vault.models import VaultEntry
from himaccess.vault.tests.numbers import ASHA

WRONG_CHECKSUM = ASHA[:-1] + str((int(ASHA[-1]) + 1) % 10)

BAD = [
    (WRONG_CHECKSUM, "checksum"),
    (ASHA[:5] + "A" + ASHA[6:], "digits"),
    ("abcd efgh ijkl", "digits"),
    (ASHA[:11], "length"),
    (ASHA + "7", "length"),
    ("0" + ASHA[1:], "leading"),
    ("1" + ASHA[1:], "leading"),
    (ASHA[:6] + "\x00" + ASHA[6:], "digits"),
    (ASHA[:6] + "\n" + ASHA[6:], "digits"),
    (ASHA + "\n", "digits"),
    ("\t" + ASHA, "digits"),
    (ASHA[:6] + "\u200b" + ASHA[6:], "digits"),
    ("١٢٣٤٥٦٧٨٩٠١٢", "digits"),  # Arabic-Indic digits are not Aadhaar digits
    ("", "length"),
    ("   ", "length"),
    ("9" * 10_000, "length"),
    (123456789012, "digits"),
    (None, "digits"),
]


@pytest.mark.parametrize(("raw", "code"), BAD)
def test_bad_input_is_refused_and_nothing_stored(db: Any, raw: Any, code: str) -> None:
    with pytest.raises(actions.InvalidAadhaar) as caught:
        actions.store(raw, actor=None, purpose="registration")
    assert caught.value.code == code
    assert not VaultEntry.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("raw", "code"), BAD[:4])
def test_reference_for_refuses_the_same(raw: str, code: str) -> None:
    with pytest.raises(actions.InvalidAadhaar):
        actions.reference_for(raw)


def test_message_is_in_the_readers_language_and_never_repeats_the_number() -> None:
    with pytest.raises(actions.InvalidAadhaar) as caught:
        actions.normalise(WRONG_CHECKSUM)
    with translation.override("en"):
        english = str(caught.value.message)
    with translation.override("hi"):
        hindi = str(caught.value.message)
    assert "not a valid Aadhaar number" in english
    assert "मान्य आधार संख्या नहीं" in hindi
    assert WRONG_CHECKSUM not in str(caught.value) + repr(caught.value) + english + hindi


@pytest.mark.parametrize(
    "typed",
    [ASHA, f"{ASHA[:4]} {ASHA[4:8]} {ASHA[8:]}", f"{ASHA[:4]}-{ASHA[4:8]}-{ASHA[8:]}", f"  {ASHA}  "],
)
def test_grouped_numbers_are_accepted(typed: str) -> None:
    assert actions.normalise(typed) == ASHA


def test_devanagari_digits_are_read_as_digits() -> None:
    devanagari = ASHA.translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    assert actions.normalise(devanagari) == ASHA
