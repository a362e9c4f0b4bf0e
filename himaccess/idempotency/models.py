"""The answers given to creates sent with an ``Idempotency-Key``, kept to be replayed on a retry.

A row is written in the same transaction as what the request created, so a
committed create always has its answer here: a client whose answer was lost
(a restart, a dropped connection) sends the same key again and gets the same
status and JSON, and nothing is done twice. ``(caller, key)`` is unique, so of
two requests racing with one key only one can commit.
"""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    # Whose key it is: "user:<pk>" for a logged-in person, "client:<pk>" for a department system.
    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    # Which create the key was used for ("services.application", ...): a key names one request.
    endpoint = models.CharField(max_length=40)
    # SHA-256 of the request body with key order and spacing ignored.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The JSON exactly as first sent, so a replay is the same bytes (jsonb would reorder keys).
    response_body = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="one_answer_per_caller_key")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
