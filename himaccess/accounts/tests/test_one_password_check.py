"""An official's password is checked in one place, which counts failures and locks; alone it opens nothing."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse

from himaccess.accounts.authentication import LOCK_AFTER
from himaccess.accounts.models import LoginFailure, User
from himaccess.accounts.testing import login_official

from .conftest import PASSWORD


def _request() -> HttpRequest:
    return RequestFactory().post("/anywhere/", REMOTE_ADDR="10.9.8.7")


def test_authenticate_never_returns_an_official_even_with_the_right_password(tehsildar: User) -> None:
    assert authenticate(_request(), username=tehsildar.username, password=PASSWORD) is None
    assert not LoginFailure.objects.exists()


def test_wrong_passwords_through_authenticate_are_recorded_and_lock_the_account(tehsildar: User) -> None:
    for _ in range(LOCK_AFTER):
        assert authenticate(_request(), username=tehsildar.username, password="guess") is None
    assert LoginFailure.objects.filter(user=tehsildar, address="10.9.8.7").count() == LOCK_AFTER
    assert tehsildar.is_locked_out()
    page = Client().post(
        reverse("accounts:official_login"), {"username": tehsildar.username, "password": PASSWORD}
    )
    assert page.status_code == 400


def test_the_admin_login_honours_the_lockout(state_admin: User) -> None:
    for _ in range(LOCK_AFTER):
        Client().post(reverse("accounts:official_login"), {"username": state_admin.username, "password": "x"})
    assert state_admin.is_locked_out()
    browser = Client()
    answer = browser.post("/admin/login/", {"username": state_admin.username, "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:official_login"))
    answer = browser.post(answer["Location"], {"username": state_admin.username, "password": PASSWORD})
    assert answer.status_code == 400
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302


def test_a_password_only_session_opens_nothing_after_the_admin_form(state_admin: User) -> None:
    browser = Client()
    browser.post("/admin/login/?next=/admin/", {"username": state_admin.username, "password": PASSWORD})
    assert "_auth_user_id" not in browser.session
    login_official(browser, state_admin, PASSWORD)
    assert browser.get("/admin/").status_code == 200
