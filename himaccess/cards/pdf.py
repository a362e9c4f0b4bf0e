"""Printable cards: the family card (A4 sheet and ID-1 card) and the member card (ID-1).

Drawn with ReportLab, whose HarfBuzz shaping (``shaping=True``) joins
Devanagari conjuncts and places matras correctly. Text is split into runs
by script: Devanagari runs use Noto Sans Devanagari, the rest Noto Sans,
both shipped as Python packages (nothing is fetched at run time). Every
label is printed in Hindi and English, taken from the translation catalog.

The QR code is drawn as vector squares, so print resolution never blurs
it. Its error correction is level Q (25 % of the code may be damaged:
scuffed laminates, fold lines) unless that would make a module smaller than
0.33 mm, when level M is used; a 4-module quiet zone is kept blank around it.
Credentials are built to stay at level Q: a family card carries its members'
digest, not their list, so its code does not grow with the family.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import IO

import fontpkg_noto_sans
import fontpkg_noto_sans_devanagari
import segno
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from himaccess.lib import identifiers

ID1_WIDTH = 85.6 * mm
ID1_HEIGHT = 54.0 * mm
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

GOVERNMENT = _("Government of Himachal Pradesh")
FAMILY_CARD = _("Him Parivar Family Card")
MEMBER_CARD = _("Him Parivar Member Card")
FAMILY_ID = _("Family ID")
MEMBER_ID = _("Member ID")
NAME = _("Name")
DATE_OF_BIRTH = _("Date of birth")
GENDER = _("Gender")
RELATION = _("Relation")
HEAD = _("Head of family")
ADDRESS = _("Address")
MEMBERS = _("Members")
ISSUED = _("Issued")
VALID_TILL = _("Valid till")
SCAN_TO_VERIFY = _("Scan the QR code to verify this card")
GENDERS = {"F": _("Female"), "M": _("Male"), "T": _("Transgender")}
RELATIONS = {
    "head": _("Head of family"),
    "spouse": _("Wife / husband"),
    "son": _("Son"),
    "daughter": _("Daughter"),
    "father": _("Father"),
    "mother": _("Mother"),
    "daughter_in_law": _("Daughter-in-law"),
    "son_in_law": _("Son-in-law"),
    "grandson": _("Grandson"),
    "granddaughter": _("Granddaughter"),
    "brother": _("Brother"),
    "sister": _("Sister"),
    "other": _("Other relative"),
}


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


def _day(value: date) -> str:
    return value.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class MemberFace:
    member_id: str
    family_id: str
    name_en: str
    name_hi: str
    gender: str
    date_of_birth: date
    relation: str = ""


@dataclass(frozen=True)
class CardFace:
    """What a card shows: the credential and the register data it was issued from."""

    qr_text: str
    issued_on: date
    expires_on: date
    family_id: str
    address_en: str = ""
    address_hi: str = ""
    member: MemberFace | None = None
    members: Sequence[MemberFace] = ()
    photo: bytes | None = None


def _band(c: Canvas, x: float, y: float, width: float, height: float, title: Promise, size: float) -> None:
    c.setFillColor(BAND)
    c.rect(x, y, width, height, stroke=0, fill=1)
    draw_text(
        c,
        x + 2.5 * mm,
        y + height - size * 1.25,
        bilingual(GOVERNMENT),
        size * 0.8,
        color=white,
        max_width=width - 5 * mm,
    )
    draw_text(
        c,
        x + 2.5 * mm,
        y + 1.6 * mm,
        bilingual(title),
        size,
        color=white,
        bold=True,
        max_width=width - 5 * mm,
    )


def _field(
    c: Canvas, x: float, y: float, label: Promise, value: str, *, width: float, size: float = 7.2
) -> None:
    draw_text(c, x, y + size * 1.05, bilingual(label), size * 0.72, color=MUTED, max_width=width)
    draw_text(c, x, y, value, size, bold=True, max_width=width)


def _outline(c: Canvas, x: float, y: float) -> None:
    c.setStrokeColor(HexColor("#9a9a9a"))
    c.setLineWidth(0.3)
    c.roundRect(x, y, ID1_WIDTH, ID1_HEIGHT, 3 * mm, stroke=1, fill=0)


def _footer(c: Canvas, x: float, y: float, face: CardFace, width: float, size: float = 5.4) -> None:
    text = f"{bilingual(ISSUED)}: {_day(face.issued_on)}   {bilingual(VALID_TILL)}: {_day(face.expires_on)}"
    draw_text(c, x, y, text, size, color=MUTED, max_width=width)


def draw_member_card(c: Canvas, x: float, y: float, face: CardFace) -> None:
    """A credit-card-size member card with its lower-left corner at (x, y)."""
    assert face.member is not None
    m = face.member
    _outline(c, x, y)
    band = 11 * mm
    _band(c, x, y + ID1_HEIGHT - band, ID1_WIDTH, band, MEMBER_CARD, 7.4)
    qr_box = 31 * mm
    draw_qr(c, face.qr_text, x + ID1_WIDTH - qr_box - 1.5 * mm, y + 4.5 * mm, qr_box)
    left = x + 3 * mm
    if face.photo:
        photo_w, photo_h = 15 * mm, 19 * mm
        c.drawImage(
            ImageReader(io.BytesIO(face.photo)),
            left,
            y + ID1_HEIGHT - band - photo_h - 2 * mm,
            photo_w,
            photo_h,
            preserveAspectRatio=True,
            anchor="c",
        )
        left += photo_w + 2 * mm
    width = x + ID1_WIDTH - qr_box - 2 * mm - left
    top = y + ID1_HEIGHT - band - 5.5 * mm
    draw_text(c, left, top, m.name_hi, 10, bold=True, max_width=width)
    draw_text(c, left, top - 4.2 * mm, m.name_en, 8.5, bold=True, max_width=width)
    gender = GENDERS.get(m.gender)
    gender_text = f"{hindi(gender)} / {english(gender)}" if gender else m.gender
    _field(c, left, top - 10.5 * mm, DATE_OF_BIRTH, _day(m.date_of_birth), width=width / 2)
    _field(c, left + width / 2 + 1 * mm, top - 10.5 * mm, GENDER, gender_text, width=width / 2)
    _field(c, x + 3 * mm, y + 13 * mm, MEMBER_ID, identifiers.display(m.member_id), width=47 * mm, size=8.4)
    _field(
        c, x + 3 * mm, y + 5.5 * mm, FAMILY_ID, identifiers.display(face.family_id), width=47 * mm, size=7.4
    )
    _footer(c, x + 3 * mm, y + 1.8 * mm, face, ID1_WIDTH - 6 * mm)


def draw_family_card(c: Canvas, x: float, y: float, face: CardFace) -> None:
    """A credit-card-size family card with its lower-left corner at (x, y)."""
    _outline(c, x, y)
    band = 11 * mm
    _band(c, x, y + ID1_HEIGHT - band, ID1_WIDTH, band, FAMILY_CARD, 7.4)
    qr_box = 34 * mm
    draw_qr(c, face.qr_text, x + ID1_WIDTH - qr_box - 1 * mm, y + 4.2 * mm, qr_box)
    left = x + 3 * mm
    width = ID1_WIDTH - qr_box - 5 * mm
    top = y + ID1_HEIGHT - band - 6 * mm
    head = next((m for m in face.members if m.relation == "head"), None)
    _field(c, left, top, FAMILY_ID, identifiers.display(face.family_id), width=width, size=9)
    if head is not None:
        _field(c, left, top - 8 * mm, HEAD, head.name_hi, width=width, size=8.4)
        draw_text(c, left, top - 11.6 * mm, head.name_en, 7.4, bold=True, max_width=width)
    _field(c, left, top - 19 * mm, MEMBERS, str(len(face.members)), width=width, size=7.4)
    draw_text(c, left, y + 8.6 * mm, face.address_hi, 5.8, max_width=width)
    draw_text(c, left, y + 5.6 * mm, face.address_en, 5.8, max_width=width)
    _footer(c, x + 3 * mm, y + 1.8 * mm, face, ID1_WIDTH - 6 * mm)


def draw_family_sheet(c: Canvas, face: CardFace) -> None:
    """The family card as an A4 page listing every living member."""
    page_w, page_h = A4
    margin = 15 * mm
    band = 20 * mm
    _band(c, margin, page_h - margin - band, page_w - 2 * margin, band, FAMILY_CARD, 14)
    top = page_h - margin - band - 17 * mm
    qr_box = 48 * mm
    draw_qr(c, face.qr_text, page_w - margin - qr_box, top - qr_box + 8 * mm, qr_box)
    draw_text(
        c,
        page_w - margin - qr_box,
        top - qr_box + 4 * mm,
        bilingual(SCAN_TO_VERIFY),
        6.5,
        color=MUTED,
        max_width=qr_box,
    )
    width = page_w - 2 * margin - qr_box - 8 * mm
    _field(c, margin, top, FAMILY_ID, identifiers.display(face.family_id), width=width, size=18)
    _field(c, margin, top - 14 * mm, ADDRESS, face.address_hi, width=width, size=10)
    draw_text(c, margin, top - 19 * mm, face.address_en, 10, bold=True, max_width=width)
    _footer(c, margin, top - 27 * mm, face, width, size=8)
    y = top - qr_box - 6 * mm
    draw_text(c, margin, y, bilingual(MEMBERS), 11, bold=True)
    y -= 8 * mm
    columns = [(NAME, 0), (RELATION, 62), (GENDER, 100), (DATE_OF_BIRTH, 124), (MEMBER_ID, 148)]
    for label, offset in columns:
        draw_text(c, margin + offset * mm, y + 3.2 * mm, hindi(label), 7.4, color=MUTED)
        draw_text(c, margin + offset * mm, y, english(label), 7.4, color=MUTED)
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.4)
    c.line(margin, y - 2 * mm, page_w - margin, y - 2 * mm)
    y -= 10 * mm
    for member in face.members:
        if y < margin + 12 * mm:
            c.showPage()
            y = page_h - margin - 10 * mm
        relation = RELATIONS.get(member.relation)
        gender = GENDERS.get(member.gender)
        draw_text(c, margin, y + 3.6 * mm, member.name_hi, 10, bold=True, max_width=60 * mm)
        draw_text(c, margin, y, member.name_en, 8.6, max_width=60 * mm)
        if relation is not None:
            draw_text(c, margin + 62 * mm, y + 3.6 * mm, hindi(relation), 8.6, max_width=36 * mm)
            draw_text(c, margin + 62 * mm, y, english(relation), 8.6, max_width=36 * mm)
        if gender is not None:
            draw_text(c, margin + 100 * mm, y + 3.6 * mm, hindi(gender), 8.6)
            draw_text(c, margin + 100 * mm, y, english(gender), 8.6)
        draw_text(c, margin + 124 * mm, y + 1.8 * mm, _day(member.date_of_birth), 8.6)
        draw_text(c, margin + 148 * mm, y + 1.8 * mm, identifiers.display(member.member_id), 8.6, bold=True)
        c.setStrokeColor(HexColor("#d0d0d0"))
        c.line(margin, y - 2.4 * mm, page_w - margin, y - 2.4 * mm)
        y -= 10 * mm


def _canvas(out: IO[bytes], pagesize: tuple[float, float], title: str) -> Canvas:
    register_fonts()
    c = Canvas(out, pagesize=pagesize, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(english(GOVERNMENT))
    return c


def member_card_pdf(face: CardFace) -> bytes:
    out = io.BytesIO()
    c = _canvas(out, (ID1_WIDTH, ID1_HEIGHT), english(MEMBER_CARD))
    draw_member_card(c, 0, 0, face)
    c.showPage()
    c.save()
    return out.getvalue()


def family_card_pdf(face: CardFace, *, layout: str = "a4") -> bytes:
    """``layout``: "a4" for the sheet followed by the cut-out card, "id1" for the card alone."""
    out = io.BytesIO()
    if layout == "id1":
        c = _canvas(out, (ID1_WIDTH, ID1_HEIGHT), english(FAMILY_CARD))
        draw_family_card(c, 0, 0, face)
    else:
        c = _canvas(out, A4, english(FAMILY_CARD))
        draw_family_sheet(c, face)
        c.showPage()
        draw_family_card(c, (A4[0] - ID1_WIDTH) / 2, A4[1] - 30 * mm - ID1_HEIGHT, face)
    c.showPage()
    c.save()
    return out.getvalue()


SHEET_COLUMNS = 2
SHEET_ROWS = 5


def write_card_sheets(out: IO[bytes], faces: Iterable[CardFace]) -> int:
    """Print-shop sheets: ten ID-1 cards per A4 page, family or member as each face is. Returns the count."""
    c = _canvas(out, A4, english(GOVERNMENT))
    gap_x = (A4[0] - SHEET_COLUMNS * ID1_WIDTH) / (SHEET_COLUMNS + 1)
    gap_y = (A4[1] - SHEET_ROWS * ID1_HEIGHT) / (SHEET_ROWS + 1)
    count = 0
    for count, face in enumerate(faces, start=1):
        slot = (count - 1) % (SHEET_COLUMNS * SHEET_ROWS)
        if slot == 0 and count > 1:
            c.showPage()
        row, col = divmod(slot, SHEET_COLUMNS)
        x = gap_x + col * (ID1_WIDTH + gap_x)
        y = A4[1] - (row + 1) * (ID1_HEIGHT + gap_y)
        (draw_member_card if face.member is not None else draw_family_card)(c, x, y, face)
    c.showPage()
    c.save()
    return count
