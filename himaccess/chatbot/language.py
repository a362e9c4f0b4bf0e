"""Which language and script a message is written in: Hindi, English, or Hindi in Latin letters.

1. Devanagari letters outnumbering Latin ones: Hindi (``hi``).
2. Latin letters: the words are looked up in two short lists of the words
   that give each language away (``data/language_markers.yaml``: "ke",
   "kya", "chahiye", "mera" against "the", "what", "my", "how"). More Hindi
   markers than English ones: romanised Hindi (``hi-Latn``); otherwise
   English.
3. No letters at all ("1", "9816000001", a code), or a message too short to
   tell ("ok"): ``None``, and the conversation keeps its language.

Replies follow the question: Hindi questions get Hindi; romanised Hindi gets
Hindi written in Latin letters (``chatbot.romanisation``, docs/decisions/1101);
English gets English.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

HINDI = "hi"
ENGLISH = "en"
ROMANISED_HINDI = "hi-Latn"
LANGUAGES = (HINDI, ENGLISH, ROMANISED_HINDI)

MARKERS_PATH = Path(__file__).resolve().parent / "data" / "language_markers.yaml"
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[a-z]+")


@cache
def _markers() -> tuple[frozenset[str], frozenset[str]]:
    data = yaml.safe_load(MARKERS_PATH.read_text(encoding="utf-8"))
    return frozenset(data["romanised_hindi"]), frozenset(data["english"])


def detect(text: str) -> str | None:
    """``hi``, ``en``, ``hi-Latn``, or None when the text does not tell (see the module docstring)."""
    devanagari = len(_DEVANAGARI.findall(text))
    latin = len(_LATIN.findall(text))
    if devanagari == 0 and latin == 0:
        return None
    if devanagari >= latin:
        return HINDI
    hindi_words, english_words = _markers()
    words = _WORD.findall(text.lower())
    hindi = sum(1 for word in words if word in hindi_words)
    english = sum(1 for word in words if word in english_words)
    if hindi > english:
        return ROMANISED_HINDI
    if english > 0 or len(words) >= 3:
        return ENGLISH
    return None


def reply_language(detected: str | None, previous: str) -> str:
    """The language of the translations to build the reply in: Hindi for Hindi in either script, else English.

    A reply to romanised Hindi is then written in Latin letters (``dialogue.respond``).
    """
    if detected is None:
        return previous if previous in (HINDI, ENGLISH) else HINDI
    return ENGLISH if detected == ENGLISH else HINDI
