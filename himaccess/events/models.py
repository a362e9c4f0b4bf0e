"""Domain events, written in the same transaction as the change they describe.

The table is an outbox: a row exists exactly when its change committed, so
handlers (re-evaluating eligibility, reissuing cards, webhooks) never see an
event for a change that rolled back, and a failed dispatch can be retried.
An event stays undelivered (``dispatched_at`` empty) until every handler has
run for it; the relay (``events.relay``) keeps trying those, with a growing
wait between attempts, so none is lost when a task fails or never reaches the
broker.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Event(models.Model):
    name = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # After a failed attempt: not before this time (the wait grows with the attempts).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay reads only undelivered events: a small index however long the outbox grows.
            models.Index(
                fields=["occurred_at"], condition=Q(dispatched_at__isnull=True), name="event_undelivered"
            ),
            # By name, whole (a Meta index has no second LIKE index on PostgreSQL).
            models.Index(fields=["name"], name="events_event_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class HandlerRun(models.Model):
    """One handler's completed run for one event, committed together with that handler's work.

    A redelivered event skips the handlers that already ran for it, so a card
    reissue or an eligibility review happens once per event however often the
    event is dispatched.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="handler_runs")
    handler = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="one_run_per_event_handler")]

    def __str__(self) -> str:
        return f"{self.handler} for {self.event_id}"
