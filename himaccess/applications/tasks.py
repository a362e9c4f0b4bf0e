"""Scheduled jobs of Him Seva, run by Celery beat: flag applications past their time limit, and
delete abandoned drafts with their uploads.

With no broker (the embedded profile) run them with ``himaccess services_flag_overdue`` and
``himaccess services_sweep_drafts``.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from himaccess.applications.actions import decisions
from himaccess.applications.actions import drafts as applications_drafts
from himaccess.celery import app


@shared_task(name="applications.flag_overdue")
def flag_overdue() -> int:
    return decisions.flag_overdue()


@shared_task(name="applications.sweep_drafts")
def sweep_drafts() -> dict[str, int]:
    swept = applications_drafts.sweep_abandoned_drafts()
    return {"drafts": swept.drafts, "documents": swept.documents}


app.conf.beat_schedule.update(
    {
        # Every 15 minutes: the shortest notified time limit is two hours.
        "applications-flag-overdue": {
            "task": "applications.flag_overdue",
            "schedule": crontab(minute="*/15"),
        },
        # Daily at 02:40 Asia/Kolkata, when few people are filling in forms.
        "applications-sweep-drafts": {
            "task": "applications.sweep_drafts",
            "schedule": crontab(minute=40, hour=2),
        },
    }
)
