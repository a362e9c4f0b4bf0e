"""Handing one message to a slow gateway holds that message only (PostgreSQL).

While a delivery waits on the gateway it holds its message's row. If it held
the template's row too, every transaction queuing a message from that template
(a submission's acknowledgement, a login code) would wait at its commit, when
PostgreSQL checks the new row's reference to the template, and every other
worker would skip the template's messages.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from himaccess.notifications import sms, tasks
from himaccess.notifications.models import SmsMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_delivery_in_progress_holds_neither_the_template_nor_other_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite has no row locks)")
    # Queued only: this test hands messages over itself, one worker at a time.
    monkeypatch.setattr(sms.deliver_sms, "delay", lambda message_id: None)
    with transaction.atomic():
        first = sms.send("9800000001", "otp_login", {"code": "123456", "minutes": 5}, language="en")
        second = sms.send("9800000002", "otp_login", {"code": "654321", "minutes": 5}, language="hi")
    in_gateway, release = threading.Event(), threading.Event()
    handed: list[str] = []

    def slow_gateway(outgoing: Any) -> str:
        handed.append(outgoing.to)
        if outgoing.to == first.to:
            in_gateway.set()
            release.wait(timeout=20)
        return f"provider-{outgoing.to}"

    monkeypatch.setattr(tasks, "hand_over", slow_gateway)
    outcomes: list[str] = []

    def deliver_first() -> None:
        try:
            outcomes.append(tasks.attempt(first.pk))
        finally:
            connections.close_all()

    worker = threading.Thread(target=deliver_first)
    worker.start()
    try:
        assert in_gateway.wait(timeout=20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        # Another citizen's message from the same template is queued and committed meanwhile...
        with transaction.atomic():
            third = sms.send("9800000003", "otp_login", {"code": "111111", "minutes": 5}, language="en")
        # ...and another worker delivers the second message instead of skipping it.
        assert tasks.attempt(second.pk) == "sent"
    finally:
        release.set()
        worker.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert outcomes == ["sent"]
    assert SmsMessage.objects.get(pk=third.pk).status == SmsMessage.Status.QUEUED
    assert set(handed) == {first.to, second.to}
