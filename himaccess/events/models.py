"""Domain events, written in the same transaction as the change they describe.

The table is an outbox: a row exists exactly when its change committed, so
handlers (re-evaluating eligibility, reissuing cards, webhooks) never see an
event for a change that rolled back, and a failed dispatch can be retried.
"""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    name = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
