from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from himaccess.accounts import actions
from himaccess.accounts.models import Level, Role, User
from himaccess.geography.models import Tehsil
from himaccess.notifications import sms

PASSWORD = "Deodar-forest-1987"


@pytest.fixture(autouse=True)
def _clean_limits_and_outbox(settings: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "memory"
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on-commit work (SMS delivery) inside the test's transaction."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def state_admin(db: Any) -> User:
    admin = actions.create_official("admin.state", PASSWORD, staff=True, acting_user=None)
    admin.is_superuser = True  # as `create_official --role state_admin --staff` makes them
    admin.save()
    actions.post_official(admin, role=Role.STATE_ADMIN, level=Level.STATE, acting_user=None)
    return admin


@pytest.fixture
def tehsildar(db: Any) -> User:
    user = actions.create_official("tehsildar.mandi", PASSWORD, acting_user=None)
    actions.post_official(
        user, role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil=Tehsil.objects.get(pk=133), acting_user=None
    )
    return user
