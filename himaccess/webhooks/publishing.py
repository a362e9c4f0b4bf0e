"""Domain events become webhook events, fanned out to the subscriptions that may receive them.

Each handler runs inside the event bus's savepoint with its ``HandlerRun``
row (docs/decisions/1021), so a redelivered domain event never publishes
twice. Payloads carry register identifiers and minimal facts: no name,
Aadhaar or phone number ever leaves in a webhook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from himaccess.catalog.models import Service
from himaccess.events.bus import subscribe
from himaccess.registry.models import Family
from himaccess.webhooks.models import Allowance, Delivery, EventType, Scope, Subscription, WebhookEvent
from himaccess.webhooks.tasks import deliver


def live_scopes() -> list[tuple[Subscription, Scope]]:
    """Every active subscription with what it may receive now (one query per subscription's districts)."""
    subscriptions = Subscription.objects.filter(active=True).order_by("id")
    allowances = {
        allowance.application_id: allowance
        for allowance in Allowance.objects.filter(
            application__in={subscription.application_id for subscription in subscriptions}
        )
    }
    scoped = [(s, s.scope(allowances.get(s.application_id))) for s in subscriptions]
    return [(subscription, scope) for subscription, scope in scoped if scope.types]


def fan_out(events: Iterable[WebhookEvent], scopes: list[tuple[Subscription, Scope]] | None = None) -> int:
    """Create one delivery per event and subscription that may receive it; return how many."""
    scopes = live_scopes() if scopes is None else scopes
    deliveries = [
        Delivery(subscription=subscription, event=event, next_attempt_at=event.occurred_at)
        for event in events
        for subscription, scope in scopes
        if scope.matches(event)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    return len(deliveries)


def publish(
    type: EventType,
    data: dict[str, Any],
    *,
    family_id: str,
    other_family_id: str | None = None,
    department_id: str | None = None,
) -> WebhookEvent:
    district = dict(
        Family.objects.filter(family_id__in=[f for f in (family_id, other_family_id) if f]).values_list(
            "family_id", "district_id"
        )
    )
    event = WebhookEvent.objects.create(
        type=type,
        data=data,
        district_id=district.get(family_id),
        other_district_id=district.get(other_family_id or ""),
        department_id=department_id,
    )
    if fan_out([event]):
        transaction.on_commit(_send_soon, robust=True)
    return event


def _send_soon() -> None:
    deliver.delay()


@subscribe("member.added")
def member_born(payload: dict[str, Any]) -> None:
    if payload.get("kind") != "birth":
        return
    data = {"member_id": payload["member_id"], "family_id": payload["family_id"]}
    publish(EventType.MEMBER_BORN, data, family_id=payload["family_id"])


@subscribe("member.died")
def member_died(payload: dict[str, Any]) -> None:
    data = {"member_id": payload["member_id"], "family_id": payload["family_id"], "died_on": payload["on"]}
    publish(EventType.MEMBER_DIED, data, family_id=payload["family_id"])


@subscribe("member.transferred")
def member_transferred(payload: dict[str, Any]) -> None:
    data = {
        "member_id": payload["member_id"],
        "family_id": payload["family_id"],
        "from_family_id": payload["other_family_id"],
        "reason": "transferred",
    }
    publish(
        EventType.MEMBER_MOVED,
        data,
        family_id=payload["family_id"],
        other_family_id=payload["other_family_id"],
    )


@subscribe("member.migrated")
def member_left(payload: dict[str, Any]) -> None:
    data = {
        "member_id": payload["member_id"],
        "family_id": payload["family_id"],
        "left_on": payload["on"],
        "reason": "left",
    }
    publish(EventType.MEMBER_MOVED, data, family_id=payload["family_id"])


@subscribe("family.split")
def family_split(payload: dict[str, Any]) -> None:
    data = {"family_id": payload["family_id"], "new_family_id": payload["other_family_id"]}
    publish(
        EventType.FAMILY_SPLIT,
        data,
        family_id=payload["family_id"],
        other_family_id=payload["other_family_id"],
    )


@subscribe("family.merged")
def family_merged(payload: dict[str, Any]) -> None:
    data = {"family_id": payload["family_id"], "merged_family_id": payload["other_family_id"]}
    publish(
        EventType.FAMILY_MERGED,
        data,
        family_id=payload["family_id"],
        other_family_id=payload["other_family_id"],
    )


@subscribe("member.ekyc")
def kyc_completed(payload: dict[str, Any]) -> None:
    if payload.get("outcome") != "verified":
        return
    data = {"member_id": payload["member_id"], "family_id": payload["family_id"]}
    publish(EventType.KYC_COMPLETED, data, family_id=payload["family_id"])


@subscribe("application.decided")
def application_decided(payload: dict[str, Any]) -> None:
    department = Service.objects.filter(pk=payload["service"]).values_list("department_id", flat=True).first()
    data = {
        "number": payload["number"],
        "service": payload["service"],
        "outcome": payload["outcome"],
        "within_time": payload["within_time"],
        "member_id": payload["member_id"],
        "family_id": payload["family_id"],
    }
    publish(EventType.APPLICATION_DECIDED, data, family_id=payload["family_id"], department_id=department)
