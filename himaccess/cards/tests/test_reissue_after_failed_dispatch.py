"""A birth's card reissue survives a failed dispatch: the relay delivers it, and it happens exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from himaccess.cards.models import Card
from himaccess.cards.tests.conftest import AshaCards
from himaccess.conftest import Personas
from himaccess.events import bus, relay
from himaccess.events.models import Event, HandlerRun
from himaccess.events.tasks import dispatch_event
from himaccess.events.tests.consumers import Consumer
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, Member, Relation, Source


def _birth(personas: Personas) -> Member:
    return members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Meera Kumari",
            name_hi="मीरा कुमारी",
            gender=Gender.FEMALE,
            date_of_birth=date(2024, 2, 1),
            relation=Relation.GRANDDAUGHTER,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def _reissued_once(cards: AshaCards, baby: Member) -> None:
    old = Card.objects.get(pk=cards.family.pk)
    assert old.status == Card.Status.SUPERSEDED
    assert Card.objects.filter(family=old.family, kind=Card.Kind.FAMILY).count() == 2  # the old and one new
    assert Card.objects.filter(member=baby).count() == 1
    assert Card.objects.get(pk=cards.ravi.pk).status == Card.Status.ACTIVE


def _deliver_again_and_again(event: Event, start: Any) -> None:
    """The broker comes back and hands over the old task; the relay runs again; a task is retried."""
    dispatch_event.apply(args=[event.pk])
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        relay.relay()
    relay.deliver(event.pk)


def test_a_birth_whose_task_never_reached_the_broker_gets_its_cards_from_the_relay(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        baby = _birth(personas)  # the process stops right after commit: the task is never queued
    assert Card.objects.get(pk=asha_cards.family.pk).status == Card.Status.ACTIVE
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert relay.relay().delivered >= 1
    _reissued_once(asha_cards, baby)
    event = Event.objects.get(name="member.added", payload__member_id=baby.member_id)
    _deliver_again_and_again(event, start)
    _reissued_once(asha_cards, baby)


def test_a_broker_call_that_raises_leaves_the_cards_to_the_relay_which_reissues_them_once(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        mock.patch.object(dispatch_event, "delay", autospec=True, side_effect=BrokerUnreachable("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        baby = _birth(personas)
    assert Card.objects.get(pk=asha_cards.family.pk).status == Card.Status.ACTIVE
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        relay.relay()
    _reissued_once(asha_cards, baby)
    _deliver_again_and_again(Event.objects.get(name="member.added", payload__member_id=baby.member_id), start)
    _reissued_once(asha_cards, baby)


def test_another_consumer_failing_many_times_does_not_reissue_the_cards_again(
    personas: Personas,
    asha_cards: AshaCards,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook = Consumer(name="district_dashboard_webhook", down=True)
    subscribed = list(bus._handlers["member.added"])
    # First in line, so that before the relay it would also have stopped the cards' handler.
    monkeypatch.setitem(bus._handlers, "member.added", [webhook.handler(), *subscribed])
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        baby = _birth(personas)
    _reissued_once(asha_cards, baby)  # the cards did not wait for the webhook
    event = Event.objects.get(name="member.added", payload__member_id=baby.member_id)
    for hour in range(1, 6):  # the webhook stays down through the task's retries and the relay's
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            relay.relay()
    event.refresh_from_db()
    assert event.dispatched_at is None and event.attempts == 6
    webhook.down = False
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        relay.relay()
    event.refresh_from_db()
    assert event.dispatched_at is not None and event.attempts == 6
    assert baby.member_id in [payload.get("member_id") for payload in webhook.received]
    _reissued_once(asha_cards, baby)
    card_runs = HandlerRun.objects.filter(event=event, handler__contains="reissue_cards")
    assert card_runs.count() == 1
