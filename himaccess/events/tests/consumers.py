"""A stand-in consumer of events for the outbox's tests: a subscriber (a webhook, say) that can be down."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EVENT = "test.happened"


@dataclass
class Consumer:
    name: str = "consumer"
    down: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    # Set while a delivery is inside the handler; the handler waits for ``release`` when given one.
    inside: threading.Event = field(default_factory=threading.Event)
    release: threading.Event | None = None

    @property
    def numbers(self) -> list[Any]:
        """The ``n`` of each payload received (the outbox tests number their events)."""
        return [payload.get("n") for payload in self.received]

    def handler(self) -> Callable[[dict[str, Any]], None]:
        """The function subscribed: handlers are told apart by their names."""

        def handle(payload: dict[str, Any]) -> None:
            self.inside.set()
            if self.release is not None:
                self.release.wait(timeout=30)
            if self.down:
                raise ConnectionError("the consumer is down")
            self.received.append(payload)

        handle.__name__ = self.name
        return handle
