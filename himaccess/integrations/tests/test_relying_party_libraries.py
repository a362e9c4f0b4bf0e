"""Two independent relying-party libraries, authlib and pyoidc, run the whole flow against the live server.

Authorize with PKCE, consent, token, ID token checks (signature, iss, aud,
nonce, at_hash, auth_time), userinfo, refresh, and RP-initiated logout.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from himaccess.integrations.tests.conftest import LOGOUT_URI, REDIRECT_URI

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def browser_logged_in_as(user: Any) -> requests.Session:
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return browser


def submit_form(browser: requests.Session, url: str, button: tuple[str, str]) -> requests.Response:
    """Read the page at ``url`` and press ``button`` on its form, as a person would: the redirect answered."""
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    fields = dict(HIDDEN_INPUT.findall(page.text))
    fields[button[0]] = button[1]
    fields["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    answer = browser.post(url, data=fields, headers={"Referer": url}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return answer


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def test_authlib_runs_the_whole_flow(
    transactional_db: Any, live_server: Any, personas: Any, pension_app: Any
) -> None:
    discovery = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == f"{live_server.url}/o"
    rp = OAuth2Session(
        client_id=pension_app.client_id,
        client_secret=pension_app.client_secret,
        scope="openid member_id name",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = browser_logged_in_as(personas.asha)
    callback = submit_form(browser, url, ("allow", "Authorize")).headers["Location"]
    answer = parse_qs(urlparse(callback).query)
    assert answer["iss"] == [discovery["issuer"]]  # RFC 9207: the mix-up check a client makes
    assert answer["state"] == [state]

    token = rp.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": pension_app.client_id},
        nonce={"essential": True, "value": nonce},
        at_hash={"essential": True, "value": at_hash(token["access_token"])},
        auth_time={"essential": True},
    ).validate(claims)

    userinfo = rp.get(discovery["userinfo_endpoint"], timeout=10).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["member_id"] == personas.member(personas.asha).member_id

    refreshed = rp.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    again = jwt.decode(refreshed["id_token"], keys, algorithms=["RS256"]).claims
    assert (again["sub"], again["auth_time"]) == (claims["sub"], claims["auth_time"])
    assert rp.get(discovery["userinfo_endpoint"], timeout=10).status_code == 200

    logout = rp.create_authorization_url(
        discovery["end_session_endpoint"],
        id_token_hint=refreshed["id_token"],
        post_logout_redirect_uri=LOGOUT_URI,
        state="bye",
    )[0]
    back = submit_form(browser, logout, ("allow", "on")).headers["Location"]
    assert back.startswith(LOGOUT_URI + "?")
    assert parse_qs(urlparse(back).query)["state"] == ["bye"]
    assert rp.get(discovery["userinfo_endpoint"], timeout=10).status_code == 401
    # The Him Access session is over too: a silent sign-in now needs a login.
    silent, _state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, prompt="none"
    )
    refused = browser.get(silent, allow_redirects=False, timeout=10)
    assert parse_qs(urlparse(refused.headers["Location"]).query)["error"] == ["login_required"]


def test_pyoidc_runs_the_whole_flow(
    transactional_db: Any, live_server: Any, personas: Any, pension_app: Any
) -> None:
    from oic import rndstr
    from oic.oic import Client as OicClient
    from oic.oic.message import AuthorizationResponse, RegistrationResponse
    from oic.utils.authn.client import CLIENT_AUTHN_METHOD

    issuer = f"{live_server.url}/o"
    rp = OicClient(client_authn_method=CLIENT_AUTHN_METHOD, config={"code_challenge": {"method": "S256"}})
    # pyoidc fetches discovery and refuses it unless its issuer is exactly the one configured.
    rp.provider_config(issuer)
    rp.store_registration_info(
        RegistrationResponse(
            client_id=pension_app.client_id,
            client_secret=pension_app.client_secret,
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="client_secret_basic",
        )
    )
    rp.redirect_uris = [REDIRECT_URI]
    state, nonce = rndstr(), rndstr()
    pkce, verifier = rp.add_code_challenge()
    request = rp.construct_AuthorizationRequest(
        request_args={
            "client_id": pension_app.client_id,
            "response_type": "code",
            "scope": ["openid", "member_id", "family_id"],
            "nonce": nonce,
            "redirect_uri": REDIRECT_URI,
            "state": state,
            **pkce,
        }
    )
    browser = browser_logged_in_as(personas.asha)
    callback = submit_form(browser, request.request(rp.authorization_endpoint), ("allow", "Authorize"))
    # parse_response checks the response's iss against the discovery issuer (RFC 9207).
    answer = rp.parse_response(
        AuthorizationResponse, info=urlparse(callback.headers["Location"]).query, sformat="urlencoded"
    )
    assert answer["iss"] == issuer

    token = rp.do_access_token_request(
        state=state,
        request_args={"code": answer["code"], "code_verifier": verifier, "redirect_uri": REDIRECT_URI},
        authn_method="client_secret_basic",
    )
    assert "error" not in token, token.to_dict()
    # pyoidc has checked the signature against the JWKS, iss, aud, exp, nonce and at_hash.
    id_token = token["id_token"]
    assert id_token["iss"] == issuer and id_token["aud"] == [pension_app.client_id]
    assert id_token["nonce"] == nonce
    assert id_token["at_hash"] == at_hash(token["access_token"])
    assert isinstance(id_token["auth_time"], int)

    userinfo = rp.do_user_info_request(state=state, method="GET")
    assert userinfo["sub"] == id_token["sub"]
    assert userinfo["family_id"] == personas.asha_family.family_id

    refreshed = rp.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert "error" not in refreshed, refreshed.to_dict()
    assert refreshed["access_token"] != token["access_token"]

    end = rp.construct_EndSessionRequest(
        state=state, request_args={"post_logout_redirect_uri": LOGOUT_URI, "state": "pyoidc-bye"}
    )
    back = submit_form(browser, end.request(rp.provider_info["end_session_endpoint"]), ("allow", "on"))
    assert back.headers["Location"] == f"{LOGOUT_URI}?state=pyoidc-bye"
    stale = requests.get(
        f"{issuer}/userinfo/", headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=10
    )
    assert stale.status_code == 401
