from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from himaccess.notifications import sms


@pytest.fixture(autouse=True)
def _outbox(settings: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
