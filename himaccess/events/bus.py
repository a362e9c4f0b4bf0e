"""Emit domain events and dispatch them to subscribed handlers after commit.

``emit`` must be called inside the transaction of the change. Handlers run
through a Celery task once the transaction commits (in-process in the
embedded profile); whatever that task does not deliver (it failed, or never
reached the broker) the relay delivers later (``events.relay``). A handler is
a plain function taking the event's payload. Each handler's run is recorded
with its work (``HandlerRun``), so a redelivery runs only the handlers that
have not yet succeeded for that event.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from himaccess.events.handlers import Handler, _handlers, dispatch, handler_name, subscribe
from himaccess.events.models import Event
from himaccess.events.tasks import dispatch_event

# Apps subscribe and tests look at the handlers through this module.
__all__ = ["Handler", "_handlers", "dispatch", "emit", "handler_name", "subscribe"]


def emit(name: str, **payload: Any) -> Event:
    handled = bool(_handlers.get(name))
    # An event nobody subscribes to is written already dispatched: one INSERT, no follow-up UPDATE.
    dispatched_at = None if handled else timezone.now()
    event = Event.objects.create(name=name, payload=payload, dispatched_at=dispatched_at)
    if handled:
        # Robust: a broker that cannot be reached must not turn a committed change into an error
        # answer; the event stays undelivered and the relay delivers it.
        transaction.on_commit(lambda: dispatch_event.delay(event.pk), robust=True)
    return event
