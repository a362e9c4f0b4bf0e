"""Printable cards: the family card (A4 sheet and ID-1 card) and the member card (ID-1).

Drawn with the shared primitives of ``lib.pdf`` (HarfBuzz-shaped Devanagari,
mixed-script text, vector QR codes at level Q). Every label is printed in
Hindi and English, taken from the translation catalog. Credentials are built
to stay at level Q: a family card carries its members' digest, not their
list, so its code does not grow with the family.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from himaccess.lib import identifiers
from himaccess.lib.pdf import (
    BAND,
    MUTED,
    bilingual,
    draw_qr,
    draw_text,
    english,
    hindi,
    register_fonts,
)

ID1_WIDTH = 85.6 * mm
ID1_HEIGHT = 54.0 * mm

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
