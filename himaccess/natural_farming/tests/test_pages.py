"""The pages: the family's view in both languages, the farmer and centre pages, figures; others get 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from himaccess.natural_farming import actions
from himaccess.natural_farming.models import Weighment
from himaccess.natural_farming.tests.conftest import NF

pytestmark = pytest.mark.django_db


def sell(nf: NF, kg: str = "100") -> Weighment:
    return actions.record_weighment(
        nf.mandi_centre, farmer_identifier=nf.asha.reference, crop="wheat", kg=Decimal(kg), acting_user=nf.om
    )


def test_the_family_sees_registration_certification_weighments_and_payments(nf: NF) -> None:
    sell(nf)
    actions.run_payments(acting_user=nf.devika)
    url = reverse("natural_farming:family", args=[nf.personas.asha_family.family_id])
    english = nf.client(nf.personas.asha, "en").get(url).content.decode()
    for shown in (
        "Certified",
        "112/3",
        "5 bigha",
        "Bhiuli",
        "devika",
        "Mandi Sadar procurement centre",
        "6200.00",
        "XXXX5566",
    ):
        assert shown in english, shown
    assert "30112233445566" not in english
    hindi = nf.client(nf.personas.asha, "hi").get(url).content.decode()
    for shown in ("प्रमाणित", "मंडी सदर खरीद केंद्र", "गेहूँ", "भुगतान"):
        assert shown in hindi, shown


def test_the_register_family_page_links_to_natural_farming(nf: NF) -> None:
    page = nf.client(nf.personas.asha).get(
        reverse("registry:family", args=[nf.personas.asha_family.family_id])
    )
    assert (
        reverse("natural_farming:family", args=[nf.personas.asha_family.family_id]) in page.content.decode()
    )


def test_no_one_else_sees_the_familys_farming(nf: NF) -> None:
    p = nf.personas
    url = reverse("natural_farming:family", args=[p.asha_family.family_id])
    for user in (p.karan, p.meena, p.vikram, p.sunita, nf.kamal, nf.om, nf.tara):
        assert nf.client(user).get(url).status_code == 404, user.username
    assert nf.client(nf.devika).get(url).status_code == 200
    assert Client().get(url).status_code == 302


def test_the_farmer_page_is_for_the_area_and_the_family(nf: NF) -> None:
    p = nf.personas
    url = reverse("natural_farming:farmer", args=[nf.asha.reference])
    for user in (nf.anil, nf.devika, p.asha):
        assert nf.client(user).get(url).status_code == 200
    for user in (nf.kamal, p.karan, p.meena, nf.om):
        assert nf.client(user).get(url).status_code == 404, user.username


def test_the_certification_form_refuses_the_wrong_people_and_bad_input(nf: NF) -> None:
    url = reverse("natural_farming:certify", args=[nf.ravi.reference])
    data = {"to_status": "verified", "on": "2025-05-16"}
    assert nf.client(nf.kamal).post(url, data).status_code == 404
    assert nf.client(nf.personas.asha).post(url, data).status_code == 404
    bad = nf.client(nf.anil, "hi").post(url, data)  # Ravi has no land yet
    assert bad.status_code == 400
    assert "भूमि" in bad.content.decode()
    assert nf.client(nf.anil).post(url, {"to_status": "certified", "on": "yesterday"}).status_code == 400
    nf.ravi.refresh_from_db()
    assert nf.ravi.status == "applied"


def test_the_parcel_form_adds_land_and_refuses_nonsense(nf: NF) -> None:
    url = reverse("natural_farming:add_parcel", args=[nf.ravi.reference])
    asha = nf.client(nf.personas.asha)
    assert (
        asha.post(url, {"village": "800001", "khasra": "9/1", "area": "2.5", "unit": "bigha"}).status_code
        == 302
    )
    assert (
        asha.post(url, {"village": "abc", "khasra": "9/2", "area": "2", "unit": "bigha"}).status_code == 400
    )
    assert (
        asha.post(url, {"village": "800001", "khasra": "9/2", "area": "-2", "unit": "bigha"}).status_code
        == 400
    )
    assert (
        nf.client(nf.personas.karan)
        .post(url, {"village": "800001", "khasra": "9/3", "area": "2", "unit": "bigha"})
        .status_code
        == 404
    )
    assert nf.ravi.parcels.count() == 1


def test_the_centre_page_weighs_for_its_operator_only(nf: NF) -> None:
    url = reverse("natural_farming:centre", args=["mandi-sadar"])
    om = nf.client(nf.om, "hi")
    assert om.get(url).status_code == 200
    answer = om.post(url, {"farmer": nf.asha.reference, "crop": "wheat", "kg": "2500"})
    assert answer.status_code == 400
    assert "सीमा" in answer.content.decode() or "5,000" in answer.content.decode()
    over = om.post(url, {"farmer": nf.ravi.reference, "crop": "wheat", "kg": "25"})
    assert over.status_code == 400
    assert "प्रमाणित" in over.content.decode()
    assert om.post(url, {"farmer": nf.asha.reference, "crop": "wheat", "kg": "25"}).status_code == 302
    for user in (nf.tara, nf.devika, nf.personas.asha, nf.personas.meena):
        assert (
            nf.client(user).post(url, {"farmer": nf.asha.reference, "crop": "wheat", "kg": "25"}).status_code
            == 404
        )
    assert Weighment.objects.count() == 1


def test_figures_by_district_and_crop_hide_small_groups_from_the_public(nf: NF) -> None:
    sell(nf, "250")
    actions.run_payments(acting_user=nf.devika)
    public = Client().get(reverse("natural_farming:figures")).content.decode()
    assert "fewer than 5" in public
    assert "0.25" not in public
    official = nf.client(nf.devika).get(reverse("natural_farming:figures")).content.decode()
    assert "0.25" in official  # tonnes of wheat from Mandi
    assert "15500.00" in official  # paid: 250 x 62
    section = Client().get(reverse("departments:page", args=["agriculture"])).content.decode()
    assert "Prakritik Kheti" in section
