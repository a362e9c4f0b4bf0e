"""A fixture for the retries after a lost answer: the server commits and answers, the client never hears.

Import ``lose_answer`` into a test module to use it. The failure is raised
from ``request_finished``, which fires once the response is complete, that
is after the request's transaction has committed: what a dropped connection
or a proxy's 502 does to a client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections


class AnswerLost(ConnectionResetError):
    pass


def _drop(**kwargs: Any) -> None:
    raise AnswerLost("the connection dropped before the answer arrived")


@pytest.fixture
def lose_answer() -> Iterator[Callable[[Callable[[], Any]], None]]:
    """``lose_answer(send)``: run ``send`` (a client call) and lose its answer."""

    def lose(send: Callable[[], Any]) -> None:
        request_finished.connect(_drop)
        try:
            with pytest.raises(AnswerLost):
                send()
        finally:
            request_finished.disconnect(_drop)
            # The test client reconnects this after the response; the lost answer skipped that.
            request_finished.connect(close_old_connections)

    yield lose
