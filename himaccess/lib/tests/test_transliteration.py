"""Names romanised the way people write them, and spelled back in Devanagari."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from himaccess.lib.phonetics import name_key
from himaccess.lib.transliteration import LEXICON_PATH, to_devanagari, to_latin

# Common spellings of Himachali names: the Devanagari and the Latin a
# resident would write. Written for these tests; none is in the lexicon
# unless noted, so they measure the rules.
RULE_PAIRS = [
    ("धर्मेंद्र", "Dharmender"), ("सुरेंद्र", "Surender"), ("कमला", "Kamla"), ("सरला", "Sarla"),
    ("राजकुमार", "Rajkumar"), ("सुखदेव", "Sukhdev"), ("जगदीश", "Jagdish"), ("सुनील", "Sunil"),
    ("संदीप", "Sandeep"), ("कुलदीप", "Kuldeep"), ("प्रदीप", "Pradeep"), ("दीपक", "Deepak"),
    ("गीता", "Geeta"), ("सूद", "Sood"), ("अनूप", "Anoop"), ("कपूर", "Kapoor"), ("सुरेश", "Suresh"),
    ("रमेश", "Ramesh"), ("चंबा", "Chamba"), ("मंडी", "Mandi"), ("हंसराज", "Hansraj"),
    ("लक्ष्मी", "Lakshmi"), ("कृष्णा", "Krishna"), ("अमृत", "Amrit"), ("आदित्य", "Aditya"),
    ("चंद्र", "Chandra"), ("पार्थ", "Parth"), ("आनंद", "Anand"), ("ईश्वर", "Ishwar"),
    ("गुलेरिया", "Guleria"), ("पठानिया", "Pathania"), ("मनकोटिया", "Mankotia"), ("जसवाल", "Jaswal"),
    ("कटवाल", "Katwal"), ("नेगी", "Negi"), ("ठाकुर", "Thakur"), ("चौहान", "Chauhan"),
    ("कौशल", "Kaushal"), ("चंदेल", "Chandel"), ("शर्मा", "Sharma"), ("राणा", "Rana"),
    ("परमार", "Parmar"), ("कश्यप", "Kashyap"), ("अरविंद", "Arvind"),
    ("विजय", "Vijay"), ("संजय", "Sanjay"), ("ज़िंटा", "Zinta"), ("बड़ा", "Bara"), ("फ़ौजी", "Fauji"),
    ("ज्ञान", "Gyan"), ("प्रिया", "Priya"), ("रिया", "Riya"), ("भीमटा", "Bhimta"), ("हमीरपुर", "Hamirpur"),
]  # fmt: skip


def surname_pairs() -> list[tuple[str, str]]:
    path = Path(__file__).with_name("data") / "himachali_surnames.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["surname_devanagari"], row["surname_latin"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("devanagari", "latin"), RULE_PAIRS)
def test_rules_romanise_common_names_as_people_write_them(devanagari: str, latin: str) -> None:
    assert to_latin(devanagari, use_lexicon=False) == latin


@pytest.mark.parametrize(
    ("devanagari", "latin"),
    [("सिंह", "Singh"), ("वर्मा", "Verma"), ("भारद्वाज", "Bhardwaj"), ("मियां", "Mian"), ("वालिया", "Walia")],
)
def test_lexicon_gives_the_customary_spelling_where_rules_differ(devanagari: str, latin: str) -> None:
    assert to_latin(devanagari) == latin


def test_full_names_keep_spaces_and_are_title_cased() -> None:
    assert to_latin("धर्मेंद्र  सिंह ठाकुर") == "Dharmender  Singh Thakur"
    assert to_latin("के. एल. शर्मा") == "Ke. El. Sharma"
    assert to_latin("Asha देवी") == "Asha Devi"


def test_empty_and_non_devanagari_text_pass_through() -> None:
    assert to_latin("") == ""
    assert to_latin("123-") == "123-"
    assert to_devanagari("") == ""
    assert to_devanagari("12/3") == "12/3"


@pytest.mark.parametrize(
    ("latin", "devanagari"),
    [
        ("Sharma", "शर्मा"), ("Thakur", "ठाकुर"), ("Negi", "नेगी"), ("Bilaspur", "बिलासपुर"),
        ("Verma", "वर्मा"), ("Dharmender", "धर्मेंद्र"), ("Dharmendra", "धर्मेंद्र"), ("Rajesh", "राजेश"),
        ("Bharadwaj", "भारद्वाज"), ("Kamla", "कमला"), ("Rajkumar", "राजकुमार"), ("Sandeep", "संदीप"),
        ("Sukhdev", "सुखदेव"), ("Rathi", "राठी"), ("Saini", "सैनी"),
    ],
)  # fmt: skip
def test_to_devanagari_spells_common_names(latin: str, devanagari: str) -> None:
    assert to_devanagari(latin) == devanagari


def test_short_word_is_not_taken_for_a_longer_lexicon_name() -> None:
    assert to_devanagari("and") != "आनन्दा"


def test_rules_agree_with_most_surname_pairs_by_phonetic_key() -> None:
    """The rules alone (no lexicon) give the pair's key for at least 85% of the surnames."""
    pairs = surname_pairs()
    agree = sum(name_key(to_latin(deva, use_lexicon=False)) == name_key(latin) for deva, latin in pairs)
    assert len(pairs) == 31
    assert agree / len(pairs) >= 0.85


def test_round_trip_through_devanagari_keeps_the_key() -> None:
    """Latin → Devanagari → Latin keeps the phonetic key for at least 85% of the names tested."""
    names = [latin for _, latin in RULE_PAIRS] + [latin for _, latin in surname_pairs()]
    agree = sum(name_key(to_latin(to_devanagari(latin))) == name_key(latin) for latin in names)
    assert agree / len(names) >= 0.85


def test_lexicon_rows_are_well_formed() -> None:
    with LEXICON_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 400
    for row in rows:
        assert row["devanagari"] and row["source"]
        assert row["devanagari"][0] not in "ािीुूृेैोौंँ्"
