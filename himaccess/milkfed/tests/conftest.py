"""Fixtures of the Milkfed tests, on top of the shared personas.

- Societies: Rewalsar (MND-001) and Sundernagar (MND-002) in Mandi, Palampur (KGR-001) in Kangra.
- Sita: secretary of MND-001; Bala: secretary of MND-002; Kamal: secretary of KGR-001.
- Mohan: Milkfed official of Mandi district; Kiran: Milkfed official of Kangra district;
  Shanti: Milkfed official at the state level.
- Asha (Asha's family) delivers to MND-001; Karan (another family) to MND-002;
  Pushpa (Kangra) to KGR-001. Ravi, Asha's son, is not a dairy farmer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import KANGRA, MANDI, Personas, make_official
from himaccess.departments.models import Department
from himaccess.milkfed import actions, loading
from himaccess.milkfed.models import DairyFarmer, Society
from himaccess.notifications import sms
from himaccess.registry.models import Member


@dataclass
class Dairy:
    p: Personas
    rewalsar: Society
    sundernagar: Society
    palampur: Society
    sita: User
    bala: User
    kamal: User
    mohan: User
    kiran: User
    shanti: User
    asha: DairyFarmer
    karan: DairyFarmer
    pushpa: DairyFarmer

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def member(self, user: User) -> Member:
        return user.member_links.get().member


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()


def secretary(username: str) -> User:
    """A society's secretary: a login of the cooperative, with no government posting."""
    return User.objects.create_user(username=username, kind=User.Kind.OFFICIAL, password="x-unused-password")


def milkfed_official(username: str, level: str, **area: Any) -> User:
    user = make_official(username, Role.DEPARTMENT_OFFICER, level, **area)
    user.postings.update(department="milkfed")
    return user


@pytest.fixture
def dairy(personas: Personas) -> Dairy:
    if not Department.objects.filter(pk="milkfed").exists():
        from himaccess.departments.loading import load_departments

        load_departments()
    loading.load()
    rewalsar = Society.objects.create(
        code="MND-001", name_en="Rewalsar Milk Society", name_hi="रिवालसर दुग्ध सभा", district_id=MANDI
    )
    sundernagar = Society.objects.create(
        code="MND-002", name_en="Sundernagar Milk Society", name_hi="सुंदरनगर दुग्ध सभा", district_id=MANDI
    )
    palampur = Society.objects.create(
        code="KGR-001", name_en="Palampur Milk Society", name_hi="पालमपुर दुग्ध सभा", district_id=KANGRA
    )
    since = timezone.localdate() - timedelta(days=90)
    sita, bala, kamal = secretary("sita"), secretary("bala"), secretary("kamal")
    for society, user in ((rewalsar, sita), (sundernagar, bala), (palampur, kamal)):
        actions.appoint_secretary(society, user, on=since, acting_user=None)
    mohan = milkfed_official("mohan", Level.DISTRICT, district_id=MANDI)
    kiran = milkfed_official("kiran", Level.DISTRICT, district_id=KANGRA)
    shanti = milkfed_official("shanti", Level.STATE)
    asha = actions.register_farmer(
        personas.member(personas.asha), rewalsar, joined_on=since, acting_user=sita
    )
    karan = actions.register_farmer(
        personas.member(personas.karan), sundernagar, joined_on=since, acting_user=bala
    )
    pushpa_member = personas.kangra_family.head()
    assert pushpa_member is not None
    pushpa = actions.register_farmer(pushpa_member, palampur, joined_on=since, acting_user=kamal)
    return Dairy(
        p=personas,
        rewalsar=rewalsar,
        sundernagar=sundernagar,
        palampur=palampur,
        sita=sita,
        bala=bala,
        kamal=kamal,
        mohan=mohan,
        kiran=kiran,
        shanti=shanti,
        asha=asha,
        karan=karan,
        pushpa=pushpa,
    )


def row(farmer: DairyFarmer, on: date, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "member_id": farmer.member.member_id,
        "date": on.isoformat(),
        "shift": "morning",
        "animal": "cow",
        "litres": 10.0,
        "fat": 3.5,
        "snf": 8.5,
    }
    return {**base, **values}
