from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from himaccess.applications.models import Application, Certificate, Status
from himaccess.conftest import Personas
from himaccess.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db


def test_asha_applies_for_ravi_with_the_register_filling_the_form(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    ravi = personas.member(personas.ravi)
    response = client.post(reverse("applications:apply", args=["CERT-05"]), {"member_id": ravi.member_id})
    assert response.status_code == 302
    application = Application.objects.get(member=ravi)
    assert application.status == Status.DRAFT
    assert application.answers["applicant_name_en"] == "Ravi Kumar"
    assert application.answers["applicant_name_hi"] == "रवि कुमार"
    assert application.answers["date_of_birth"] == "2001-09-03"
    assert "address_en" in application.prefilled
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Ravi Kumar" in page.content.decode()
    response = client.post(
        response["Location"],
        {
            "relative_name": "Late Mohan Lal",
            "purpose": "Police constable recruitment",
            "applicant_name_en": "Someone Else",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert (
        application.answers["applicant_name_en"] == "Ravi Kumar"
    )  # a prefilled field ignores what is posted
    assert application.due_at is not None and application.stage_role == "patwari"
    sent = SmsMessage.objects.filter(template__key="service_submitted")
    assert [(m.to, m.params["number"]) for m in sent] == [("9816000002", application.number)]


def test_patwari_verifies_tehsildar_approves_and_the_certificate_verifies(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    patwari = personas.client_for(prem)
    queue = patwari.get(reverse("applications:queue"))
    assert submitted.display_number in queue.content.decode()
    response = patwari.post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "verify", "version": submitted.version, "note": "Known to me"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.stage_role == "tehsildar"
    meena = personas.client_for(personas.meena)
    response = meena.post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "approve", "version": submitted.version},
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(application=submitted)
    pdf = personas.client_for(personas.asha).get(reverse("applications:certificate", args=[submitted.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    page = personas.client_for(personas.karan).get(reverse("applications:verify") + "?t=" + certificate.token)
    assert "Genuine" in page.content.decode()
