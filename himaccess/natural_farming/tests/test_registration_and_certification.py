"""Registration from the register, land by LGD village and khasra, CETARA-NF steps as rows, by whom."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from himaccess.natural_farming import actions
from himaccess.natural_farming.models import CertificationStep, Farmer, LandParcel
from himaccess.natural_farming.tests.conftest import KANGRA_VILLAGE_LGD, MANDI_VILLAGE_LGD, NF, NOW
from himaccess.notifications.models import SmsMessage
from himaccess.schemes.models import Enrolment

pytestmark = pytest.mark.django_db


def test_certification_steps_are_rows_with_dates_and_officials(nf: NF) -> None:
    steps = list(
        CertificationStep.objects.filter(farmer=nf.asha).values_list("to_status", "official__username", "on")
    )
    assert steps == [
        ("applied", "anil", NOW.date()),
        ("verified", "anil", NOW.date()),
        ("certified", "devika", NOW.date()),
    ]
    assert nf.asha.certified_until == date(2026, 3, 31)


def test_certification_enrols_the_farmer_in_the_procurement_scheme(nf: NF) -> None:
    enrolment = Enrolment.objects.get(member=nf.asha.member, scheme__scheme_id="pk3y-procurement")
    assert enrolment.status == Enrolment.Status.SANCTIONED


def test_the_farmer_is_told_of_each_step_in_their_language(nf: NF) -> None:
    texts = SmsMessage.objects.filter(template__key="nf_certification", to="9816000001")
    assert [m.params["status"] for m in texts.order_by("id")] == ["सत्यापित", "प्रमाणित"]


def test_a_citizen_registers_a_member_of_her_own_family_only(nf: NF) -> None:
    p = nf.personas
    with pytest.raises(PermissionDenied):
        actions.register_farmer(p.member(p.karan), acting_user=p.asha)
    karan = actions.register_farmer(p.member(p.karan), acting_user=p.karan)
    assert karan.channel == Farmer.Channel.CITIZEN


def test_a_member_is_registered_once(nf: NF) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.register_farmer(nf.asha.member, acting_user=nf.devika)
    assert caught.value.code == "already_registered"


def test_an_official_of_another_district_registers_and_certifies_nobody_here(nf: NF) -> None:
    p = nf.personas
    with pytest.raises(PermissionDenied):
        actions.register_farmer(p.member(p.karan), acting_user=nf.kamal)
    actions.add_parcel(
        nf.ravi,
        village_lgd_code=MANDI_VILLAGE_LGD,
        khasra="7",
        area=Decimal("0.5"),
        unit="hectare",
        acting_user=nf.anil,
    )
    for status in ("verified", "certified", "lapsed"):
        with pytest.raises(PermissionDenied):
            actions.move_certification(nf.ravi, status, on=NOW.date(), acting_user=nf.kamal)
    with pytest.raises(PermissionDenied):
        actions.add_parcel(
            nf.ravi,
            village_lgd_code=MANDI_VILLAGE_LGD,
            khasra="8",
            area=Decimal(1),
            unit="bigha",
            acting_user=nf.kamal,
        )
    nf.ravi.refresh_from_db()
    assert nf.ravi.status == "applied"


def test_field_staff_verify_but_only_the_district_certifies(nf: NF) -> None:
    actions.add_parcel(
        nf.ravi,
        village_lgd_code=MANDI_VILLAGE_LGD,
        khasra="7",
        area=Decimal(2),
        unit="bigha",
        acting_user=nf.personas.asha,
    )
    actions.move_certification(nf.ravi, "verified", on=NOW.date(), acting_user=nf.anil)
    with pytest.raises(PermissionDenied):
        actions.move_certification(nf.ravi, "certified", on=NOW.date(), acting_user=nf.anil)
    actions.move_certification(nf.ravi, "certified", on=NOW.date(), acting_user=nf.devika)


def test_other_officials_and_citizens_move_no_certification(nf: NF) -> None:
    p = nf.personas
    for user in (p.meena, p.vikram, p.asha, nf.om):
        with pytest.raises(PermissionDenied):
            actions.move_certification(nf.ravi, "verified", on=NOW.date(), acting_user=user)


def test_steps_follow_the_order_of_the_table(nf: NF) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.move_certification(nf.ravi, "certified", on=NOW.date(), acting_user=nf.devika)
    assert caught.value.code == "transition"
    with pytest.raises(ValidationError) as caught:
        actions.move_certification(nf.ravi, "verified", on=NOW.date(), acting_user=nf.anil)
    assert caught.value.code == "no_land"
    with pytest.raises(ValidationError) as caught:
        actions.move_certification(
            nf.asha, "lapsed", on=NOW.date() + timedelta(days=1), acting_user=nf.devika
        )
    assert caught.value.code == "future"
    assert CertificationStep.objects.filter(farmer=nf.ravi).count() == 1


def test_a_lapsed_farmer_applies_again(nf: NF) -> None:
    actions.move_certification(nf.asha, "lapsed", on=NOW.date(), acting_user=nf.devika)
    again = actions.move_certification(nf.asha, "applied", on=NOW.date(), acting_user=nf.anil)
    assert again.status == "applied" and again.certified_until is None


def test_land_is_kept_in_its_unit_and_counted_in_hectares(nf: NF) -> None:
    parcel = nf.asha.parcels.get()
    assert (parcel.area, parcel.unit, parcel.hectares) == (Decimal(5), "bigha", Decimal("0.40"))
    assert parcel.village.lgd_code == MANDI_VILLAGE_LGD
    actions.add_parcel(
        nf.asha,
        village_lgd_code=KANGRA_VILLAGE_LGD,
        khasra="45/2 min",
        area=Decimal("0.25"),
        unit="hectare",
        acting_user=nf.devika,
    )
    assert nf.asha.hectares() == Decimal("0.65")


@pytest.mark.parametrize(
    ("lgd", "khasra", "area", "unit", "code"),
    [
        (999999, "1", Decimal(1), "hectare", "unknown_village"),
        (MANDI_VILLAGE_LGD, "112/3", Decimal(1), "hectare", "khasra_taken"),
        (MANDI_VILLAGE_LGD, "   ", Decimal(1), "hectare", "khasra"),
        (MANDI_VILLAGE_LGD, "9", Decimal(0), "hectare", "area"),
        (MANDI_VILLAGE_LGD, "9", Decimal(101), "hectare", "area"),
        (MANDI_VILLAGE_LGD, "9", Decimal(1251), "bigha", "area"),
        (MANDI_VILLAGE_LGD, "9", Decimal(1), "acre", "unit"),
    ],
)
def test_bad_land_is_refused_and_nothing_written(
    nf: NF, lgd: int, khasra: str, area: Decimal, unit: str, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.add_parcel(
            nf.asha, village_lgd_code=lgd, khasra=khasra, area=area, unit=unit, acting_user=nf.devika
        )
    assert caught.value.code == code
    assert LandParcel.objects.count() == 1


def test_the_family_registers_a_member_from_its_page_in_hindi(nf: NF) -> None:
    p = nf.personas
    client = nf.client(p.karan, language="hi")
    url = reverse("natural_farming:family", args=[p.karan_family.family_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "प्राकृतिक किसान के रूप में पंजीकरण" in page.content.decode()
    answer = client.post(url, {"member_id": p.member(p.karan).member_id})
    assert answer.status_code == 302
    assert Farmer.objects.filter(member=p.member(p.karan)).exists()
    again = client.post(url, {"member_id": p.member(p.karan).member_id})
    assert again.status_code == 400
    assert "पहले से" in again.content.decode()
    duplicate = nf.client(p.asha, language="hi").post(
        reverse("natural_farming:family", args=[p.asha_family.family_id]),
        {"member_id": nf.asha.member.member_id},
    )
    assert duplicate.status_code == 400
    assert "पहले से" in duplicate.content.decode()


def test_a_citizen_cannot_register_another_familys_member_from_her_page(nf: NF) -> None:
    p = nf.personas
    url = reverse("natural_farming:family", args=[p.asha_family.family_id])
    answer = nf.client(p.asha).post(url, {"member_id": p.member(p.karan).member_id})
    assert answer.status_code == 404
    assert not Farmer.objects.filter(member=p.member(p.karan)).exists()


def test_an_official_registers_by_member_id_from_the_desk(nf: NF) -> None:
    p = nf.personas
    desk = reverse("natural_farming:desk")
    answer = nf.client(nf.anil).post(desk, {"member_id": p.member(p.karan).member_id})
    assert answer.status_code == 302
    pushpa = p.kangra_family.head()
    assert pushpa is not None
    kangra = nf.client(nf.anil, language="hi").post(desk, {"member_id": pushpa.member_id})
    assert kangra.status_code == 400
    assert "आपके क्षेत्र" in kangra.content.decode()
    assert not Farmer.objects.filter(member=pushpa).exists()
    assert nf.client(nf.kamal).post(desk, {"member_id": pushpa.member_id}).status_code == 302
