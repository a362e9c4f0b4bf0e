"""Payments to the account on the register; the month's total in the benefit ledger once the month ends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from himaccess.natural_farming import actions
from himaccess.natural_farming.models import Payment, Weighment
from himaccess.natural_farming.tests.conftest import IST, NF
from himaccess.notifications.models import SmsMessage
from himaccess.schemes.models import Benefit

pytestmark = pytest.mark.django_db


def weigh(nf: NF, kg: str, crop: str = "wheat") -> Weighment:
    return actions.record_weighment(
        nf.mandi_centre, farmer_identifier=nf.asha.reference, crop=crop, kg=Decimal(kg), acting_user=nf.om
    )


def test_a_run_pays_unpaid_weighments_into_the_registers_account(nf: NF) -> None:
    weigh(nf, "100.3")  # 100.3 x 62 = 6218.60
    weigh(nf, "10", crop="raw_turmeric")  # 900
    run = actions.run_payments(acting_user=nf.devika)
    assert (run.paid, run.amount, run.weighments, run.held_no_account) == (1, Decimal("7118.60"), 2, 0)
    payment = Payment.objects.get()
    assert payment.bank_account == "30112233445566"
    assert payment.masked_bank_account == "XXXX5566"
    assert not Weighment.objects.unpaid().exists()
    sms = SmsMessage.objects.get(template__key="nf_payment")
    assert sms.params["account"] == "XXXX5566"
    assert "30112233445566" not in str(sms.params)
    assert actions.run_payments(acting_user=nf.devika).paid == 0  # nothing twice


def test_a_farmer_without_a_bank_account_is_held_not_paid(nf: NF) -> None:
    nf.asha.member.__class__.objects.filter(pk=nf.asha.member_id).update(bank_account="", bank_ifsc="")
    weigh(nf, "50")
    run = actions.run_payments(acting_user=nf.devika)
    assert (run.paid, run.held_no_account) == (0, 1)
    assert Weighment.objects.unpaid().count() == 1


def test_the_ledger_gets_one_row_per_farmer_and_month_after_the_month_ends(nf: NF, frozen: object) -> None:
    weigh(nf, "100.3")
    actions.run_payments(acting_user=nf.devika)
    frozen.move_to(datetime(2025, 5, 20, 11, 0, tzinfo=IST))  # type: ignore[attr-defined]
    weigh(nf, "10")
    actions.run_payments(acting_user=nf.devika)
    assert Payment.objects.count() == 2
    assert not Benefit.objects.exists()  # May has not ended
    frozen.move_to(datetime(2025, 6, 2, 11, 0, tzinfo=IST))  # type: ignore[attr-defined]
    run = actions.run_payments(acting_user=nf.devika)
    assert run.ledger_rows == 1
    benefit = Benefit.objects.get()
    assert (benefit.member, benefit.period, benefit.amount) == (nf.asha.member, date(2025, 5, 1), 6839)
    assert benefit.scheme.scheme_id == "pk3y-procurement"
    assert set(Payment.objects.values_list("ledger_period", flat=True)) == {date(2025, 5, 1)}
    assert actions.run_payments(acting_user=nf.devika).ledger_rows == 0
    assert Benefit.objects.count() == 1


def test_a_run_for_one_district_pays_only_its_farmers(nf: NF) -> None:
    weigh(nf, "10")
    run = actions.run_payments(acting_user=nf.kamal, district_id=nf.kamal.active_posting.district_id)  # type: ignore[union-attr]
    assert run.paid == 0
    assert Weighment.objects.unpaid().count() == 1
