"""Monthly statements: priced by the rates in force on each day, paid once to the ledger, told by SMS."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from himaccess.departments.models import Department
from himaccess.milkfed import rates, statements
from himaccess.milkfed.models import PriceRate, Statement
from himaccess.milkfed.tests.conftest import Dairy, row
from himaccess.notifications import sms
from himaccess.registry.models import Member
from himaccess.schemes import ledger
from himaccess.schemes.actions.clients import create_department_client
from himaccess.schemes.models import Benefit

pytestmark = pytest.mark.django_db


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def deliver(dairy: Dairy, rows: list[dict[str, object]], code: str = "MND-001") -> None:
    client = dairy.client(dairy.sita if code == "MND-001" else dairy.bala)
    answer = client.post(
        f"/api/v1/milkfed/societies/{code}/collections", json.dumps(rows), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content


def test_statement_prices_each_litre_by_the_rates_in_force(dairy: Dairy) -> None:
    month = last_month()
    deliver(
        dairy,
        [
            row(dairy.asha, month, litres=10, fat=3.5, snf=8.5),
            row(dairy.asha, month, shift="evening", animal="buffalo", litres=7.25, fat=6.37, snf=8.83),
        ],
    )
    assert statements.compute(month, acting_user=dairy.shanti) == 1
    statement = Statement.objects.get()
    # Cow: 10 L x Rs 51 = Rs 510, at standard quality. Buffalo: 7.25 L x Rs 61 = Rs 442.25; fat 6.37 is
    # 3 full steps over 6.0 (+Rs 0.75/L), SNF 8.83 is 1 step under 9.0 (-Rs 0.15/L): +Rs 0.60/L = Rs 4.35.
    # Subsidy Rs 2/L on 17.25 L = Rs 34.50.
    assert (statement.cow_paise, statement.buffalo_paise, statement.quality_paise) == (51000, 44225, 435)
    assert statement.subsidy_paise == 3450
    assert statement.total_paise == 99110
    assert statement.days == 1 and statement.litres == 1725
    assert statement.society_id == dairy.rewalsar.pk
    priced = rates.price("buffalo", month, 725, 637, 883)
    assert priced is not None and priced.quality_paise == 435


def test_a_new_rate_row_reprices_only_days_from_its_start(dairy: Dairy) -> None:
    month = last_month()
    deliver(dairy, [row(dairy.asha, month), row(dairy.asha, month + timedelta(days=1))])
    PriceRate.objects.create(
        animal="cow", valid_from=month + timedelta(days=1), paise_per_litre=6000, source="test order"
    )
    statements.compute(month, acting_user=None)
    assert Statement.objects.get().cow_paise == 51000 + 60000


def test_deductions_below_standard(dairy: Dairy) -> None:
    month = last_month()
    deliver(dairy, [row(dairy.asha, month, litres=10, fat=3.05, snf=8.5)])
    statements.compute(month, acting_user=None)
    # 3.05 is 0.45 under 3.5: 4 full steps, -Rs 1.00 per litre.
    assert Statement.objects.get().quality_paise == -1000


def test_paying_posts_to_the_ledger_once_and_tells_the_farmer_in_hindi(
    dairy: Dairy, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    month = last_month()
    deliver(dairy, [row(dairy.asha, month)])
    deliver(dairy, [row(dairy.karan, month, litres=5)], code="MND-002")
    statements.compute(month, acting_user=None)
    with django_capture_on_commit_callbacks(execute=True):
        paid = statements.pay(month, paid_on=timezone.localdate(), acting_user=dairy.shanti)
    assert (paid.paid, paid.messages) == (2, 2)
    asha = Benefit.objects.get(member=dairy.asha.member)
    assert asha.amount == 530  # Rs 510 + Rs 20 subsidy
    assert asha.period == month
    assert Statement.objects.get(farmer=dairy.asha).paid_rupees == 530
    texts = [m.text for m in sms.outbox if m.to == dairy.asha.member.mobile]
    assert texts and "530" in texts[0] and "दूध भुगतान" in texts[0]
    # Paying again books nothing twice; recomputing leaves a paid statement as it is.
    again = statements.pay(month, paid_on=timezone.localdate(), acting_user=dairy.shanti)
    assert again.paid == 0
    assert Benefit.objects.count() == 2
    statements.compute(month, acting_user=None)
    assert Statement.objects.get(farmer=dairy.asha).paid_rupees == 530


def test_telling_farmers_costs_the_same_queries_for_one_or_many(dairy: Dairy) -> None:
    """A month pays tens of thousands: numbers, languages and messages are read and written in bulk."""
    month = last_month()
    deliver(dairy, [row(dairy.asha, month)])
    statements.compute(month, acting_user=None)
    with CaptureQueriesContext(connection) as one:
        assert statements.notify_paid(month, set(Statement.objects.values_list("pk", flat=True))) == 1
    deliver(dairy, [row(dairy.karan, month, litres=5)], code="MND-002")
    deliver_kangra = dairy.client(dairy.kamal).post(
        "/api/v1/milkfed/societies/KGR-001/collections",
        json.dumps([row(dairy.pushpa, month, litres=7)]),
        content_type="application/json",
    )
    assert deliver_kangra.status_code == 201, deliver_kangra.content
    statements.compute(month, acting_user=None)
    # Pushpa heads her family and has no number on the register: nobody to text.
    Member.objects.filter(pk=dairy.pushpa.member_id).update(mobile="")
    with CaptureQueriesContext(connection) as three:
        assert statements.notify_paid(month, set(Statement.objects.values_list("pk", flat=True))) == 2
    assert len(three.captured_queries) == len(one.captured_queries)


def test_a_paid_month_takes_no_more_milk(dairy: Dairy) -> None:
    month = last_month()
    deliver(dairy, [row(dairy.asha, month)])
    statements.compute(month, acting_user=None)
    statements.pay(month, paid_on=timezone.localdate(), acting_user=None)
    client = dairy.client(dairy.sita)
    late = client.post(
        "/api/v1/milkfed/societies/MND-001/collections",
        json.dumps([row(dairy.asha, month, shift="evening")]),
        content_type="application/json",
    )
    assert late.status_code == 422
    assert "already been paid" in late.json()["errors"][0]["msg"]


def test_the_current_month_is_not_paid(dairy: Dairy) -> None:
    with pytest.raises(statements.StatementRefused):
        statements.pay(timezone.localdate(), paid_on=timezone.localdate(), acting_user=None)


def test_ledger_refuses_a_key_reused_with_other_content_and_writes_nothing(dairy: Dairy) -> None:
    month = last_month()
    scheme = dairy.asha.enrolment.scheme
    client = ledger.in_process_client("milkfed", statements.LEDGER_CLIENT_NAME)
    payment = ledger.Payment(
        member_id=dairy.asha.member_id,
        period=month,
        amount=100,
        paid_on=timezone.localdate(),
        payment_reference="T-1",
        idempotency_key="milk:test:1",
    )
    assert ledger.post_payment(client, scheme, payment).created == 1
    assert ledger.post_payment(client, scheme, payment).replayed == 1
    other = ledger.Payment(**{**payment.__dict__, "amount": 101})
    second = ledger.Payment(
        **{**payment.__dict__, "member_id": dairy.karan.member_id, "idempotency_key": "k2"}
    )
    with pytest.raises(ledger.LedgerRefusal) as refused:
        ledger.post_payments(client, scheme, [second, other])
    assert refused.value.status == 422 and refused.value.index == 1
    assert Benefit.objects.count() == 1  # the good first payment of the refused batch was not written


def test_another_departments_client_cannot_post_milk_payments(dairy: Dairy) -> None:
    health, _token = create_department_client(
        "Health MIS", Department.objects.get(pk="health"), acting_user=None
    )
    payment = ledger.Payment(
        member_id=dairy.asha.member_id,
        period=last_month(),
        amount=100,
        paid_on=timezone.localdate(),
        payment_reference="T-1",
        idempotency_key="k",
    )
    with pytest.raises(ledger.LedgerRefusal) as refused:
        ledger.post_payment(health, dairy.asha.enrolment.scheme, payment)
    assert refused.value.status == 403
    assert not Benefit.objects.exists()
