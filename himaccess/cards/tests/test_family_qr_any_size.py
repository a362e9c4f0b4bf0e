"""A family card's QR code is the same small code for a family of one or of 120, and scans at ID-1 size."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import segno
import zxingcpp
from django.utils import timezone
from PIL import Image
from reportlab.lib.units import mm

from himaccess.cards import actions, credentials, pdf
from himaccess.cards.tests.conftest import render_png
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import identifiers
from himaccess.lib import pdf as drawing

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)
FAMILY_QR_BOX = 34 * mm  # as drawn on the ID-1 family card


def _family_code(personas: Personas, size: int) -> tuple[str, list[str], pdf.CardFace]:
    family = personas.asha_family
    head = family.head()
    assert head is not None
    ids = [head.member_id] + [
        identifiers.make_id("M", 50_000 + n, "family-size-test") for n in range(size - 1)
    ]
    claim, extension = credentials.family_claims(family, head, ids)
    now = timezone.now()
    credential = credentials.sign(claim, extension, issued_at=now, expires_on=actions.expiry_for(now.date()))
    members = [
        pdf.MemberFace(
            member_id=member_id,
            family_id=family.family_id,
            name_en=f"Member {n}",
            name_hi=f"सदस्य {n}",
            gender="F" if n % 2 else "M",
            date_of_birth=date(1950 + n % 70, 1 + n % 12, 1 + n % 28),
            relation="head" if n == 0 else "other",
        )
        for n, member_id in enumerate(ids)
    ]
    face = pdf.CardFace(
        qr_text=credential.qr_text,
        issued_on=now.date(),
        expires_on=actions.expiry_for(now.date()),
        family_id=family.family_id,
        address_en="Ward 3, Mandi",
        address_hi="वार्ड 3, मंडी",
        members=members,
    )
    return credential.qr_text, ids, face


def _decoded(png: Path) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(Image.open(png)) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


@needs_poppler
@pytest.mark.parametrize("size", [1, 24, 41, 120])
def test_family_qr_scans_and_binds_every_member(personas: Personas, tmp_path: Path, size: int) -> None:
    text, ids, face = _family_code(personas, size)
    # Level Q (25 % of the code may be damaged) with modules of at least a third of a millimetre.
    code = segno.make(text, error="q", micro=False, boost_error=False)
    modules = code.symbol_size(border=0)[0] + 2 * drawing.QUIET_ZONE
    assert FAMILY_QR_BOX / modules / mm >= drawing.MIN_MODULE_MM
    for layout in ("id1", "a4"):
        (tmp_path / layout).mkdir()
        pages = render_png(pdf.family_card_pdf(face, layout=layout), tmp_path / layout, last_page=1)
        assert text in _decoded(pages[0]), layout
    result = verify_text(text)
    assert result.verdict == spec.GENUINE
    assert result.details["member_count"] == size
    assert spec.family_members_match(result.details, ids)
    assert not spec.family_members_match(result.details, ids[:-1])
    assert not spec.family_members_match(result.details, [*ids[:-1], "M000000000X"])


def test_family_code_size_does_not_grow_with_the_family(personas: Personas) -> None:
    lengths = {size: len(_family_code(personas, size)[0]) for size in (1, 24, 41, 120, 500)}
    assert max(lengths.values()) - min(lengths.values()) <= 6, lengths
