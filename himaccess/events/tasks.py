from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import F

from himaccess.events import bus
from himaccess.events.models import Event

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def dispatch_event(self, event_id: int) -> None:  # type: ignore[no-untyped-def]
    event = Event.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if event is None:
        return
    try:
        bus.dispatch(event)
    except Exception as exc:
        Event.objects.filter(pk=event_id).update(attempts=F("attempts") + 1, last_error=repr(exc)[:2000])
        logger.exception("event %s (%s) failed", event.pk, event.name)
        raise self.retry(exc=exc) from exc
