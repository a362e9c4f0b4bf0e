"""Fixtures of Him Seva's tests: the shared personas, plus the officials a certificate passes through.

- Prem: patwari of Mandi tehsil (writes the report on Revenue certificates).
- Meena (shared persona): tehsildar of Mandi tehsil, decides them.
- Sapna: SDM at Mandi district level, first appellate authority.
- Lalit Sharma: Lok Mitra Kendra operator of the centre for Mandi tehsil (assisted mode); Asha's
  and Karan's families are in its area, Kangra's are not.
- Vikram (shared persona): tehsildar of Kangra; Karan (shared): another Mandi family.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from himaccess.accounts.models import Level, Role, User
from himaccess.applications.actions import drafts, filing
from himaccess.applications.models import Application
from himaccess.catalog.models import Service
from himaccess.conftest import MANDI, MANDI_TEHSIL, Personas, make_official
from himaccess.notifications import sms


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> Iterator[list[sms.OutgoingSms]]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def outbox() -> list[sms.OutgoingSms]:
    return sms.outbox


@pytest.fixture
def prem(personas: Personas) -> User:
    return make_official("prem", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)


@pytest.fixture
def sapna(personas: Personas) -> User:
    return make_official("sapna", Role.SDM, Level.DISTRICT, district_id=MANDI)


@pytest.fixture
def lalit(personas: Personas) -> User:
    operator = make_official("lalit", Role.LOK_MITRA_OPERATOR, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    operator.first_name, operator.last_name = "Lalit", "Sharma"
    operator.save(update_fields=["first_name", "last_name"])
    return operator


def character_answers() -> dict[str, Any]:
    """What Asha adds to a character certificate for Ravi (the register fills the rest)."""
    return {"relative_name": "Late Mohan Lal", "purpose": "Police constable recruitment"}


def submit_character(personas: Personas, user: User | None = None) -> Application:
    """Asha applies for a character certificate for Ravi, through the real actions."""
    user = user or personas.asha
    ravi = personas.member(personas.ravi)
    application = drafts.start_draft(Service.objects.get(code="CERT-05"), ravi, acting_user=user)
    return filing.submit(application, {**application.answers, **character_answers()}, {}, acting_user=user)


@pytest.fixture
def submitted(personas: Personas) -> Application:
    return submit_character(personas)
