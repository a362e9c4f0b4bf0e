"""Does what Aadhaar says match the register? Name across scripts, date (or year) of birth, gender.

Names are compared by their phonetic keys (``lib.phonetics``, which
transliterates Devanagari with ``lib.transliteration``), so "आशा देवी",
"Asha Devi" and "Aasha Devi" agree, whichever script each side used; the
word order and a missing middle name cost little (token-set similarity).
Aadhaar records some residents by year of birth only: then the year must
agree. The overall score weighs name 60, birth 25, gender 15.

One field that differs is a mismatch to settle (a spelling, a date); two or
more mean the Aadhaar is most likely someone else's: the check fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from himaccess.kyc.models import Field, Outcome
from himaccess.kyc.providers import Demographics
from himaccess.lib import phonetics
from himaccess.registry.models import Member

NAME_THRESHOLD = 85
WEIGHTS = {Field.NAME: 60, Field.DATE_OF_BIRTH: 25, Field.GENDER: 15}


@dataclass(frozen=True)
class Match:
    outcome: str
    score: int
    differing: tuple[str, ...]
    name_score: int

    @property
    def field(self) -> str:
        return self.differing[0] if self.differing else ""


def _keys(name: str) -> str:
    return " ".join(phonetics.latin_key(word) for word in phonetics.tokens(name))


def name_score(aadhaar_name: str, member: Member) -> int:
    """0-100: how alike the Aadhaar name and the register's name (either script) sound."""
    offered = _keys(aadhaar_name)
    if not offered:
        return 0
    best = 0.0
    for registered in (member.name_en, member.name_hi):
        keys = _keys(registered)
        if keys:
            best = max(best, fuzz.token_sort_ratio(offered, keys), 0.95 * fuzz.token_set_ratio(offered, keys))
    return round(best)


def birth_agrees(found: Demographics, member: Member) -> bool:
    if found.date_of_birth is None:
        return found.year_of_birth == member.date_of_birth.year
    return found.date_of_birth == member.date_of_birth


def match(found: Demographics, member: Member) -> Match:
    names = name_score(found.name, member)
    agrees = {
        Field.NAME: names >= NAME_THRESHOLD,
        Field.DATE_OF_BIRTH: birth_agrees(found, member),
        Field.GENDER: found.gender == member.gender,
    }
    differing = tuple(field.value for field, ok in agrees.items() if not ok)
    score = round(
        WEIGHTS[Field.NAME] * names / 100
        + sum(weight for field, weight in WEIGHTS.items() if field != Field.NAME and agrees[field])
    )
    if not differing:
        outcome = Outcome.VERIFIED
    elif len(differing) == 1:
        outcome = Outcome.MISMATCH
    else:
        outcome = Outcome.FAILED
    return Match(outcome=outcome, score=score, differing=differing, name_score=names)
