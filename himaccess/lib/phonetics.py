"""Phonetic keys of names: one key for the spellings of one name, in either script.

A key is lower-case ASCII letters only, at most 32 characters, so that it
sorts the same under any database collation and a prefix of it can be
searched as a plain range on a btree index (``registry.search``).

Devanagari is romanised first (``lib.transliteration``); the Latin spelling
is then folded where spellings of Indian names vary:

- long vowels written double or single (Deepak/Dipak, Sood/Sud, Raam/Ram);
- consonants spelt two ways: w/v, ph/f, z/j, q/k, x/ks, ck/k, sh/s (Sharma/Sarma);
  a lone ``c`` stays (in a key it stands for च, the ``ch`` whose ``h`` was dropped);
- the aspirate ``h`` after a consonant, which English spellings drop or add
  (Thakur/Takur, Bhardwaj/Bardwaj, Singh/Sing) and which the Devanagari
  spelling of a Latin-entered name guesses (ट or ठ);
- schwa written or not (Bharadwaj/Bhardwaj, Kamala/Kamla): an ``a`` between
  a vowel-consonant and consonants-vowel is dropped, right to left;
- endings: -ender/-endra/-ndar, a final ``a``, -ey/-e, -iya/-ia;
- "er" before a consonant is "ar" (Verma/Varma);
- an ``m`` before b/p is the anusvara ``n`` (Chamba/Chanba), and doubled
  letters are single (Mittal/Mital).

It does not fold vowel qualities beyond those (Surender/Surinder keep apart):
search treats near keys as fallbacks and re-ranks by the spelling itself.
"""

from __future__ import annotations

import re

from himaccess.lib.latin_keys import KEY_LENGTH, latin_key
from himaccess.lib.transliteration import to_latin

# Callers key words and bound key lengths through this module.
__all__ = ["KEY_LENGTH", "latin_key", "name_key", "name_keys", "tokens"]

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def name_key(token: str) -> str:
    """Key of one word of a name, in either script; empty for a word with no letters."""
    if _DEVANAGARI.search(token):
        token = to_latin(token)
    return latin_key(token)


def tokens(name: str) -> list[str]:
    """The words of a name that carry a key (initials and punctuation dropped)."""
    if _DEVANAGARI.search(name):
        name = to_latin(name)
    return [word for word in re.split(r"[^A-Za-z\u00c0-\u024f]+", name) if latin_key(word)]


def name_keys(name_en: str, name_hi: str = "") -> tuple[str, str]:
    """(given_key, surname_key) of a full name: its first and last word.

    The Latin name is used when present, the Devanagari one otherwise; a
    one-word name has an empty surname key.
    """
    words = tokens(name_en) or tokens(name_hi)
    if not words:
        return "", ""
    given = latin_key(words[0])
    surname = latin_key(words[-1]) if len(words) > 1 else ""
    return given, surname
