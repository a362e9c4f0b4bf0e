"""Logging people in from tests, through the real login pages.

``login_citizen`` asks for a code on the citizen page, reads it from the SMS
outbox (the ``memory`` SMS backend, switched on for the call) and enters it on
the verify page; ``login_official`` enters the password, enrols or reads the
authenticator code from the official's device secret, and enters it. Both
leave the client exactly as a browser would be after logging in, with the
session rotated and remembered, and the second factor marked for officials.
"""

from __future__ import annotations

import re
import time

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from himaccess.accounts import otp, totp
from himaccess.accounts.models import TotpDevice, User
from himaccess.notifications import sms

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
ADDRESS = "127.0.0.1"


def last_code_sent_to(mobile: str) -> str:
    """The 6-digit code in the latest SMS the memory backend took for ``mobile``."""
    for message in reversed(sms.outbox):
        if message.to == mobile:
            match = _CODE.search(message.text)
            if match:
                return match.group(1)
    raise AssertionError(f"no code was sent to {mobile}")


def login_citizen(client: Client, user: User) -> None:
    assert user.mobile, "a citizen logs in with their mobile number"
    otp.reset_limits(user.mobile, ADDRESS)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("accounts:citizen_login"), {"mobile": user.mobile})
    assert response.status_code == 302, response.status_code
    response = client.post(reverse("accounts:citizen_verify"), {"code": last_code_sent_to(user.mobile)})
    assert response.status_code == 302, response.status_code


def current_totp(user: User) -> str:
    """The code the official's authenticator shows now (the next one if the current step was used)."""
    device = TotpDevice.objects.get(user=user)
    now = time.time()
    step = max(totp.step_at(now), device.last_used_step + 1)
    return totp.hotp(device.secret, step)


def login_official(client: Client, user: User, password: str) -> None:
    response = client.post(
        reverse("accounts:official_login"), {"username": user.username, "password": password}
    )
    assert response.status_code == 302, response.status_code
    if response["Location"] == reverse("accounts:totp_enrol"):
        client.get(reverse("accounts:totp_enrol"))
        target = reverse("accounts:totp_enrol")
    else:
        target = reverse("accounts:official_totp")
    response = client.post(target, {"code": current_totp(user)})
    assert response.status_code == 302, response.status_code
