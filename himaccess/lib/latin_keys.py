"""Phonetic keys of Latin-script words: one key for the spellings of one word.

The folding rules are described in ``lib.phonetics``, which keys names in
either script; this module needs no romanisation, so ``lib.transliteration``
can key words with it too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

KEY_LENGTH = 32

_NOT_LETTER = re.compile(r"[^a-z]+")
_VOWELS = frozenset("aeiou")
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ksh", "ks"),
        (r"x", "ks"),
        (r"q", "k"),
        (r"ph", "f"),
        (r"z", "j"),
        (r"w", "v"),
        (r"ck", "k"),
        (r"(aa|ah(?=[^aeiou]|$))", "a"),
        (r"(ee|ii|ie(?=[^aeiouy]|$))", "i"),
        (r"(oo|uu)", "u"),
        (r"(au|ou|aw|ow)(?=[^aeiou]|$)", "o"),
        (r"ey$", "e"),
        (r"ay$", "ai"),
        (r"iy(?=[aeiou])", "i"),
        (r"nd(e|a)r$", "ndr"),
        (r"ndra$", "ndr"),
        (r"e(?=r[^aeiouy])", "a"),
        (r"m(?=[bp])", "n"),
        (r"(?<=[^aeiou])h", ""),
        (r"(?<=[aeiou])h$", ""),
    )
)


def _drop_schwas(word: str) -> str:
    """Drop an ``a`` in V C _ C+ V, right to left, never the first vowel."""
    chars = list(word)
    vowel_positions = [i for i, c in enumerate(chars) if c in _VOWELS]
    if len(vowel_positions) < 3:
        return word
    first = vowel_positions[0]
    deleted: set[int] = set()
    for i in range(len(chars) - 2, first, -1):
        if chars[i] != "a" or i < 2:
            continue
        if chars[i - 1] in _VOWELS or chars[i - 2] not in _VOWELS or (i - 2) in deleted:
            continue
        j = i + 1
        while j < len(chars) and chars[j] not in _VOWELS:
            j += 1
        cluster = chars[i + 1 : j]
        if not cluster or j >= len(chars) or j in deleted:
            continue
        # One consonant (Kamala/Kamla) or a consonant and a glide (Bharadwaj/
        # Bhardwaj); not "nd" (Ananda stays apart from "and").
        if len(cluster) == 1 or (len(cluster) == 2 and cluster[1] in "vyr"):
            deleted.add(i)
    return "".join(c for i, c in enumerate(chars) if i not in deleted)


@lru_cache(maxsize=262144)
def latin_key(word: str) -> str:
    """Key of one Latin-script word (see the module docstring)."""
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    # Folding until nothing changes makes a key its own key, so that a stored
    # key typed back as a query finds itself; cutting a long key can leave a
    # foldable ending (a final "a"), so a cut key is folded again.
    key = _folded_fully(_NOT_LETTER.sub("", ascii_word.lower()))
    while len(key) > KEY_LENGTH:
        key = _folded_fully(key[:KEY_LENGTH])
    return key


def _folded_fully(key: str) -> str:
    for _ in range(8):
        folded = _fold(key)
        if folded == key:
            break
        key = folded
    return key


def _fold(key: str) -> str:
    for pattern, replacement in _REWRITES:
        key = pattern.sub(replacement, key)
    key = key.replace("sh", "s")
    key = _drop_schwas(key)
    key = re.sub(r"(.)\1+", r"\1", key)
    if len(key) > 2 and key.endswith("a"):
        key = key[:-1]
    return key
