"""PDFs of Him Seva: the certificate (Hindi and English, signed QR) and the acknowledgement.

Drawn with the shared text and QR primitives of ``lib.pdf``: HarfBuzz
shapes Devanagari so conjuncts and matras render as in print, and mixed
Hindi/English text switches font per script run. Fonts load once per process.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from himaccess.applications.models import Application, Certificate
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
    text_width,
)

GOVERNMENT = _("Government of Himachal Pradesh")
CERTIFICATE_NO = _("Certificate number")
APPLICATION_NO = _("Application number")
ISSUED_ON = _("Issued on")
VALID_UNTIL = _("Valid until")
ISSUED_BY = _("Issued by")
DIGITALLY_SIGNED = _("Digitally signed. Scan the QR code or visit the address below to verify.")
ACKNOWLEDGEMENT = _("Acknowledgement of application")
SERVICE = _("Service")
APPLICANT = _("Applicant")
SUBMITTED_ON = _("Submitted on")
DUE_BY = _("Service due by")
DOCUMENTS = _("Documents")
TRACK = _("Track your application at")
TIME_LIMIT_NOTE = _(
    "Under the Himachal Pradesh Public Services Guarantee Act, 2011, you may appeal if the service "
    "is not provided by the date above."
)
ROLES = {
    "patwari": _("Patwari"),
    "tehsildar": _("Tehsildar"),
    "sdm": _("Sub-Divisional Magistrate"),
    "deputy_commissioner": _("Deputy Commissioner"),
    "panchayat_secretary": _("Panchayat Secretary"),
    "bdo": _("Block Development Officer"),
    "district_welfare_officer": _("District Welfare Officer"),
    "department_officer": _("Department Officer"),
}


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points, broken between words (shaped widths)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _paragraph(c: Canvas, x: float, y: float, text: str, size: float, width: float, leading: float) -> float:
    for line in wrap(text, size, width):
        draw_text(c, x, y, line, size)
        y -= leading
    return y


def _header(c: Canvas, title_hi: str, title_en: str) -> float:
    page_w, page_h = A4
    margin = 18 * mm
    band = 24 * mm
    c.setFillColor(BAND)
    c.rect(margin, page_h - margin - band, page_w - 2 * margin, band, stroke=0, fill=1)
    inner = page_w - 2 * margin - 8 * mm
    draw_text(
        c, margin + 4 * mm, page_h - margin - 7 * mm, bilingual(GOVERNMENT), 10, color=white, max_width=inner
    )
    draw_text(
        c, margin + 4 * mm, page_h - margin - 15 * mm, title_hi, 15, color=white, bold=True, max_width=inner
    )
    draw_text(
        c, margin + 4 * mm, page_h - margin - 21.5 * mm, title_en, 12, color=white, bold=True, max_width=inner
    )
    return page_h - margin - band - 12 * mm


def _labelled(c: Canvas, x: float, y: float, label: object, value: str, width: float) -> None:
    draw_text(c, x, y + 4.2 * mm, bilingual(label), 7.5, color=MUTED, max_width=width)  # type: ignore[arg-type]
    draw_text(c, x, y, value, 10.5, bold=True, max_width=width)


def _day(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d-%m-%Y")


def certificate_pdf(certificate: Certificate, verification_url: str) -> bytes:
    register_fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(f"{certificate.title_en} {certificate.number}")
    c.setAuthor(english(GOVERNMENT))
    page_w, _page_h = A4
    margin = 18 * mm
    width = page_w - 2 * margin
    y = _header(c, certificate.title_hi, certificate.title_en)
    column = width / 3
    _labelled(c, margin, y, CERTIFICATE_NO, identifiers.display(certificate.number), column - 4 * mm)
    _labelled(c, margin + column, y, ISSUED_ON, _day(certificate.issued_at), column - 4 * mm)
    if certificate.valid_until:
        _labelled(
            c,
            margin + 2 * column,
            y,
            VALID_UNTIL,
            certificate.valid_until.strftime("%d-%m-%Y"),
            column - 4 * mm,
        )
    y -= 16 * mm
    y = _paragraph(c, margin, y, certificate.statement_hi, 12, width, 7.2 * mm)
    y -= 6 * mm
    y = _paragraph(c, margin, y, certificate.statement_en, 11, width, 6.4 * mm)
    y -= 12 * mm
    role = ROLES.get(certificate.issuer_role)
    role_hi = hindi(role) if role else certificate.issuer_role
    role_en = english(role) if role else certificate.issuer_role
    draw_text(c, margin, y + 5 * mm, bilingual(ISSUED_BY), 8, color=MUTED)
    draw_text(c, margin, y, f"{role_hi}, {certificate.issuer_area_hi}", 11, bold=True, max_width=width / 2)
    draw_text(c, margin, y - 5.5 * mm, f"{role_en}, {certificate.issuer_area_en}", 10, max_width=width / 2)
    qr_box = 52 * mm
    qr_y = 26 * mm
    draw_qr(c, verification_url, page_w - margin - qr_box, qr_y, qr_box)
    note_width = width - qr_box - 6 * mm
    y = qr_y + qr_box - 8 * mm
    y = _paragraph(c, margin, y, bilingual(DIGITALLY_SIGNED), 8.5, note_width, 4.6 * mm)
    short_url = verification_url.split("?", 1)[0]
    draw_text(c, margin, y - 2 * mm, short_url, 8.5, color=HexColor("#0b5394"), max_width=note_width)
    draw_text(
        c,
        margin,
        qr_y,
        f"{bilingual(APPLICATION_NO)}: {identifiers.display(certificate.application.number)}",
        8,
        color=MUTED,
        max_width=note_width,
    )
    c.showPage()
    c.save()
    return out.getvalue()


def acknowledgement_pdf(application: Application, track_url: str) -> bytes:
    register_fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(f"Acknowledgement {application.number}")
    page_w, _page_h = A4
    margin = 18 * mm
    width = page_w - 2 * margin
    y = _header(c, hindi(ACKNOWLEDGEMENT), english(ACKNOWLEDGEMENT))
    half = width / 2
    _labelled(c, margin, y, APPLICATION_NO, application.display_number, half - 4 * mm)
    if application.submitted_at:
        _labelled(c, margin + half, y, SUBMITTED_ON, _day(application.submitted_at), half - 4 * mm)
    y -= 14 * mm
    _labelled(c, margin, y, SERVICE, application.service_version.name_hi, width)
    draw_text(c, margin, y - 5.5 * mm, application.service_version.name_en, 10, max_width=width)
    y -= 18 * mm
    member = application.member
    _labelled(c, margin, y, APPLICANT, member.name_hi, half - 4 * mm)
    draw_text(c, margin, y - 5.5 * mm, f"{member.name_en} ({member.display_id})", 10, max_width=half - 4 * mm)
    if application.due_at:
        _labelled(
            c,
            margin + half,
            y,
            DUE_BY,
            timezone.localtime(application.due_at).strftime("%d-%m-%Y %H:%M"),
            half - 4 * mm,
        )
    y -= 18 * mm
    names = [a.document.original_name for a in application.attachments.select_related("document")]
    if names:
        draw_text(c, margin, y, bilingual(DOCUMENTS), 8, color=MUTED)
        y -= 5.5 * mm
        for name in names:
            draw_text(c, margin + 3 * mm, y, f"• {name}", 10, max_width=width)
            y -= 5.5 * mm
        y -= 4 * mm
    y = _paragraph(c, margin, y, bilingual(TIME_LIMIT_NOTE), 9, width, 5 * mm)
    y -= 4 * mm
    draw_text(c, margin, y, f"{bilingual(TRACK)}: {track_url}", 9, color=HexColor("#0b5394"), max_width=width)
    c.showPage()
    c.save()
    return out.getvalue()
