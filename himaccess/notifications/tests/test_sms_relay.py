"""An SMS written with a committed change is sent or given up on, never forgotten."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from himaccess.notifications import sms
from himaccess.notifications.gateway import GatewayUnavailable
from himaccess.notifications.models import SmsMessage
from himaccess.notifications.tasks import deliver_sms, relay_queued_sms

pytestmark = pytest.mark.django_db

PARAMS = {"reference": "R 1234", "url": "https://himaccess.hp.gov.in/r"}


def test_a_message_whose_task_never_reached_the_broker_is_sent_by_the_relay(
    django_capture_on_commit_callbacks: Any,
) -> None:
    down = mock.patch.object(deliver_sms, "delay", autospec=True, side_effect=BrokerDown("broker down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        message = sms.send("9418000001", "change_request_received", PARAMS, language="hi")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED and not sms.outbox
    assert relay_queued_sms() == {}  # too young: its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert relay_queued_sms() == {"sent": 1}
        assert relay_queued_sms() == {}  # sent once, never again
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert [m.to for m in sms.outbox] == ["9418000001"]


def test_a_task_that_died_with_the_database_leaves_the_message_to_the_relay(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with mock.patch(
        "himaccess.notifications.tasks.hand_over", autospec=True, side_effect=OperationalError("restart")
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = sms.send("9418000002", "change_request_received", PARAMS, language="hi")
        with pytest.raises(OperationalError):
            for callback in callbacks:
                callback()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED and message.attempts == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert relay_queued_sms() == {"sent": 1}


def test_a_gateway_down_waits_its_turn_and_then_gives_up(settings: Any) -> None:
    message = sms.send(
        "9418000003", "change_request_received", PARAMS, language="hi"
    )  # its task never runs here
    start = timezone.now()
    with mock.patch(
        "himaccess.notifications.tasks.hand_over", autospec=True, side_effect=GatewayUnavailable("503")
    ) as hand_over:
        with time_machine.travel(start + timedelta(minutes=3), tick=False):
            assert relay_queued_sms() == {"retry": 1}
            assert relay_queued_sms() == {}  # waiting 10 s before the next try
        minutes = 3
        while message.status == SmsMessage.Status.QUEUED and minutes < 30:
            minutes += 2
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                relay_queued_sms()
            message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert hand_over.call_count == 5
