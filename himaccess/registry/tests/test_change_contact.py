"""A family changes a mobile number or bank account only after a fresh one-time code."""

from __future__ import annotations

import pytest
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from himaccess.accounts.testing import last_code_sent_to
from himaccess.conftest import Personas
from himaccess.notifications import sms
from himaccess.registry.models import RegisterChange

pytestmark = pytest.mark.django_db


def confirm_fresh_code(client: Client, mobile: str, next_url: str) -> None:
    confirm = reverse("accounts:confirm_code")
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(confirm, {"purpose": "sensitive_change", "next": next_url, "send": "1"})
    response = client.post(
        confirm, {"purpose": "sensitive_change", "next": next_url, "code": last_code_sent_to(mobile)}
    )
    assert response.status_code == 302 and response["Location"] == next_url


def test_without_a_fresh_code_the_citizen_is_sent_to_confirm_one(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    url = reverse("registry:change_contact", args=[ravi.member_id])
    response = personas.client_for(personas.asha).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm_code"))


def test_mobile_change_is_recorded_and_the_old_number_is_told(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    ravi = personas.member(personas.ravi)
    url = reverse("registry:change_contact", args=[ravi.member_id])
    confirm_fresh_code(client, personas.asha.mobile, url)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"mobile": "9418000099", "bank_account": "", "bank_ifsc": ""})
    assert response.status_code == 302
    ravi.refresh_from_db()
    assert ravi.mobile == "9418000099"
    change = RegisterChange.objects.get(member=ravi, field="mobile", action="member.corrected")
    assert (change.old_value, change.new_value, change.source) == ("9816000002", "9418000099", "self")
    assert any(m.to == "9816000002" and "1100" in m.text for m in sms.outbox)
    # One code authorises one change.
    again = client.post(url, {"mobile": "9418000098"})
    assert again.status_code == 302 and again["Location"].startswith(reverse("accounts:confirm_code"))


def test_bad_bank_details_are_refused_and_nothing_changes(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    asha = personas.member(personas.asha)
    url = reverse("registry:change_contact", args=[asha.member_id])
    confirm_fresh_code(client, personas.asha.mobile, url)
    for data in (
        {"bank_account": "12345678901", "bank_ifsc": "SBIN1234567"},
        {"bank_account": "12AB", "bank_ifsc": "SBIN0001234"},
        {"bank_account": "123456789012", "bank_ifsc": ""},
    ):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="hi")
        assert response.status_code == 400
    asha.refresh_from_db()
    assert asha.bank_account == ""


def test_another_family_or_an_official_cannot_change_it(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    url = reverse("registry:change_contact", args=[ravi.member_id])
    karan = personas.client_for(personas.karan)
    confirm_fresh_code(karan, personas.karan.mobile, url)
    assert karan.post(url, {"mobile": "9418000097"}).status_code == 404
    meena = personas.client_for(personas.meena)
    assert meena.get(url).status_code in (302, 400, 404)
    ravi.refresh_from_db()
    assert ravi.mobile == "9816000002"
