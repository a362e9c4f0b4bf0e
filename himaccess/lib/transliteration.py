"""Names between Devanagari and Latin script, the way people in Himachal write them.

``to_latin`` is a readable romanisation, not a scholarly one: ``धर्मेंद्र`` is
"Dharmender", ``सिंह`` "Singh", ``भारद्वाज`` "Bhardwaj". Library
transliterators produce "dharmendra", "sim'h" and "bhaaradvaaj" because they
keep every inherent vowel and spell the anusvara letter by letter; what
readers expect depends on two rules:

1. Schwa deletion: the inherent ``a`` of a consonant is not pronounced at the
   end of a word (unless a cluster such as ``न्द्र`` or ``त्य`` ends it), nor
   inside a word between a vowel-consonant and a consonant-vowel
   (``कमला`` → "Kamla", ``मनकोटिया`` → "Mankotia"). Deletion runs right to
   left so that it never deletes two neighbouring schwas.
2. The anusvara is a nasal of the following consonant's place: "m" before
   p/ph/b/bh/m, "n" elsewhere, "ng" before a word-final ``ह`` (Singh).

``to_devanagari`` is best effort: Latin spellings drop the difference between
short and long vowels, dental and retroflex consonants, and often the inherent
vowels, so a name of the shipped lexicon (``data/name_lexicon.csv``) is looked
up first, by exact spelling and then by phonetic key, and only an unknown name
is spelled by rule.

Both run in tens of microseconds per name and keep anything that is not a
letter of the other script (spaces, hyphens, dots, digits) as it is.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from himaccess.lib.latin_keys import latin_key

LEXICON_PATH = Path(__file__).with_name("data") / "name_lexicon.csv"

_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"
_ZERO_WIDTH = {"\u200c", "\u200d"}

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
}  # fmt: skip
# A consonant followed by the nukta sign (NFC keeps them apart).
_NUKTA_FORMS = {"क": "k", "ख": "kh", "ग": "g", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f", "य": "y"}
_LABIALS = {"प", "फ", "ब", "भ", "म"}
_NASALS = {"ङ", "ञ", "ण", "न", "म"}

# Vowel kinds: "schwa" is the inherent vowel, the others are written.
_INDEPENDENT_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ii", "उ": "u", "ऊ": "uu", "ऋ": "ri", "ॠ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e", "ऌ": "li",
}  # fmt: skip
_VOWEL_SIGNS = {
    "ा": "aa", "ि": "i", "ी": "ii", "ु": "u", "ू": "uu", "ृ": "ri", "ॄ": "ri",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e",
}  # fmt: skip
_DEVANAGARI_RUN = re.compile(r"[\u0900-\u097f\u200c\u200d]+")


class _Seg:
    """One consonant, vowel or nasal sign of a word being romanised."""

    __slots__ = ("char", "conjunct", "kind", "roman")

    def __init__(self, kind: str, roman: str, char: str = "") -> None:
        self.kind = kind  # "C" consonant, "V" vowel, "N" anusvara/chandrabindu, "H" visarga
        self.roman = roman  # for vowels: "schwa", "a", "aa", "i", "ii", ...
        self.char = char
        self.conjunct = False  # a consonant joined to the next one by a virama


def _is_wal(segs: list[_Seg], i: int) -> bool:
    """Whether segs[i] (व) starts a final -वाल or -वालिया (Jaswal, Katwal, Ahluwalia)."""
    rest = "".join(s.char or s.roman for s in segs[i:])
    return rest in {"वaaल", "वaaलiयaa"}


def _parse(word: str) -> list[_Seg]:
    segs: list[_Seg] = []
    chars = [c for c in word if c not in _ZERO_WIDTH]
    i = 0
    while i < len(chars):
        c = chars[i]
        if c in _CONSONANTS:
            roman = _CONSONANTS[c]
            if i + 1 < len(chars) and chars[i + 1] == _NUKTA:
                roman = _NUKTA_FORMS.get(c, roman)
                i += 1
            segs.append(_Seg("C", roman, c))
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt in _VOWEL_SIGNS:
                segs.append(_Seg("V", _VOWEL_SIGNS[nxt]))
                i += 1
            elif nxt == _VIRAMA:
                segs[-1].conjunct = True
                i += 1
            else:
                segs.append(_Seg("V", "schwa"))
        elif c in _INDEPENDENT_VOWELS:
            segs.append(_Seg("V", _INDEPENDENT_VOWELS[c]))
        elif c in (_ANUSVARA, _CHANDRABINDU):
            segs.append(_Seg("N", "n", c))
        elif c == _VISARGA:
            segs.append(_Seg("H", "h"))
        elif c == "ॐ":
            segs.extend([_Seg("V", "o"), _Seg("C", "m", "म")])
        # Other signs (avagraha, danda, stray marks) carry no sound in a name.
        i += 1
    return segs


def _delete_schwas(segs: list[_Seg]) -> list[_Seg]:
    vowels = [i for i, s in enumerate(segs) if s.kind == "V"]
    if len(vowels) < 2:
        return segs
    deleted: set[int] = set()
    last = len(segs) - 1
    if segs[last].kind == "V" and segs[last].roman == "schwa" and last >= 1 and segs[last - 1].kind == "C":
        # The consonants of the cluster that ends the word, first to last.
        start = last - 1
        while start - 1 >= 0 and segs[start - 1].kind == "C":
            start -= 1
        cluster = [s.char for s in segs[start:last]]
        if len(cluster) == 1:
            deleted.add(last)
        elif cluster[-1] in {"र", "य", "व"}:
            pass  # इंद्र, आदित्य, सूर्य keep their final vowel
        elif cluster[0] == "र" or cluster[0] in _NASALS or cluster[0] == cluster[-1]:
            deleted.add(last)  # पार्थ Parth, आनन्द Anand, भट्ट Bhatt
    # Medial schwas, right to left: V C [a] C V, where the left C stands alone.
    for i in range(last - 1, 1, -1):
        seg = segs[i]
        if seg.kind != "V" or seg.roman != "schwa" or i == vowels[0]:
            continue
        left_c, left_v = segs[i - 1], segs[i - 2]
        if left_c.kind != "C" or left_v.kind not in {"V", "N"} or (i - 2) in deleted:
            continue
        if i + 2 > last or segs[i + 1].kind != "C":
            continue
        right_v = segs[i + 2]
        if right_v.kind == "V" and (i + 2) not in deleted:
            deleted.add(i)
    return [s for i, s in enumerate(segs) if i not in deleted]


def _render(segs: list[_Seg]) -> str:
    out: list[str] = []
    n = len(segs)
    vowel_count = sum(1 for s in segs if s.kind == "V")
    for i, seg in enumerate(segs):
        prev = segs[i - 1] if i > 0 else None
        nxt = segs[i + 1] if i + 1 < n else None
        if seg.kind == "C":
            roman = seg.roman
            if (
                seg.char == "व"
                and prev is not None
                and ((prev.kind == "C" and prev.conjunct) or _is_wal(segs, i))
            ):
                roman = "w"  # भारद्वाज Bhardwaj, ईश्वर Ishwar, जसवाल Jaswal; but अरविंद Arvind
            elif seg.char == "ञ" and prev is not None and prev.char == "ज":
                roman = "y"  # ज्ञ is said "gy": ज्ञान Gyan
                out[-1] = "g"
            out.append(roman)
        elif seg.kind == "N":
            if nxt is not None and nxt.kind == "C":
                if nxt.char in _LABIALS:
                    out.append("m")
                elif nxt.char == "ह" and i + 2 >= n:
                    out.append("ng")  # सिंह Singh
                else:
                    out.append("n")
            else:
                out.append("n")
        elif seg.kind == "H":
            out.append("h")
        else:
            out.append(_render_vowel(segs, i, vowel_count))
    return "".join(out)


def _render_vowel(segs: list[_Seg], i: int, vowel_count: int) -> str:
    roman = segs[i].roman
    n = len(segs)
    final = i == n - 1 or all(s.kind in {"N", "H"} for s in segs[i + 1 :])
    if roman in {"schwa", "a", "aa"}:
        return "a"
    if roman in {"ii", "uu"}:
        if final:
            return roman[0]
        after = [s for s in segs[i + 1 :] if s.kind != "N"]
        if len(after) == 1:
            # A word-final closed syllable: Sood, Anoop, Kapoor, Sandeep, Sanjeev,
            # but Sunil, Jagdish, Sushil.
            if roman == "uu" or after[0].char in {"प", "व"}:
                return "oo" if roman == "uu" else "ee"
            return roman[0]
        if roman == "uu" or after[0].char in {"श", "ष"} or (len(after) > 1 and after[1].kind == "C"):
            return roman[0]  # Suraj, Bhupender, Jagdish, Bhimta, Hamirpur
        return "ee"  # Deepak, Geeta, Neelam
    # -िया after a lone consonant is written "-ia": Guleria, Pathania, Walia.
    if (
        roman == "i"
        and i + 2 == n - 1
        and vowel_count >= 3
        and segs[i + 1].char == "य"
        and segs[i + 2].roman == "aa"
        and segs[i - 1].kind == "C"
        and (i - 2 < 0 or segs[i - 2].kind != "C")
    ):
        segs[i + 1].roman = ""
    return roman


def _romanise_word(word: str) -> str:
    segs = _delete_schwas(_parse(word))
    latin = _render(segs)
    # A final "-endra" is written "-ender" in the region: Dharmender, Surender.
    if latin.endswith("endra") and len(latin) > 6:
        latin = latin[:-5] + "ender"
    return latin


@cache
def _lexicon() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(Devanagari → Latin), (lower Latin → Devanagari), (phonetic key → Devanagari)."""
    to_latin_map: dict[str, str] = {}
    by_spelling: dict[str, str] = {}
    by_key: dict[str, str] = {}
    with LEXICON_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            deva = unicodedata.normalize("NFC", row["devanagari"].strip())
            latin = row["latin"].strip()
            if " " in deva or " " in latin:
                continue  # looked up word by word
            if latin:
                to_latin_map.setdefault(deva, latin)
            spelled = latin or _romanise_word(deva).capitalize()
            by_spelling.setdefault(spelled.lower(), deva)
            by_key.setdefault(latin_key(spelled), deva)
    return to_latin_map, by_spelling, by_key


@lru_cache(maxsize=65536)
def _word_to_latin(word: str, use_lexicon: bool) -> str:
    if use_lexicon:
        known = _lexicon()[0].get(word)
        if known:
            return known
    latin = _romanise_word(word)
    return latin[:1].upper() + latin[1:]


def to_latin(devanagari: str, *, use_lexicon: bool = True) -> str:
    """Romanise the Devanagari words of a name, title-cased; other characters pass through.

    ``use_lexicon=False`` applies the rules alone (used to measure them).
    """
    text = unicodedata.normalize("NFC", devanagari or "")
    return _DEVANAGARI_RUN.sub(lambda m: _word_to_latin(m.group(0), use_lexicon), text)


# --- Latin to Devanagari ------------------------------------------------------

_LATIN_CONSONANTS = {
    "chh": "छ", "ksh": "क्ष", "kh": "ख", "gh": "घ", "ch": "च", "jh": "झ", "th": "थ", "dh": "ध",
    "ph": "फ", "bh": "भ", "sh": "श", "gy": "ज्ञ",
    "k": "क", "g": "ग", "c": "क", "j": "ज", "t": "त", "d": "द", "n": "न", "p": "प", "f": "फ़",
    "b": "ब", "m": "म", "y": "य", "r": "र", "l": "ल", "v": "व", "w": "व", "s": "स", "h": "ह",
    "z": "ज़", "q": "क़", "x": "क्स",
}  # fmt: skip
_LATIN_VOWELS = {
    "aa": ("आ", "ा"), "ee": ("ई", "ी"), "ii": ("ई", "ी"), "oo": ("ऊ", "ू"), "uu": ("ऊ", "ू"),
    "ai": ("ऐ", "ै"), "au": ("औ", "ौ"), "ou": ("औ", "ौ"), "ei": ("ऐ", "ै"),
    "a": ("अ", ""), "i": ("इ", "ि"), "u": ("उ", "ु"), "e": ("ए", "े"), "o": ("ओ", "ो"),
}  # fmt: skip
_LATIN_TOKEN = re.compile(
    "|".join(sorted((re.escape(k) for k in [*_LATIN_CONSONANTS, *_LATIN_VOWELS]), key=len, reverse=True))
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Which two consonants written together are a conjunct (joined with virama)
# rather than two syllables whose inherent vowel is silent (राजकुमार).
_CONJUNCT_SECOND = {"र", "य"}
_TAKES_ANUSVARA = set("कखगघचछजझटठडढतथदधपफबभसश") | {"क्ष", "ज़", "फ़", "क़"}
_CONJUNCT_PAIRS = {
    ("स", "त"), ("स", "थ"), ("स", "क"), ("स", "प"), ("स", "न"), ("स", "म"), ("स", "व"),
    ("श", "म"), ("श", "न"), ("श", "व"), ("श", "र"), ("द", "व"), ("त", "व"), ("क्ष", "म"),
    ("श", "त"), ("द", "ध"), ("ह", "म"),
}  # fmt: skip


def _spell_word(word: str) -> str:
    tokens = _LATIN_TOKEN.findall(word.lower())
    out: list[str] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok in _LATIN_VOWELS:
            independent, sign = _LATIN_VOWELS[tok]
            final = i == n - 1
            if tok == "a" and final and n > 1:
                independent, sign = "आ", "ा"  # Sharma, Rana: a final "a" is long
            elif tok == "i" and final and n > 1:
                independent, sign = "ई", "ी"  # Negi, Rathi
            if prev in _LATIN_CONSONANTS:
                out.append(sign)
            else:
                out.append(independent)
            continue
        letter = _LATIN_CONSONANTS[tok]
        if letter in {"न", "म"} and i and _LATIN_CONSONANTS.get(nxt, "") in _TAKES_ANUSVARA:
            out.append("ं")  # Sandeep संदीप, Chamba चंबा, Hansraj हंसराज; not Kamlesh
            continue
        out.append(letter)
        if nxt in _LATIN_CONSONANTS:
            following = _LATIN_CONSONANTS[nxt]
            if (
                following in _CONJUNCT_SECOND
                or letter == "र"
                or letter == following
                or (letter, following) in _CONJUNCT_PAIRS
                or (following == "व" and i == 0)
            ):
                out.append(_VIRAMA)
    return "".join(out)


def _word_to_devanagari(word: str) -> str:
    _, by_spelling, by_key = _lexicon()
    known = by_spelling.get(word.lower())
    if known:
        return known
    # A key match only counts for a word of comparable length: keys fold a
    # lot, and a short word ("and") must not become a longer name.
    known = by_key.get(latin_key(word))
    if known and len(word) >= 4 and abs(len(to_latin(known)) - len(word)) <= 2:
        return known
    lowered = word.lower()
    # Compound names of two known parts: Rajkumar राजकुमार, Ramlal रामलाल.
    for cut in range(3, len(lowered) - 2):
        head, tail = by_spelling.get(lowered[:cut]), by_spelling.get(lowered[cut:])
        if head and tail:
            return head + tail
    if lowered.endswith("ender") and len(lowered) > 6:
        return _spell_word(lowered[:-5]) + "ेंद्र"  # Dharmender धर्मेंद्र
    if lowered.endswith("inder") and len(lowered) > 6:
        return _spell_word(lowered[:-5]) + "िंदर"  # Surinder सुरिंदर
    return _spell_word(lowered)


@lru_cache(maxsize=65536)
def _cached_to_devanagari(latin: str) -> str:
    return _LATIN_WORD.sub(lambda m: _word_to_devanagari(m.group(0)), latin)


def to_devanagari(latin: str) -> str:
    """Spell a loosely romanised name in Devanagari; other characters pass through."""
    return _cached_to_devanagari(unicodedata.normalize("NFC", latin or ""))
