"""Counters for register IDs hand out distinct blocks, on every supported database."""

from __future__ import annotations

import pytest
from django.db import connection

from himaccess.registry.models import IdCounter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "older-sqlite"])
def test_blocks_are_consecutive_and_never_overlap(monkeypatch, returning):
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returning)
    first = IdCounter.reserve("Z", 10)
    second = IdCounter.reserve("Z", 5)
    third = IdCounter.reserve("Z")
    assert (first, second, third) == (0, 10, 15)
    assert IdCounter.objects.get(kind="Z").next_value == 16
