"""The outbox's tests subscribe a stand-in consumer to ``test.happened``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from himaccess.events import bus
from himaccess.events.tests.consumers import EVENT, Consumer


@pytest.fixture
def consumer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Consumer]:
    """A consumer subscribed to ``test.happened`` for one test only."""
    subscribed = Consumer()
    monkeypatch.setitem(bus._handlers, EVENT, [subscribed.handler()])
    yield subscribed
