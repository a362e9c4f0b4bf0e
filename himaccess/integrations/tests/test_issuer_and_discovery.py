"""Every redirect to the client names the issuer discovery publishes (RFC 9207); discovery tells the truth."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow, redirect_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(personas: Any, pension_app: Any) -> Flow:
    return Flow(browser=personas.client_for(personas.asha), registered=pension_app)


@pytest.fixture
def discovery(db: Any) -> dict[str, Any]:
    document: dict[str, Any] = Client().get("/o/.well-known/openid-configuration").json()
    return document


def test_the_code_redirect_names_the_discovery_issuer(flow: Flow, discovery: dict[str, Any]) -> None:
    answer = redirect_query(flow.consent(flow.authorize_url()))
    assert discovery["issuer"] == "http://testserver/o"
    assert answer["iss"] == discovery["issuer"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "openid land_records"}, "invalid_scope"),
        ({"code_challenge": "", "code_challenge_method": ""}, "invalid_request"),
        ({"prompt": "none"}, "consent_required"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://pension.example.gov.in/req/1"}, "request_uri_not_supported"),
    ],
)
def test_error_redirects_name_the_issuer_too(
    flow: Flow, discovery: dict[str, Any], overrides: dict[str, str], error: str
) -> None:
    response = flow.browser.get(flow.authorize_url(**overrides))
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = redirect_query(response)
    assert answer["error"] == error
    assert answer["iss"] == discovery["issuer"]
    assert "code" not in answer


def test_declining_names_the_issuer(flow: Flow, discovery: dict[str, Any]) -> None:
    answer = redirect_query(flow.consent(flow.authorize_url(), allow=False))
    assert answer == {"error": "access_denied", "state": answer["state"], "iss": discovery["issuer"]}


def test_a_configured_issuer_is_used_everywhere(flow: Flow, settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://login.hp.gov.in/o"}
    assert Client().get("/o/.well-known/openid-configuration").json()["issuer"] == "https://login.hp.gov.in/o"
    assert redirect_query(flow.consent(flow.authorize_url()))["iss"] == "https://login.hp.gov.in/o"


def test_discovery_states_what_is_offered(discovery: dict[str, Any]) -> None:
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert discovery["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["request_parameter_supported"] is False
    assert discovery["request_uri_parameter_supported"] is False
    assert discovery["subject_types_supported"] == ["pairwise", "public"]
    assert discovery["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]
    assert discovery["end_session_endpoint"] == "http://testserver/o/logout/"
    assert {"sub", "auth_time", "member_id", "name#hi", "phone_number_verified"} <= set(
        discovery["claims_supported"]
    )
    assert discovery["prompt_values_supported"] == ["none", "login"]


def test_each_advertised_client_authentication_works(personas: Any, pension_app: Any) -> None:
    basic = Flow(browser=personas.client_for(personas.asha), registered=pension_app)
    code = basic.code_from(basic.consent(basic.authorize_url()))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": basic.verifier,
        },
        HTTP_AUTHORIZATION=_basic(pension_app.client_id, pension_app.client_secret),
    )
    assert response.status_code == 200, response.content
    # client_secret_post is what Flow.exchange sends; "none" is the public client's way.
    assert basic.sign_in()["access_token"]


def _basic(client_id: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
