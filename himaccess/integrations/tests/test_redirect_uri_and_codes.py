"""redirect_uri is required and exact at both endpoints; a replayed code revokes what it issued."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, RefreshToken

from himaccess.audit.models import AuditEntry
from himaccess.integrations import actions
from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow

pytestmark = pytest.mark.django_db

LOOPBACK = "http://127.0.0.1:8765/callback"


@pytest.fixture
def flow(personas: Any, pension_app: Any) -> Flow:
    return Flow(browser=personas.client_for(personas.asha), registered=pension_app)


def refused_without_redirect(response: Any) -> None:
    assert response.status_code == 400, response.status_code
    assert "Location" not in response
    assert "cannot be completed" in response.content.decode()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT_URI + "/",
        REDIRECT_URI[:-1],
        REDIRECT_URI.upper(),
        REDIRECT_URI.replace("https", "http"),
        REDIRECT_URI + "?next=/",
        REDIRECT_URI.replace("pension.example.gov.in", "pension.example.gov.in:443"),
        "https://evil.example/oidc/callback",
    ],
)
def test_a_redirect_uri_one_character_off_is_refused_on_a_page(flow: Flow, redirect_uri: str) -> None:
    refused_without_redirect(flow.browser.get(flow.authorize_url(redirect_uri=redirect_uri)))


def test_a_missing_redirect_uri_is_refused_on_a_page(flow: Flow) -> None:
    refused_without_redirect(flow.browser.get(flow.authorize_url(redirect_uri="")))


def test_an_unknown_client_is_refused_on_a_page(flow: Flow) -> None:
    refused_without_redirect(flow.browser.get(flow.authorize_url(client_id="no-such-client")))


def test_a_loopback_redirect_uri_must_keep_its_registered_port(personas: Any, settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"]}
    desktop = actions.register_client(
        name="Kiosk desktop",
        department="Lok Mitra",
        redirect_uris=[LOOPBACK],
        allowed_scopes=["openid"],
        purpose="Signing in at the kiosk",
        confidential=False,
        acting_user=None,
    )
    flow = Flow(browser=personas.client_for(personas.asha), registered=desktop, redirect_uri=LOOPBACK)
    refused_without_redirect(
        flow.browser.get(flow.authorize_url(scope="openid", redirect_uri=LOOPBACK.replace("8765", "9999")))
    )
    refused_without_redirect(
        flow.browser.get(
            flow.authorize_url(scope="openid", redirect_uri=LOOPBACK.replace("127.0.0.1", "localhost"))
        )
    )
    # The registered one works, and a public client authenticates with "none" (PKCE only).
    code = flow.code_from(flow.consent(flow.authorize_url(scope="openid")))
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": LOOPBACK,
            "client_id": desktop.client_id,
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 200, response.content


def token_request(flow: Flow, code: str, **changes: str | None) -> Any:
    data: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": flow.registered.client_id,
        "client_secret": flow.registered.client_secret,
        "code_verifier": flow.verifier,
    }
    data.update(changes)
    return Client().post("/o/token/", {key: value for key, value in data.items() if value is not None})


def test_the_token_request_must_repeat_the_redirect_uri(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    missing = token_request(flow, code, redirect_uri=None)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    off_by_one = token_request(flow, code, redirect_uri=REDIRECT_URI + "/")
    assert off_by_one.status_code == 400
    assert off_by_one.json()["error"] == "invalid_request"
    # Neither spent the code: the exact one still works.
    assert token_request(flow, code).status_code == 200


def test_a_replayed_code_revokes_the_tokens_it_issued(flow: Flow, personas: Any) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    tokens = token_request(flow, code).json()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api.get("/o/userinfo/").status_code == 200
    # Another sign-in of the same citizen, not from this code, is left alone.
    other = flow.sign_in()

    replay = token_request(flow, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert api.get("/o/userinfo/").status_code == 401
    refreshed = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": flow.registered.client_id,
            "client_secret": flow.registered.client_secret,
        },
    )
    assert refreshed.status_code == 400
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other['access_token']}").get("/o/userinfo/").status_code == 200
    assert AuditEntry.objects.filter(action="oidc.code_replayed").count() == 1


def test_a_replay_after_a_refresh_revokes_the_refreshed_tokens_too(flow: Flow) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    tokens = token_request(flow, code).json()
    refreshed = (
        Client()
        .post(
            "/o/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": flow.registered.client_id,
                "client_secret": flow.registered.client_secret,
            },
        )
        .json()
    )
    assert token_request(flow, code).status_code == 400
    api = Client(HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}")
    assert api.get("/o/userinfo/").status_code == 401
    assert not AccessToken.objects.exists()
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


def test_another_client_replaying_a_code_revokes_nothing(flow: Flow, narrow_app: Any) -> None:
    code = flow.code_from(flow.consent(flow.authorize_url()))
    tokens = token_request(flow, code).json()
    foreign = token_request(
        flow, code, client_id=narrow_app.client_id, client_secret=narrow_app.client_secret
    )
    assert foreign.status_code == 400
    api = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert api.get("/o/userinfo/").status_code == 200
