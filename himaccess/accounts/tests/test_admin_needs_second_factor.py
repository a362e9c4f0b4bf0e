from __future__ import annotations

from django.test import Client

from himaccess.accounts.models import User
from himaccess.accounts.testing import login_official

from .conftest import PASSWORD


def test_a_password_only_session_is_sent_to_the_two_factor_login(state_admin: User) -> None:
    client = Client()
    client.force_login(state_admin)  # a session without the second factor
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/official/?next=")


def test_the_admin_opens_after_password_and_code(state_admin: User) -> None:
    client = Client()
    login_official(client, state_admin, PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/notifications/smstemplate/").status_code == 200


def test_admin_login_form_is_never_offered(state_admin: User) -> None:
    response = Client().post("/admin/login/", {"username": state_admin.username, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/official/" in response["Location"]
