from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse

from himaccess.accounts.testing import last_code_sent_to
from himaccess.applications import certificates
from himaccess.applications.actions import decisions
from himaccess.applications.models import Application, Certificate
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_operator_applies_only_after_the_citizens_otp_consent(personas: Personas, lalit: Any) -> None:
    operator = personas.client_for(lalit)
    ravi = personas.member(personas.ravi)
    assert (
        operator.post(
            reverse("applications:apply", args=["CERT-05"]), {"member_id": ravi.member_id}
        ).status_code
        == 302
    )
    assert not Application.objects.exists()  # sent to get consent first
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = operator.post(
            reverse("applications:assisted"), {"send": "1", "member_id": ravi.member_id, "service": "CERT-05"}
        )
    assert response.status_code == 200
    wrong = operator.post(
        reverse("applications:assisted"), {"confirm": "1", "member_id": ravi.member_id, "code": "000000"}
    )
    assert wrong.status_code == 400
    code = last_code_sent_to(ravi.mobile)
    response = operator.post(
        reverse("applications:assisted"), {"confirm": "1", "member_id": ravi.member_id, "code": code}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:apply", args=["CERT-05"])
    response = operator.post(reverse("applications:apply", args=["CERT-05"]), {"member_id": ravi.member_id})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.assisted_by == lalit and application.consent is not None
    karan = personas.member(personas.karan)
    assert (
        operator.post(
            reverse("applications:apply", args=["CERT-05"]), {"member_id": karan.member_id}
        ).status_code
        == 404
    )


def test_api_files_an_application_in_one_call(personas: Personas) -> None:
    response = personas.client_for(personas.asha).post(
        "/api/v1/services/applications",
        {
            "service": "CERT-05",
            "member_id": personas.member(personas.ravi).member_id,
            "answers": {"relative_name": "X", "purpose": "Y"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["steps"][0]["action"] == "submit"
    assert (
        personas.client_for(personas.karan).get(f"/api/v1/services/applications/{body['number']}").status_code
        == 404
    )


def test_revoked_certificate_verifies_as_revoked(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    application = decisions.act(submitted, "verify", acting_user=prem, expected_version=submitted.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    certificate = Certificate.objects.get()
    assert (
        personas.client_for(personas.vikram)
        .post(reverse("applications:revoke", args=[certificate.number]), {"reason": "x"})
        .status_code
        == 404
    )
    response = personas.client_for(personas.meena).post(
        reverse("applications:revoke", args=[certificate.number]), {"reason": "Issued on false facts"}
    )
    assert response.status_code == 302
    verdict = (
        personas.client_for(personas.karan)
        .get("/api/v1/services/certificates/verify", {"token": certificate.token})
        .json()
    )
    assert verdict["verdict"] == certificates.REVOKED and verdict["revoked_at"]


def test_a_tampered_code_is_not_genuine(personas: Personas, prem: Any, submitted: Application) -> None:
    application = decisions.act(submitted, "verify", acting_user=prem, expected_version=submitted.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    token = Certificate.objects.get().token
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload[:-4]}AAAA.{signature}"
    assert certificates.verify(forged).verdict == certificates.TAMPERED
    assert certificates.verify("hello").verdict == certificates.NOT_CERTIFICATE
    assert (
        personas.client_for(personas.karan).get("/services/keys.json").json()["keys"][0]["crv"] == "Ed25519"
    )
