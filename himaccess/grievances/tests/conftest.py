"""Officials of the complaint ladders, beyond the shared personas.

Meena (tehsildar, Mandi tehsil) is level 1 for Revenue complaints in Mandi;
above her sit the Deputy Commissioner of Mandi (L2), the Director of Land
Records (L3) and the Revenue Secretary (L4). Vikram, tehsildar of Kangra,
must not be able to act on anything in Mandi.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import MANDI, Personas, make_official
from himaccess.grievances import actions, routing
from himaccess.grievances.models import Category, Channel, Complaint
from himaccess.notifications import sms


@pytest.fixture(autouse=True)
def _outbox(settings: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@dataclass
class Ladder:
    dc_mandi: User
    director: User
    secretary: User
    personas: Personas

    def file_for_asha(
        self, code: str = "revenue-mutation-delay", text: str = "Mutation of my land not entered"
    ) -> Complaint:
        asha = self.personas.asha
        member = self.personas.member(asha)
        return actions.file_complaint(
            category=Category.objects.get(code=code),
            description=text,
            mobile=member.mobile,
            place=routing.Place.of_family(member.family),
            channel=Channel.WEB,
            member=member,
            acting_user=asha,
        ).complaint


def with_mobile(user: User, mobile: str) -> User:
    user.mobile = mobile
    user.save(update_fields=["mobile"])
    return user


def _reload_reference_data() -> None:
    """A transactional (live server) test flushes what the data migrations loaded: load it again."""
    import importlib

    from django.apps import apps

    from himaccess.departments.loading import load_departments
    from himaccess.departments.models import Department

    if Category.objects.exists():
        return
    if not Department.objects.exists():
        load_departments(apps)
    importlib.import_module("himaccess.grievances.migrations.0002_category_tree_and_sms").load(apps, None)
    importlib.import_module("himaccess.notifications.migrations.0002_seed_templates").seed(apps, None)


@pytest.fixture
def ladder(personas: Personas) -> Ladder:
    _reload_reference_data()
    with_mobile(personas.meena, "9418000001")
    return Ladder(
        dc_mandi=with_mobile(
            make_official("dc_mandi", Role.DEPUTY_COMMISSIONER, Level.DISTRICT, district_id=MANDI),
            "9418000002",
        ),
        director=make_official("dlr", Role.DEPARTMENT_OFFICER, Level.STATE, department_id="revenue"),
        secretary=make_official("secy_revenue", Role.STATE_ADMIN, Level.STATE, department_id="revenue"),
        personas=personas,
    )


def texts_to(mobile: str) -> list[str]:
    """The SMS texts queued for a number (delivery runs after commit, which tests do not reach)."""
    from himaccess.notifications.models import SmsMessage

    return [sms.outgoing(m).text for m in SmsMessage.objects.filter(to=mobile).order_by("created_at", "id")]
