"""Synthetic Milkfed data for the embedded demo: a few societies, farmers from the register, a month of milk.

``seed`` is idempotent (societies by code, farmers by member): it makes three
societies in Mandi (or the first district with families), a secretary login
for each (``milk-secretary-<code>``) and a Milkfed district official
(``milkfed.mandi``, made with a password by the demo command), up to
``farmers`` dairy farmers from living adults of those districts, and last
month's two shifts a day posted through the same rules as the API, then the
month's statements computed and paid.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.milkfed import actions, collections, statements
from himaccess.milkfed.models import DairyFarmer, Membership, Society, Upload
from himaccess.registry.models import Member

MANDI = 22
SOCIETIES = [
    ("DEMO-01", "Rewalsar Dugdh Utpadak Sahkari Sabha", "रिवालसर दुग्ध उत्पादक सहकारी सभा"),
    ("DEMO-02", "Bhambla Dugdh Utpadak Sahkari Sabha", "भांबला दुग्ध उत्पादक सहकारी सभा"),
    ("DEMO-03", "Tihra Dugdh Utpadak Sahkari Sabha", "तिहरा दुग्ध उत्पादक सहकारी सभा"),
]


@dataclass(frozen=True)
class Seeded:
    societies: int
    farmers: int
    deliveries: int
    paid: int


def _secretary(code: str) -> User:
    user, _created = User.objects.get_or_create(
        username=f"milk-secretary-{code.lower()}", defaults={"kind": "official"}
    )
    return user


def seed(*, farmers: int = 24, seed_value: int = 7) -> Seeded:
    rng = random.Random(seed_value)
    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    joined = month - timedelta(days=180)
    adults = Member.objects.filter(life_status="living", date_of_birth__lte=date(2000, 1, 1))
    # Mandi, where the demo's officials are posted, when the demo's families reach it.
    first = (adults.filter(family__district_id=MANDI).first() or adults.first()) if adults.exists() else None
    if first is None:
        return Seeded(0, 0, 0, 0)
    district = first.family.district_id
    officer, created = User.objects.get_or_create(username="milkfed.mandi", defaults={"kind": "official"})
    if created:
        Posting.objects.create(
            user=officer,
            role=Role.DEPARTMENT_OFFICER,
            level=Level.DISTRICT,
            district_id=district,
            department_id="milkfed",
        )
    societies = []
    for code, name_en, name_hi in SOCIETIES:
        society, made = Society.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_hi": name_hi, "district_id": district}
        )
        if made:
            actions.appoint_secretary(society, _secretary(code), on=joined, acting_user=None)
        societies.append(society)
    candidates = list(
        Member.objects.filter(
            life_status="living",
            family__district_id=district,
            date_of_birth__lte=date(2004, 1, 1),
            dairy_farmer__isnull=True,
        ).order_by("pk")[: farmers * 3]
    )
    rng.shuffle(candidates)
    made_farmers = 0
    for index, member in enumerate(candidates[: max(0, farmers - DairyFarmer.objects.count())]):
        society = societies[index % len(societies)]
        actions.register_farmer(member, society, joined_on=joined, acting_user=_secretary(society.code))
        made_farmers += 1
    deliveries = 0
    if not Upload.objects.filter(society__in=societies).exists():
        _, end = statements.month_bounds(month)
        for society in societies:
            members = list(
                Membership.objects.filter(society=society, left_on__isnull=True).values_list(
                    "farmer__member__member_id", flat=True
                )
            )
            day = month
            while day < end and day >= today - timedelta(days=collections.OLDEST_DAYS):
                rows: list[object] = []
                for number, member_id in enumerate(members):
                    buffalo = number % 4 == 0
                    for shift in ("morning", "evening"):
                        rows.append(
                            {
                                "member_id": member_id,
                                "date": day.isoformat(),
                                "shift": shift,
                                "animal": "buffalo" if buffalo else "cow",
                                "litres": round(rng.uniform(2, 9), 1),
                                "fat": round(rng.uniform(5.8, 7.5) if buffalo else rng.uniform(3.1, 4.6), 1),
                                "snf": round(rng.uniform(8.3, 9.4), 1),
                            }
                        )
                if rows:
                    posted = collections.post(
                        society,
                        rows,
                        via=Upload.Via.API,
                        acting_user=_secretary(society.code),
                        from_text=False,
                    )
                    deliveries += posted.written
                day += timedelta(days=1)
    statements.compute(month, acting_user=officer)
    paid = statements.pay(month, paid_on=today, acting_user=officer).paid
    return Seeded(len(societies), made_farmers, deliveries, paid)
