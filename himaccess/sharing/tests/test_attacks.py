"""Department against department, purpose against purpose, bad input: 4xx in the caller's language.

Nothing is written by a refused request.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, TestCase

from himaccess.accounts.testing import last_code_sent_to
from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas
from himaccess.sharing.models import ConsentRequest
from himaccess.sharing.testing import make_purpose
from himaccess.sharing.tests.conftest import API, Dept, bearer
from himaccess.sharing.tests.test_consented_reads import ask, read


def approved(personas: Personas, dept: Dept, purpose: str) -> ConsentRequest:
    api = bearer(dept)
    ask(api, personas.member(personas.ravi).member_id, purpose=purpose)
    consent = ConsentRequest.objects.latest("requested_at")
    personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/approve/")
    consent.refresh_from_db()
    assert consent.status() == "approved"
    return consent


def test_department_a_cannot_use_consent_given_to_department_b(
    personas: Personas, pension: Dept, health: Dept
) -> None:
    consent = approved(personas, health, "health-card")
    ravi = personas.member(personas.ravi).member_id
    pension_api = bearer(pension)
    # Pension states Health's purpose: not its purpose at all.
    foreign = read(pension_api, ravi, purpose="health-card")
    assert foreign.status_code == 403 and foreign.json()["code"] == "purpose_not_allowed"
    # Its own purpose: Ravi never consented to Pension.
    assert read(pension_api, ravi, purpose="pension-check").status_code == 404
    # Health's consent request is not even visible to Pension.
    assert pension_api.get(f"{API}/consent-requests/{consent.reference}").status_code == 404
    assert not DataAccess.objects.filter(client=pension.client.application).exists()
    assert read(bearer(health), ravi, purpose="health-card").status_code == 200


def test_a_client_cannot_state_a_purpose_of_its_department_it_was_not_given(
    personas: Personas, pension: Dept
) -> None:
    make_purpose("pension-other", department_code="social_justice")
    api = bearer(pension)
    ravi = personas.member(personas.ravi).member_id
    for response in (
        read(api, ravi, purpose="pension-other"),
        api.get(f"{API}/verify/{ravi}?purpose=pension-other"),
        ask(api, ravi, purpose="pension-other"),
    ):
        assert response.status_code == 403 and response.json()["code"] == "purpose_not_allowed"
    assert not ConsentRequest.objects.exists() and not DataAccess.objects.exists()


def test_client_of_one_department_reading_anothers_purpose_even_with_law(
    personas: Personas, health: Dept
) -> None:
    # The legal-basis purpose belongs to Social Justice; Health cannot state it.
    make_purpose("pension-audit", department_code="social_justice", groups=("identity",), legal_basis="A law")
    response = read(bearer(health), personas.member(personas.ravi).member_id, purpose="pension-audit")
    assert response.status_code == 403
    assert not DataAccess.objects.exists()


def test_withdrawn_consent_code_cannot_be_reused(personas: Personas, pension: Dept) -> None:
    consent = approved(personas, pension, "pension-check")
    personas.client_for(personas.ravi).post(f"/data-sharing/{consent.pk}/withdraw/")
    api = bearer(pension)
    response = api.post(
        f"{API}/consent-requests/{consent.reference}/code",
        {"code": "123456"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert read(api, personas.member(personas.ravi).member_id).status_code == 404


def test_unknown_member_and_unknown_consent_look_like_no_consent(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    unknown = "M00000000000"
    response = read(api, unknown)
    assert response.status_code == 422 and response.json()["code"] == "invalid_id"
    missing = api.get(f"{API}/consent-requests/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"member_id": "M1234\x00", "purpose": "pension-check"}, "member_id"),
        ({"member_id": 12345, "purpose": "pension-check"}, "member_id"),
        ({"member_id": "MEMBER", "purpose": "pension-check\u202e"}, "purpose"),
        ({"purpose": "pension-check"}, "member_id"),
        ({"member_id": "M12345678901", "purpose": "x" * 5000}, "purpose"),
        (
            {"member_id": "M12345678901", "purpose": "pension-check", "field_groups": "identity"},
            "field_groups",
        ),
        (
            {"member_id": "M12345678901", "purpose": "pension-check", "field_groups": ["identity"] * 50},
            "field_groups",
        ),
        ({"member_id": "M12345678901", "purpose": "pension-check", "channel": "fax"}, "channel"),
        ({"member_id": "M12345678901", "purpose": "pension-check", "status": "approved"}, "status"),
    ],
)
def test_bad_consent_requests_are_4xx_and_write_nothing(
    pension: Dept, body: dict[str, Any], field: str
) -> None:
    api = bearer(pension)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(f"{API}/consent-requests", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"detail", "code", "errors"}
    assert not ConsentRequest.objects.exists()


def test_errors_in_hindi(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    response = api.get(
        f"{API}/members/{personas.member(personas.ravi).member_id}?purpose=pension-check",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.status_code == 404
    assert "सहमति" in response.json()["detail"]
    unauthenticated = Client().get(f"{API}/verify/M12345678901?purpose=x", HTTP_ACCEPT_LANGUAGE="hi")
    assert unauthenticated.status_code == 401
    assert any("\u0900" <= ch <= "\u097f" for ch in unauthenticated.json()["detail"])


def test_bad_query_values(personas: Personas, pension: Dept) -> None:
    api = bearer(pension)
    ravi = personas.member(personas.ravi).member_id
    for query in (
        "purpose=",
        "purpose=PENSION",
        "purpose=pension-check&fields=identity;drop",
        "fields=identity",
    ):
        response = api.get(f"{API}/members/{ravi}?{query}")
        assert response.status_code == 422, query
    control = api.get(f"{API}/members/{ravi}?purpose=pension%00check")
    assert control.status_code in (400, 422)
    unknown_group = read(api, ravi, fields="secrets")
    assert unknown_group.status_code in (403, 404, 422)
    assert not DataAccess.objects.exists()


def test_bodies_that_are_not_json(pension: Dept) -> None:
    api = bearer(pension)
    assert (
        api.post(f"{API}/verify", "ids=1", content_type="application/x-www-form-urlencoded").status_code
        == 415
    )
    assert api.post(f"{API}/verify", "{not json", content_type="application/json").status_code == 400


def test_a_code_sent_for_one_department_does_not_approve_anothers_request(
    personas: Personas, pension: Dept, health: Dept
) -> None:
    ravi = personas.member(personas.ravi)
    pension_api, health_api = bearer(pension), bearer(health)
    first = ask(pension_api, ravi.member_id, channel="sms").json()["reference"]
    second = ask(health_api, ravi.member_id, purpose="health-card", channel="sms").json()["reference"]
    code = last_code_sent_to(ravi.mobile)  # the SMS names Health
    stolen = pension_api.post(
        f"{API}/consent-requests/{first}/code", {"code": code}, content_type="application/json"
    )
    assert stolen.status_code == 409 and stolen.json()["code"] == "code_replaced"
    assert read(pension_api, ravi.member_id).status_code == 404
    own = health_api.post(
        f"{API}/consent-requests/{second}/code", {"code": code}, content_type="application/json"
    )
    assert own.status_code == 200
