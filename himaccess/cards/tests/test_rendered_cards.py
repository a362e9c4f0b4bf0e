from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from himaccess.cards import pdf
from himaccess.cards.tests.conftest import AshaCards, render_png
from himaccess.conftest import Personas
from himaccess.lib import pdf as drawing

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)


def _decoded(png: Path) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(Image.open(png))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


@needs_poppler
def test_member_card_qr_decodes_from_a_300_dpi_render(asha_cards: AshaCards, tmp_path: Path) -> None:
    pages = render_png(pdf.member_card_pdf(asha_cards.ravi.face()), tmp_path)
    assert _decoded(pages[0]) == [asha_cards.ravi.qr_text]


@needs_poppler
def test_member_card_qr_decodes_even_from_a_coarse_150_dpi_render(
    asha_cards: AshaCards, tmp_path: Path
) -> None:
    pages = render_png(pdf.member_card_pdf(asha_cards.ravi.face()), tmp_path, dpi=150)
    assert _decoded(pages[0]) == [asha_cards.ravi.qr_text]


@needs_poppler
@pytest.mark.parametrize("layout", ["a4", "id1"])
def test_family_card_qr_decodes_in_both_layouts(asha_cards: AshaCards, tmp_path: Path, layout: str) -> None:
    pages = render_png(pdf.family_card_pdf(asha_cards.family.face(), layout=layout), tmp_path)
    assert asha_cards.family.qr_text in _decoded(pages[0])


def test_qr_modules_are_at_least_a_third_of_a_millimetre(asha_cards: AshaCards) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(io.BytesIO())
    assert drawing.draw_qr(canvas, asha_cards.ravi.qr_text, 0, 0, 31 * mm) >= drawing.MIN_MODULE_MM
    assert drawing.draw_qr(canvas, asha_cards.family.qr_text, 0, 0, 34 * mm) >= drawing.MIN_MODULE_MM


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_member_card_pdf_carries_both_scripts_and_the_ids(personas: Personas, asha_cards: AshaCards) -> None:
    text = _text(pdf.member_card_pdf(asha_cards.ravi.face()))
    ravi = personas.member(personas.ravi)
    assert "Ravi Kumar" in text
    # Shaped Devanagari is kept as text (searchable, not outlines); reordered matras come
    # back from extraction as private glyphs, so look for the letters, not the whole word.
    assert "मार" in text and {"र", "व", "क"} <= set(text)
    assert ravi.display_id in text
    assert personas.asha_family.display_id in text
    assert "03-09-2001" in text
    assert "Date of birth" in text and "Family ID" in text
    assert "रवार" in text  # from परिवार आईडी, the Hindi label of "Family ID"


def test_family_sheet_lists_every_living_member(personas: Personas, asha_cards: AshaCards) -> None:
    text = _text(pdf.family_card_pdf(asha_cards.family.face()))
    for member in personas.asha_family.living_members():
        assert member.display_id in text
        assert member.name_en in text
    assert "Mandi" in text and "175001" in text


def test_member_card_with_a_photo_renders(asha_cards: AshaCards) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (120, 150), (200, 170, 140)).save(photo, "JPEG")
    content = pdf.member_card_pdf(asha_cards.ravi.face(photo=photo.getvalue()))
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert len(page.images) == 1
