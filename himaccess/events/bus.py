"""Emit domain events and dispatch them to subscribed handlers after commit.

``emit`` must be called inside the transaction of the change. Handlers run
through a Celery task once the transaction commits (in-process in the
embedded profile). A handler is a plain function taking the event's payload;
it must be idempotent, since a retried dispatch may call it again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from himaccess.events.models import Event

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Decorator: call the function for every committed event of that name."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def emit(name: str, **payload: Any) -> Event:
    handled = bool(_handlers.get(name))
    # An event nobody subscribes to is written already dispatched: one INSERT, no follow-up UPDATE.
    dispatched_at = None if handled else timezone.now()
    event = Event.objects.create(name=name, payload=payload, dispatched_at=dispatched_at)
    if handled:
        from himaccess.events.tasks import dispatch_event

        transaction.on_commit(lambda: dispatch_event.delay(event.pk))
    return event


def dispatch(event: Event) -> None:
    for handler in _handlers.get(event.name, []):
        handler(event.payload)
    event.dispatched_at = timezone.now()
    event.save(update_fields=["dispatched_at"])
