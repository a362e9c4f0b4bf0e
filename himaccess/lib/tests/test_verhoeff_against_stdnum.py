"""Our Verhoeff check digit (register IDs, Aadhaar numbers) agrees with python-stdnum's, an independent one.

stdnum is a test dependency only: the product keeps its own few lines (the
numpy seed reuses its tables), and these tests hold them to stdnum's answers
on its documented examples and on many generated numbers.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import verhoeff
from stdnum.in_ import aadhaar

from himaccess.lib import identifiers
from himaccess.registry.synthetic import idblocks


def stdnum_is_valid(digits: str) -> bool:
    return verhoeff.is_valid(digits)


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("1234", 0),  # stdnum.verhoeff's docstring: calc_check_digit('1234') == '0'
        ("236", 3),  # the worked example of Verhoeff's algorithm on Wikipedia
        ("23412341234", 6),  # stdnum.in_.aadhaar's docstring: 234123412346 is valid
    ],
)
def test_documented_check_digits(body: str, check: int) -> None:
    assert identifiers.verhoeff_check_digit(body) == check == int(verhoeff.calc_check_digit(body))
    assert identifiers.verhoeff_is_valid(body + str(check))


@pytest.mark.parametrize(
    "number",
    [
        "1234",  # stdnum: checksum('1234') == 1, so not valid
        "234123412347",  # stdnum.in_.aadhaar: invalid checksum
        "2363" + "0",
        "",
        "12a4",
    ],
)
def test_documented_invalid_numbers(number: str) -> None:
    assert not identifiers.verhoeff_is_valid(number)
    assert not (number.isdigit() and stdnum_is_valid(number))


def test_aadhaar_documented_examples() -> None:
    assert identifiers.verhoeff_is_valid("234123412346")
    assert aadhaar.is_valid("234123412346")
    assert not identifiers.verhoeff_is_valid("234123412347")
    assert not aadhaar.is_valid("234123412347")


def test_many_generated_numbers_agree() -> None:
    """20,000 numbers of 1 to 20 digits (fixed seed): the same check digit, and the same verdict on
    every one of the ten numbers the body can be completed to."""
    rng = random.Random(1183)
    for _ in range(20_000):
        body = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
        check = identifiers.verhoeff_check_digit(body)
        assert str(check) == verhoeff.calc_check_digit(body), body
        for digit in "0123456789":
            number = body + digit
            assert identifiers.verhoeff_is_valid(number) == stdnum_is_valid(number), number


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_any_number_gets_the_verdict_stdnum_gives(number: str) -> None:
    assert identifiers.verhoeff_is_valid(number) == stdnum_is_valid(number)


def test_register_ids_and_the_seed_blocks_carry_stdnums_check_digit() -> None:
    ids = idblocks.make_ids("M", 10**9, 500, "stdnum-key")
    assert ids == [identifiers.make_id("M", 10**9 + i, "stdnum-key") for i in range(500)]
    for member_id in ids:
        body = member_id[1:-1]
        assert member_id[-1] == verhoeff.calc_check_digit(body)
        assert stdnum_is_valid(member_id[1:])
