"""Fixtures of the schemes tests, on top of the shared personas.

- Kamla: Asha's mother-in-law, 74, in Asha's family (old-age pension, 70+ band).
- Priya: District Welfare Officer of Mandi, Social Justice department: sanctions and reviews.
- Deepak: District Welfare Officer of Kangra: must not act in Mandi.
- Anil: state administrator: edits scheme rules.
- A ledger client of the Social Justice department, and one of the Health department.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import KANGRA, MANDI, Personas, make_citizen, make_official
from himaccess.departments.models import Department
from himaccess.notifications import sms
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, MaritalStatus, Member, Relation, Source
from himaccess.schemes.actions import clients


@dataclass
class SchemePeople:
    p: Personas
    kamla: User
    priya: User
    deepak: User
    anil: User
    ledger_token: str
    health_token: str

    def member(self, user: User) -> Member:
        return user.member_links.get().member


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()


def _reference_data() -> None:
    """A transactional (live-server) test flushes what migrations loaded: put it back."""
    if not Department.objects.exists():
        from himaccess.departments.loading import load_departments

        load_departments()
    from himaccess.notifications.models import SmsTemplate
    from himaccess.schemes.catalogue import load_schemes
    from himaccess.schemes.sms_templates import TEMPLATES

    load_schemes()
    for key, description, text_en, text_hi in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )


@pytest.fixture
def people(personas: Personas) -> SchemePeople:
    _reference_data()
    kamla_member = members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Kamla Devi",
            name_hi="कमला देवी",
            gender=Gender.FEMALE,
            date_of_birth=date(1951, 2, 10),
            relation=Relation.MOTHER,
            marital_status=MaritalStatus.WIDOWED,
            mobile="9816000011",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    social_justice = Department.objects.get(pk="social_justice")
    _client, token = clients.create_department_client("e-Kalyan", social_justice, acting_user=None)
    _health, health_token = clients.create_department_client(
        "Health MIS", Department.objects.get(pk="health"), acting_user=None
    )
    priya = make_official("priya", Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, district_id=MANDI)
    priya.postings.update(department="social_justice")
    deepak = make_official("deepak", Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, district_id=KANGRA)
    deepak.postings.update(department="social_justice")
    return SchemePeople(
        p=personas,
        kamla=make_citizen("kamla", kamla_member),
        priya=priya,
        deepak=deepak,
        anil=make_official("anil", Role.STATE_ADMIN, Level.STATE),
        ledger_token=token,
        health_token=health_token,
    )
