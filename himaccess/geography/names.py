"""Districts as people write them in lists: an LGD code, or the name in English or Hindi, in any case.

Department spreadsheets say "MANDI", "Mandi", "मंडी" or "मण्डी", "Lahaul & Spiti" or
"लाहौल-स्पीति"; all of them mean LGD district 22 or 21. Names are compared after
folding case, punctuation, "and"/"और", and the two ways Devanagari writes a nasal
before a consonant (मण्डी / मंडी).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from django.utils.translation import gettext as _

from himaccess.geography.models import District

# Spellings in common use that the LGD directory does not carry.
ALIASES = {"lahaul": "lahul", "sirmour": "sirmaur", "kulu": "kullu", "chambaa": "chamba"}
_NASAL_CONJUNCT = re.compile("[ङञणनम]\u094d(?=[\u0915-\u0939])")


def fold(name: str) -> str:
    """A district name reduced to what tells districts apart."""
    text = unicodedata.normalize("NFC", name).casefold()
    text = _NASAL_CONJUNCT.sub("\u0902", text)
    words = re.findall(r"[\w\u0900-\u097f]+", text)
    words = [ALIASES.get(w, w) for w in words if w not in ("and", "और", "district", "जिला", "ज़िला")]
    return "".join(words)


@cache
def _by_name() -> dict[str, int]:
    names: dict[str, int] = {}
    for code, name_en, name_hi in District.objects.values_list("lgd_code", "name_en", "name_hi"):
        names[fold(name_en)] = code
        names[fold(name_hi)] = code
    return names


def district_code(value: str) -> int:
    """The LGD code of a Himachal district written as a code or a name; ValueError (translated) if none."""
    raw = value.strip()
    names = _by_name()
    if raw.isascii() and raw.isdigit():
        if int(raw) in names.values():
            return int(raw)
    elif (code := names.get(fold(raw))) is not None:
        return code
    raise ValueError(
        _("district must be a Himachal district's LGD code or name, not %(value)s") % {"value": raw[:30]}
    )
