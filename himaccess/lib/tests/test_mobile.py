"""The one rule for a mobile number, and the one way to read one as people type it."""

from __future__ import annotations

import pytest

from himaccess.lib.mobile import is_mobile, normalise_mobile, read_mobile


@pytest.mark.parametrize("value", ["9816000001", "6000000000", "7999999999", "8123456789"])
def test_ten_digits_from_six_to_nine_are_a_mobile(value: str) -> None:
    assert is_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "5816000001",  # 5 starts no mobile series
        "0816000001",
        "981600000",  # nine digits
        "98160000011",  # eleven
        "9816000001\n",  # a trailing newline is no part of a number
        " 9816000001",
        "98160 00001",  # separators are the reader's job, not the rule's
        "९८१६०००००१",  # Devanagari digits: stored numbers are ASCII
        "9८१६०००००१",
        "",
        "98160000O1",
    ],
)
def test_anything_else_is_not(value: str) -> None:
    assert not is_mobile(value)


@pytest.mark.parametrize(
    "typed",
    ["+91 98160 00001", "+91-98160-00001", "919816000001", "098160-00001", "(98160) 00001", "9816000001"],
)
def test_the_ways_people_write_one_number_read_as_one(typed: str) -> None:
    assert read_mobile(typed) == "9816000001"


@pytest.mark.parametrize(
    "typed", ["", "  ", "+91", "12345", "0091 98160 00001", "+91 098160 00001", "98160x00001"]
)
def test_what_holds_no_number_reads_as_none(typed: str) -> None:
    assert read_mobile(typed) is None


def test_normalising_keeps_what_is_not_a_number_for_the_rule_to_refuse() -> None:
    assert normalise_mobile(" 12-34 ") == "1234"
    assert normalise_mobile("") == ""
