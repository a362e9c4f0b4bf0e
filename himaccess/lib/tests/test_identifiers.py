"""Register IDs: check digit, non-sequential, distinct per kind."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from himaccess.lib import identifiers

KEY = "test-key"


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_every_id_carries_a_valid_check_digit(counter: int) -> None:
    family_id = identifiers.make_id("F", counter, KEY)
    assert identifiers.is_valid(family_id, "F")
    assert not identifiers.is_valid(family_id, "M")


COUNTERS = st.integers(min_value=0, max_value=10**10 - 1)


@given(COUNTERS, st.integers(min_value=1, max_value=11), st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught(counter: int, position: int, delta: int) -> None:
    family_id = identifiers.make_id("F", counter, KEY)
    digits = list(family_id)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not identifiers.is_valid("".join(digits), "F")


@given(st.integers(min_value=0, max_value=10**10 - 1), st.integers(min_value=1, max_value=10))
def test_swapping_neighbouring_digits_is_caught(counter: int, position: int) -> None:
    family_id = identifiers.make_id("F", counter, KEY)
    digits = list(family_id)
    if digits[position] == digits[position + 1]:
        return
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    assert not identifiers.is_valid("".join(digits), "F")


def test_consecutive_counters_give_unrelated_ids() -> None:
    bodies = [int(identifiers.make_id("F", n, KEY)[1:11]) for n in range(1000)]
    assert len(set(bodies)) == 1000
    steps = [abs(b - a) for a, b in itertools.pairwise(bodies)]
    assert sum(1 for s in steps if s < 1000) < 5


def test_family_and_member_of_the_same_counter_differ() -> None:
    assert identifiers.make_id("F", 7, KEY)[1:] != identifiers.make_id("M", 7, KEY)[1:]


def test_typed_forms_are_normalised() -> None:
    family_id = identifiers.make_id("F", 42, KEY)
    spoken = identifiers.display(family_id).lower().replace(" ", "-")
    assert identifiers.is_valid(spoken, "F")
    assert identifiers.normalise(spoken) == family_id


def test_ids_are_never_aadhaar_shaped() -> None:
    for n in range(200):
        digits = identifiers.make_id("M", n, KEY)[1:]
        assert len(digits) == 11
