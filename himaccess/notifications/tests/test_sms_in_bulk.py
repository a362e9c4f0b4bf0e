"""Texting thousands at once: rows written in bulk with the caller's change, sent in batches after commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from himaccess.notifications import sms
from himaccess.notifications.models import REDACTED, SmsMessage
from himaccess.notifications.tasks import deliver_sms_batch, relay_queued_sms

pytestmark = pytest.mark.django_db

PARAMS = {"reference": "R 1234", "url": "https://himaccess.hp.gov.in/r"}


def many(count: int, language: str = "hi") -> list[sms.Sms]:
    return [sms.Sms(f"94180{i:05d}", "change_request_received", PARAMS, language) for i in range(count)]


def test_messages_are_sent_after_commit_one_task_per_batch(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sms, "BATCH", 4)
    with (
        mock.patch.object(deliver_sms_batch, "delay", wraps=deliver_sms_batch.delay) as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert sms.send_many(many(sms.BATCH * 2 + 1)) == sms.BATCH * 2 + 1
        assert not sms.outbox  # nothing leaves before the change commits
    assert len(callbacks) == 3
    assert [len(call.args[0]) for call in delay.call_args_list] == [sms.BATCH, sms.BATCH, 1]
    assert len(sms.outbox) == sms.BATCH * 2 + 1
    assert len({m.to for m in sms.outbox}) == sms.BATCH * 2 + 1
    assert SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count() == sms.BATCH * 2 + 1
    assert "R 1234" in sms.outbox[0].text


def test_one_bad_message_writes_none_of_them() -> None:
    bad = [*many(3), sms.Sms("94180", "change_request_received", PARAMS, "hi")]
    with pytest.raises(ValueError, match="ten digits"):
        sms.send_many(bad)
    missing = [*many(3), sms.Sms("9418000009", "change_request_received", {"reference": "R 1"}, "hi")]
    with pytest.raises(KeyError, match="url"):
        sms.send_many(missing)
    wrong_language = [*many(2), sms.Sms("9418000009", "change_request_received", PARAMS, "fr")]
    with pytest.raises(ValueError, match="language"):
        sms.send_many(wrong_language)
    assert not SmsMessage.objects.exists()


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sms.send_many(many(5))
        raise RuntimeError("the payment failed")
    assert not callbacks and not sms.outbox
    assert not SmsMessage.objects.exists()


def test_codes_are_sealed_in_bulk_as_one_by_one(django_capture_on_commit_callbacks: Any) -> None:
    codes = [sms.Sms("9418000001", "otp_login", {"code": "482913", "minutes": 5}, "en")]
    with django_capture_on_commit_callbacks(execute=True):
        sms.send_many(codes)
        queued = SmsMessage.objects.get()
        assert queued.params["code"] == REDACTED and queued.sealed_params
        assert "482913" not in str(queued.params)
    assert sms.outbox[0].text.startswith("482913 is your Him Access login code")
    assert SmsMessage.objects.get().sealed_params is None  # the code is not kept once handed over


def test_a_batch_whose_task_never_reached_the_broker_is_sent_by_the_relay(
    django_capture_on_commit_callbacks: Any,
) -> None:
    down = mock.patch.object(deliver_sms_batch, "delay", side_effect=BrokerDown("broker down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        sms.send_many(many(3, language="en"))
    assert not sms.outbox
    assert SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED).count() == 3
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert relay_queued_sms() == {"sent": 3}
        assert relay_queued_sms() == {}
    assert len(sms.outbox) == 3


def test_an_empty_run_queues_nothing(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sms.send_many([]) == 0
    assert not callbacks
