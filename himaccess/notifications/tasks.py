"""Delivering queued SMS: a task queued on commit for each message or bulk batch, and a relay run by beat.

The task retries a gateway that is briefly unavailable. Whatever it does not
finish (the broker never got it, the database went away in the middle, the
worker died) stays ``queued``; the relay hands over every queued message
that is due, so an SMS written with a committed change is sent or given up
on, never forgotten. A message is handed over under a row lock, so the task
and the relay never send it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from celery.app.task import Task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from himaccess.celery import app
from himaccess.notifications.delivery import hand_over
from himaccess.notifications.gateway import GatewayRejected, GatewayUnavailable
from himaccess.notifications.models import SmsMessage
from himaccess.notifications.outgoing import outgoing

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A message younger than this is left to its own task.
RELAY_AFTER = timedelta(minutes=2)
RELAY_BATCH = 200


def backoff_seconds(attempt: int) -> int:
    """Wait before the next try: 10 s, 20 s, 40 s, 80 s."""
    return 10 * 2 ** (attempt - 1)


def attempt(message_id: int) -> str:
    """Try one queued message once, holding its row; returns what happened."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("template")
            .filter(pk=message_id, status=SmsMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return "skipped"  # sent, given up, or being handed over by another worker
        message.attempts += 1
        try:
            provider_id = hand_over(outgoing(message))
        except GatewayRejected as exc:
            message.mark_failed(str(exc))
            logger.warning("sms %s rejected by the gateway: %s", message.pk, exc)
            return "failed"
        except GatewayUnavailable as exc:
            if message.attempts >= MAX_ATTEMPTS:
                message.mark_failed(str(exc))
                logger.warning("sms %s failed after %s attempts: %s", message.pk, message.attempts, exc)
                return "failed"
            message.error = str(exc)[:200]
            message.next_attempt_at = timezone.now() + timedelta(seconds=backoff_seconds(message.attempts))
            message.save(update_fields=["attempts", "error", "next_attempt_at"])
            return "retry"
        message.mark_sent(provider_id)
        return "sent"


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver_sms(self: Task, message_id: int) -> object:
    """Hand one queued message to the backend; idempotent for a message already sent or given up."""
    outcome = attempt(message_id)
    if outcome == "retry":
        attempts = SmsMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).first() or 1
        # throw=False schedules the retry without raising; returning it lets the
        # eager profile (no broker) run the retry at once instead of failing the caller.
        return self.retry(countdown=backoff_seconds(attempts), throw=False)
    return outcome


@shared_task(name="notifications.deliver_sms_batch", acks_late=True)
def deliver_sms_batch(message_ids: list[int]) -> dict[str, int]:
    """Hand over messages queued together, once each; one the gateway could not take waits for the relay."""
    outcomes: dict[str, int] = {}
    for message_id in message_ids:
        outcome = attempt(message_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def due_messages(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED, created_at__lte=now - RELAY_AFTER)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:RELAY_BATCH]
    )


@shared_task(name="notifications.relay_queued_sms")
def relay_queued_sms() -> dict[str, int]:
    """Hand over every queued message that is due (its own task lost, or its wait over)."""
    outcomes: dict[str, int] = {}
    for message_id in due_messages():
        outcome = attempt(message_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        logger.info("sms relay: %s", outcomes)
    return outcomes


app.conf.beat_schedule.update(
    {"notifications-relay-queued-sms": {"task": "notifications.relay_queued_sms", "schedule": 60.0}}
)
