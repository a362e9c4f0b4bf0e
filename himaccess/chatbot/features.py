"""What the classifier and the catalogue search see of a message: words in one spelling, and their pieces.

``words(text)`` brings Hindi in Devanagari, Hindi in Latin letters and
English to one form:

1. the text is cleaned (``lib.text.clean``) and its digits made ASCII;
2. register numbers (a letter and eleven digits) become ``refno``, any other
   number ``num``, so that "A1234..." and "my application" look alike;
3. Devanagari is romanised (``lib.transliteration.to_latin``), so "पेंशन"
   reads "penshan";
4. each word becomes its phonetic key (``lib.phonetics.latin_key``), which
   folds the spellings people use ("chahiye"/"chahie"/"चाहिए" → ``cahi``,
   "pension"/"penshan" stay close).

``vector(words)`` turns those words into hashed features: each word, each
pair of neighbouring words, and the character 2- to 4-grams of each word
padded with its boundaries. Counts are damped (1 + log) and the vector is
scaled to unit length, so long and short messages weigh alike.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from functools import lru_cache

from himaccess.chatbot.redaction import ascii_digits
from himaccess.lib import phonetics, text, transliteration

DIMENSIONS = 1 << 18
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_REFERENCE = re.compile(r"\b[A-Za-z] ?\d{4} ?\d{4} ?\d{3}\b")
_NUMBER = re.compile(r"\d+")
_SPLIT = re.compile(r"[^A-Za-z\u00c0-\u024f]+")


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    return phonetics.latin_key(word)


def latin(message: str) -> str:
    """The message cleaned, numbers folded to placeholders, Devanagari romanised."""
    cleaned = ascii_digits(text.clean(message))
    cleaned = _REFERENCE.sub(" refno ", cleaned)
    cleaned = _NUMBER.sub(" num ", cleaned)
    if _DEVANAGARI.search(cleaned):
        cleaned = transliteration.to_latin(cleaned, use_lexicon=False)
    return cleaned


def words(message: str) -> list[str]:
    """The phonetic keys of the message's words, in order (see the module docstring)."""
    keys = (_key(word) for word in _SPLIT.split(latin(message)))
    return [key for key in keys if key]


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) % DIMENSIONS


def grams(keys: list[str]) -> list[str]:
    found: list[str] = []
    for key in keys:
        found.append("w:" + key)
        padded = f"<{key}>"
        for size in (2, 3, 4):
            found.extend("c:" + padded[i : i + size] for i in range(len(padded) - size + 1))
    found.extend(f"b:{first}_{second}" for first, second in itertools.pairwise(keys))
    return found


def vector(keys: list[str]) -> dict[int, float]:
    """Hashed, damped, unit-length feature weights of a message's words."""
    counts: dict[int, float] = {}
    for feature in grams(keys):
        bucket = _bucket(feature)
        counts[bucket] = counts.get(bucket, 0.0) + 1.0
    weights = {bucket: 1.0 + math.log(count) for bucket, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {bucket: w / norm for bucket, w in weights.items()}
