"""Scheduled jobs of CM Seva Sankalp, run by Celery beat.

The schedule is registered here, next to the tasks; with no broker (the embedded profile) run them with
``himaccess grievance_jobs``.
"""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from himaccess.celery import app
from himaccess.grievances import escalation


@shared_task(name="grievances.escalate_overdue")
def escalate_overdue() -> int:
    return escalation.escalate_overdue().rows


@shared_task(name="grievances.close_unanswered")
def close_unanswered() -> int:
    return escalation.close_unanswered().rows


# Hourly: a level's time is counted in hours; half past, away from other hourly jobs.
# Beat imports the task modules before it reads the schedule, so adding here is seen.
app.conf.beat_schedule.update(
    {
        "grievances-escalate-overdue": {
            "task": "grievances.escalate_overdue",
            "schedule": crontab(minute=30),
        },
        "grievances-close-unanswered": {
            "task": "grievances.close_unanswered",
            "schedule": crontab(minute=45, hour=2),
        },
    }
)
