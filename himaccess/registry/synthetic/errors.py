"""The errors a real register holds, made on purpose, so duplicate detection can be measured.

A re-entered person keeps who they are (given name, father, birthday) but
picks up what clerks and forms do to a record: a typo, the other script, a
transliteration variant, the day and month swapped, only the year known, a
year off by one, the father written as an initial, no mobile number.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from himaccess.lib.transliteration import to_devanagari

DUPLICATE_KINDS = (
    "typo", "other_script", "swapped_date", "year_only", "year_off_by_one", "father_initial", "clean_copy",
)  # fmt: skip
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(word: str, rng: np.random.Generator) -> str:
    """Swap, drop, double or replace one letter (never the first), always changing the word."""
    if len(word) < 3:
        return word + word[-1]
    position = 1 + int(rng.integers(0, len(word) - 2))
    kind = int(rng.integers(0, 4))
    if kind == 0 and word[position] != word[position + 1]:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == 1:
        return word[:position] + word[position + 1 :]
    if kind == 2:
        return word[:position] + word[position] + word[position:]
    letter = _LETTERS[int(rng.integers(0, 26))]
    if letter == word[position].lower():
        letter = "x" if letter != "x" else "q"
    return word[:position] + letter + word[position + 1 :]


def swapped(born: date) -> date | None:
    """The date with day and month swapped, when that is another possible date."""
    if born.day > 12 or born.day == born.month:
        return None
    try:
        return born.replace(month=born.day, day=born.month)
    except ValueError:
        return None


def year_off_by_one(born: date, rng: np.random.Generator) -> date:
    step = 1 if rng.random() < 0.5 else -1
    try:
        return born.replace(year=born.year + step)
    except ValueError:  # 29 February
        return born.replace(year=born.year + step, day=28)


def initial(name: str) -> str:
    words = name.split()
    if not words:
        return name
    return " ".join([f"{words[0][0]}.", *words[1:]])


def other_script(name_en: str, name_hi: str) -> tuple[str, str]:
    """The record written in one script only (the other one as the clerk spelt it, if at all)."""
    if name_hi:
        return "", name_hi
    return "", to_devanagari(name_en)
