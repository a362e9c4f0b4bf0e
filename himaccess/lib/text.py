"""What text a person may send, and the one shape it is kept in.

Two rules, applied where text enters:

- ``has_control_character``: C0 controls other than TAB, LF and CR, DEL and
  the C1 controls are never part of anything a person types. PostgreSQL
  cannot even store a NUL, so such input is refused whole, at the edge.
- ``clean``: invisible characters that make two names look alike while they
  differ (zero-width spaces, word joiners, byte-order marks) or that reorder
  what is shown (bidirectional overrides, embeddings, isolates and marks)
  are dropped, and the rest is put in Unicode NFC. ZWJ and ZWNJ are kept
  between Devanagari characters, where they choose how a conjunct is drawn
  (क्‍ष against क्ष); anywhere else they only hide a difference.
"""

from __future__ import annotations

import re
import unicodedata

# C0 except TAB (09), LF (0A) and CR (0D); DEL (7F); C1 (80-9F); and lone surrogates (D800-DFFF),
# which JSON can spell as "\ud800" but which are no character at all: PostgreSQL cannot store them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ZERO_WIDTH_NON_JOINER = "\u200c"
ZERO_WIDTH_JOINER = "\u200d"
JOINERS = ZERO_WIDTH_NON_JOINER + ZERO_WIDTH_JOINER

# Invisible characters with no place in names or free text: soft hyphen, Mongolian vowel separator,
# zero-width space, word joiner and invisible operators, zero-width no-break space (byte-order mark);
# and every bidirectional formatting character: LRM, RLM, ALM, the embeddings and overrides
# (U+202A-U+202E) and the isolates (U+2066-U+2069).
INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060-\u2064\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_JOINER = re.compile(f"[{JOINERS}]")


def has_control_character(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def is_devanagari(character: str) -> bool:
    # The Devanagari block and Devanagari Extended (cantillation marks, Vedic signs).
    return "\u0900" <= character <= "\u097f" or "\ua8e0" <= character <= "\ua8ff"


def _joiner_kept(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    keep = before and after and is_devanagari(before) and is_devanagari(after)
    return match.group() if keep else ""


def without_invisible(text: str) -> str:
    """``text`` without invisible and reordering characters, and with ZWJ/ZWNJ only inside Devanagari."""
    return _JOINER.sub(_joiner_kept, INVISIBLE.sub("", text))


def clean(text: str) -> str:
    """``without_invisible(text)`` in NFC: the one shape typed text is kept in."""
    return unicodedata.normalize("NFC", without_invisible(text))
