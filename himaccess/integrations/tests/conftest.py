"""A registered departmental application and an authorization-code flow driven with Django's test client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from himaccess.integrations import actions

REDIRECT_URI = "https://pension.example.gov.in/oidc/callback"
LOGOUT_URI = "https://pension.example.gov.in/signed-out"
PURPOSE = "Checking eligibility for the old-age pension"


@pytest.fixture
def pension_app(db: Any) -> actions.RegisteredClient:
    return actions.register_client(
        name="Social Security Pension",
        name_hi="सामाजिक सुरक्षा पेंशन",
        department="Social Justice and Empowerment",
        redirect_uris=[REDIRECT_URI],
        allowed_scopes=["openid", "member_id", "family_id", "name", "phone", "ekyc"],
        purpose=PURPOSE,
        purpose_hi="वृद्धावस्था पेंशन की पात्रता जाँचना",
        launch_url="https://pension.example.gov.in/",
        listed=True,
        post_logout_redirect_uris=[LOGOUT_URI],
        acting_user=None,
    )


@pytest.fixture
def narrow_app(db: Any) -> actions.RegisteredClient:
    """An application allowed only to know that the citizen signed in."""
    return actions.register_client(
        name="Tourism Permits",
        department="Tourism",
        redirect_uris=["https://permits.example.gov.in/cb"],
        allowed_scopes=["openid"],
        purpose="Issuing a permit",
        acting_user=None,
    )


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class Flow:
    """One citizen's browser and one application's side of an authorization-code flow."""

    browser: Client
    registered: actions.RegisteredClient
    verifier: str = ""
    redirect_uri: str = REDIRECT_URI

    def authorize_url(self, scope: str = "openid member_id name", **overrides: str) -> str:
        self.verifier = generate_token(48)
        params = {
            "response_type": "code",
            "client_id": self.registered.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": "s-" + generate_token(8),
            "nonce": "n-" + generate_token(8),
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return "/o/authorize/?" + urlencode({k: v for k, v in params.items() if v != ""})

    def consent(self, url: str, *, allow: bool = True) -> Any:
        page = self.browser.get(url)
        assert page.status_code == 200, page.content[:500]
        fields = dict(HIDDEN_INPUT.findall(page.content.decode()))
        if allow:
            fields["allow"] = "Authorize"
        return self.browser.post(url, fields)

    def sign_in(self, **overrides: str) -> dict[str, Any]:
        """Authorize (consenting if asked), exchange the code: the token response."""
        url = self.authorize_url(**overrides)
        page = self.browser.get(url)
        answer = page if page.status_code == 302 else self.consent(url)
        response = self.exchange(self.code_from(answer))
        assert response.status_code == 200, response.content
        tokens: dict[str, Any] = response.json()
        return tokens

    def code_from(self, response: Any) -> str:
        assert response.status_code == 302, response.content[:500]
        query = parse_qs(urlparse(response["Location"]).query)
        assert "code" in query, response["Location"]
        return query["code"][0]

    def exchange(self, code: str, verifier: str | None = None) -> Any:
        return Client().post(
            "/o/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "client_id": self.registered.client_id,
                "client_secret": self.registered.client_secret,
                "code_verifier": self.verifier if verifier is None else verifier,
            },
        )


def claims_of(id_token: str) -> dict[str, Any]:
    """The claims of an ID token Him Access signed, its signature checked with the published key."""
    from django.conf import settings
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    private_key = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    assert isinstance(private_key, str)
    key = RSAKey.import_key(private_key)
    claims: dict[str, Any] = jwt.decode(id_token, key, algorithms=["RS256"]).claims
    return claims


def redirect_query(response: Any) -> dict[str, str]:
    """The parameters of a redirect back to the client (one value each)."""
    assert response.status_code == 302, (response.status_code, response.content[:300])
    return {key: values[0] for key, values in parse_qs(urlparse(response["Location"]).query).items()}
