"""Handlers of domain events: who subscribes to what, and running them for one event.

``bus.subscribe`` registers a handler; ``dispatch`` runs them for a committed
event (from the task queued on commit, or from the relay).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from himaccess.events.models import Event, HandlerRun

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Decorator: call the function for every committed event of that name."""

    def register(handler: Handler) -> Handler:
        if handler in _handlers[name]:
            return handler
        if any(handler_name(h) == handler_name(handler) for h in _handlers[name]):
            # Runs are recorded by name: two handlers of one name would pass for each other.
            raise ValueError(f"another handler of {name} is already named {handler_name(handler)}")
        _handlers[name].append(handler)
        return handler

    return register


def handler_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__name__}"


def dispatch(event: Event) -> None:
    """Run the event's handlers that have not yet run for it, then mark it dispatched.

    Each handler runs in its own savepoint together with the ``HandlerRun`` row
    that records it: its work and the record commit or vanish together. A
    failing handler does not stop the others; the first failure is raised
    once they have run, and the event stays undelivered.
    """
    done = set(HandlerRun.objects.filter(event=event).values_list("handler", flat=True))
    failure: Exception | None = None
    for handler in _handlers.get(event.name, []):
        name = handler_name(handler)
        if name in done:
            continue
        try:
            with transaction.atomic():
                handler(event.payload)
                HandlerRun.objects.create(event=event, handler=name)
        except Exception as exc:
            logger.warning("handler %s failed on event %s (%s): %r", name, event.pk, event.name, exc)
            failure = failure or exc
    if failure is not None:
        raise failure
    event.dispatched_at = timezone.now()
    event.save(update_fields=["dispatched_at"])
