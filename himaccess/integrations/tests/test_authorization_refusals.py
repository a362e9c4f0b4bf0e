"""What the authorization and token endpoints refuse, and that a withdrawn consent stops reads at once."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from himaccess.audit.models import AuditEntry, DataAccess
from himaccess.integrations.models import Consent
from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(personas: Any, pension_app: Any) -> Flow:
    return Flow(browser=personas.client_for(personas.asha), registered=pension_app)


def error_of(response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return parse_qs(urlparse(response["Location"]).query)["error"][0]


def test_wrong_redirect_uri_is_refused_without_redirecting(flow: Flow) -> None:
    response = flow.browser.get(flow.authorize_url(redirect_uri="https://evil.example/cb"))
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")


def test_request_without_pkce_is_refused(flow: Flow) -> None:
    response = flow.browser.get(flow.authorize_url(code_challenge="", code_challenge_method=""))
    assert error_of(response) == "invalid_request"


def test_plain_pkce_is_refused(flow: Flow) -> None:
    url = flow.authorize_url(code_challenge="a" * 50, code_challenge_method="plain")
    assert error_of(flow.browser.get(url)) == "invalid_request"


def test_scope_the_client_is_not_allowed_is_refused(personas: Any, narrow_app: Any) -> None:
    flow = Flow(browser=personas.client_for(personas.asha), registered=narrow_app)
    url = flow.authorize_url(scope="openid member_id", redirect_uri="https://permits.example.gov.in/cb")
    assert error_of(flow.browser.get(url)) == "invalid_scope"


def test_anonymous_visitor_is_sent_to_log_in(pension_app: Any) -> None:
    flow = Flow(browser=Client(), registered=pension_app)
    response = flow.browser.get(flow.authorize_url())
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_declining_gives_no_code_and_no_consent(flow: Flow, personas: Any) -> None:
    response = flow.consent(flow.authorize_url(), allow=False)
    assert error_of(response) == "access_denied"
    assert not Consent.objects.filter(user=personas.asha).exists()


def test_consent_is_asked_once_and_remembered(flow: Flow) -> None:
    flow.code_from(flow.consent(flow.authorize_url()))
    again = flow.browser.get(flow.authorize_url())
    assert again.status_code == 302
    assert "code=" in again["Location"]


def test_wider_scope_asks_again(flow: Flow) -> None:
    flow.code_from(flow.consent(flow.authorize_url(scope="openid member_id")))
    again = flow.browser.get(flow.authorize_url(scope="openid member_id ekyc"))
    assert again.status_code == 200


def test_code_cannot_be_used_twice(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    assert flow.exchange(code).status_code == 200
    replay = flow.exchange(code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_wrong_code_verifier_is_refused(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    response = flow.exchange(code, verifier="x" * 50)
    assert response.status_code == 400


def test_code_is_refused_after_consent_is_withdrawn(flow: Flow, personas: Any) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    consent = Consent.objects.live().get(user=personas.asha)
    response = flow.browser.post(f"/my-apps/consents/{consent.pk}/withdraw/")
    assert response.status_code == 302
    refused = flow.exchange(code)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_userinfo_stops_at_once_when_consent_is_withdrawn(flow: Flow, personas: Any) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    access_token = flow.exchange(code).json()["access_token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    assert api.get("/o/userinfo/").status_code == 200
    reads_before = DataAccess.objects.count()

    consent = Consent.objects.live().get(user=personas.asha)
    flow.browser.post(f"/my-apps/consents/{consent.pk}/withdraw/")

    assert api.get("/o/userinfo/").status_code == 401
    assert DataAccess.objects.count() == reads_before
    assert AuditEntry.objects.filter(action="oidc.consent_withdrawn").exists()


def test_userinfo_without_a_token_is_refused(db: Any) -> None:
    assert Client().get("/o/userinfo/").status_code == 401


def test_another_citizen_cannot_withdraw_ashas_consent(flow: Flow, personas: Any) -> None:
    flow.code_from(flow.consent(flow.authorize_url()))
    consent = Consent.objects.live().get(user=personas.asha)
    karan = personas.client_for(personas.karan)
    assert karan.post(f"/my-apps/consents/{consent.pk}/withdraw/").status_code == 404
    assert Consent.objects.get(pk=consent.pk).is_live


def test_redirect_uri_mismatch_at_token_is_refused(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI + "x",
            "client_id": flow.registered.client_id,
            "client_secret": flow.registered.client_secret,
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 400
