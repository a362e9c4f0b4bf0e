"""Mismatches settled by the area's official; residents without Aadhaar verified by an official.

The official is Suresh (panchayat secretary of Asha's panchayat); Vikram (Kangra) is the wrong official.
"""

from __future__ import annotations

from typing import Any

import pytest

from himaccess.conftest import Personas
from himaccess.kyc import actions
from himaccess.kyc.models import AlternativeVerification, KycReview, KycState, Method
from himaccess.kyc.providers import simulator
from himaccess.registry.actions import corrections
from himaccess.registry.models import EkycStatus, Member, Source
from himaccess.vault.tests.numbers import ASHA

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(personas: Personas, residents: None, journey: Any) -> KycReview:
    simulator.enrol(ASHA, name="Asha Devi", dob="21-04-1978", gender="F")  # the register says 12 April
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    steps.aadhaar(ASHA)
    steps.uidai_otp()
    return KycReview.objects.get()


def test_suresh_sees_both_values_and_corrects_the_register(personas: Personas, review: KycReview) -> None:
    client = personas.client_for(personas.suresh)
    page = client.get(f"/kyc/reviews/{review.reference}/").content.decode()
    assert "1978-04-12" in page and "1978-04-21" in page
    assert client.post(f"/kyc/reviews/{review.reference}/", {"decision": "accept"}).status_code == 302
    asha = Member.objects.get(pk=review.member_id)
    assert asha.date_of_birth.isoformat() == "1978-04-21"
    assert asha.ekyc_status == EkycStatus.VERIFIED and KycState.objects.get(member=asha).state == "verified"
    assert asha.changes.filter(field="date_of_birth", source=Source.EKYC).exists()
    assert asha.aadhaar_last4 == ASHA[-4:]  # the Aadhaar UIDAI vouched for is attached on acceptance


def test_keeping_the_register_needs_a_reason(personas: Personas, review: KycReview) -> None:
    client = personas.client_for(personas.suresh)
    assert client.post(f"/kyc/reviews/{review.reference}/", {"decision": "reject"}).status_code == 400
    assert (
        client.post(
            f"/kyc/reviews/{review.reference}/", {"decision": "reject", "note": "Birth register says 12"}
        ).status_code
        == 302
    )
    review.refresh_from_db()
    assert review.status == "rejected"
    assert client.post(f"/kyc/reviews/{review.reference}/", {"decision": "accept"}).status_code == 400


def test_vikram_of_kangra_cannot_see_or_settle_a_mandi_review(personas: Personas, review: KycReview) -> None:
    client = personas.client_for(personas.vikram)
    assert client.get(f"/kyc/reviews/{review.reference}/").status_code == 404
    assert client.post(f"/kyc/reviews/{review.reference}/", {"decision": "accept"}).status_code == 404
    assert review.reference not in client.get("/kyc/reviews/").content.decode()
    with pytest.raises(actions.KycRefused):
        actions.accept_review(review, acting_user=personas.vikram)
    review.refresh_from_db()
    assert review.status == "open"


def test_the_citizen_cannot_settle_her_own_review(personas: Personas, review: KycReview) -> None:
    assert personas.client_for(personas.asha).get(f"/kyc/reviews/{review.reference}/").status_code == 404


def test_ration_card_on_the_register_verifies_without_aadhaar(personas: Personas) -> None:
    karan = personas.member(personas.karan)
    corrections.correct_member(
        karan, {"ration_card_no": "HP-MND-0042"}, acting_user=None, source=Source.PANCHAYAT
    )
    client = personas.client_for(personas.suresh)
    wrong = client.post(
        f"/kyc/members/{karan.member_id}/without-aadhaar/",
        {"method": "ration_card", "ration_card_no": "HP-MND-9999"},
    )
    assert wrong.status_code == 400 and not AlternativeVerification.objects.exists()
    right = client.post(
        f"/kyc/members/{karan.member_id}/without-aadhaar/",
        {"method": "ration_card", "ration_card_no": "hp-mnd-0042"},
    )
    assert right.status_code == 200
    assert KycState.objects.get(member=karan).state == "without_aadhaar"
    assert AlternativeVerification.objects.get().method == Method.RATION_CARD


def test_physical_verification_says_where(personas: Personas) -> None:
    karan = personas.member(personas.karan)
    client = personas.client_for(personas.suresh)
    assert (
        client.post(f"/kyc/members/{karan.member_id}/without-aadhaar/", {"method": "physical"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/kyc/members/{karan.member_id}/without-aadhaar/", {"method": "biometric", "note": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/kyc/members/{karan.member_id}/without-aadhaar/",
            {"method": "physical", "note": "Seen at the panchayat camp"},
        ).status_code
        == 200
    )


def test_vikram_cannot_verify_a_mandi_resident(personas: Personas) -> None:
    karan = personas.member(personas.karan)
    response = personas.client_for(personas.vikram).post(
        f"/kyc/members/{karan.member_id}/without-aadhaar/", {"method": "physical", "note": "x"}
    )
    assert response.status_code == 404 and not AlternativeVerification.objects.exists()
    for user in (personas.karan, personas.sunita):
        assert (
            personas.client_for(user).get(f"/kyc/members/{karan.member_id}/without-aadhaar/").status_code
            == 404
        )
