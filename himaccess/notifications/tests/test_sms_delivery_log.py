from __future__ import annotations

from typing import Any

from django.test import override_settings

from himaccess.notifications import sms
from himaccess.notifications.models import SmsMessage


def test_the_log_keeps_the_template_and_redacted_values(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = sms.send("9418000001", "otp_login", {"code": "493817", "minutes": 10}, language="hi")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and message.attempts == 1
    assert message.params == {"code": "******", "minutes": "10"}
    assert message.sealed_params is None
    assert message.provider_id == f"memory-{message.pk}"
    assert "493817" in sms.outbox[0].text


def test_a_queued_message_holds_its_secret_only_sealed(db: Any) -> None:
    message = sms.send(
        "9418000001", "otp_login", {"code": "493817", "minutes": 10}, language="hi"
    )  # not yet committed
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED
    assert message.sealed_params is not None
    assert b"493817" not in bytes(message.sealed_params)
    assert sms.unseal(message.sealed_params)["code"] == "493817"


def test_the_file_backend_writes_where_the_demo_reads(
    db: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DATA_DIR = tmp_path
    with override_settings(SMS_BACKEND="file"), django_capture_on_commit_callbacks(execute=True):
        sms.send("9418000001", "otp_login", {"code": "493817", "minutes": 10}, language="en")
    line = (tmp_path / "sms.log").read_text(encoding="utf-8")
    assert "to 9418000001" in line and "493817 is your Him Access login code" in line


def test_a_delivery_report_marks_the_message_delivered(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = sms.send(
            "9418000001", "change_request_received", {"reference": "CR-1", "url": "https://x"}, language="hi"
        )
    message.refresh_from_db()
    message.mark_delivered()
    assert SmsMessage.objects.get(pk=message.pk).status == SmsMessage.Status.DELIVERED
