"""Who reaches whose e-KYC: the member, the head, the centre of the area; nobody else (404, no code sent)."""

from __future__ import annotations

from typing import Any

import pytest

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import KANGRA_TEHSIL, Personas, make_official
from himaccess.kyc.models import KycCheck, KycConsent
from himaccess.kyc.tests.conftest import code_in_sms
from himaccess.notifications import sms
from himaccess.vault.tests.numbers import ASHA

pytestmark = pytest.mark.django_db


def test_karan_of_another_family_gets_404_for_ashas_consent(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    client = personas.client_for(personas.karan)
    assert client.get(f"/kyc/members/{asha.member_id}/consent/").status_code == 404
    assert client.post(f"/kyc/members/{asha.member_id}/consent/", {"send": "1"}).status_code == 404
    assert client.get(f"/kyc/members/{asha.member_id}/verify/").status_code == 404
    assert not sms.outbox


def test_ravi_who_is_not_the_head_cannot_start_his_mothers_ekyc(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    assert (
        personas.client_for(personas.ravi).get(f"/kyc/members/{asha.member_id}/consent/").status_code == 404
    )


def test_officials_do_not_start_a_citizens_ekyc(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    for official in (personas.meena, personas.suresh, personas.sunita):
        assert personas.client_for(official).get(f"/kyc/members/{asha.member_id}/consent/").status_code == 404


def test_unknown_and_malformed_member_ids_are_404(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    for member_id in ("M00000000000", "nonsense", "M" + "9" * 200):
        assert client.get(f"/kyc/members/{member_id}/consent/").status_code == 404
    assert client.get("/kyc/members/M1234%00/consent/").status_code == 400  # refused at the edge


def test_a_consent_given_through_one_login_is_not_anothers(personas: Personas, journey: Any) -> None:
    """Ravi consents for himself; his mother, head of the family, cannot spend that consent."""
    ravi = personas.member(personas.ravi)
    journey(personas.client_for(personas.ravi), ravi.member_id).consent(ravi.mobile)
    consent = KycConsent.objects.get()
    asha_client = personas.client_for(personas.asha)
    session = asha_client.session
    session["kyc.consent"] = {"id": consent.pk, "member": ravi.member_id}
    session.save()
    response = asha_client.get(f"/kyc/members/{ravi.member_id}/verify/")
    assert response.status_code == 302 and response["Location"].endswith("/consent/")


def test_the_consent_row_records_time_channel_and_text(personas: Personas, journey: Any) -> None:
    asha = personas.member(personas.asha)
    journey(personas.client_for(personas.asha), asha.member_id).consent(asha.mobile)
    consent = KycConsent.objects.get()
    assert consent.channel == "self" and consent.text_version.startswith("kyc-consent-")
    assert consent.mobile_last_digits == asha.mobile[-4:] and consent.given_at and consent.used_at is None


def test_a_wrong_consent_code_records_nothing(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    asha = personas.member(personas.asha)
    client = personas.client_for(personas.asha)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/kyc/members/{asha.member_id}/consent/", {"send": "1"})
    right = code_in_sms(asha.mobile)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post(f"/kyc/members/{asha.member_id}/consent/", {"code": wrong})
    assert response.status_code == 400 and not KycConsent.objects.exists()
    assert client.post(f"/kyc/members/{asha.member_id}/consent/", {"code": "12ab"}).status_code == 400


def test_the_consent_page_is_in_hindi_and_english(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    page = personas.client_for(personas.asha).get(f"/kyc/members/{asha.member_id}/consent/").content.decode()
    assert 'lang="hi"' in page and 'lang="en"' in page
    assert "उद्देश्य" in page and "Purpose" in page


# ------------------------------------------------------------------ Lok Mitra Kendra


def test_an_operator_does_assisted_ekyc_after_the_residents_code(
    personas: Personas, residents: None, lalit: User, journey: Any
) -> None:
    asha = personas.member(personas.asha)
    client = personas.client_for(lalit)
    found = client.get("/kyc/", {"member_id": asha.display_id})
    assert found.status_code == 302
    steps = journey(client, asha.member_id)
    assert steps.consent(asha.mobile).status_code == 302
    sent = [m for m in sms.outbox if m.to == asha.mobile][-1]
    assert "Lalit Sharma" in sent.text or "Lalit Sharma" in sent.text  # the code names who asks
    assert KycConsent.objects.get().channel == "assisted"
    steps.aadhaar(ASHA)
    assert "Aadhaar matches the register" in steps.uidai_otp().content.decode()
    assert KycCheck.objects.get().actor == lalit


def test_an_operator_outside_the_area_gets_404_and_sends_nothing(personas: Personas) -> None:
    kangra_operator = make_official("kamal", Role.LOK_MITRA_OPERATOR, Level.TEHSIL, tehsil_id=KANGRA_TEHSIL)
    asha = personas.member(personas.asha)
    client = personas.client_for(kangra_operator)
    assert client.get("/kyc/", {"member_id": asha.member_id}).status_code == 404
    assert client.post(f"/kyc/members/{asha.member_id}/consent/", {"send": "1"}).status_code == 404
    assert not sms.outbox
