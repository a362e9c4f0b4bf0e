"""Hindi replies written in Latin letters, for questions typed in romanised Hindi.

Every reply is built in Devanagari Hindi (gettext and the records' ``name_hi``);
``romanise`` rewrites it for a person who typed "income certificate ke liye
kya chahiye" (docs/decisions/1101):

1. A danda "।" becomes a full stop, Devanagari digits become 0-9.
2. Words and phrases of ``data/romanisation_lexicon.yaml`` (acronyms, English
   loanwords, programme names: ई-केवाईसी → e-KYC, आधार → Aadhaar) are replaced
   by their fixed spelling, longest first.
3. Every other run of Devanagari goes through the register's transliterator
   (``lib.transliteration.to_latin``), lower-cased: it title-cases names, a
   sentence is not a name.

Anything that is not Devanagari (links, references, figures, ₹ amounts,
English words) is left exactly as it is, so a fact kept word for word in the
Devanagari reply is still there, romanised the same way, in the Latin one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

from himaccess.lib.transliteration import to_latin

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "romanisation_lexicon.yaml"
_DANDA = re.compile(r"\s*[\u0964\u0965]")
_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# Letters, signs and joiners of Devanagari (not the dandas and digits handled above).
_LETTERS = "\u0900-\u0963\u0970-\u097f\u200c\u200d"
_RUN = re.compile(f"[{_LETTERS}]+")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    spellings = {unicodedata.normalize("NFC", str(key)): str(value) for key, value in data.items()}
    phrases = sorted(spellings, key=len, reverse=True)
    # A phrase counts only as whole words: कोड in पिनकोड is not "code".
    pattern = re.compile(
        f"(?<![{_LETTERS}])(?:" + "|".join(re.escape(p) for p in phrases) + f")(?![{_LETTERS}])"
    )
    return pattern, spellings


def romanise(text: str) -> str:
    """``text`` with its Devanagari written in Latin letters (see the module docstring)."""
    if not DEVANAGARI.search(text):
        return text
    text = unicodedata.normalize("NFC", text).translate(_DIGITS)
    text = _DANDA.sub(".", text)
    pattern, spellings = _lexicon()
    text = pattern.sub(lambda match: spellings[match.group(0)], text)
    return _RUN.sub(lambda match: to_latin(match.group(0)).lower(), text)
