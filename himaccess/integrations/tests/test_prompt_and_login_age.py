"""prompt=none, prompt=login and max_age at the authorization endpoint, and the ID token's auth_time."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine
from django.test import Client

from himaccess.accounts.testing import login_citizen
from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow, claims_of, redirect_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(personas: Any) -> Client:
    """Asha's browser, logged in through the real code login (so the session knows when)."""
    client = Client()
    login_citizen(client, personas.asha)
    return client


@pytest.fixture
def flow(browser: Client, pension_app: Any) -> Flow:
    return Flow(browser=browser, registered=pension_app)


def test_prompt_none_without_a_session_answers_login_required(pension_app: Any) -> None:
    flow = Flow(browser=Client(), registered=pension_app)
    answer = redirect_query(flow.browser.get(flow.authorize_url(prompt="none", state="s-1")))
    assert answer["error"] == "login_required"
    assert answer["state"] == "s-1"
    assert "code" not in answer


def test_prompt_none_without_consent_answers_consent_required(flow: Flow) -> None:
    response = flow.browser.get(flow.authorize_url(prompt="none", state="s-2"))
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = redirect_query(response)
    assert answer["error"] == "consent_required"
    assert answer["state"] == "s-2"


def test_prompt_none_with_consent_answers_a_code(flow: Flow) -> None:
    flow.sign_in()
    answer = redirect_query(flow.browser.get(flow.authorize_url(prompt="none")))
    assert "code" in answer and "error" not in answer


def test_prompt_none_with_another_value_is_invalid(flow: Flow) -> None:
    answer = redirect_query(flow.browser.get(flow.authorize_url(prompt="none login")))
    assert answer["error"] == "invalid_request"


def test_prompt_none_with_an_unknown_client_is_a_page_not_a_redirect(pension_app: Any) -> None:
    flow = Flow(browser=Client(), registered=pension_app)
    response = flow.browser.get(flow.authorize_url(prompt="none", client_id="no-such-client"))
    assert response.status_code == 400
    assert "Location" not in response


def test_id_token_auth_time_is_the_login_time(personas: Any, pension_app: Any) -> None:
    before = int(time.time())
    browser = Client()
    login_citizen(browser, personas.asha)
    after = time.time()
    with time_machine.travel(time.time() + 120, tick=False):
        claims = claims_of(Flow(browser=browser, registered=pension_app).sign_in()["id_token"])
    assert before <= claims["auth_time"] <= after
    assert claims["iat"] - claims["auth_time"] >= 119


def test_max_age_passed_sends_the_citizen_to_log_in_again(flow: Flow, personas: Any) -> None:
    flow.sign_in()
    with time_machine.travel(time.time() + 600, tick=False):
        response = flow.browser.get(flow.authorize_url(max_age="300"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        # Coming back without logging in does not get round it.
        again = flow.browser.get(flow.authorize_url())
        assert again["Location"].startswith("/accounts/login/")
        relogin_at = time.time()
        login_citizen(flow.browser, personas.asha)
        answer = redirect_query(flow.browser.get(flow.authorize_url(max_age="300")))
        claims = claims_of(flow.exchange(answer["code"]).json()["id_token"])
    assert abs(claims["auth_time"] - relogin_at) <= 1


def test_max_age_not_passed_needs_no_new_login(flow: Flow) -> None:
    flow.sign_in()
    with time_machine.travel(time.time() + 60, tick=False):
        answer = redirect_query(flow.browser.get(flow.authorize_url(max_age="300")))
    assert "code" in answer


def test_max_age_zero_is_satisfied_by_the_login_it_asked_for(flow: Flow, personas: Any) -> None:
    flow.sign_in()
    assert flow.browser.get(flow.authorize_url(max_age="0"))["Location"].startswith("/accounts/login/")
    login_citizen(flow.browser, personas.asha)
    assert "code" in redirect_query(flow.browser.get(flow.authorize_url(max_age="0")))


def test_max_age_passed_with_prompt_none_answers_login_required(flow: Flow) -> None:
    flow.sign_in()
    with time_machine.travel(time.time() + 600, tick=False):
        answer = redirect_query(flow.browser.get(flow.authorize_url(max_age="300", prompt="none")))
    assert answer["error"] == "login_required"


@pytest.mark.parametrize("max_age", ["-1", "ten", "1e3", "99999999999999999999", "٣"])
def test_malformed_max_age_is_invalid_request(flow: Flow, max_age: str) -> None:
    answer = redirect_query(flow.browser.get(flow.authorize_url(max_age=max_age)))
    assert answer["error"] == "invalid_request"


def test_prompt_login_asks_for_a_login_even_with_a_fresh_session(flow: Flow, personas: Any) -> None:
    flow.sign_in()
    response = flow.browser.get(flow.authorize_url(prompt="login"))
    assert response["Location"].startswith("/accounts/login/")
    assert "prompt" not in response["Location"]
    # The address it comes back to carries no prompt; without the new login it still asks.
    assert flow.browser.get(flow.authorize_url())["Location"].startswith("/accounts/login/")
    with time_machine.travel(time.time() + 1, tick=False):
        login_citizen(flow.browser, personas.asha)
        assert "code" in redirect_query(flow.browser.get(flow.authorize_url()))


def test_a_refreshed_id_token_keeps_the_original_auth_time(flow: Flow) -> None:
    tokens = flow.sign_in()
    first = claims_of(tokens["id_token"])
    with time_machine.travel(time.time() + 300, tick=False):
        refreshed = Client().post(
            "/o/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": flow.registered.client_id,
                "client_secret": flow.registered.client_secret,
            },
        )
    assert refreshed.status_code == 200, refreshed.content
    assert claims_of(refreshed.json()["id_token"])["auth_time"] == first["auth_time"]
