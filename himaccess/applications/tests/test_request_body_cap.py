"""Request bodies are capped by the application (MAX_REQUEST_BYTES), whatever length the client states.

An upload over the cap is refused with a bilingual 413 before anything is
kept; so is a body whose Content-Length understates it or is missing (a
chunked upload), as a server that ends the input at the body's end delivers
it. Under the cap, such a body is read whole and works like any other.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from himaccess.applications.actions import drafts
from himaccess.applications.models import Application, Document, Status
from himaccess.catalog.models import Service
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
CAP = 120_000


@pytest.fixture(autouse=True)
def _small_cap(settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = CAP
    settings.SERVICES_UPLOAD_MAX_BYTES = 100_000


def _draft(personas: Personas) -> Application:
    return drafts.start_draft(
        Service.objects.get(code="CERT-02"), personas.member(personas.ravi), acting_user=personas.asha
    )


def _form(size: int) -> dict[str, Any]:
    upload = SimpleUploadedFile("income.pdf", PDF + b"0" * (size - len(PDF)), content_type="application/pdf")
    return {
        "save_draft": "1",
        "relative_name": "Late Mohan Lal",
        "purpose": "Admission",
        "income_sources": "Farming",
        "doc_income_proof": upload,
    }


def _stored_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def _nothing_written(application: Application, settings: Any) -> None:
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.status == Status.DRAFT and fresh.version == application.version
    assert not Document.objects.exists()
    assert not _stored_files(settings)


def _raw_post(client: Any, url: str, body: bytes, **environ: Any) -> Any:
    """A multipart POST whose body arrives as a server that delimits it would hand it over."""
    return client.generic(
        "POST",
        url,
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": BytesIO(body), "wsgi.input_terminated": True, **environ},
    )


def test_an_upload_over_the_cap_is_refused_with_a_bilingual_413_and_nothing_kept(
    personas: Personas, settings: Any
) -> None:
    settings.SERVICES_UPLOAD_MAX_BYTES = 2 * CAP  # the file alone is allowed: only the body's cap refuses it
    application = _draft(personas)
    client = personas.client_for(personas.asha)
    response = client.post(reverse("applications:edit", args=[application.number]), _form(CAP + 10_000))
    assert response.status_code == 413
    page = response.content.decode()
    assert "The request is too large" in page and "अनुरोध बहुत बड़ा है" in page
    _nothing_written(application, settings)


def test_an_api_body_over_the_cap_is_a_413_in_json(personas: Personas, settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 70_000  # below the API's own JSON limit: this cap answers first
    response = personas.client_for(personas.asha).post(
        "/api/v1/services/applications",
        {"service": "CERT-05", "member_id": "x", "answers": {"purpose": "y" * 80_000}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("यह 0.1 MB से बड़ा है")
    assert not Application.objects.exists()


def test_a_body_longer_than_its_stated_length_is_refused(personas: Personas, settings: Any) -> None:
    application = _draft(personas)
    body = encode_multipart(BOUNDARY, _form(CAP + 10_000))
    response = _raw_post(
        personas.client_for(personas.asha),
        reverse("applications:edit", args=[application.number]),
        body,
        CONTENT_LENGTH="1000",
    )
    assert response.status_code == 413
    _nothing_written(application, settings)


def test_a_chunked_body_without_a_length_is_refused_past_the_cap(personas: Personas, settings: Any) -> None:
    application = _draft(personas)
    body = encode_multipart(BOUNDARY, _form(CAP + 10_000))
    response = _raw_post(
        personas.client_for(personas.asha),
        reverse("applications:edit", args=[application.number]),
        body,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 413
    _nothing_written(application, settings)


def test_a_chunked_upload_under_the_cap_is_read_whole_and_kept(personas: Personas, settings: Any) -> None:
    application = _draft(personas)
    body = encode_multipart(BOUNDARY, _form(50_000))
    response = _raw_post(
        personas.client_for(personas.asha),
        reverse("applications:edit", args=[application.number]),
        body,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.size == 50_000
    assert application.attachments.get().document == document
    assert len(_stored_files(settings)) == 1
