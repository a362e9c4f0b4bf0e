"""Weighing: only certified farmers, only inside the window, never above the cap, priced by the terms."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from himaccess.natural_farming import actions
from himaccess.natural_farming.models import Weighment
from himaccess.natural_farming.tests.conftest import IST, NF
from himaccess.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db


def weigh(nf: NF, kg: str, *, farmer: str | None = None, crop: str = "wheat", **kwargs: Any) -> Weighment:
    return actions.record_weighment(
        kwargs.pop("centre", nf.mandi_centre),
        farmer_identifier=farmer or nf.asha.reference,
        crop=crop,
        kg=Decimal(kg),
        acting_user=kwargs.pop("acting_user", nf.om),
        **kwargs,
    )


def refused(nf: NF, code: str, kg: str = "100", **kwargs: Any) -> ValidationError:
    before = Weighment.objects.count(), SmsMessage.objects.count()
    with pytest.raises(ValidationError) as caught:
        weigh(nf, kg, **kwargs)
    assert caught.value.code == code
    assert (Weighment.objects.count(), SmsMessage.objects.count()) == before
    return caught.value


def test_wheat_is_priced_at_60_plus_2_freight_and_the_farmer_told(nf: NF) -> None:
    weighment = weigh(nf, "250.5", moisture_percent=Decimal("11.5"), quality_note="clean")
    assert weighment.price_amount == Decimal("15030.00")
    assert weighment.freight_amount == Decimal("501.00")
    assert weighment.amount == Decimal("15531.00")
    assert weighment.terms.source.startswith("Rs 60/kg")
    assert weighment.weighed_by == nf.om
    sms = SmsMessage.objects.filter(template__key="nf_weighment").get()
    assert sms.to == "9816000001"
    assert sms.language == "hi"  # Asha's login prefers Hindi (the default)
    assert sms.params["crop"] == "गेहूँ"
    assert sms.params["amount"] == "15531.00"
    assert "मंडी सदर" in sms.params["centre"]


def test_a_farmer_is_found_by_member_id_too(nf: NF) -> None:
    weighment = weigh(nf, "10", farmer=nf.asha.member.member_id)
    assert weighment.farmer == nf.asha


def test_turmeric_has_its_own_price_and_no_freight(nf: NF) -> None:
    weighment = weigh(nf, "20", crop="raw_turmeric")
    assert (weighment.price_amount, weighment.freight_amount) == (Decimal("1800.00"), Decimal("0.00"))


def test_the_2024_season_is_priced_at_the_earlier_rate(nf: NF, frozen: Any) -> None:
    window = actions.open_window(
        nf.mandi_centre,
        crop="wheat",
        season="2024",
        opens_on=datetime(2024, 5, 15).date(),
        closes_on=datetime(2024, 5, 25).date(),
        daily_from=nf.wheat.daily_from,
        daily_until=nf.wheat.daily_until,
        acting_user=nf.devika,
    )
    frozen.move_to(datetime(2024, 5, 20, 12, 0, tzinfo=IST))
    nf.asha.__class__.objects.filter(pk=nf.asha.pk).update(certified_until=None)
    weighment = weigh(nf, "100")
    assert weighment.window == window
    assert weighment.price_amount == Decimal("4000.00")
    assert weighment.freight_amount == Decimal("0.00")


def test_the_cap_of_20_quintals_counts_every_weighment_of_the_season(nf: NF) -> None:
    weigh(nf, "1200")
    weigh(nf, "700")
    error = refused(nf, "over_cap", kg="100.1")
    assert "100.0" in " ".join(error.messages)  # what is left
    assert weigh(nf, "100").kg == Decimal("100")
    refused(nf, "over_cap", kg="0.1")


def test_the_cap_counts_weighments_at_another_centre(nf: NF) -> None:
    actions.assign_operator(nf.kangra_centre, nf.om, acting_user=nf.kamal)
    weigh(nf, "1500", centre=nf.kangra_centre)
    refused(nf, "over_cap", kg="600")


def test_outside_the_daily_hours_nothing_is_weighed(nf: NF, frozen: Any) -> None:
    frozen.move_to(datetime(2025, 5, 16, 16, 0, tzinfo=IST))
    refused(nf, "outside_window")
    frozen.move_to(datetime(2025, 5, 16, 9, 59, tzinfo=IST))
    refused(nf, "outside_window")


def test_outside_the_window_dates_nothing_is_weighed(nf: NF, frozen: Any) -> None:
    frozen.move_to(datetime(2025, 5, 26, 11, 0, tzinfo=IST))
    refused(nf, "outside_window")


def test_a_crop_without_a_window_at_the_centre_is_refused(nf: NF) -> None:
    refused(nf, "outside_window", crop="maize")


def test_a_closed_centre_weighs_nothing(nf: NF) -> None:
    nf.mandi_centre.active = False
    nf.mandi_centre.save()
    refused(nf, "centre_closed")


def test_an_uncertified_farmer_cannot_sell(nf: NF) -> None:
    refused(nf, "not_certified", farmer=nf.ravi.reference)


def test_a_lapsed_certificate_cannot_sell(nf: NF, frozen: Any) -> None:
    actions.move_certification(nf.asha, "lapsed", on=datetime(2025, 5, 16).date(), acting_user=nf.devika)
    refused(nf, "not_certified")


def test_an_expired_certificate_cannot_sell(nf: NF) -> None:
    nf.asha.__class__.objects.filter(pk=nf.asha.pk).update(certified_until=datetime(2025, 5, 15).date())
    refused(nf, "not_certified")


def test_an_unknown_farmer_is_refused(nf: NF) -> None:
    refused(nf, "unknown_farmer", farmer="N00000000000")
    refused(nf, "unknown_farmer", farmer=nf.personas.member(nf.personas.karan).member_id)


@pytest.mark.parametrize("kg", ["0", "-5", "5000.1", "99999", "1.25", "NaN", "Infinity"])
def test_absurd_weights_are_refused(nf: NF, kg: str) -> None:
    refused(nf, "weight", kg=kg)


def test_absurd_moisture_is_refused(nf: NF) -> None:
    refused(nf, "moisture", moisture_percent=Decimal("85"))


def test_an_operator_weighs_only_at_their_centre(nf: NF) -> None:
    for user in (nf.tara, nf.devika, nf.kamal, nf.personas.meena, nf.personas.asha):
        with pytest.raises(PermissionDenied):
            weigh(nf, "10", acting_user=user)
    assert not Weighment.objects.exists()


def test_an_operator_whose_assignment_ended_weighs_nothing(nf: NF, frozen: Any) -> None:
    nf.mandi_centre.operators.update(ended_at=datetime(2025, 5, 16, 10, 0, tzinfo=IST) + timedelta(minutes=1))
    with pytest.raises(PermissionDenied):
        weigh(nf, "10")
