"""The natural-farming world, made through the real actions, on 16 May 2025 at 11:00 in Himachal.

Beyond the shared personas (Asha and Ravi of one family in Mandi, Karan of
another, Meena the tehsildar, Vikram of Kangra):

- Devika: District Agriculture Officer of Mandi (registers, certifies, opens windows, pays);
- Anil: ATMA field staff of the Mandi Sadar block (registers and verifies; cannot certify);
- Kamal: District Agriculture Officer of Kangra (must reach nothing in Mandi);
- Om: operator of the Mandi wheat centre; Tara: operator of the Kangra centre;
- Asha: a certified natural farmer with 5 bigha in an LGD village of Mandi, bank account on the register;
- Ravi: registered, not certified.

Windows: wheat at Mandi 15-25 May 2025, 10:00-16:00; raw turmeric at Mandi the same days;
wheat at Kangra 15-25 May.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import KANGRA, MANDI, MANDI_SADAR_BLOCK, Personas, make_official
from himaccess.geography.models import Village
from himaccess.natural_farming import actions
from himaccess.natural_farming.models import CollectionCentre, Farmer, ProcurementWindow
from himaccess.registry.actions import corrections

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2025, 5, 16, 11, 0, tzinfo=IST)
MANDI_VILLAGE_LGD = 800001
KANGRA_VILLAGE_LGD = 800002


@dataclass
class NF:
    personas: Personas
    devika: User
    anil: User
    kamal: User
    om: User
    tara: User
    mandi_centre: CollectionCentre
    kangra_centre: CollectionCentre
    wheat: ProcurementWindow
    turmeric: ProcurementWindow
    kangra_wheat: ProcurementWindow
    asha: Farmer
    ravi: Farmer

    def client(self, user: User, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client


def lgd_village(code: int, district: int, name: str) -> Village:
    """A village as ``himaccess import_lgd`` makes it."""
    return Village.objects.create(
        lgd_code=code, district_id=district, name_en=name, name_hi=name, source=Village.Source.LGD
    )


def agriculture_official(username: str, level: str, **area: Any) -> User:
    return make_official(username, Role.DEPARTMENT_OFFICER, level, department_id="agriculture", **area)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nf(personas: Personas, frozen: Any, django_capture_on_commit_callbacks: Any) -> NF:
    lgd_village(MANDI_VILLAGE_LGD, MANDI, "Bhiuli")
    lgd_village(KANGRA_VILLAGE_LGD, KANGRA, "Sidhbari")
    devika = agriculture_official("devika", Level.DISTRICT, district_id=MANDI)
    anil = agriculture_official("anil", Level.BLOCK, block_id=MANDI_SADAR_BLOCK)
    kamal = agriculture_official("kamal", Level.DISTRICT, district_id=KANGRA)
    om = make_official(
        "om", Role.DEPARTMENT_OFFICER, Level.DISTRICT, district_id=MANDI, department_id="food_civil_supplies"
    )
    tara = make_official(
        "tara",
        Role.DEPARTMENT_OFFICER,
        Level.DISTRICT,
        district_id=KANGRA,
        department_id="food_civil_supplies",
    )
    mandi_centre = CollectionCentre.objects.create(
        code="mandi-sadar",
        name_en="Mandi Sadar procurement centre",
        name_hi="मंडी सदर खरीद केंद्र",
        district_id=MANDI,
    )
    kangra_centre = CollectionCentre.objects.create(
        code="kangra", name_en="Kangra procurement centre", name_hi="कांगड़ा खरीद केंद्र", district_id=KANGRA
    )
    actions.assign_operator(mandi_centre, om, acting_user=devika)
    actions.assign_operator(kangra_centre, tara, acting_user=kamal)
    window: dict[str, Any] = {
        "season": "2025",
        "opens_on": date(2025, 5, 15),
        "closes_on": date(2025, 5, 25),
        "daily_from": time(10, 0),
        "daily_until": time(16, 0),
    }
    wheat = actions.open_window(mandi_centre, crop="wheat", acting_user=devika, **window)
    turmeric = actions.open_window(mandi_centre, crop="raw_turmeric", acting_user=devika, **window)
    kangra_wheat = actions.open_window(kangra_centre, crop="wheat", acting_user=kamal, **window)

    asha_member = personas.member(personas.asha)
    corrections.change_contact(
        asha_member, {"bank_account": "30112233445566", "bank_ifsc": "SBIN0001234"}, acting_user=personas.asha
    )
    asha = actions.register_farmer(asha_member, acting_user=anil)
    actions.add_parcel(
        asha,
        village_lgd_code=MANDI_VILLAGE_LGD,
        khasra="112/3",
        area=Decimal(5),
        unit="bigha",
        acting_user=anil,
    )
    actions.move_certification(asha, "verified", on=NOW.date(), acting_user=anil)
    asha = actions.move_certification(
        asha, "certified", on=NOW.date(), valid_until=date(2026, 3, 31), acting_user=devika
    )
    ravi = actions.register_farmer(personas.member(personas.ravi), acting_user=personas.asha)
    return NF(
        personas,
        devika,
        anil,
        kamal,
        om,
        tara,
        mandi_centre,
        kangra_centre,
        wheat,
        turmeric,
        kangra_wheat,
        asha,
        ravi,
    )
