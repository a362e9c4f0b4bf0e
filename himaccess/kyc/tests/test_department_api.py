"""A department asks "is this citizen's e-KYC done?" with the token the citizen's consent gave it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas
from himaccess.integrations import actions as integrations
from himaccess.integrations.models import Consent
from himaccess.integrations.tests.conftest import Flow
from himaccess.integrations.tests.conftest import pension_app as pension_app  # the fixture
from himaccess.kyc import actions
from himaccess.kyc.models import Method

pytestmark = pytest.mark.django_db


def _token(personas: Personas, app: Any, scope: str) -> str:
    flow = Flow(browser=personas.client_for(personas.asha), registered=app)
    answer = flow.exchange(flow.code_from(flow.consent(flow.authorize_url(scope=scope))))
    token: str = answer.json()["access_token"]
    return token


def test_with_consent_and_the_ekyc_scope_the_answer_has_no_number(
    personas: Personas, pension_app: Any
) -> None:
    asha = personas.member(personas.asha)
    actions.verify_without_aadhaar(asha, method=Method.PHYSICAL, acting_user=personas.suresh, note="camp")
    token = _token(personas, pension_app, "openid ekyc")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/kyc/status")
    assert response.status_code == 200
    body = response.json()
    assert body["member_id"] == asha.member_id and body["status"] == "without_aadhaar"
    assert body["ekyc_verified"] is False and "aadhaar" not in body
    assert DataAccess.objects.filter(member=asha, client__isnull=False).exists()


def test_without_the_ekyc_scope_the_token_is_refused(personas: Personas, pension_app: Any) -> None:
    token = _token(personas, pension_app, "openid member_id")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/kyc/status").status_code == 401


def test_a_withdrawn_consent_stops_the_answer_at_once(personas: Personas, pension_app: Any) -> None:
    token = _token(personas, pension_app, "openid ekyc")
    consent = Consent.objects.live().get(user=personas.asha)
    integrations.revoke_consent(consent, acting_user=personas.asha)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/kyc/status").status_code == 401


def test_no_token_or_a_made_up_one_is_401(db: Any) -> None:
    assert Client().get("/api/v1/kyc/status").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer made-up").get("/api/v1/kyc/status").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Basic eDp5").get("/api/v1/kyc/status").status_code == 401
