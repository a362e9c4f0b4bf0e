"""RP-initiated logout: registered post-logout addresses only, state comes back; bad hints: a page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from himaccess.integrations.tests.conftest import LOGOUT_URI, Flow, redirect_query

pytestmark = pytest.mark.django_db

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture
def flow(personas: Any, pension_app: Any) -> Flow:
    return Flow(browser=personas.client_for(personas.asha), registered=pension_app)


def logout_url(**params: str) -> str:
    return "/o/logout/?" + urlencode(params)


def confirm(browser: Client, url: str) -> Any:
    page = browser.get(url)
    assert page.status_code == 200, page.content[:300]
    fields = dict(HIDDEN_INPUT.findall(page.content.decode()))
    fields["allow"] = "on"
    return browser.post(url, fields)


def refused_on_a_page(response: Any) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert "Location" not in response
    assert "This logout request cannot be completed" in response.content.decode()


def test_logout_returns_to_the_registered_address_with_state(flow: Flow, personas: Any) -> None:
    tokens = flow.sign_in()
    url = logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=LOGOUT_URI, state="bye-1")
    page = flow.browser.get(url)
    assert "Log out of Him Access?" in page.content.decode()
    # The confirming form ends in a redirect to the client: the page's form-action allows exactly it.
    assert "form-action 'self' https://pension.example.gov.in;" in page["Content-Security-Policy"]
    response = confirm(flow.browser, url)
    assert response["Location"].startswith(LOGOUT_URI + "?")
    assert redirect_query(response) == {"state": "bye-1"}
    assert flow.browser.get("/my-apps/").status_code == 302  # logged out: sent to log in
    assert not AccessToken.objects.filter(user=personas.asha).exists()
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/o/userinfo/").status_code == 401
    )


def test_staying_logged_in_keeps_the_session(flow: Flow) -> None:
    tokens = flow.sign_in()
    url = logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=LOGOUT_URI)
    page = flow.browser.get(url)
    fields = dict(HIDDEN_INPUT.findall(page.content.decode()))
    answer = flow.browser.post(url, fields)
    assert "Location" not in answer
    assert flow.browser.get("/my-apps/").status_code == 200


@pytest.mark.parametrize(
    "uri",
    [
        LOGOUT_URI + "/",
        LOGOUT_URI[:-1],
        LOGOUT_URI + "?x=1",
        "https://evil.example/signed-out",
        "https://pension.example.gov.in/oidc/callback",  # a redirect_uri, not a post-logout one
    ],
)
def test_an_unregistered_post_logout_address_gets_a_page(flow: Flow, uri: str) -> None:
    tokens = flow.sign_in()
    refused_on_a_page(
        flow.browser.get(logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=uri))
    )
    assert flow.browser.get("/my-apps/").status_code == 200


def test_another_clients_address_is_refused_with_this_clients_hint(flow: Flow, narrow_app: Any) -> None:
    tokens = flow.sign_in()
    url = logout_url(
        id_token_hint=tokens["id_token"], client_id=narrow_app.client_id, post_logout_redirect_uri=LOGOUT_URI
    )
    refused_on_a_page(flow.browser.get(url))


def test_a_post_logout_address_needs_the_client_to_be_known(flow: Flow) -> None:
    refused_on_a_page(flow.browser.get(logout_url(post_logout_redirect_uri=LOGOUT_URI)))


def test_an_unknown_client_id_gets_a_page(flow: Flow) -> None:
    refused_on_a_page(
        flow.browser.get(logout_url(client_id="no-such-client", post_logout_redirect_uri=LOGOUT_URI))
    )


@pytest.mark.parametrize(
    "hint",
    [
        "not-a-token",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
    ],
)
def test_a_malformed_or_foreign_hint_gets_a_page(flow: Flow, hint: str) -> None:
    refused_on_a_page(flow.browser.get(logout_url(id_token_hint=hint, post_logout_redirect_uri=LOGOUT_URI)))


def test_a_truncated_hint_gets_a_page(flow: Flow) -> None:
    tokens = flow.sign_in()
    hint = tokens["id_token"][:-10]
    refused_on_a_page(flow.browser.get(logout_url(id_token_hint=hint, post_logout_redirect_uri=LOGOUT_URI)))


def test_a_hint_signed_by_another_issuer_gets_a_page(flow: Flow) -> None:
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    foreign = jwt.encode(
        {"alg": "RS256"},
        {"aud": flow.registered.client_id, "iss": "https://evil.example", "sub": "x"},
        RSAKey.generate_key(2048),
    )
    refused_on_a_page(
        flow.browser.get(logout_url(id_token_hint=foreign, post_logout_redirect_uri=LOGOUT_URI))
    )


def test_the_logout_page_speaks_hindi(flow: Flow) -> None:
    tokens = flow.sign_in()
    url = logout_url(id_token_hint=tokens["id_token"], post_logout_redirect_uri=LOGOUT_URI)
    page = flow.browser.get(url, HTTP_ACCEPT_LANGUAGE="hi")
    assert "हिम एक्सेस से लॉग आउट करें?" in page.content.decode()
