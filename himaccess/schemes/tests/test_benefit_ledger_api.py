"""Department systems post monthly payments: one per member, scheme and month, with idempotency keys."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client

from himaccess.conftest import ClientResponse
from himaccess.registry.models import Member
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Benefit, Offer
from himaccess.schemes.tests.conftest import SchemePeople

URL = "/api/v1/schemes/benefits"


@pytest.fixture
def kamla_pensioner(people: SchemePeople) -> Member:
    kamla = people.member(people.kamla)
    # Enrolled in January 2025: the ledger books no month before the enrolment began.
    with time_machine.travel(date(2025, 1, 10), tick=False):
        reevaluation.reevaluate_member(kamla, trigger="test")
        offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
        schemes_enrolment.sanction_enrolment(
            schemes_enrolment.accept_offer(offer, acting_user=people.kamla), acting_user=people.priya
        )
    return kamla


def _post(
    token: str | None, body: dict[str, object], key: str | None = "k-1", **extra: Any
) -> ClientResponse:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(URL, data=json.dumps(body), content_type="application/json", **headers, **extra)


def _body(member: Member, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "member_id": member.member_id,
        "scheme_id": "old_age_pension_state",
        "period": "2025-05",
        "amount": 1700,
        "paid_on": "2025-06-01",
        "payment_reference": "PFMS-001",
    }
    body.update(changes)
    return body


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_same_key_and_body_gives_the_same_answer(people: SchemePeople, kamla_pensioner: Member) -> None:
    first = _post(people.ledger_token, _body(kamla_pensioner))
    assert first.status_code == 201, first.content
    again = _post(people.ledger_token, _body(kamla_pensioner))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Benefit.objects.filter(member=kamla_pensioner).count() == 1


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_same_key_other_body_is_422(people: SchemePeople, kamla_pensioner: Member) -> None:
    assert _post(people.ledger_token, _body(kamla_pensioner)).status_code == 201
    response = _post(people.ledger_token, _body(kamla_pensioner, amount=1000))
    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_second_payment_for_the_same_month_is_refused(people: SchemePeople, kamla_pensioner: Member) -> None:
    assert _post(people.ledger_token, _body(kamla_pensioner), key="a").status_code == 201
    response = _post(people.ledger_token, _body(kamla_pensioner, payment_reference="PFMS-002"), key="b")
    assert response.status_code == 409
    assert Benefit.objects.filter(member=kamla_pensioner).count() == 1


def test_the_database_holds_one_entry_per_member_scheme_and_month(
    people: SchemePeople, kamla_pensioner: Member
) -> None:
    benefit = dict(
        member=kamla_pensioner,
        scheme_id=kamla_pensioner.enrolments.get().scheme_id,
        enrolment=kamla_pensioner.enrolments.get(),
        period=date(2025, 5, 1),
        amount=1700,
        paid_on=date(2025, 6, 1),
        payment_reference="x",
        client_id=1,
    )
    from himaccess.schemes.models import DepartmentClient

    department_client = DepartmentClient.objects.first()
    assert department_client is not None
    benefit["client_id"] = department_client.pk
    Benefit.objects.create(**benefit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Benefit.objects.create(**benefit)


@time_machine.travel(date(2025, 6, 15), tick=False)
@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"scheme_id": "no_such_scheme"}, 422),
        ({"member_id": "M00000000000"}, 404),
        ({"period": "2025-13"}, 422),
        ({"period": "2025-09"}, 422),
        ({"amount": 0}, 422),
        ({"amount": "lots"}, 422),
        ({"paid_on": "2025-02-30"}, 422),
        ({"scheme_id": "ignwps"}, 422),  # no sanctioned enrolment
    ],
)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    people: SchemePeople, kamla_pensioner: Member, changes: dict[str, object], status: int
) -> None:
    response = _post(people.ledger_token, _body(kamla_pensioner, **changes))
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Benefit.objects.exists()


def test_missing_key_wrong_token_and_other_department(people: SchemePeople, kamla_pensioner: Member) -> None:
    assert _post(people.ledger_token, _body(kamla_pensioner), key=None).status_code == 400
    assert _post(None, _body(kamla_pensioner)).status_code == 401
    key_id = people.ledger_token.split(".")[0]
    assert _post(f"{key_id}.wrong-secret", _body(kamla_pensioner)).status_code == 401
    assert _post(people.health_token, _body(kamla_pensioner)).status_code == 403
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {people.ledger_token}").status_code == 405


def test_secret_is_stored_only_as_a_hash(people: SchemePeople) -> None:
    from himaccess.schemes.models import DepartmentClient

    secret = people.ledger_token.split(".", 1)[1]
    assert not DepartmentClient.objects.filter(secret_hash__contains=secret).exists()
