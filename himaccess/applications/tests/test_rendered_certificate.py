from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from himaccess.applications import certificates
from himaccess.applications.actions import decisions
from himaccess.applications.models import Application, Certificate
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def approve(personas: Personas, prem: Any, application: Application) -> Certificate:
    application = decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    return Certificate.objects.get(application=application)


def test_certificate_pdf_carries_both_languages_and_a_qr_that_verifies(
    personas: Personas, prem: Any, submitted: Application, tmp_path: Path
) -> None:
    certificate = approve(personas, prem, submitted)
    response = personas.client_for(personas.asha).get(
        reverse("applications:certificate", args=[submitted.number])
    )
    assert response["Content-Disposition"].startswith("attachment;")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Character Certificate" in text
    assert "Ravi Kumar" in text
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is needed to read the QR code back")
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf_path), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    import zxingcpp
    from PIL import Image

    image = Image.open(next(tmp_path.glob("page*.png")))
    # Only QR codes: the reader may also "see" a 1D barcode in lines of print, which no certificate carries.
    decoded = [
        result.text
        for result in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
    ]
    assert decoded == [certificates.verification_url(certificate.token)]
    assert certificates.verify(decoded[0]).is_genuine


def test_acknowledgement_pdf_gives_the_number_and_the_due_date(
    personas: Personas, submitted: Application
) -> None:
    response = personas.client_for(personas.asha).get(
        reverse("applications:acknowledgement", args=[submitted.number])
    )
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert submitted.display_number in text
    assert submitted.due_at is not None
    from django.utils import timezone

    assert timezone.localtime(submitted.due_at).strftime("%d-%m-%Y") in text
