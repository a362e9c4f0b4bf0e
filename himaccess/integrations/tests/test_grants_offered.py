"""Only the authorization code (PKCE) and refresh token grants exist; every other grant is refused alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from himaccess.accounts import actions as accounts
from himaccess.accounts.authentication import LOCK_AFTER
from himaccess.accounts.models import LoginFailure, User
from himaccess.accounts.testing import login_official
from himaccess.integrations.tests.conftest import Flow

pytestmark = pytest.mark.django_db

PASSWORD = "Chinar-valley-2024"


@pytest.fixture
def official(db: Any) -> User:
    return accounts.create_official("nisha.sdm", PASSWORD, acting_user=None)


def _token(**fields: str) -> Any:
    return Client().post("/o/token/", fields)


def _password_grant(app: Any, username: str, password: str) -> Any:
    return _token(
        grant_type="password",
        username=username,
        password=password,
        client_id=app.client_id,
        client_secret=app.client_secret,
        scope="openid",
    )


def test_password_grant_answers_right_and_wrong_passwords_with_the_same_bytes(
    pension_app: Any, official: User
) -> None:
    right = _password_grant(pension_app, official.username, PASSWORD)
    wrong = _password_grant(pension_app, official.username, "not-the-password")
    unknown = _password_grant(pension_app, "nobody.here", "whatever-it-is")
    assert right.status_code == wrong.status_code == unknown.status_code == 400
    assert right.content == wrong.content == unknown.content
    assert right.json() == {"error": "unsupported_grant_type"}
    assert "no-store" in right["Cache-Control"]
    assert not AccessToken.objects.exists()
    assert "_auth_user_id" not in right.client.session


def test_password_grant_checks_no_password_and_so_is_no_oracle_even_unlimited(
    pension_app: Any, official: User
) -> None:
    for _ in range(LOCK_AFTER + 2):
        _password_grant(pension_app, official.username, "guess-after-guess")
    # Refused before any password is looked at: nothing to count, nothing to lock.
    assert not LoginFailure.objects.exists()
    assert not official.is_locked_out()
    assert _password_grant(pension_app, official.username, PASSWORD).json() == {
        "error": "unsupported_grant_type"
    }


def test_password_grant_is_refused_for_a_client_registered_for_it(official: User) -> None:
    legacy = Application(
        name="Hand-made legacy client",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_PASSWORD,
    )
    legacy.save()
    fields = {"grant_type": "password", "username": official.username, "client_id": legacy.client_id}
    right = _token(**fields, password=PASSWORD)
    wrong = _token(**fields, password="not-the-password")
    assert right.status_code == wrong.status_code == 400
    assert right.content == wrong.content
    assert not AccessToken.objects.exists()


def test_client_credentials_grant_is_refused(pension_app: Any) -> None:
    response = _token(
        grant_type="client_credentials",
        client_id=pension_app.client_id,
        client_secret=pension_app.client_secret,
    )
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}
    assert not AccessToken.objects.exists()


DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.mark.parametrize("device_code", [None, "", "any-code"])
def test_device_code_grant_is_refused_like_any_other(pension_app: Any, device_code: str | None) -> None:
    fields = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": pension_app.client_id,
    }
    if device_code is not None:
        fields["device_code"] = device_code
    response = _token(**fields)
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}


def test_client_credentials_grant_is_refused_for_a_client_registered_for_it() -> None:
    machine = Application(
        name="Hand-made machine client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="a-secret-that-is-long-enough-1234",
    )
    machine.save()
    response = _token(
        grant_type="client_credentials",
        client_id=machine.client_id,
        client_secret="a-secret-that-is-long-enough-1234",
    )
    assert response.status_code == 400 and response.json() == {"error": "unsupported_grant_type"}
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("response_type", ["token", "id_token", "id_token token", "code token", "none"])
def test_implicit_and_hybrid_response_types_are_refused(
    personas: Any, pension_app: Any, response_type: str
) -> None:
    flow = Flow(browser=personas.client_for(personas.asha), registered=pension_app)
    response = flow.browser.get(flow.authorize_url(response_type=response_type))
    assert response.status_code in (302, 400)
    location = response.get("Location", "")
    assert "access_token" not in location and "id_token=" not in location and "code=" not in location
    if response.status_code == 302:
        error = parse_qs(urlparse(location).query)["error"][0]
        assert error in ("unsupported_response_type", "unauthorized_client")
    assert not AccessToken.objects.exists()


def test_code_with_pkce_and_refresh_token_still_work(personas: Any, pension_app: Any) -> None:
    flow = Flow(browser=personas.client_for(personas.asha), registered=pension_app)
    tokens = flow.exchange(flow.code_from(flow.consent(flow.authorize_url()))).json()
    assert tokens["access_token"] and tokens["refresh_token"]
    refreshed = _token(
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=pension_app.client_id,
        client_secret=pension_app.client_secret,
    )
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["access_token"] != tokens["access_token"]


def test_discovery_lists_only_the_grants_offered(db: Any) -> None:
    document = Client().get("/o/.well-known/openid-configuration").json()
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert document["response_types_supported"] == ["code"]


def test_the_admin_cannot_add_a_client_or_change_its_grant_type(pension_app: Any) -> None:
    admin_user = accounts.create_official("state.keeper", PASSWORD, staff=True, acting_user=None)
    admin_user.is_superuser = True
    admin_user.save()
    browser = Client()
    login_official(browser, admin_user, PASSWORD)
    assert browser.get("/admin/oauth2_provider/application/add/").status_code == 403
    application = Application.objects.get(client_id=pension_app.client_id)
    change_url = f"/admin/oauth2_provider/application/{application.pk}/change/"
    page = browser.get(change_url)
    assert page.status_code == 200
    assert 'name="authorization_grant_type"' not in page.content.decode()
    browser.post(change_url, {"name": application.name, "authorization_grant_type": "password"})
    application.refresh_from_db()
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
