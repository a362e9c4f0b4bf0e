"""Scheduled job of idempotency keys, run by Celery beat: forget the answers of expired keys.

With no broker (the embedded profile) run it with ``himaccess idempotency_sweep``.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from himaccess.celery import app
from himaccess.idempotency import keys


@shared_task(name="idempotency.sweep")
def sweep() -> int:
    return keys.sweep()


# Hourly: keys live for a day, so an hour's overstay is the most a stale answer is kept.
app.conf.beat_schedule.update(
    {"idempotency-sweep": {"task": "idempotency.sweep", "schedule": crontab(minute=5)}}
)
