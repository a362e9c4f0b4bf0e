"""A real relying-party library signs a citizen in through Him Access, end to end, over HTTP."""

from __future__ import annotations

import re
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.test import Client
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken

from himaccess.audit.models import DataAccess
from himaccess.integrations.models import Consent
from himaccess.integrations.tests.conftest import PURPOSE, REDIRECT_URI

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def browser_logged_in_as(user: Any) -> requests.Session:
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser.cookies.set(settings.SESSION_COOKIE_NAME, cookie.value)
    return browser


def test_citizen_signs_in_to_a_departmental_app_with_authlib(
    transactional_db: Any, live_server: Any, personas: Any, pension_app: Any
) -> None:
    base = live_server.url
    discovery = requests.get(f"{base}/o/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == f"{base}/o"
    assert discovery["code_challenge_methods_supported"] == ["S256"]

    rp = OAuth2Session(
        client_id=pension_app.client_id,
        client_secret=pension_app.client_secret,
        scope="openid member_id family_id name phone ekyc",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = generate_token(48)
    nonce = generate_token(16)
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    browser = browser_logged_in_as(personas.asha)
    screen = browser.get(url, timeout=10)
    assert screen.status_code == 200
    assert "Social Security Pension" in screen.text, screen.text[screen.text.find("<main") :][:1500]
    fields = dict(HIDDEN_INPUT.findall(screen.text))
    fields["allow"] = "Authorize"
    fields["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    answer = browser.post(url, data=fields, headers={"Referer": url}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    callback = answer.headers["Location"]
    assert callback.startswith(REDIRECT_URI)

    token = rp.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    # The access token lives as long as configured (oauthlib's OpenID server would make it an hour).
    lifetime = settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]
    assert token["expires_in"] == lifetime
    stored = AccessToken.objects.get()
    assert abs((stored.expires - timezone.now()).total_seconds() - lifetime) < 60
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": pension_app.client_id},
        nonce={"essential": True, "value": nonce},
    ).validate(id_token.claims)
    asha = personas.member(personas.asha)
    assert id_token.claims["member_id"] == asha.member_id

    userinfo = rp.get(discovery["userinfo_endpoint"], timeout=10).json()
    assert userinfo["member_id"] == asha.member_id
    assert userinfo["family_id"] == personas.asha_family.family_id
    assert userinfo["name"] == "Asha Devi"
    assert userinfo["name#hi"] == "आशा देवी"
    assert userinfo["phone_number"] == "+919816000001"
    assert userinfo["phone_number_verified"] is True
    assert userinfo["ekyc_status"] == "not_done"
    assert userinfo["sub"] == id_token.claims["sub"]
    assert asha.member_id not in userinfo["sub"]

    assert Consent.objects.live().get(user=personas.asha).scope_list() == [
        "openid",
        "member_id",
        "family_id",
        "name",
        "phone",
        "ekyc",
    ]
    reads = DataAccess.objects.for_family(personas.asha_family)
    assert reads.count() == 2  # the ID token and the userinfo read
    assert {read.purpose for read in reads} == {PURPOSE}
    assert all(read.client_id is not None and read.member_id == asha.pk for read in reads)
