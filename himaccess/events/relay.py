"""Delivering events: the task's single attempt, and the relay that retries until every event is handled.

Two workers never dispatch one event at once: each attempt locks the event's
row first, and a row already locked is skipped (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's write lock serialises the same work). A failed attempt
is counted on the event with the time of the next one; the wait doubles with
each attempt, from a minute up to an hour, and the relay never gives up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from himaccess.events.handlers import dispatch
from himaccess.events.models import Event

logger = logging.getLogger(__name__)

# The task queued on commit gets the first minute; only then is an event the relay's.
RELAY_AFTER = timedelta(minutes=1)
MAX_WAIT = timedelta(hours=1)
# Batches one relay run takes at most: a run stays bounded, and runs that overlap skip each other's rows.
MAX_BATCHES = 20


@dataclass(frozen=True)
class Relayed:
    delivered: int
    failed: int


def wait_after(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the latest failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 10)), MAX_WAIT)


def _attempt(event: Event, now: datetime) -> Exception | None:
    """Dispatch an event whose row the caller has locked; on failure count the attempt."""
    try:
        dispatch(event)
    except Exception as exc:
        Event.objects.filter(pk=event.pk).update(
            attempts=F("attempts") + 1,
            last_error=repr(exc)[:2000],
            next_attempt_at=now + wait_after(event.attempts + 1),
        )
        return exc
    return None


def deliver(event_id: int) -> Exception | None:
    """One attempt at an undelivered event, unless another worker holds it; returns the failure, if any."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return None
        return _attempt(event, timezone.now())


def _due(now: datetime) -> Q:
    return Q(dispatched_at__isnull=True, occurred_at__lte=now - RELAY_AFTER) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def relay_batch(*, batch: int | None = None) -> Relayed:
    """Lock up to ``batch`` due events, oldest first, skipping any another worker holds; dispatch them."""
    size = batch or settings.EVENTS_RELAY_BATCH
    now = timezone.now()
    delivered = failed = 0
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True).filter(_due(now)).order_by("id")[:size]
        )
        for event in events:
            if _attempt(event, now) is None:
                delivered += 1
            else:
                failed += 1
    if failed:
        logger.warning(
            "event relay: %s delivered, %s failed and wait for their next attempt", delivered, failed
        )
    return Relayed(delivered, failed)


def relay(*, batch: int | None = None, max_batches: int = MAX_BATCHES) -> Relayed:
    """Relay batch after batch until no event is due (a failed one waits for its next attempt)."""
    size = batch or settings.EVENTS_RELAY_BATCH
    delivered = failed = 0
    for _ in range(max_batches):
        done = relay_batch(batch=size)
        delivered, failed = delivered + done.delivered, failed + done.failed
        if done.delivered + done.failed < size:
            break
    return Relayed(delivered, failed)


def undelivered() -> int:
    return Event.objects.filter(dispatched_at__isnull=True).count()
