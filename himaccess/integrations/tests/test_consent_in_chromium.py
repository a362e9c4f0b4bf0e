"""The consent screen in Chromium: "Allow" reaches the department's address, in English and in Hindi.

Chromium checks the consent page's CSP ``form-action`` against the redirect
that answers the form, so the page allows exactly the client's redirect
origin; with the site-wide ``form-action 'self'`` the citizen would stay on
the consent page (shown below by putting that policy back).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from himaccess.integrations.models import Consent
from himaccess.integrations.tests.conftest import REDIRECT_URI
from himaccess.middleware import CONTENT_SECURITY_POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def authorize_path(client_id: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid member_id",
        "state": "chromium-state",
        "nonce": generate_token(12),
        "code_challenge": create_s256_code_challenge(generate_token(48)),
        "code_challenge_method": "S256",
    }
    return "/o/authorize/?" + urlencode(query)


def open_consent(browser: Any, live_server: Any, personas: Any, locale: str) -> tuple[Any, list[str]]:
    """Asha's logged-in page in ``locale``, and the list of requests it sends to the department."""
    client = Client()
    client.force_login(personas.asha)
    context = browser.new_context(base_url=live_server.url, locale=locale)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    reached: list[str] = []
    # The department's host does not exist here: the request leaving for it is the proof.
    page.on(
        "request",
        lambda request: reached.append(request.url) if request.url.startswith(REDIRECT_URI) else None,
    )
    return page, reached


@pytest.mark.parametrize(("locale", "allow"), [("en-IN", "Allow"), ("hi-IN", "अनुमति दें")])
def test_allow_takes_the_citizen_to_the_department(
    browser: Any, live_server: Any, personas: Any, pension_app: Any, locale: str, allow: str
) -> None:
    page, reached = open_consent(browser, live_server, personas, locale)
    page.goto(authorize_path(pension_app.client_id))
    with page.expect_request(lambda request: request.url.startswith(REDIRECT_URI)):
        page.get_by_role("button", name=allow, exact=True).click()
    assert len(reached) == 1
    answer = parse_qs(urlparse(reached[0]).query)
    assert answer["state"] == ["chromium-state"] and answer["code"]
    assert answer["iss"] == [f"{live_server.url}/o"]
    assert Consent.objects.live().filter(user=personas.asha).count() == 1


def test_with_the_site_wide_form_action_chromium_blocks_the_redirect(
    browser: Any, live_server: Any, personas: Any, pension_app: Any
) -> None:
    page, reached = open_consent(browser, live_server, personas, "en-IN")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))

    def site_wide_policy(route: Any) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": CONTENT_SECURITY_POLICY},
        )

    page.route("**/o/authorize/**", site_wide_policy)
    page.goto(authorize_path(pension_app.client_id))
    page.get_by_role("button", name="Allow", exact=True).click()
    page.wait_for_timeout(1500)
    assert reached == []
    assert any("form-action" in text for text in violations), violations
