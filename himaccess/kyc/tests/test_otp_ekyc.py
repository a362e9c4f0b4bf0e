"""Aadhaar OTP e-KYC after consent: verified, mismatch, failed, and refusals that store nothing."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
import requests

from himaccess.audit.models import AuditEntry
from himaccess.conftest import Personas
from himaccess.kyc.models import KycCheck, KycConsent, KycReview, KycState, KycTally
from himaccess.kyc.providers import simulator
from himaccess.registry.models import EkycStatus, Member
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI

pytestmark = pytest.mark.django_db


def test_asha_verifies_herself_with_uidai_otp(personas: Personas, residents: None, journey: Any) -> None:
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    assert steps.consent(asha.mobile).status_code == 302
    asked = steps.aadhaar(ASHA)
    assert asked.status_code == 200 and "UIDAI has sent an OTP" in asked.content.decode()
    result = steps.uidai_otp()
    assert result.status_code == 200
    assert "Aadhaar matches the register" in result.content.decode()
    check = KycCheck.objects.get(member=asha)
    assert (check.outcome, check.method, check.field) == ("verified", "aadhaar_otp", "")
    assert check.provider_reference.startswith("UKC:")
    asha.refresh_from_db()
    assert asha.ekyc_status == EkycStatus.VERIFIED
    assert asha.aadhaar_last4 == ASHA[-4:] and asha.aadhaar_ref and ASHA not in asha.aadhaar_ref
    assert KycState.objects.get(member=asha).state == "verified"
    assert KycTally.objects.get(district_id=asha.family.district_id).verified == 1
    # Nothing outside the vault holds the number.
    assert not AuditEntry.objects.filter(after__contains=ASHA).exists()


def test_the_head_verifies_her_son_across_scripts(personas: Personas, residents: None, journey: Any) -> None:
    ravi = personas.member(personas.ravi)
    steps = journey(personas.client_for(personas.asha), ravi.member_id)
    # The code goes to Ravi's own number on the register.
    assert steps.consent(ravi.mobile).status_code == 302
    steps.aadhaar(RAVI)
    assert "Aadhaar matches the register" in steps.uidai_otp().content.decode()


def test_a_consent_is_used_once(personas: Personas, residents: None, journey: Any) -> None:
    asha = personas.member(personas.asha)
    client = personas.client_for(personas.asha)
    steps = journey(client, asha.member_id)
    steps.consent(asha.mobile)
    consent_id = client.session["kyc.consent"]["id"]
    steps.aadhaar(ASHA)
    steps.uidai_otp()
    # Replaying the spent consent (the session put back as it was) is refused; nothing more is written.
    session = client.session
    session["kyc.consent"] = {"id": consent_id, "member": asha.member_id}
    session["kyc.otp"] = {"member": asha.member_id, "ref": asha.aadhaar_ref or "x", "txn": "HPKYC:0"}
    session.save()
    replay = client.get(f"/kyc/members/{asha.member_id}/verify/")
    assert replay.status_code == 302 and replay["Location"].endswith("/consent/")
    assert KycCheck.objects.count() == 1
    assert KycConsent.objects.get(pk=consent_id).used_at is not None


def test_wrong_checksum_is_refused_in_hindi_and_nothing_is_stored(
    personas: Personas, residents: None, journey: Any
) -> None:
    asha = personas.member(personas.asha)
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = "hi"
    steps = journey(client, asha.member_id)
    steps.consent(asha.mobile)
    wrong = ASHA[:-1] + str((int(ASHA[-1]) + 1) % 10)
    response = steps.aadhaar(wrong)
    assert response.status_code == 400
    assert "आधार" in response.content.decode()
    assert not simulator.outbox and not KycCheck.objects.exists()


@pytest.mark.parametrize("value", ["12345", "abcdef", "1234\x0056", "९९९९९९९९९९९९९९९९९९९९९९"])
def test_malformed_aadhaar_is_a_clear_400(
    personas: Personas, residents: None, journey: Any, value: str
) -> None:
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    assert steps.aadhaar(value).status_code == 400
    assert not KycCheck.objects.exists()


def test_wrong_uidai_otp_stores_nothing_and_keeps_the_consent(
    personas: Personas, residents: None, journey: Any
) -> None:
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    steps.aadhaar(ASHA)
    right = simulator.outbox[-1].otp
    response = steps.uidai_otp("000000" if right != "000000" else "111111")
    assert response.status_code == 400
    assert "OTP" in response.content.decode()
    assert not KycCheck.objects.exists() and KycConsent.objects.unused().count() == 1
    assert "Aadhaar matches" in steps.uidai_otp(right).content.decode()


def test_someone_elses_aadhaar_fails(personas: Personas, residents: None, journey: Any) -> None:
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    steps.aadhaar(KARAN)  # Karan Thakur, male, 1985: every field differs
    response = steps.uidai_otp()
    assert "Not verified" in response.content.decode()
    assert KycCheck.objects.get().outcome == "failed"
    asha.refresh_from_db()
    assert asha.ekyc_status == EkycStatus.FAILED and not asha.aadhaar_ref
    assert not KycReview.objects.exists()


def test_a_spelling_difference_opens_a_review_with_both_values(
    personas: Personas, residents: None, journey: Any
) -> None:
    simulator.enrol(ASHA, name="Usha Verma", dob="12-04-1978", gender="F")
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    steps.aadhaar(ASHA)
    assert "does not match the register in one detail" in steps.uidai_otp().content.decode()
    review = KycReview.objects.get()
    assert (review.field, review.register_value, review.aadhaar_value) == ("name", "Asha Devi", "Usha Verma")
    assert KycState.objects.get(member=asha).state == "mismatch"
    assert Member.objects.get(pk=asha.pk).ekyc_status == EkycStatus.PENDING


def test_no_mobile_linked_to_aadhaar_is_told_plainly(
    personas: Personas, residents: None, journey: Any
) -> None:
    from himaccess.kyc.tests.conftest import PUSHPA

    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    # The register has no Aadhaar for Asha yet, so any other person's valid number reaches UIDAI.
    response = steps.aadhaar(PUSHPA)
    assert response.status_code == 400
    assert "offline e-KYC file" in response.content.decode()


def test_through_an_agency_over_http(
    personas: Personas, residents: None, journey: Any, settings: Any
) -> None:
    settings.KYC_AGENCY_URL = "https://kua.example.gov.in/uidai"

    def agency(url: str, data: bytes, headers: dict[str, str], timeout: int) -> Any:
        answer = mock.Mock(status_code=200)
        answer.content = simulator.answer(url.removeprefix(settings.KYC_AGENCY_URL), data)
        return answer

    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    with mock.patch(
        "himaccess.kyc.providers.aadhaar_otp.requests.post", autospec=True, side_effect=agency
    ) as post:
        steps.aadhaar(ASHA)
        assert "Aadhaar matches" in steps.uidai_otp().content.decode()
    paths = [call.args[0] for call in post.call_args_list]
    assert paths[0].startswith("https://kua.example.gov.in/uidai/otp/2.5/")
    assert paths[1].startswith("https://kua.example.gov.in/uidai/kyc/2.5/")
    assert b'<Kyc ver="2.5"' in post.call_args_list[1].kwargs["data"]


def test_an_unreachable_agency_is_a_clear_message(
    personas: Personas, residents: None, journey: Any, settings: Any
) -> None:
    settings.KYC_AGENCY_URL = "https://kua.example.gov.in/uidai"
    asha = personas.member(personas.asha)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    with mock.patch(
        "himaccess.kyc.providers.aadhaar_otp.requests.post",
        autospec=True,
        side_effect=requests.ConnectionError,
    ):
        response = steps.aadhaar(ASHA)
    assert response.status_code == 400
    assert "cannot be reached" in response.content.decode()
    assert not KycCheck.objects.exists()


def test_the_demo_residents_file_feeds_the_simulator(
    personas: Personas, journey: Any, settings: Any, tmp_path: Any
) -> None:
    import json

    from django.core.management import call_command

    out = tmp_path / "residents.json"
    call_command("kyc_simulator_residents", family_id=[personas.asha_family.family_id], out=str(out))
    settings.KYC_SIMULATOR_RESIDENTS = str(out)
    asha = personas.member(personas.asha)
    number = next(r["aadhaar"] for r in json.loads(out.read_text()) if r["member_id"] == asha.member_id)
    steps = journey(personas.client_for(personas.asha), asha.member_id)
    steps.consent(asha.mobile)
    steps.aadhaar(number)
    assert "Aadhaar matches the register" in steps.uidai_otp().content.decode()
    call_command("kyc_recount")
    assert KycTally.objects.get(district_id=asha.family.district_id).verified == 1
