"""The outbox relay: an event not delivered by its task is delivered later, once, however the task failed."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from himaccess.events import bus, relay
from himaccess.events.bus import emit
from himaccess.events.models import Event
from himaccess.events.tasks import dispatch_event
from himaccess.events.tests.consumers import EVENT, Consumer

pytestmark = pytest.mark.django_db


def _emit_without_its_task(n: int = 1) -> Event:
    """The change commits, and the hook that would queue its task is lost (a crash right after commit)."""
    with transaction.atomic():
        event = emit(EVENT, n=n)
    return event


def test_an_event_whose_task_never_reached_the_broker_is_delivered_by_the_relay(
    consumer: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            event = _emit_without_its_task()
        assert relay.relay() == relay.Relayed(0, 0)  # its task has the first minute
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert relay.relay() == relay.Relayed(1, 0)
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert consumer.numbers == [1]


def test_a_broker_refusing_the_task_leaves_the_change_standing_and_the_event_to_the_relay(
    consumer: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        mock.patch.object(dispatch_event, "delay", autospec=True, side_effect=BrokerUnreachable("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = _emit_without_its_task()  # no error reaches the caller after commit
    assert Event.objects.get(pk=event.pk).dispatched_at is None
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert relay.relay().delivered == 1
    assert consumer.numbers == [1]


def test_a_consumer_down_is_retried_with_growing_waits_until_it_recovers(
    consumer: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    consumer.down = True
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        event = _emit_without_its_task()
    event.refresh_from_db()
    # The task tried once (its retry is queued with a broker; in-process it ends there).
    assert event.dispatched_at is None and event.attempts == 1
    assert "the consumer is down" in event.last_error
    assert event.next_attempt_at == start + relay.wait_after(1)
    waited = start
    for attempts in range(2, 10):  # the relay goes on after the task's five retries would be spent
        with time_machine.travel(waited + relay.wait_after(attempts - 1) - timedelta(seconds=1), tick=False):
            assert relay.relay() == relay.Relayed(0, 0)  # still waiting
        waited += relay.wait_after(attempts - 1)
        with time_machine.travel(waited, tick=False):
            assert relay.relay() == relay.Relayed(0, 1)
        event.refresh_from_db()
        assert event.attempts == attempts
        assert event.next_attempt_at == waited + relay.wait_after(attempts)
    consumer.down = False
    with time_machine.travel(waited + relay.MAX_WAIT, tick=False):
        assert relay.relay() == relay.Relayed(1, 0)
    assert consumer.numbers == [1]


def test_a_redelivery_runs_only_the_handlers_that_have_not_succeeded(
    consumer: Consumer, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    other = Consumer(name="other", down=True)
    monkeypatch.setitem(bus._handlers, EVENT, [consumer.handler(), other.handler()])
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        _emit_without_its_task()
    assert consumer.numbers == [1] and other.numbers == []
    other.down = False
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert relay.relay().delivered == 1
    assert consumer.numbers == [1] and other.numbers == [1]


def test_the_relay_takes_events_in_batches_until_none_is_due(
    consumer: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        for n in range(7):
            _emit_without_its_task(n)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert relay.relay_batch(batch=3) == relay.Relayed(3, 0)
        assert relay.relay(batch=3) == relay.Relayed(4, 0)
    assert consumer.numbers == list(range(7))


def test_the_relay_command_reports_what_it_did(
    consumer: Consumer, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        _emit_without_its_task()
    out = StringIO()
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        call_command("events_relay", stdout=out)
    assert "1 events delivered, 0 failed (retried later), 0 still undelivered" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_never_dispatch_the_same_event_at_once_on_postgresql(consumer: Consumer) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL (set DATABASE_URL)")
    consumer.release = threading.Event()
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        mock.patch.object(dispatch_event, "delay", autospec=True, side_effect=BrokerUnreachable("down")),
    ):
        _emit_without_its_task()
    outcomes: list[relay.Relayed] = []

    def first_relay() -> None:
        try:
            outcomes.append(relay.relay())
        finally:
            connections.close_all()

    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        holder = threading.Thread(target=first_relay)
        holder.start()
        assert consumer.inside.wait(timeout=30)  # the first relay holds the event, inside its handler
        second = relay.relay()
        task_attempt = relay.deliver(Event.objects.get().pk)
        consumer.release.set()
        holder.join(timeout=30)
    assert second == relay.Relayed(0, 0) and task_attempt is None
    assert outcomes == [relay.Relayed(1, 0)]
    assert consumer.numbers == [1]
