"""Natural farming in the demo: two collection centres in Mandi, this year's windows, a few farmers.

Everything goes through ``natural_farming.actions`` as the officials would do
it: a District Agriculture Officer of Mandi (``agri.mandi``) and an operator of
the Mandi Sadar centre (``centre.mandi``) register members of Mandi families
(with a bank account on the register), record their land in a stand-in LGD
village, verify and certify most of them, and weigh wheat at 11:00 (today, or yesterday
before then)
inside a window around today. The two logins get no password here: the
demo command makes passwords for the officials it prints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.geography.models import Village
from himaccess.natural_farming import actions
from himaccess.natural_farming.models import CollectionCentre
from himaccess.registry.models import Member

MANDI = 22
# Demo stand-ins for LGD villages until the real directory is imported (codes outside LGD's range in use).
DEMO_VILLAGES = ((990001, "Bhiuli", "भ्यूली"), (990002, "Kotli", "कोटली"))


@dataclass
class Summary:
    farmers: int = 0
    certified: int = 0
    weighments: int = 0

    def line(self) -> str:
        return (
            f"natural farming: {self.farmers} farmers, {self.certified} certified, "
            f"{self.weighments} weighments"
        )


def _official(username: str, department: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"kind": User.Kind.OFFICIAL})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Posting.objects.create(
            user=user,
            role=Role.DEPARTMENT_OFFICER,
            level=Level.DISTRICT,
            district_id=MANDI,
            department_id=department,
        )
    return user


def generate(seed: int = 2026, farmers: int = 12) -> Summary:
    rng = random.Random(seed)
    summary = Summary()
    agri = _official("agri.mandi", "agriculture")
    operator = _official("centre.mandi", "food_civil_supplies")
    villages = [
        Village.objects.get_or_create(
            lgd_code=code,
            defaults={"district_id": MANDI, "name_en": en, "name_hi": hi, "source": Village.Source.LGD},
        )[0]
        for code, en, hi in DEMO_VILLAGES
    ]
    centre, _created = CollectionCentre.objects.get_or_create(
        code="mandi-sadar",
        defaults={
            "name_en": "Mandi Sadar procurement centre",
            "name_hi": "मंडी सदर खरीद केंद्र",
            "district_id": MANDI,
        },
    )
    CollectionCentre.objects.get_or_create(
        code="sundernagar",
        defaults={
            "name_en": "Sundernagar procurement centre",
            "name_hi": "सुंदरनगर खरीद केंद्र",
            "district_id": MANDI,
        },
    )
    actions.assign_operator(centre, operator, acting_user=agri)
    today = timezone.localdate()
    for crop in ("wheat", "raw_turmeric"):
        actions.open_window(
            centre,
            crop=crop,
            season=str(today.year),
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=5),
            daily_from=time(10, 0),
            daily_until=time(16, 0),
            acting_user=agri,
        )
    members = (
        Member.objects.living()
        .filter(family__district_id=MANDI, occupation="agriculture", natural_farmer__isnull=True)
        .exclude(bank_account="")
        .order_by("pk")[:farmers]
    )
    # Inside the daily hours: 11:00 today, or yesterday before then.
    eleven = timezone.make_aware(datetime.combine(today, time(11, 0)))
    if timezone.now() < eleven:
        eleven -= timedelta(days=1)
    for index, member in enumerate(members):
        farmer = actions.register_farmer(member, acting_user=agri)
        summary.farmers += 1
        actions.add_parcel(
            farmer,
            village_lgd_code=villages[index % 2].lgd_code or 0,
            khasra=f"{rng.randint(10, 900)}/{index + 1}",
            area=Decimal(rng.randint(2, 20)),
            unit="bigha",
            acting_user=agri,
        )
        if index % 4 == 3:
            continue  # some stay applied: the desk shows them waiting
        actions.move_certification(farmer, "verified", on=today, acting_user=agri)
        actions.move_certification(
            farmer, "certified", on=today, valid_until=today + timedelta(days=364), acting_user=agri
        )
        summary.certified += 1
        actions.record_weighment(
            centre,
            farmer_identifier=farmer.reference,
            crop="wheat",
            kg=Decimal(rng.randint(150, 900)),
            moisture_percent=Decimal(11),
            acting_user=operator,
            at=eleven,
        )
        summary.weighments += 1
    return summary
