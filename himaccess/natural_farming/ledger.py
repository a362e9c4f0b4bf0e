"""Procurement payments in the schemes' benefit ledger: one row per farmer and month, posted at month end.

The ledger holds one ``Benefit`` per member, scheme and month, in whole
rupees. A farmer may be paid several times in a month (wheat in May, a
second delivery, turmeric), so each ``Payment`` goes to the bank at once
and the ledger receives the month's total for each farmer once the month
has ended (``post_closed_months``, run by every payment run and by
``himaccess natural_farming ledger``). The exact amounts, to the paisa, stay
in the payments; the ledger's row is their sum rounded to the rupee.
docs/decisions/1212 says why.

Each ledger row's idempotency key is ``pk3y:<Member ID>:<YYYY-MM>``: a run
repeated after a failure posts nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from himaccess.accounts.models import User
from himaccess.natural_farming.models import Farmer, Payment
from himaccess.schemes import ledger
from himaccess.schemes.models import DepartmentClient, Enrolment, Scheme

SCHEME_ID = "pk3y-procurement"
DEPARTMENT = "agriculture"
CLIENT_NAME = "PK3Y procurement payments"


def scheme() -> Scheme:
    return Scheme.objects.get(scheme_id=SCHEME_ID)


def client() -> DepartmentClient:
    return ledger.in_process_client(department_code=DEPARTMENT, name=CLIENT_NAME)


def enrol(farmer: Farmer, *, acting_user: User | None) -> Enrolment:
    """Certification is the department's sanction: the farmer is enrolled in the procurement scheme."""
    return ledger.enrol_by_department(
        farmer.member, scheme(), acting_user=acting_user, note=f"certified natural farmer {farmer.reference}"
    )


def _month(on: date) -> date:
    return on.replace(day=1)


@transaction.atomic
def post_month(month: date, *, actor: User | None = None) -> ledger.Posted:
    """Post each farmer's payments of ``month`` (not yet posted) as one ledger row; all or nothing."""
    month = _month(month)
    if month >= _month(timezone.localdate()):
        raise ValueError("only a month that has ended is posted to the ledger")
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    payments = list(
        Payment.objects.select_for_update()
        .filter(ledger_period__isnull=True, paid_on__gte=month, paid_on__lt=next_month)
        .select_related("farmer__member")
        .order_by("farmer_id", "paid_on", "id")
    )
    by_member: dict[int, list[Payment]] = defaultdict(list)
    for payment in payments:
        by_member[payment.farmer.member_id].append(payment)
    entries = []
    for member_pk, paid in by_member.items():
        total = sum((p.amount for p in paid), Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        member_id = paid[0].farmer.member.member_id
        entries.append(
            ledger.Payment(
                member_id=member_pk,
                period=month,
                amount=int(total),
                paid_on=max(p.paid_on for p in paid),
                payment_reference=f"PK3Y {month:%Y-%m} ({len(paid)})",
                idempotency_key=f"pk3y:{member_id}:{month:%Y-%m}",
            )
        )
    posted = ledger.post_payments(client(), scheme(), entries, actor=actor)
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(ledger_period=month)
    return posted


def post_closed_months(*, actor: User | None = None) -> int:
    """Post every ended month that has payments not yet in the ledger; returns the rows written."""
    current = _month(timezone.localdate())
    months = sorted(
        {
            _month(paid_on)
            for paid_on in Payment.objects.filter(ledger_period__isnull=True, paid_on__lt=current)
            .values_list("paid_on", flat=True)
            .distinct()
        }
    )
    return sum(post_month(month, actor=actor).created for month in months)
