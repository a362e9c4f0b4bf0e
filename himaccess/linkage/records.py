"""A person as record linkage sees them: names folded to one script-free form, dates in parts.

Every source (the register, a CSV list, a form being filed, the synthetic
generator) is turned into the same flat record before it is compared, so the
batch run, the one-person check and the list check score with one model.

- Names: the phonetic key of the given name and of the surname
  (``lib.phonetics``), the same for Devanagari and Latin spellings; the
  father's and the spouse's given-name keys the same way (an initial is a
  one-letter key). The given name is also kept as spelt (lower-case Latin,
  Devanagari romanised): the key folds away letters a typo moves (Vidhi
  typed "Vdihi" has key "vdihi", Vidhi's is "vidi"), the spelling is one
  edit away.
- Relatives: where the register links the father or the spouse, their member
  ID as well. Two records with the father's name alike may be of two fathers;
  two records linked to one father's record are one person or siblings.
- Dates of birth: year, month and day kept apart so the model can see a
  swapped day and month, a year-only date (a lone year, or the 1 January
  registers put in when only the year was known) and a year off by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from himaccess.lib import phonetics
from himaccess.lib.transliteration import to_latin

# The column order of a linkage record; tables and Parquet files use it.
COLUMNS = (
    "unique_id", "given_key", "surname_key", "given_initial", "given_spelling", "father_key", "spouse_key",
    "father_ref", "spouse_ref", "dob", "dob_year", "dob_month", "dob_day", "year_only", "gender", "district",
    "village", "mobile",
)  # fmt: skip

_DIGITS = re.compile(r"\D+")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


@dataclass(frozen=True)
class LinkageRecord:
    unique_id: str
    given_key: str | None
    surname_key: str | None
    given_initial: str | None
    given_spelling: str | None
    father_key: str | None
    spouse_key: str | None
    father_ref: str | None
    spouse_ref: str | None
    dob: str | None
    dob_year: int | None
    dob_month: int | None
    dob_day: int | None
    year_only: bool
    gender: str | None
    district: int | None
    village: str | None
    mobile: str | None

    def as_row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, column) for column in COLUMNS)


@lru_cache(maxsize=200_000)  # names repeat: a whole state has a few hundred thousand spellings
def given_and_surname(name: str) -> tuple[str, str]:
    """Keys of a full name in either script (first word, last word)."""
    if _DEVANAGARI.search(name):
        return phonetics.name_keys("", name)
    return phonetics.name_keys(name)


@lru_cache(maxsize=200_000)
def given_spelling(name: str) -> str | None:
    """The first word of a name as spelt, lower-case Latin letters (Devanagari romanised)."""
    if _DEVANAGARI.search(name):
        name = to_latin(name)
    words = [w for w in re.split(r"[^A-Za-z]+", name.lower()) if w]
    return words[0] if words else None


@lru_cache(maxsize=200_000)
def relative_key(name: str) -> str | None:
    """Key of a relative's given name; "R. K. Sharma" gives "r" (an initial)."""
    if not name.strip():
        return None
    if _DEVANAGARI.search(name):
        name = to_latin(name)
    words = [w for w in re.split(r"[^A-Za-z\u00c0-\u024f]+", name) if w]
    if not words:
        return None
    first = words[0]
    return phonetics.latin_key(first) or first[0].lower()


def _mobile(value: str) -> str | None:
    digits = _DIGITS.sub("", value or "")
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    return digits if len(digits) == 10 else None


def make_record(
    unique_id: str,
    *,
    name: str,
    father_name: str = "",
    spouse_name: str = "",
    father_ref: str | None = None,
    spouse_ref: str | None = None,
    gender: str = "",
    born: date | None = None,
    born_year: int | None = None,
    district: int | None = None,
    village: str | None = None,
    mobile: str = "",
) -> LinkageRecord:
    """A linkage record; ``born_year`` alone (no ``born``) is a year-only date.

    ``father_ref`` and ``spouse_ref`` are the register's member IDs of the
    relatives it links; a list of people has none.
    """
    given, surname = given_and_surname(name)
    year_only = born is None and born_year is not None
    if born is not None and born.month == 1 and born.day == 1:
        # Registers fill 1 January when only the year was known: compare it as a year.
        year_only = True
    year = born.year if born is not None else born_year
    return LinkageRecord(
        unique_id=unique_id,
        given_key=given or None,
        surname_key=surname or None,
        given_initial=given[:1] or None,
        given_spelling=given_spelling(name) if given else None,
        father_key=relative_key(father_name),
        spouse_key=relative_key(spouse_name),
        father_ref=father_ref or None,
        spouse_ref=spouse_ref or None,
        dob=born.isoformat() if born is not None and not year_only else None,
        dob_year=year,
        dob_month=born.month if born is not None and not year_only else None,
        dob_day=born.day if born is not None and not year_only else None,
        year_only=year_only,
        gender=gender or None,
        district=district,
        village=(village or None),
        mobile=_mobile(mobile),
    )
