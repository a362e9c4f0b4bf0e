"""What text may be sent, the shape it is kept in, and how deep JSON is measured without parsing it."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from himaccess.lib import input_guard, text

INVISIBLE = (
    "\u00ad\u180e\u200b\u2060\u2061\ufeff"  # soft hyphen, zero-width and invisible characters
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidirectional
)
DEVANAGARI = st.characters(min_codepoint=0x0900, max_codepoint=0x097F)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]))


@given(ANY_TEXT)
def test_cleaning_twice_changes_nothing(value: str) -> None:
    assert text.clean(text.clean(value)) == text.clean(value)


@given(ANY_TEXT)
def test_cleaned_text_is_nfc_without_invisible_characters(value: str) -> None:
    cleaned = text.clean(value)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not set(cleaned) & set(INVISIBLE)


@given(ANY_TEXT)
def test_a_joiner_survives_only_between_devanagari(value: str) -> None:
    cleaned = text.clean(value)
    for at, character in enumerate(cleaned):
        if character in text.JOINERS:
            assert 0 < at < len(cleaned) - 1
            assert text.is_devanagari(cleaned[at - 1]) and text.is_devanagari(cleaned[at + 1])


@given(DEVANAGARI, DEVANAGARI, st.sampled_from(text.JOINERS))
def test_a_joiner_between_devanagari_letters_is_kept(before: str, after: str, joiner: str) -> None:
    assert text.clean(f"{before}{joiner}{after}") == unicodedata.normalize("NFC", f"{before}{joiner}{after}")


def test_control_characters_are_c0_but_tab_lf_cr_del_and_c1() -> None:
    controls = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in "\t\n\r"]
    assert all(text.has_control_character(f"a{c}b") for c in controls)
    assert not text.has_control_character("line one\r\n\tline two\u200b नमस्ते")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\k'), inner, max_size=3)
    ),
    max_leaves=20,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0


@given(JSON_VALUES, st.integers(min_value=0, max_value=8))
def test_depth_is_measured_as_the_parser_would_nest(value: object, limit: int) -> None:
    body = json.dumps(value).encode()
    assert input_guard.json_deeper_than(body, limit) == (depth(value) > limit)


def test_a_hundred_thousand_brackets_are_measured_without_recursion() -> None:
    assert input_guard.json_deeper_than(b"[" * 100_000, 32)
    assert input_guard.body_problem(b"[" * 100_000, max_depth=32) is input_guard.Problem.TOO_DEEP


def test_escaped_controls_in_json_keys_and_values_are_found() -> None:
    assert (
        input_guard.body_problem(b'{"a": ["\\u0000"]}', max_depth=32) is input_guard.Problem.CONTROL_CHARACTER
    )
    assert input_guard.body_problem(b'{"\\u0085": 1}', max_depth=32) is input_guard.Problem.CONTROL_CHARACTER
    assert input_guard.body_problem(b'{"a": "line\\nnext\\ttab"}', max_depth=32) is None
    assert input_guard.body_problem(b"not json at all", max_depth=32) is None
