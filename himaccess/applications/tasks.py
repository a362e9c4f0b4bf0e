"""Scheduled job of Him Seva, run by Celery beat: flag applications past their time limit.

With no broker (the embedded profile) run it with ``himaccess services_flag_overdue``.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from himaccess.applications import actions
from himaccess.celery import app


@shared_task(name="applications.flag_overdue")
def flag_overdue() -> int:
    return actions.flag_overdue()


# Every 15 minutes: the shortest notified time limit is two hours.
app.conf.beat_schedule.update(
    {"applications-flag-overdue": {"task": "applications.flag_overdue", "schedule": crontab(minute="*/15")}}
)
