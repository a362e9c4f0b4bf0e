"""Drawing bilingual documents with ReportLab: fonts, mixed-script text and QR codes.

Shared by every printed document (cards, certificates, acknowledgements).
HarfBuzz shaping joins Devanagari conjuncts and places matras correctly. Text
is split into runs by script: Devanagari runs use Noto Sans Devanagari, the
rest Noto Sans, both shipped as Python packages (nothing is fetched at run
time). Labels are printed in Hindi and English, taken from the translation
catalog of the app that defines them.

The QR code is drawn as vector squares, so print resolution never blurs
it. Its error correction is level Q (25 % of the code may be damaged:
scuffed laminates, fold lines) unless that would make a module smaller than
0.33 mm, when level M is used; a 4-module quiet zone is kept blank around it.
"""

from __future__ import annotations

import re
from functools import cache

import fontpkg_noto_sans
import fontpkg_noto_sans_devanagari
import segno
from django.utils import translation
from django.utils.functional import Promise
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

MIN_MODULE_MM = 0.33
# The payload is compressed and signed, so its bits are already close to
# random: the mask's job (breaking up regular patterns) is done whichever
# mask is used, and scoring all eight costs about 11 ms per code in segno.
FIXED_MASK = 2
QUIET_ZONE = 4
LATIN = "HimLatin"
DEVANAGARI = "HimDevanagari"
INK = HexColor("#1a1a1a")
BAND = HexColor("#0b5d3b")  # deep green, prints legibly in greyscale too
MUTED = HexColor("#555555")
_DEVANAGARI_RUN = re.compile(r"([\u0900-\u097F\u1CD0-\u1CFF\uA8E0-\uA8FF\u200c\u200d]+)")


@cache
def register_fonts() -> None:
    """Load both fonts once per process: loading dominates a small document."""
    latin = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
    devanagari = fontpkg_noto_sans_devanagari.ROOT / "files" / "NotoSansDevanagari[wdth,wght].ttf"
    pdfmetrics.registerFont(TTFont(LATIN, str(latin)))
    pdfmetrics.registerFont(TTFont(DEVANAGARI, str(devanagari), shapable=True))


@cache
def _in_language(label: Promise, language: str) -> str:
    with translation.override(language):
        return str(label)


def bilingual(label: Promise) -> str:
    """``हिन्दी / English`` for a label from the catalog."""
    hindi, english = _in_language(label, "hi"), _in_language(label, "en")
    return english if hindi == english else f"{hindi} / {english}"


def hindi(label: Promise) -> str:
    return _in_language(label, "hi")


def english(label: Promise) -> str:
    return _in_language(label, "en")


def _runs(text: str) -> list[tuple[str, str]]:
    return [
        (DEVANAGARI if _DEVANAGARI_RUN.fullmatch(part) else LATIN, part)
        for part in _DEVANAGARI_RUN.split(text)
        if part
    ]


def _shaped(font: str, part: str, size: float) -> tuple[str, float]:
    """The run as glyphs in visual order (Devanagari through HarfBuzz), and its width."""
    if font != DEVANAGARI:
        return part, pdfmetrics.stringWidth(part, font, size)
    # shapeStr directly: canvas.drawString's shaping=True is a no-op unless the bidi extra is installed.
    shaped = shapeStr(part, font, size, force=True)
    return shaped, sum(d.x_advance for d in shaped.__shapeData__) * size / 1000


def text_width(text: str, size: float) -> float:
    return sum(_shaped(font, part, size)[1] for font, part in _runs(text))


def draw_text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    color: Color = INK,
    bold: bool = False,
    max_width: float = 0,
) -> float:
    """Draw mixed-script text from (x, y); shrink it to ``max_width`` if given. Returns the width."""
    width = text_width(text, size)
    if max_width and width > max_width:
        size = size * max_width / width
        width = max_width
    c.setFillColor(color)
    c.setStrokeColor(color)
    c.setLineWidth(size * 0.04)
    mode = 2 if bold else 0  # fill and stroke: a bold weight from the one variable font
    for font, part in _runs(text):
        shaped, run_width = _shaped(font, part, size)
        line = c.beginText(x, y)
        line.setFont(font, size)
        line.setTextRenderMode(mode)
        line.textOut(shaped)
        c.drawText(line)
        x += run_width
    return width


def draw_qr(c: Canvas, text: str, x: float, y: float, box: float) -> float:
    """Draw the QR code with its quiet zone filling a ``box``-wide square; return the module size in mm."""
    for level in ("q", "m"):
        code = segno.make(text, error=level, micro=False, boost_error=False, mask=FIXED_MASK)
        modules = code.symbol_size(border=0)[0]
        module = box / (modules + 2 * QUIET_ZONE)
        if module / mm >= MIN_MODULE_MM:
            break
    else:
        raise ValueError("credential too large for a readable QR code in this space")
    c.setFillColor(white)
    c.rect(x, y, box, box, stroke=0, fill=1)
    c.saveState()
    # One module = one unit, rows counted downwards from the top-left module.
    c.transform(module, 0, 0, -module, x + QUIET_ZONE * module, y + box - QUIET_ZONE * module)
    c.setFillColor(HexColor("#000000"))
    runs = []
    for row, line in enumerate(code.matrix):
        col = 0
        while col < modules:
            if line[col] & 1:
                start = col
                while col < modules and line[col] & 1:
                    col += 1
                # Integer coordinates, a hair of overlap so renderers leave no seams.
                runs.append(f"{start} {row} {col - start}.01 1.01 re")
            else:
                col += 1
    # One literal path: thousands of Path.rect() calls cost more than encoding the QR code.
    c.addLiteral("\n".join(runs) + "\nf")
    c.restoreState()
    return module / mm
