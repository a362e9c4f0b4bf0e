"""Phonetic name keys: one key for the spellings of a name, in either script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaccess.lib.phonetics import KEY_LENGTH, latin_key, name_key, name_keys
from himaccess.lib.tests.test_transliteration import RULE_PAIRS, surname_pairs

VARIANTS = [
    ("Dharmender", "Dharmendra", "धर्मेंद्र"),
    ("Verma", "Varma", "वर्मा"),
    ("Singh", "Sing", "सिंह"),
    ("Bhardwaj", "Bharadwaj", "भारद्वाज"),
    ("Deepak", "Dipak", "दीपक"),
    ("Sood", "Sud", "सूद"),
    ("Sharma", "Sarma", "शर्मा"),
    ("Chauhan", "Chouhan", "चौहान"),
    ("Guleria", "Guleriya", "गुलेरिया"),
    ("Kamla", "Kamala", "कमला"),
    ("Pandey", "Pande", "पाण्डेय"),
    ("Thakur", "Takur", "ठाकुर"),
    ("Zinta", "Jinta", "ज़िंटा"),
    ("Jaswal", "Jasval", "जसवाल"),
    ("Chander", "Chandra", "चंद्र"),
    ("Mittal", "Mital", "मित्तल"),
    ("Phool", "Fool", "फूल"),
]


@pytest.mark.parametrize("spellings", VARIANTS)
def test_spelling_variants_and_both_scripts_share_a_key(spellings: tuple[str, ...]) -> None:
    keys = {name_key(spelling) for spelling in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(name_key, spellings), strict=True))


@pytest.mark.parametrize(
    ("a", "b"), [("Ram", "Rim"), ("Anand", "And"), ("Surender", "Sunder"), ("Negi", "Nagi")]
)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_known_pairs_are_script_independent() -> None:
    pairs = RULE_PAIRS + surname_pairs()
    agree = sum(name_key(deva) == name_key(latin) for deva, latin in pairs)
    assert agree == len(pairs)


def test_name_keys_take_first_and_last_word() -> None:
    assert name_keys("Dharmender Singh Thakur", "") == ("darmendr", "takur")
    assert name_keys("", "धर्मेंद्र सिंह ठाकुर") == ("darmendr", "takur")
    assert name_keys("K. L. Sharma", "") == ("k", "sarm")


def test_one_word_name_has_an_empty_surname_key() -> None:
    assert name_keys("Asha", "आशा") == ("as", "")


def test_latin_name_wins_over_devanagari() -> None:
    assert name_keys("Ravi Kumar", "आशा देवी") == ("ravi", "kumar")


def test_name_without_letters_has_empty_keys() -> None:
    assert name_keys("", "") == ("", "")
    assert name_keys("123 -", "।") == ("", "")


names = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -.'कखगघचजटठडतदधनपफबभमयरलवशसहािीुूेैोौंँ्ऋृ़"
    ),
    max_size=80,
)


@given(names)
def test_keys_are_short_ascii_and_deterministic(name: str) -> None:
    key = name_key(name)
    assert len(key) <= KEY_LENGTH
    assert key == "" or (key.isascii() and key.isalpha() and key.islower())
    assert name_key(name) == key


@given(names)
def test_keys_are_idempotent(name: str) -> None:
    key = name_key(name)
    assert latin_key(key) == key


@given(names, names)
def test_name_keys_never_exceed_the_column(name_en: str, name_hi: str) -> None:
    given_key, surname_key = name_keys(name_en, name_hi)
    assert len(given_key) <= KEY_LENGTH and len(surname_key) <= KEY_LENGTH
