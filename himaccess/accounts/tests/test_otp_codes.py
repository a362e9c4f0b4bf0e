from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from himaccess.accounts import otp
from himaccess.accounts.models import OneTimeCode, OtpPurpose
from himaccess.accounts.testing import last_code_sent_to

MOBILE = "9816000001"


@pytest.fixture
def code(personas: Any, deliver: Any) -> str:
    with deliver(execute=True):
        otp.issue(MOBILE, OtpPurpose.LOGIN, None)
    return last_code_sent_to(MOBILE)


def test_a_code_works_once(code: str) -> None:
    assert otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)
    assert not otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)


def test_a_code_expires_after_ten_minutes(code: str) -> None:
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        assert not otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)


def test_a_code_still_works_just_before_expiry(code: str) -> None:
    with time_machine.travel(timezone.now() + timedelta(minutes=9, seconds=50)):
        assert otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)


def test_a_code_is_bound_to_its_purpose(code: str) -> None:
    assert not otp.verify(MOBILE, OtpPurpose.CONSENT, code, None)
    assert not otp.verify(MOBILE, OtpPurpose.SENSITIVE_CHANGE, code, None)
    assert otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)


def test_a_code_is_bound_to_its_number(code: str) -> None:
    assert not otp.verify("9816000002", OtpPurpose.LOGIN, code, None)


def test_five_wrong_guesses_kill_the_code(code: str) -> None:
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(otp.ATTEMPTS_PER_CODE):
        assert not otp.verify(MOBILE, OtpPurpose.LOGIN, wrong, None)
    assert not otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)


def test_a_new_code_replaces_the_old_one(code: str, deliver: Any) -> None:
    with deliver(execute=True):
        otp.issue(MOBILE, OtpPurpose.LOGIN, None)
    newer = last_code_sent_to(MOBILE)
    if newer != code:
        assert not otp.verify(MOBILE, OtpPurpose.LOGIN, code, None)
    assert otp.verify(MOBILE, OtpPurpose.LOGIN, newer, None)


def test_the_code_is_stored_only_as_a_keyed_hash(code: str) -> None:
    row = OneTimeCode.objects.get(mobile=MOBILE)
    assert code not in row.code_hash and len(row.code_hash) == 64
    from himaccess.notifications.models import SmsMessage

    message = SmsMessage.objects.get(to=MOBILE)
    assert code not in str(message.params) and message.params["code"] == "******"
    assert message.sealed_params is None  # the sealed copy is dropped once handed over


def test_codes_are_six_digits(personas: Any, deliver: Any) -> None:
    seen = set()
    for _ in range(3):
        with deliver(execute=True):
            otp.issue("9816000002", OtpPurpose.CONSENT, None)
        seen.add(last_code_sent_to("9816000002"))
    assert all(len(c) == 6 and c.isdigit() for c in seen)
