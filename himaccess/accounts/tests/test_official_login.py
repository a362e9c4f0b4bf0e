from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts import actions, totp
from himaccess.accounts.authentication import LOCK_AFTER, MFA_SESSION_KEY
from himaccess.accounts.models import Lockout, LoginFailure, TotpDevice, User
from himaccess.accounts.testing import current_totp, login_official

from .conftest import PASSWORD


def _password(client: Client, user: User, password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:official_login"), {"username": user.username, "password": password})


def test_first_login_enrols_the_authenticator_with_a_qr(tehsildar: User) -> None:
    client = Client()
    response = _password(client, tehsildar)
    assert response["Location"] == reverse("accounts:totp_enrol")
    assert "_auth_user_id" not in client.session  # the password alone logs nobody in
    page = client.get(reverse("accounts:totp_enrol")).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TotpDevice.objects.get(user=tehsildar)
    assert device.secret[:4] in page and not device.is_confirmed
    response = client.post(reverse("accounts:totp_enrol"), {"code": current_totp(tehsildar)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tehsildar.pk) and client.session[MFA_SESSION_KEY]
    device.refresh_from_db()
    assert device.is_confirmed


def test_later_logins_ask_for_the_code(tehsildar: User) -> None:
    login_official(Client(), tehsildar, PASSWORD)
    client = Client()
    assert _password(client, tehsildar)["Location"] == reverse("accounts:official_totp")
    assert client.get(reverse("accounts:totp_enrol")).status_code == 302  # no second enrolment


def test_a_used_code_cannot_be_replayed(tehsildar: User) -> None:
    first = Client()
    _password(first, tehsildar)
    first.get(reverse("accounts:totp_enrol"))
    device = TotpDevice.objects.get(user=tehsildar)
    code = totp.code_at(device.secret, __import__("time").time())
    assert first.post(reverse("accounts:totp_enrol"), {"code": code}).status_code == 302
    second = Client()
    _password(second, tehsildar)
    response = second.post(reverse("accounts:official_totp"), {"code": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in second.session


def test_the_code_page_needs_the_password_step_first(tehsildar: User) -> None:
    response = Client().post(reverse("accounts:official_totp"), {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:official_login")


def test_wrong_password_is_refused_with_one_message(tehsildar: User) -> None:
    unknown = Client().post(reverse("accounts:official_login"), {"username": "nobody", "password": "x"})
    wrong = _password(Client(), tehsildar, "not-the-password")
    assert unknown.status_code == wrong.status_code == 400
    assert "not right" in wrong.content.decode() and "not right" in unknown.content.decode()


def test_citizens_cannot_log_in_with_a_password(personas: Any) -> None:
    personas.asha.set_password("Asha-has-a-password-1")
    personas.asha.save()
    response = _password(Client(), personas.asha, "Asha-has-a-password-1")
    assert response.status_code == 400


def test_five_failures_lock_the_account_for_fifteen_minutes(tehsildar: User) -> None:
    login_official(Client(), tehsildar, PASSWORD)
    for _ in range(LOCK_AFTER):
        _password(Client(), tehsildar, "wrong-password")
    assert Lockout.objects.filter(user=tehsildar).count() == 1
    assert LoginFailure.objects.filter(user=tehsildar).count() == LOCK_AFTER
    assert _password(Client(), tehsildar).status_code == 400  # right password, still locked
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _password(Client(), tehsildar).status_code == 302


def test_wrong_codes_count_towards_the_lockout(tehsildar: User) -> None:
    login_official(Client(), tehsildar, PASSWORD)
    client = Client()
    _password(client, tehsildar)
    for _ in range(LOCK_AFTER):
        client.post(reverse("accounts:official_totp"), {"code": "000000"})
    assert tehsildar.is_locked_out()


def test_a_state_administrator_unlocks(tehsildar: User, state_admin: User) -> None:
    for _ in range(LOCK_AFTER):
        _password(Client(), tehsildar, "wrong-password")
    assert _password(Client(), tehsildar).status_code == 400
    assert actions.unlock_official(tehsildar, acting_user=state_admin) == 1
    assert _password(Client(), tehsildar).status_code == 302
    assert Lockout.objects.get(user=tehsildar).unlocked_by == state_admin
