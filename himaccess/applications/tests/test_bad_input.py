"""Bad input gets a clear message in the user's language and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from himaccess.accounts.models import User
from himaccess.applications.actions import decisions, drafts, filing
from himaccess.applications.models import Application, Document, Status, Step
from himaccess.catalog.models import Service
from himaccess.conftest import ClientResponse, Personas
from himaccess.lib.errors import NotAllowed

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def draft_for(personas: Personas, code: str) -> Application:
    return drafts.start_draft(
        Service.objects.get(code=code), personas.member(personas.ravi), acting_user=personas.asha
    )


def post_form(
    personas: Personas, application: Application, data: dict[str, object], language: str = "en"
) -> ClientResponse:
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = language
    return client.post(
        reverse("applications:edit", args=[application.number]),
        {"submit": "1", **data},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_unknown_service_is_404_with_a_message(personas: Personas) -> None:
    response = personas.client_for(personas.asha).get(reverse("applications:apply", args=["NOPE-99"]))
    assert response.status_code == 404
    assert "no such service" in response.content.decode()


def test_unknown_service_in_the_api_is_422(personas: Personas) -> None:
    response = personas.client_for(personas.asha).post(
        "/api/v1/services/applications",
        {"service": "NOPE-99", "member_id": personas.member(personas.ravi).member_id},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Application.objects.exists()


def test_a_field_failing_its_rule_is_400_and_leaves_the_draft_a_draft(personas: Personas) -> None:
    application = draft_for(personas, "CERT-06")
    response = post_form(
        personas,
        application,
        {"relative_name": "X", "purpose": "Y", "mauza": "Bhiuli", "khasra": "12; DROP TABLE"},
    )
    assert response.status_code == 400
    assert "Enter the value in the form asked for." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT and not Step.objects.exists()


def test_the_message_comes_in_hindi_for_a_hindi_user(personas: Personas) -> None:
    application = draft_for(personas, "CERT-05")
    response = post_form(personas, application, {"relative_name": "", "purpose": ""}, language="hi")
    assert response.status_code == 400
    assert "यह जानकारी ज़रूरी है।" in response.content.decode()


def test_api_field_failing_its_rule_is_422_and_writes_nothing(personas: Personas) -> None:
    response = personas.client_for(personas.asha).post(
        "/api/v1/services/applications",
        {
            "service": "CERT-12",
            "member_id": personas.member(personas.ravi).member_id,
            "answers": {"years_of_residence": -5, "relative_name": "X", "purpose": "Y"},
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "years_of_residence" in response.json()["detail"]
    assert not Application.objects.exists()


def test_missing_required_document_is_refused(personas: Personas) -> None:
    application = draft_for(personas, "CERT-02")
    response = post_form(
        personas, application, {"relative_name": "X", "purpose": "Y", "income_sources": "Farming"}
    )
    assert response.status_code == 400
    assert "Attach the required documents" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_file_that_lies_about_its_type_is_400_and_not_kept(personas: Personas) -> None:
    application = draft_for(personas, "CERT-02")
    fake = SimpleUploadedFile("income.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = post_form(
        personas,
        application,
        {"relative_name": "X", "purpose": "Y", "income_sources": "Farming", "doc_income_proof": fake},
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG" in response.content.decode()
    assert not Document.objects.exists()


def test_an_oversize_file_is_413(personas: Personas, settings: Settings) -> None:
    settings.SERVICES_UPLOAD_MAX_BYTES = 20_000
    application = draft_for(personas, "CERT-02")
    big = SimpleUploadedFile("income.pdf", PDF + b"0" * 30_000, content_type="application/pdf")
    response = post_form(
        personas,
        application,
        {"relative_name": "X", "purpose": "Y", "income_sources": "Farming", "doc_income_proof": big},
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Document.objects.exists()


def test_a_good_upload_is_stored_under_a_server_made_name_and_reused_next_time(
    personas: Personas, settings: Settings
) -> None:
    application = draft_for(personas, "CERT-02")
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="text/plain")
    response = post_form(
        personas,
        application,
        {"relative_name": "X", "purpose": "Y", "income_sources": "Farming", "doc_income_proof": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.content_type == "application/pdf" and document.original_name == "passwd.pdf"
    assert "passwd" not in document.stored_name and document.scan == Document.Scan.NOT_SCANNED
    second = draft_for(personas, "CERT-04")
    page = personas.client_for(personas.asha).get(reverse("applications:edit", args=[second.number]))
    assert "on file since" in page.content.decode()
    response = post_form(
        personas,
        second,
        {
            "relative_name": "X",
            "purpose": "Y",
            "caste": "Ghirth",
            "family_income": 90000,
            "not_creamy_layer": "on",
            "reuse_income_proof": str(document.pk),
            "doc_caste_proof": SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\n0000"),
        },
    )
    assert response.status_code == 302
    assert Document.objects.count() == 2  # the income proof was reused, not uploaded again


def test_a_configured_scanner_that_finds_a_virus_refuses_the_file(
    personas: Personas, settings: Settings, tmp_path: Path
) -> None:
    settings.SERVICES_VIRUS_SCAN_COMMAND = "false"  # exits 1: "infected"
    application = draft_for(personas, "CERT-02")
    upload = SimpleUploadedFile("income.pdf", PDF)
    response = post_form(
        personas,
        application,
        {"relative_name": "X", "purpose": "Y", "income_sources": "Farming", "doc_income_proof": upload},
    )
    assert response.status_code == 400
    assert "refused by the virus scanner" in response.content.decode()
    assert not Document.objects.exists()


def test_an_expired_draft_is_410_and_cannot_be_submitted(personas: Personas) -> None:
    application = draft_for(personas, "CERT-05")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = post_form(personas, application, {"relative_name": "X", "purpose": "Y"})
        assert response.status_code == 410
        with pytest.raises(NotAllowed):
            filing.submit(application, application.answers, {}, acting_user=personas.asha)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_transition_not_allowed_from_the_current_state_changes_nothing(
    personas: Personas, prem: User, submitted: Application
) -> None:
    response = personas.client_for(prem).post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "approve", "version": submitted.version},
    )
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.PENDING and submitted.steps.count() == 1


def test_reject_needs_a_reason_from_the_list(personas: Personas, prem: User, submitted: Application) -> None:
    application = decisions.act(submitted, "verify", acting_user=prem, expected_version=submitted.version)
    with pytest.raises(NotAllowed):
        decisions.act(
            application, "reject", acting_user=personas.meena, expected_version=application.version, reason=""
        )
    with pytest.raises(NotAllowed):
        decisions.act(
            application,
            "reject",
            acting_user=personas.meena,
            expected_version=application.version,
            reason="other",
        )
    done = decisions.act(
        application,
        "reject",
        acting_user=personas.meena,
        expected_version=application.version,
        reason="not_eligible",
        note="Not resident",
    )
    assert done.status == Status.REJECTED
