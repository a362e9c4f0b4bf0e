"""Matching Aadhaar's demographics to the register: scripts, spellings, year-only births, gender."""

from __future__ import annotations

from datetime import date

import pytest

from himaccess.conftest import Personas
from himaccess.kyc.matching import match
from himaccess.kyc.providers import ProviderError, demographics

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Asha Devi", "आशा देवी", "Aasha Devi", "ASHA DEVI", "Devi Asha"])
def test_the_same_name_in_either_script_or_spelling_matches(personas: Personas, name: str) -> None:
    result = match(demographics(name, "12-04-1978", "F"), personas.member(personas.asha))
    assert result.outcome == "verified" and result.score >= 90


def test_a_year_of_birth_only_matches_on_the_year(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    assert match(demographics("Asha Devi", "1978", "F"), asha).outcome == "verified"
    wrong = match(demographics("Asha Devi", "1979", "F"), asha)
    assert (wrong.outcome, wrong.field) == ("mismatch", "date_of_birth")


def test_gender_alone_differing_is_a_mismatch_naming_it(personas: Personas) -> None:
    result = match(demographics("Asha Devi", "12-04-1978", "M"), personas.member(personas.asha))
    assert (result.outcome, result.field) == ("mismatch", "gender") and result.score == 85


def test_another_persons_details_fail(personas: Personas) -> None:
    result = match(demographics("Karan Thakur", "20-01-1985", "M"), personas.member(personas.asha))
    assert result.outcome == "failed" and set(result.differing) == {"name", "date_of_birth", "gender"}


@pytest.mark.parametrize(
    ("name", "dob", "gender"),
    [
        ("", "12-04-1978", "F"),
        ("Asha", "31-02-1978", "F"),
        ("Asha", "12-04-3000", "F"),
        ("Asha", "yesterday", "F"),
        ("Asha", "1978", "X"),
    ],
)
def test_unreadable_demographics_are_refused(name: str, dob: str, gender: str) -> None:
    with pytest.raises(ProviderError):
        demographics(name, dob, gender)


def test_a_full_date_is_read_as_uidai_writes_it() -> None:
    assert demographics("Ravi", "03-09-2001", "M").date_of_birth == date(2001, 9, 3)
