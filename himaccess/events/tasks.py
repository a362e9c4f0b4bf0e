"""Delivering domain events: a task queued on commit for each event, and the relay run by Celery beat.

The task's retries cover a brief failure; they do not cap delivery: whatever
is still undelivered after a minute the relay retries until it is handled
(``himaccess events_relay`` runs it without beat).
"""

from __future__ import annotations

from celery import shared_task
from celery.app.task import Task

from himaccess.celery import app
from himaccess.events import relay as outbox


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def dispatch_event(self: Task, event_id: int) -> None:
    failure = outbox.deliver(event_id)
    if failure is not None:
        raise self.retry(exc=failure)


@shared_task(name="events.relay")
def relay() -> int:
    return outbox.relay().delivered


# Every minute: an event the task could not deliver waits at least that long, at most an hour.
app.conf.beat_schedule.update({"events-relay": {"task": "events.relay", "schedule": 60.0}})
