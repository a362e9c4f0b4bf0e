"""A department asks, the citizen answers (page or SMS code), the department reads; withdrawal stops it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client, TestCase
from django.utils import timezone

from himaccess.accounts.testing import last_code_sent_to
from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas
from himaccess.notifications import sms
from himaccess.sharing.fields import FIELD_GROUPS
from himaccess.sharing.models import ConsentRequest
from himaccess.sharing.tests.conftest import API, Dept, bearer


def ask(api: Client, member_id: str, purpose: str = "pension-check", **extra: Any) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(
            f"{API}/consent-requests",
            {"member_id": member_id, "purpose": purpose, **extra},
            content_type="application/json",
        )


def read(api: Client, member_id: str, purpose: str = "pension-check", fields: str = "") -> Any:
    query = f"?purpose={purpose}" + (f"&fields={fields}" if fields else "")
    return api.get(f"{API}/members/{member_id}{query}")


def test_page_consent_then_read_then_withdraw(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    assert read(api, ravi.member_id).status_code == 404  # no consent yet

    asked = ask(api, ravi.member_id)
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "pending"
    consent = ConsentRequest.objects.get()

    page = personas.client_for(personas.ravi).get("/data-sharing/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"Pension DBT" in page.content and b"Waiting for your answer" in page.content
    assert personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/approve/").status_code == 302

    answer = read(api, ravi.member_id)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["basis"] == "consent"
    allowed = set(FIELD_GROUPS["identity"] + FIELD_GROUPS["family"] + FIELD_GROUPS["category"])
    # Exactly the consented fields: nothing else leaves (no mobile, bank, income, Aadhaar).
    assert set(body["fields"]) == allowed
    assert body["fields"]["name_en"] == "Ravi Kumar"
    assert "mobile" not in body["fields"] and "bank_account" not in body["fields"]
    assert "aadhaar" not in answer.content.decode().lower()

    # The read is on the family's access log, named by the client and its department.
    row = DataAccess.objects.get(member=ravi)
    assert row.client == pension.client.application and row.purpose == "Purpose pension-check"
    log = personas.client_for(personas.asha).get(
        "/register/my-family/", HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert log.status_code == 200
    assert "Pension DBT (Department of Social Justice and Empowerment)" in log.content.decode()

    assert personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/withdraw/").status_code == 302
    again = read(api, ravi.member_id)
    assert again.status_code == 404 and again.json()["code"] == "no_consent"
    assert DataAccess.objects.filter(member=ravi).count() == 1


def test_only_some_groups_when_asked(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    ask(api, ravi.member_id, field_groups=["identity"])
    consent = ConsentRequest.objects.get()
    personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/approve/")
    assert set(read(api, ravi.member_id).json()["fields"]) == set(FIELD_GROUPS["identity"])
    outside = read(api, ravi.member_id, fields="identity,category")
    assert outside.status_code == 403 and outside.json()["code"] == "field_not_allowed"
    assert set(read(api, ravi.member_id, fields="identity").json()["fields"]) == set(FIELD_GROUPS["identity"])


def test_refused_request_reads_nothing(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    ask(api, ravi.member_id)
    consent = ConsentRequest.objects.get()
    personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/refuse/")
    assert read(api, ravi.member_id).status_code == 404
    status = api.get(f"{API}/consent-requests/{consent.reference}").json()
    assert status["status"] == "refused"
    assert not DataAccess.objects.exists()


def test_sms_code_given_at_the_counter(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    asked = ask(api, ravi.member_id, channel="sms")
    assert asked.status_code == 201, asked.content
    reference = asked.json()["reference"]
    [message] = [m for m in sms.outbox if m.to == ravi.mobile]
    assert "Department of Social Justice" in message.text or "सामाजिक न्याय" in message.text
    code = last_code_sent_to(ravi.mobile)

    wrong = api.post(
        f"{API}/consent-requests/{reference}/code",
        {"code": f"{(int(code) + 1) % 1_000_000:06d}"},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_code"
    assert read(api, ravi.member_id).status_code == 404

    right = api.post(
        f"{API}/consent-requests/{reference}/code", {"code": code}, content_type="application/json"
    )
    assert right.status_code == 200, right.content
    assert right.json()["status"] == "approved"
    assert read(api, ravi.member_id).status_code == 200
    # The code is spent: a second use is refused.
    replay = api.post(
        f"{API}/consent-requests/{reference}/code", {"code": code}, content_type="application/json"
    )
    assert replay.status_code == 409


def test_consent_expires(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    ask(api, ravi.member_id)
    consent = ConsentRequest.objects.get()
    personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/approve/")
    assert read(api, ravi.member_id).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        api_later = bearer(pension)
        late = read(api_later, ravi.member_id)
        assert late.status_code == 404 and late.json()["code"] == "no_consent"
        assert api_later.get(f"{API}/consent-requests/{consent.reference}").json()["status"] == "expired"


def test_legal_basis_reads_without_consent_and_is_logged(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    karan = personas.member(personas.karan)
    answer = read(api, karan.member_id, purpose="pension-audit")
    assert answer.status_code == 200, answer.content
    assert answer.json()["basis"] == "law"
    assert set(answer.json()["fields"]) == set(FIELD_GROUPS["identity"])
    row = DataAccess.objects.get(member=karan)
    assert "Pension Rules" in row.purpose
    # No consent can be asked where the law is the basis.
    refused = ask(api, karan.member_id, purpose="pension-audit")
    assert refused.status_code == 422 and refused.json()["code"] == "consent_not_needed"


def test_a_citizen_answers_only_their_own_requests(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi)
    ask(api, ravi.member_id)
    consent = ConsentRequest.objects.get()
    # Karan (another family) and Asha (Ravi is an adult) cannot answer for Ravi.
    for persona in (personas.karan, personas.asha):
        assert personas.client_for(persona).post(f"/data-sharing/{consent.pk}/approve/").status_code == 404
    assert personas.client_for(personas.karan).get("/data-sharing/").content.count(b"Pension DBT") == 0
    consent.refresh_from_db()
    assert consent.decision == ""


def test_hindi_page(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ask(api, personas.member(personas.ravi).member_id)
    page = personas.client_for(personas.ravi).get("/data-sharing/", HTTP_ACCEPT_LANGUAGE="hi")
    assert "आपके उत्तर की प्रतीक्षा" in page.content.decode()
