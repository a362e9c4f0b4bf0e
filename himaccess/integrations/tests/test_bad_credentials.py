"""Malformed, truncated or foreign credentials, tokens in the wrong place: the standard's error, no 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow

pytestmark = pytest.mark.django_db

FOREIGN_JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V2aWwuZXhhbXBsZSIsInN1YiI6IjEifQ.c2lnbmF0dXJl"
)


@pytest.fixture
def flow(personas: Any, pension_app: Any) -> Flow:
    return Flow(browser=personas.client_for(personas.asha), registered=pension_app)


@pytest.fixture
def tokens(flow: Flow) -> dict[str, Any]:
    return flow.sign_in()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer \u00e9\u00e9",
        "Basic Zm9vOmJhcg==",
        "Bearer " + FOREIGN_JWT,
        "Bearer " + "A" * 5000,
        "bearer,token",
    ],
)
def test_userinfo_answers_a_bad_bearer_with_401(db: Any, header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/o/userinfo/")
    assert response.status_code == 401
    assert "Bearer" in response.get("WWW-Authenticate", "Bearer")


def test_userinfo_refuses_a_truncated_token(tokens: dict[str, Any]) -> None:
    truncated = tokens["access_token"][:-1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {truncated}").get("/o/userinfo/").status_code == 401


def test_userinfo_refuses_the_id_token_or_refresh_token_as_a_bearer(tokens: dict[str, Any]) -> None:
    for wrong in (tokens["id_token"], tokens["refresh_token"]):
        assert Client(HTTP_AUTHORIZATION=f"Bearer {wrong}").get("/o/userinfo/").status_code == 401


def test_userinfo_omits_empty_claims(flow: Flow, personas: Any) -> None:
    member = personas.member(personas.asha)
    type(member).objects.filter(pk=member.pk).update(name_hi="")
    tokens = flow.sign_in()
    claims = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/o/userinfo/").json()
    assert "name#hi" not in claims
    assert claims["name"] == "Asha Devi"
    assert all(value not in ("", None) for value in claims.values())


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic",
        "Basic !!!notbase64!!!",
        "Basic " + "w6k=",  # decodes to bytes that are no "id:secret"
        "Basic Og==",  # ":" only
        "Bearer abc",
    ],
)
def test_token_endpoint_answers_malformed_client_authentication_with_invalid_client(
    flow: Flow, authorization: str
) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier,
        },
        HTTP_AUTHORIZATION=authorization,
    )
    assert response.status_code in (400, 401), response.status_code
    assert response.json()["error"] in ("invalid_client", "invalid_request")


def test_token_endpoint_answers_an_unknown_client(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": "no-such-client",
            "client_secret": "x",
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_endpoint_answers_a_wrong_secret(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": flow.registered.client_id,
            "client_secret": flow.registered.client_secret[:-1],
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "code", ["", "x", "a" * 4000, "../../etc/passwd", "\u0928\u092e\u0938\u094d\u0924\u0947"]
)
def test_token_endpoint_answers_a_bad_code_with_invalid_grant(flow: Flow, code: str) -> None:
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": flow.registered.client_id,
            "client_secret": flow.registered.client_secret,
            "code_verifier": "v" * 50,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_grant", "invalid_request")


@pytest.mark.parametrize("refresh", ["", "x", "a" * 4000, FOREIGN_JWT])
def test_token_endpoint_answers_a_bad_refresh_token_with_invalid_grant(flow: Flow, refresh: str) -> None:
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": flow.registered.client_id,
            "client_secret": flow.registered.client_secret,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_grant", "invalid_request")


def test_another_clients_refresh_token_is_refused(tokens: dict[str, Any], narrow_app: Any) -> None:
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": narrow_app.client_id,
            "client_secret": narrow_app.client_secret,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "changes",
    [
        {"response_type": "token"},
        {"response_type": ""},
        {"scope": ""},
        {"code_challenge": "short", "code_challenge_method": "S256"},
        {"nonce": "n" * 3000},
        {"state": "s" * 3000},
    ],
)
def test_authorization_endpoint_answers_malformed_requests_without_a_500(
    flow: Flow, changes: dict[str, str]
) -> None:
    response = flow.browser.get(flow.authorize_url(**changes))
    assert response.status_code in (200, 302, 400), response.status_code


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "no-such-client"},
        {"client_id": ""},
        {"redirect_uri": "https://evil.example/cb"},
        {"redirect_uri": REDIRECT_URI + "/"},
    ],
)
def test_a_consent_form_with_changed_hidden_fields_gets_a_page(flow: Flow, changes: dict[str, str]) -> None:
    import re

    url = flow.authorize_url()
    page = flow.browser.get(url)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))
    fields.update(changes, allow="Authorize")
    response = flow.browser.post(url, fields)
    assert response.status_code == 400, response.status_code
    assert "Location" not in response
