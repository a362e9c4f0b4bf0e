"""Taking over another family through the register's own pages, tried as an attacker would.

Each test plays a path that once let a citizen reach a family that is not
theirs, through the real pages and one-time codes, and shows it closed.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from himaccess.accounts.models import OneTimeCode, OtpPurpose, UserSession
from himaccess.accounts.testing import last_code_sent_to, login_citizen
from himaccess.conftest import Personas, make_citizen
from himaccess.notifications import sms
from himaccess.registry.actions import corrections
from himaccess.registry.actions import members as registry_members
from himaccess.registry.change_requests import consent as registry_consent
from himaccess.registry.change_requests import filing
from himaccess.registry.models import ChangeRequest, Family, PartyDecision, RegisterChange, Relation, Source

pytestmark = pytest.mark.django_db


def confirm_code(client: Client, mobile: str, purpose: str, next_url: str) -> None:
    confirm = reverse("accounts:confirm_code")
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(confirm, {"purpose": purpose, "next": next_url, "send": "1"})
    response = client.post(confirm, {"purpose": purpose, "next": next_url, "code": last_code_sent_to(mobile)})
    assert response.status_code == 302 and response["Location"] == next_url


def file_marriage_out(client: Client, personas: Personas, to_family: Family) -> ChangeRequest:
    ravi = personas.member(personas.ravi)
    url = reverse("registry:new_change_request", args=[personas.asha_family.family_id, "marriage_out"])
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            url, {"member_id": ravi.member_id, "to_family_id": to_family.family_id, "relation": "son_in_law"}
        )
    assert response.status_code == 302, response.content.decode()[:500]
    return ChangeRequest.objects.get(kind="marriage_out")


def test_marriage_out_into_kangra_needs_kangras_consent_and_a_kangra_approval(personas: Personas) -> None:
    """Ravi files his own 'marriage out' into a Kangra family; Meena of Mandi approves."""
    ravi = Client()
    login_citizen(ravi, personas.ravi)
    kangra = personas.kangra_family
    pushpa = kangra.head()
    assert pushpa is not None
    request = file_marriage_out(ravi, personas, kangra)
    # Both heads are asked by SMS, on their numbers on the register.
    shown_reference = request.reference[-4:]
    asked = {m.to for m in sms.outbox if "1100" in m.text and shown_reference in m.text.replace(" ", "")}
    assert {personas.member(personas.asha).mobile, pushpa.mobile} <= asked

    meena = personas.client_for(personas.meena)
    decide = reverse("registry:decide", args=[request.reference])
    refused = meena.post(decide, {"decision": "approve"})
    assert refused.status_code == 400  # the families have not agreed
    # Ravi cannot answer for either family, by page or otherwise.
    answer = reverse("registry:answer", args=[request.reference])
    assert ravi.get(answer).status_code == 404
    assert ravi.post(answer, {"answer": "agree"}).status_code == 404
    # Nothing of the Kangra family is readable by Ravi: his request shows its Family ID only.
    own_request = ravi.get(reverse("registry:change_request", args=[request.reference])).content.decode()
    assert kangra.display_id in own_request
    for private in ("Pushpa", "पुष्पा", "Katoch", pushpa.member_id):
        assert private not in own_request, private
    for url in (
        reverse("registry:family", args=[kangra.family_id]),
        reverse("registry:change_contact", args=[pushpa.member_id]),
        f"/api/v1/families/{kangra.family_id}",
    ):
        assert ravi.get(url).status_code == 404, url

    # Asha and Pushpa (head of the Kangra family) agree on their own pages, with codes to their numbers.
    pushpa_user = make_citizen("pushpa", pushpa)
    for user in (personas.asha, pushpa_user):
        client = Client()
        login_citizen(client, user)
        assert client.get(reverse("registry:change_request", args=[request.reference])).status_code == 200
        confirm_code(client, user.mobile, "consent", answer)
        page = client.get(answer, HTTP_ACCEPT_LANGUAGE="hi")
        assert page.status_code == 200
        shown = page.content.decode()
        assert "आपके परिवार की सहमति" in shown and kangra.display_id in shown
        assert "Pushpa" not in shown and "पुष्पा" not in shown  # the other family is its ID only
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post(answer, {"answer": "agree"}).status_code == 302
    assert PartyDecision.objects.filter(kind="consented", channel="otp").count() == 2

    # Meena approves for Mandi: Ravi has not moved, the Kangra family is still out of his reach.
    assert meena.post(decide, {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.PENDING
    assert personas.member(personas.ravi).family == personas.asha_family
    assert ravi.get(reverse("registry:family", args=[kangra.family_id])).status_code == 404
    # Vikram of Kangra approves for Kangra: now it applies, and both families are told.
    vikram = personas.client_for(personas.vikram)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        assert vikram.post(decide, {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED
    told = {m.to for m in sms.outbox if "approved" in m.text or "स्वीकृत" in m.text}
    assert {personas.member(personas.asha).mobile, pushpa.mobile} <= told


def test_after_joining_a_family_a_member_cannot_change_the_heads_bank_account(personas: Personas) -> None:
    """The second half of the takeover: a member who joined changes the head's bank details."""
    ravi = Client()
    login_citizen(ravi, personas.ravi)
    karan_head = personas.karan_family.head()
    assert karan_head is not None
    # Ravi is now in Karan's family (the move itself went through consent and approval).
    registry_members.record_marriage_out(
        personas.member(personas.ravi),
        personas.karan_family,
        relation=Relation.SON_IN_LAW,
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    assert ravi.get(reverse("registry:family", args=[personas.karan_family.family_id])).status_code == 200
    url = reverse("registry:change_contact", args=[karan_head.member_id])
    assert ravi.get(url).status_code == 404
    assert ravi.post(url, {"bank_account": "123456789012", "bank_ifsc": "SBIN0001234"}).status_code == 404
    karan_head.refresh_from_db()
    assert karan_head.bank_account == ""
    assert not OneTimeCode.objects.filter(purpose=OtpPurpose.SENSITIVE_CHANGE).exists()


def test_a_changed_number_ends_the_old_numbers_sessions_at_once(personas: Personas) -> None:
    """Asha changes Ravi's number; the session Ravi's old number opened is over, and stays out."""
    old = Client()
    login_citizen(old, personas.ravi)
    family_url = reverse("registry:family", args=[personas.asha_family.family_id])
    assert old.get(family_url).status_code == 200
    assert UserSession.objects.filter(user=personas.ravi).exists()

    asha = personas.client_for(personas.asha)
    ravi = personas.member(personas.ravi)
    contact = reverse("registry:change_contact", args=[ravi.member_id])
    confirm_code(asha, personas.asha.mobile, "sensitive_change", contact)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        assert asha.post(contact, {"mobile": "9418000099"}).status_code == 302

    # The old session is gone from the store: the next request is anonymous.
    response = old.get(family_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert not UserSession.objects.filter(user=personas.ravi).exists()
    # Logging in again with the old number opens nothing of the family, and no code can change it back.
    login_citizen(old, personas.ravi)
    assert old.get(family_url).status_code == 404
    assert old.get(contact).status_code == 404
    ravi.refresh_from_db()
    assert ravi.mobile == "9418000099"


def test_a_session_left_open_on_an_old_number_is_checked_on_every_request(personas: Personas) -> None:
    """Even a session the store did not forget (a cache evicted its index) reads nothing after the change."""
    old = personas.client_for(personas.ravi)
    UserSession.objects.filter(user=personas.ravi).delete()  # the index of Ravi's sessions is lost
    ravi = personas.member(personas.ravi)
    corrections.change_contact(ravi, {"mobile": "9418000098"}, acting_user=personas.asha)
    for url in (
        reverse("registry:family", args=[personas.asha_family.family_id]),
        reverse("registry:my_family"),
        reverse("registry:change_contact", args=[ravi.member_id]),
        f"/api/v1/members/{ravi.member_id}",
    ):
        assert old.get(url).status_code == 404, url


def test_only_the_member_or_the_head_changes_a_members_contact(personas: Personas) -> None:
    """Ravi (not the head) cannot change his mother's bank account; Asha (the head) can change his."""
    ravi = personas.client_for(personas.ravi)
    asha_member = personas.member(personas.asha)
    url = reverse("registry:change_contact", args=[asha_member.member_id])
    assert ravi.get(url).status_code == 404
    confirm_code(ravi, personas.ravi.mobile, "sensitive_change", url)
    assert ravi.post(url, {"bank_account": "123456789012", "bank_ifsc": "SBIN0001234"}).status_code == 404
    assert not RegisterChange.objects.filter(member=asha_member, field="bank_account").exists()
    own = reverse("registry:change_contact", args=[personas.member(personas.ravi).member_id])
    assert ravi.get(own).status_code == 200  # his own record, with the code he confirmed


def test_a_member_cannot_make_himself_head_without_the_heads_consent(personas: Personas) -> None:
    """Ravi asks to become head (and so to reach everyone's contact details); Asha must agree first."""
    ravi = personas.member(personas.ravi)
    request = filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.CHANGE_HEAD,
        {"new_head_member_id": ravi.member_id, "old_head_relation": "mother"},
        requested_by=personas.ravi,
    )
    meena = personas.client_for(personas.meena)
    decide = reverse("registry:decide", args=[request.reference])
    assert meena.post(decide, {"decision": "approve"}).status_code == 400
    assert personas.asha_family.head() == personas.member(personas.asha)
    with pytest.raises(PermissionDenied):
        registry_consent.answer_for_family(request, agree=True, acting_user=personas.ravi)
    registry_consent.answer_for_family(request, agree=True, acting_user=personas.asha)
    assert meena.post(decide, {"decision": "approve"}).status_code == 302
    assert personas.asha_family.head() == ravi


def test_changing_ones_own_number_logs_out_cleanly_and_says_so(personas: Personas) -> None:
    """Ravi changes his own number: it is saved, he is logged out, and told to log in with the new one."""
    client = Client()
    login_citizen(client, personas.ravi)
    ravi = personas.member(personas.ravi)
    contact = reverse("registry:change_contact", args=[ravi.member_id])
    confirm_code(client, personas.ravi.mobile, "sensitive_change", contact)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(contact, {"mobile": "9418000077"}, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="hi")
    assert "नए नंबर से फिर से लॉग इन करें" in page.content.decode()
    ravi.refresh_from_db()
    assert ravi.mobile == "9418000077"
    assert client.get(reverse("registry:family", args=[personas.asha_family.family_id])).status_code == 302
