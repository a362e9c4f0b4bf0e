"""Who can see and act on an application: everyone outside the scope gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from himaccess.accounts.models import Level, Role
from himaccess.applications.models import Application
from himaccess.conftest import MANDI_TEHSIL, Personas, make_official

pytestmark = pytest.mark.django_db


def test_other_family_gets_404_on_the_application_and_its_pdfs(
    personas: Personas, submitted: Application
) -> None:
    karan = personas.client_for(personas.karan)
    for name in ("detail", "acknowledgement", "edit"):
        assert karan.get(reverse(f"applications:{name}", args=[submitted.number])).status_code == 404


def test_ravi_sees_the_application_his_mother_filed_for_him(
    personas: Personas, submitted: Application
) -> None:
    assert (
        personas.client_for(personas.ravi)
        .get(reverse("applications:detail", args=[submitted.number]))
        .status_code
        == 200
    )


def test_citizen_cannot_apply_for_a_member_of_another_family(personas: Personas) -> None:
    karan = personas.member(personas.karan)
    response = personas.client_for(personas.asha).post(
        reverse("applications:apply", args=["CERT-05"]), {"member_id": karan.member_id}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_official_of_another_district_gets_404(personas: Personas, submitted: Application) -> None:
    vikram = personas.client_for(personas.vikram)
    assert vikram.get(reverse("applications:detail", args=[submitted.number])).status_code == 404
    response = vikram.post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "verify", "version": submitted.version},
    )
    assert response.status_code == 404


def test_official_of_a_role_outside_the_workflow_gets_404(personas: Personas, submitted: Application) -> None:
    bdo = make_official("bdo", Role.BDO, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    assert (
        personas.client_for(bdo).get(reverse("applications:detail", args=[submitted.number])).status_code
        == 404
    )


def test_tehsildar_cannot_act_at_the_patwari_stage(personas: Personas, submitted: Application) -> None:
    response = personas.client_for(personas.meena).post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "verify", "version": submitted.version},
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.stage_role == "patwari"


@pytest.mark.parametrize("number", ["A123", "X00000000000", "A00000000001", "../etc", "A 0000 0000 00"])
def test_malformed_application_number_is_404(personas: Personas, number: str) -> None:
    assert personas.client_for(personas.asha).get(f"/services/applications/{number}/").status_code == 404


def test_malformed_application_number_in_the_api_is_422(personas: Personas) -> None:
    assert personas.client_for(personas.asha).get("/api/v1/services/applications/A123").status_code == 422


def test_document_download_needs_access_and_is_an_attachment(personas: Personas, prem: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from himaccess.applications import documents

    ravi = personas.member(personas.ravi)
    doc = documents.store(
        SimpleUploadedFile("x.pdf", b"%PDF-1.4 test"),
        member=ravi,
        kind="pradhan_certificate",
        uploaded_by=personas.asha,
    )
    from himaccess.applications.actions import drafts, filing
    from himaccess.catalog.models import Service

    application = drafts.start_draft(Service.objects.get(code="CERT-01"), ravi, acting_user=personas.asha)
    application = filing.submit(
        application,
        {**application.answers, "relative_name": "X", "purpose": "Y", "years_of_residence": 20},
        {"pradhan_certificate": doc},
        acting_user=personas.asha,
    )
    url = reverse("applications:document", args=[application.number, doc.pk])
    response = personas.client_for(personas.asha).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert personas.client_for(personas.karan).get(url).status_code == 404
    assert personas.client_for(prem).get(url).status_code == 200
