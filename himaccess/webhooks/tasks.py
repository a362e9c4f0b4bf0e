"""Sending webhook deliveries through Celery: queued when deliveries are created, and every few seconds.

The beat run picks up retries whose wait has passed and subscribers whose
pause has ended; the on-commit task sends new deliveries at once (in-process
in the embedded profile). ``himaccess webhooks_deliver`` runs the same loop
without Celery.
"""

from __future__ import annotations

from celery import shared_task

from himaccess.celery import app
from himaccess.webhooks import delivery


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver() -> int:
    return delivery.deliver_due().delivered


app.conf.beat_schedule.update({"webhooks-deliver": {"task": "webhooks.deliver", "schedule": 5.0}})
