"""The client-credentials grant: who gets a token, which token opens what, and secret rotation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from himaccess.conftest import Personas
from himaccess.integrations import actions as sign_on
from himaccess.integrations.models import Consent
from himaccess.sharing import actions
from himaccess.sharing.models import ClientSecret
from himaccess.sharing.tests.conftest import API, TOKEN_URL, Dept, basic, bearer, token_for


def test_token_with_basic_auth_and_with_form_body(pension: Dept) -> None:
    response = token_for(pension.client_id, pension.secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and set(body["scope"].split()) == {
        "register.verify",
        "register.read",
    }
    assert "refresh_token" not in body
    assert "no-store" in response["Cache-Control"]
    in_body = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "client_id": pension.client_id, "client_secret": pension.secret},
    )
    assert in_body.status_code == 200


@pytest.mark.parametrize(
    "client_id, secret",
    [("unknown-client", "whatever"), ("", ""), (None, "wrong-secret")],
)
def test_wrong_credentials_get_no_token(pension: Dept, client_id: str | None, secret: str) -> None:
    response = token_for(client_id if client_id is not None else pension.client_id, secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_unknown_scope_and_other_grants_refused(pension: Dept) -> None:
    assert token_for(pension.client_id, pension.secret, "openid name").status_code == 400
    for grant in ("password", "authorization_code", "refresh_token"):
        response = Client().post(
            TOKEN_URL,
            {"grant_type": grant, "username": "x", "password": "y", "code": "z"},
            HTTP_AUTHORIZATION=basic(pension.client_id, pension.secret),
        )
        assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    assert not AccessToken.objects.exists()


def test_sign_on_token_endpoint_refuses_client_credentials(pension: Dept) -> None:
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(pension.client_id, pension.secret),
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_a_sign_on_client_gets_no_department_token(db: Any) -> None:
    registered = sign_on.register_client(
        name="Citizen portal",
        department="revenue",
        redirect_uris=["https://portal.example.gov.in/cb"],
        allowed_scopes=["openid", "name"],
        purpose="Sign-in",
        acting_user=None,
    )
    response = token_for(registered.client_id, registered.client_secret)
    assert response.status_code == 401


def test_scope_limits_the_endpoints(personas: Personas, pension: Dept) -> None:
    member_id = personas.member(personas.ravi).member_id
    verify_only = bearer(pension, "register.verify")
    assert verify_only.get(f"{API}/verify/{member_id}?purpose=pension-check").status_code == 200
    refused = verify_only.get(f"{API}/members/{member_id}?purpose=pension-audit")
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"


def test_user_token_refused_on_department_endpoints_and_client_token_on_userinfo(
    personas: Personas, pension: Dept
) -> None:
    """An OpenID Connect token of a citizen opens nothing here; a department token is no citizen's."""
    registered = sign_on.register_client(
        name="Citizen portal",
        department="revenue",
        redirect_uris=["https://portal.example.gov.in/cb"],
        allowed_scopes=["openid", "name"],
        purpose="Sign-in",
        acting_user=None,
    )
    application = Application.objects.get(client_id=registered.client_id)
    Consent.objects.create(user=personas.ravi, application=application, scopes="openid name")
    user_token = AccessToken.objects.create(
        user=personas.ravi,
        application=application,
        token="citizen-access-token-0123456789",
        scope="openid name",
        expires=timezone.now() + timedelta(minutes=10),
    )
    member_id = personas.member(personas.ravi).member_id
    as_user = Client(HTTP_AUTHORIZATION=f"Bearer {user_token.token}")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {user_token.token}").get("/o/userinfo/").status_code == 200
    for path in (f"/verify/{member_id}?purpose=pension-check", f"/members/{member_id}?purpose=pension-audit"):
        response = as_user.get(API + path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"

    department_token = token_for(pension.client_id, pension.secret).json()["access_token"]
    userinfo = Client(HTTP_AUTHORIZATION=f"Bearer {department_token}").get("/o/userinfo/")
    assert userinfo.status_code in (401, 403)
    assert b"Ravi" not in userinfo.content


def test_no_token_or_token_in_the_address(personas: Personas, pension: Dept) -> None:
    member_id = personas.member(personas.ravi).member_id
    assert Client().get(f"{API}/verify/{member_id}?purpose=pension-check").status_code == 401
    token = token_for(pension.client_id, pension.secret).json()["access_token"]
    in_address = Client().get(f"{API}/verify/{member_id}?purpose=pension-check&access_token={token}")
    assert in_address.status_code in (400, 401)


def test_inactive_client_stops_at_once(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    member_id = personas.member(personas.ravi).member_id
    assert api.get(f"{API}/verify/{member_id}?purpose=pension-check").status_code == 200
    pension.client.active = False
    pension.client.save(update_fields=["active"])
    assert api.get(f"{API}/verify/{member_id}?purpose=pension-check").status_code == 401
    assert token_for(pension.client_id, pension.secret).status_code == 401


def test_rotation_keeps_both_secrets_during_the_overlap_then_ends_the_old(pension: Dept) -> None:
    old = pension.secret
    new = actions.rotate_secret(pension.client, acting_user=None, overlap_hours=24)
    assert new != old
    assert token_for(pension.client_id, old).status_code == 200
    assert token_for(pension.client_id, new).status_code == 200
    assert ClientSecret.objects.live().filter(client=pension.client).count() == 2
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert token_for(pension.client_id, old).status_code == 401
        assert token_for(pension.client_id, new).status_code == 200


def test_rotation_without_overlap_ends_old_secret_and_its_tokens(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    member_id = personas.member(personas.ravi).member_id
    new = actions.rotate_secret(pension.client, acting_user=None, overlap_hours=0)
    assert token_for(pension.client_id, pension.secret).status_code == 401
    assert api.get(f"{API}/verify/{member_id}?purpose=pension-check").status_code == 401
    assert token_for(pension.client_id, new).status_code == 200


def test_rotate_command(pension: Dept, capsys: Any) -> None:
    call_command("data_client", "rotate", pension.client_id, "--overlap-hours", "2")
    printed = capsys.readouterr().out
    new = printed.split("new client_secret: ")[1].split()[0]
    assert token_for(pension.client_id, new).status_code == 200
    assert token_for(pension.client_id, pension.secret).status_code == 200
    with pytest.raises(Exception, match="overlap"):
        call_command("data_client", "rotate", pension.client_id, "--overlap-hours", "9999")


def test_register_command_and_foreign_purpose_refused(db: Any, capsys: Any) -> None:
    call_command(
        "data_client",
        "purpose",
        "ration-check",
        "--department",
        "food_civil_supplies",
        "--name-en",
        "Ration card check",
        "--name-hi",
        "राशन कार्ड जाँच",
        "--groups",
        "identity",
        "income",
    )
    call_command(
        "data_client",
        "register",
        "Ration system",
        "--department",
        "food_civil_supplies",
        "--purposes",
        "ration-check",
        "--groups",
        "identity",
        "income",
    )
    printed = capsys.readouterr().out
    client_id = printed.split("client_id: ")[1].split()[0]
    secret = printed.split("client_secret: ")[1].split()[0]
    assert token_for(client_id, secret).status_code == 200
    with pytest.raises(Exception, match="another department"):
        call_command(
            "data_client",
            "register",
            "Sneaky",
            "--department",
            "health",
            "--purposes",
            "ration-check",
            "--groups",
            "identity",
        )


def test_rate_limit_per_client_is_429_with_retry_after(
    personas: Personas, pension: Dept, health: Dept
) -> None:
    pension.client.requests_per_minute = 3
    pension.client.save(update_fields=["requests_per_minute"])
    api = bearer(pension)
    other = bearer(health)
    member_id = personas.member(personas.ravi).member_id
    statuses = [api.get(f"{API}/verify/{member_id}?purpose=pension-check").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    limited = api.get(f"{API}/verify/{member_id}?purpose=pension-check", HTTP_ACCEPT_LANGUAGE="hi")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert set(limited.json()) == {"detail", "code", "errors"}
    assert limited.json()["code"] == "too_many_requests"
    # Another client's allowance is its own.
    assert other.get(f"{API}/verify/{member_id}?purpose=health-card").status_code == 200
