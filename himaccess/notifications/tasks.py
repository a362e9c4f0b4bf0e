"""Delivering queued SMS, with retries while the gateway is unavailable."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.app.task import Task

from himaccess.notifications.gateway import GatewayRejected, GatewayUnavailable
from himaccess.notifications.models import SmsMessage
from himaccess.notifications.sms import hand_over, outgoing

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def backoff_seconds(attempt: int) -> int:
    """Wait before the next try: 10 s, 20 s, 40 s, 80 s."""
    return 10 * 2 ** (attempt - 1)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver_sms(self: Task, message_id: int) -> object:
    """Hand one queued message to the backend; idempotent for a message already sent or given up."""
    message = SmsMessage.objects.select_related("template").filter(pk=message_id).first()
    if message is None or message.status != SmsMessage.Status.QUEUED:
        return "skipped"
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
        message.save(update_fields=["attempts", "error"])
        # throw=False schedules the retry without raising; returning it lets the
        # eager profile (no broker) run the retry at once instead of failing the caller.
        return self.retry(exc=exc, countdown=backoff_seconds(message.attempts), throw=False)
    message.mark_sent(provider_id)
    return "sent"
