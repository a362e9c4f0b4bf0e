"""Events reach subscribers over real HTTP: signed, scoped, retried, paused when down, replayed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from himaccess.conftest import KANGRA, Personas
from himaccess.departments.models import Department
from himaccess.registry.actions import households, members
from himaccess.registry.models import Gender, Relation, Source
from himaccess.webhooks import actions, delivery, publishing, signing
from himaccess.webhooks.models import Delivery, EventType, Subscription, WebhookEvent
from himaccess.webhooks.tests.conftest import DepartmentClient, Receiver

pytestmark = pytest.mark.django_db

NAMES_AND_NUMBERS = ("Asha", "Ravi", "Meera", "9816000001", "name", "mobile", "aadhaar")


def subscribe(client: DepartmentClient, receiver: Receiver, types: list[str]) -> Subscription:
    return actions.subscribe(client.application, url=receiver.url, event_types=types)


def birth(personas: Personas, capture: Any, name: str = "Meera") -> str:
    asha = personas.member(personas.asha)
    with capture(execute=True):
        child = members.record_birth(
            personas.asha_family,
            members.NewMember(
                name_en=name,
                name_hi="मीरा",
                gender=Gender.FEMALE,
                date_of_birth=date(2026, 11, 1),
                relation=Relation.DAUGHTER,
                mother=asha,
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
    return str(child.member_id)


def test_a_birth_reaches_the_subscriber_signed_and_without_personal_details(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = subscribe(social_justice, receiver, ["member.born"])
    member_id = birth(personas, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    request = receiver.received[0]
    signing.verify(request.body, request.headers["Him-Signature"], [subscription.secret])
    assert request.json["type"] == "member.born"
    assert request.json["data"] == {"member_id": member_id, "family_id": personas.asha_family.family_id}
    assert request.json["district"] == personas.asha_family.district_id
    assert request.headers["Him-Delivery"] == request.json["id"]
    assert request.headers["Him-Event"] == "member.born"
    assert not any(word.lower() in request.body.decode().lower() for word in NAMES_AND_NUMBERS)
    row = Delivery.objects.get(subscription=subscription)
    assert (row.status, row.attempts, row.response_code) == ("delivered", 1, 200)


def test_a_subscriber_of_another_district_gets_nothing(
    personas: Personas,
    health: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(health, receiver, ["member.born"])  # Health may receive Kangra only; Asha lives in Mandi
    birth(personas, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert WebhookEvent.objects.filter(type="member.born").exists()
    assert not Delivery.objects.exists()


def test_event_types_not_subscribed_are_not_sent(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(social_justice, receiver, ["member.died"])
    birth(personas, django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_a_death_is_published(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(social_justice, receiver, ["member.died"])
    ravi = personas.member(personas.ravi)
    with django_capture_on_commit_callbacks(execute=True):
        members.record_death(ravi, on=date(2026, 11, 20), acting_user=None, source=Source.PANCHAYAT)
    types = [item.json["type"] for item in receiver.received]
    assert types == ["member.died"]
    assert receiver.received[0].json["data"]["died_on"] == "2026-11-20"


def test_a_down_subscriber_is_retried_with_backoff_then_paused_and_recovers(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.WEBHOOKS_CIRCUIT_FAILURES = 2
    subscription = subscribe(social_justice, receiver, ["member.born"])
    receiver.status = 503
    first = birth(personas, django_capture_on_commit_callbacks, "Meera")
    row = Delivery.objects.get(subscription=subscription)
    assert (row.status, row.attempts, row.response_code, row.last_error) == ("pending", 1, 503, "HTTP 503")
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=4) < wait <= timedelta(seconds=10)  # 10 s, jittered down to half at most

    later = timezone.now() + timedelta(seconds=11)
    with time_machine.travel(later, tick=False):
        delivery.deliver_due()
        row.refresh_from_db()
        subscription.refresh_from_db()
        assert row.attempts == 2
        assert subscription.paused_until is not None
        assert subscription.failures == 2 and subscription.paused_until > later  # the circuit opened
        Delivery.objects.update(next_attempt_at=later)
        delivery.deliver_due()  # the delivery is due but its subscriber is paused: nothing is sent
    assert len(receiver.received) == 2

    receiver.status = 200
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        delivery.deliver_due()
    row.refresh_from_db()
    subscription.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 3)
    assert subscription.failures == 0 and subscription.paused_until is None
    assert len(set(receiver.ids())) == 1  # the same delivery id on every attempt
    assert receiver.received[-1].json["data"]["member_id"] == first


def test_a_delivery_is_given_up_after_the_last_attempt(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    subscribe(social_justice, receiver, ["member.born"])
    receiver.status = 500
    birth(personas, django_capture_on_commit_callbacks)
    assert Delivery.objects.get().status == "failed"


def test_a_redirect_is_not_followed(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(social_justice, receiver, ["member.born"])
    receiver.status = 307
    birth(personas, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    assert (row.status, row.response_code) == ("pending", 307)
    assert len(receiver.received) == 1


def test_an_address_that_became_private_is_not_called(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    subscribe(social_justice, receiver, ["member.born"])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    birth(personas, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert Delivery.objects.get().last_error == "address is not public"


def test_replay_sends_again_with_the_same_delivery_ids_marked_as_replays(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = timezone.now()
    subscription = subscribe(social_justice, receiver, ["member.born"])
    birth(personas, django_capture_on_commit_callbacks, "Meera")
    birth(personas, django_capture_on_commit_callbacks, "Geeta")
    first_ids = receiver.ids()
    assert len(first_ids) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.replay(subscription, since=start) == 2
    again = receiver.received[2:]
    assert [item.headers["Him-Delivery"] for item in again] == first_ids
    assert all(item.json["replay"] is True for item in again)
    assert Delivery.objects.filter(replay=True, status="delivered").count() == 2


def test_replay_reaches_events_from_before_the_subscription(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = timezone.now()
    birth(personas, django_capture_on_commit_callbacks)
    subscription = subscribe(social_justice, receiver, ["member.born"])
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.replay(subscription, since=start) == 1
    assert len(receiver.received) == 1 and receiver.received[0].json["replay"] is True


def test_two_workers_never_claim_the_same_delivery(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
) -> None:
    subscription = subscribe(social_justice, receiver, ["member.born"])
    events = [
        WebhookEvent.objects.create(type="member.born", district_id=personas.asha_family.district_id)
        for _ in range(5)
    ]
    Delivery.objects.bulk_create([Delivery(subscription=subscription, event=event) for event in events])
    now = timezone.now()
    first = delivery.claim(3, now)
    second = delivery.claim(3, now)
    assert len(first) == 3 and len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}


def test_room_a_quiet_subscriber_leaves_goes_to_one_with_a_backlog(
    personas: Personas,
    social_justice: DepartmentClient,
    health: DepartmentClient,
    receiver: Receiver,
) -> None:
    quiet = subscribe(social_justice, receiver, ["member.born"])
    behind = subscribe(health, receiver, ["member.born"])  # back after being down: ten waiting
    district = personas.asha_family.district_id
    events = [WebhookEvent.objects.create(type="member.born", district_id=district) for _ in range(10)]
    Delivery.objects.bulk_create(
        [Delivery(subscription=quiet, event=events[0])]
        + [Delivery(subscription=behind, event=event) for event in events]
    )
    claimed = delivery.claim(6, timezone.now())
    assert len(claimed) == 6  # a share of three each; the quiet one's unused two go to the other
    backlog = [d for d in claimed if d.subscription_id == behind.pk]
    oldest = Delivery.objects.filter(subscription=behind).order_by("id")[:5]
    assert [d.pk for d in backlog] == [d.pk for d in oldest]
    assert delivery.claim(6, timezone.now()) == [
        *Delivery.objects.filter(subscription=behind).order_by("id")[5:]
    ]


def test_a_split_is_published_with_both_family_ids(
    personas: Personas,
    social_justice: DepartmentClient,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actions.grant(
        social_justice.application,
        event_types=["family.split"],
        districts=[personas.asha_family.district_id],
        acting_user=None,
    )
    subscribe(social_justice, receiver, ["family.split"])
    ravi = personas.member(personas.ravi)
    with django_capture_on_commit_callbacks(execute=True):
        new_family = households.split_family(
            personas.asha_family,
            [ravi],
            new_head=ravi,
            relations={},
            acting_user=None,
            source=Source.PANCHAYAT,
        )
    assert [item.json["data"] for item in receiver.received] == [
        {"family_id": personas.asha_family.family_id, "new_family_id": new_family.family_id}
    ]


def test_a_move_between_districts_reaches_both_districts_subscribers(
    personas: Personas, social_justice: DepartmentClient, health: DepartmentClient, receiver: Receiver
) -> None:
    actions.grant(health.application, event_types=["member.moved"], districts=[KANGRA], acting_user=None)
    mandi = subscribe(social_justice, receiver, ["member.moved"])
    kangra = subscribe(health, receiver, ["member.moved"])
    data = {"member_id": "M0", "family_id": personas.kangra_family.family_id, "reason": "transferred"}
    publishing.publish(
        EventType.MEMBER_MOVED,
        data,
        family_id=personas.kangra_family.family_id,
        other_family_id=personas.asha_family.family_id,
    )
    assert set(Delivery.objects.values_list("subscription", flat=True)) == {mandi.pk, kangra.pk}


def test_decided_applications_go_only_to_the_services_department(
    personas: Personas, social_justice: DepartmentClient, health: DepartmentClient, receiver: Receiver
) -> None:
    actions.grant(
        health.application,
        event_types=["application.decided"],
        department=Department.objects.get(pk="health"),
        acting_user=None,
    )
    ours = subscribe(social_justice, receiver, ["application.decided"])
    subscribe(health, receiver, ["application.decided"])
    family = personas.asha_family.family_id
    publishing.publish(
        EventType.APPLICATION_DECIDED, {"number": "A1"}, family_id=family, department_id="social_justice"
    )
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [ours.pk]


def test_a_withdrawn_allowance_stops_deliveries(
    personas: Personas, social_justice: DepartmentClient, receiver: Receiver
) -> None:
    subscribe(social_justice, receiver, ["member.born"])
    social_justice.allowance.delete()
    publishing.publish(EventType.MEMBER_BORN, {"member_id": "M0"}, family_id=personas.asha_family.family_id)
    assert not Delivery.objects.exists()
