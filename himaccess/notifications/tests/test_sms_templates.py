from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from himaccess.accounts.models import OtpPurpose
from himaccess.notifications import sms
from himaccess.notifications.models import SmsTemplate, placeholders

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
NEEDED = {f"otp_{p}" for p in OtpPurpose.values} | {"change_request_received", "change_request_decided"}


def test_every_template_the_product_sends_is_seeded(db: Any) -> None:
    assert set(SmsTemplate.objects.values_list("key", flat=True)) >= NEEDED


def test_every_template_is_bilingual_with_the_same_placeholders(db: Any) -> None:
    for template in SmsTemplate.objects.all():
        assert DEVANAGARI.search(template.text_hi), template.key
        assert not DEVANAGARI.search(template.text_en), template.key
        assert placeholders(template.text_en) == placeholders(template.text_hi), template.key
        template.full_clean()


def test_a_template_whose_languages_disagree_is_refused(db: Any) -> None:
    template = SmsTemplate(key="broken", text_en="Code {code}", text_hi="कोड {otp}")
    with pytest.raises(ValidationError):
        template.full_clean()


def test_the_message_goes_in_the_language_the_caller_gives(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        english = sms.send("9418000001", "otp_login", {"code": "123456", "minutes": 10}, language="en")
        hindi = sms.send("9418000002", "otp_login", {"code": "654321", "minutes": 10}, language="hi")
    assert (english.language, hindi.language) == ("en", "hi")
    assert sms.outbox[0].text.startswith("123456 is your Him Access login code")
    assert DEVANAGARI.search(sms.outbox[1].text) and "654321" in sms.outbox[1].text


def test_a_language_without_templates_is_refused(db: Any) -> None:
    with pytest.raises(ValueError):
        sms.send("9418000001", "otp_login", {"code": "123456", "minutes": 10}, language="fr")
    with pytest.raises(ValueError):
        sms.send("9418000001", "otp_login", {"code": "123456", "minutes": 10}, language="")


def test_a_missing_value_fails_before_anything_is_queued(db: Any) -> None:
    with pytest.raises(KeyError):
        sms.send("9418000001", "otp_login", {"code": "123456"}, language="hi")
    with pytest.raises(SmsTemplate.DoesNotExist):
        sms.send("9418000001", "no_such_template", {}, language="hi")
    with pytest.raises(ValueError):
        sms.send("94180", "otp_login", {"code": "123456", "minutes": 10}, language="hi")
