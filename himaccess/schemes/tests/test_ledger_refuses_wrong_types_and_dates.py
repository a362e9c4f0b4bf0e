"""The ledger books only what a payment can be: strict types, months inside the enrolment, sane amounts.

Each refusal is a 422 whose detail says what the field must be, in the
reader's language, and nothing is written to the ledger.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from himaccess.registry.models import Member
from himaccess.schemes.models import Benefit
from himaccess.schemes.tests.conftest import SchemePeople
from himaccess.schemes.tests.test_benefit_ledger_api import (
    _body,
    _post,
    kamla_pensioner,  # noqa: F401  (a fixture)
)


@pytest.fixture
def kamla(kamla_pensioner: Member) -> Member:  # noqa: F811  (the imported fixture)
    """Kamla, enrolled in the state old-age pension in January 2025."""
    return kamla_pensioner


REFUSED = [
    ("true as an amount", {"amount": True}, "amount"),
    ("false as an amount", {"amount": False}, "amount"),
    ("an amount sent as text", {"amount": "1700"}, "amount"),
    ("an amount with a fraction", {"amount": 1700.5}, "amount"),
    ("an amount written as a float", {"amount": 1700.0}, "amount"),
    ("an absurd amount", {"amount": 50_000_000}, "amount"),
    ("a negative amount", {"amount": -1700}, "amount"),
    ("a member id sent as a number", {"member_id": 123456789012}, "member_id"),
    ("a payment date sent as a number", {"paid_on": 1748736000}, "paid_on"),
    ("a payment date with a time", {"paid_on": "2025-06-01T00:00:00"}, "paid_on"),
    ("a payment date before 1900", {"paid_on": "1899-12-31"}, "paid_on"),
    ("a month before 1900", {"period": "1899-12"}, "period"),
    ("a month without its zero", {"period": "2025-5"}, "period"),
    ("a month sent as a number", {"period": 202505}, "period"),
    ("a month with a day", {"period": "2025-05-01"}, "period"),
]


@time_machine.travel(date(2025, 6, 15), tick=False)
@pytest.mark.parametrize(("case", "changes", "field"), REFUSED, ids=[case for case, _c, _f in REFUSED])
def test_a_wrong_type_or_an_absurd_value_is_422_naming_the_field(
    people: SchemePeople, kamla: Member, case: str, changes: dict[str, object], field: str
) -> None:
    response = _post(people.ledger_token, _body(kamla, **changes), key="k-" + case.replace(" ", "-"))
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert f"Invalid fields: {field}" in detail
    assert f"{field}:" in detail  # what the field must be
    assert not Benefit.objects.exists()


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_true_as_an_amount_is_refused_in_hindi(people: SchemePeople, kamla: Member) -> None:
    response = _post(people.ledger_token, _body(kamla, amount=True), HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 422
    assert "JSON संख्या" in response.json()["detail"]
    assert not Benefit.objects.exists()


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_a_month_before_the_enrolment_began_is_refused(people: SchemePeople, kamla: Member) -> None:
    # Kamla was enrolled in January 2025.
    response = _post(people.ledger_token, _body(kamla, period="2024-12", paid_on="2025-01-05"))
    assert response.status_code == 422
    assert response.json()["detail"] == "The month paid for is before the enrolment began (2025-01)."
    response = _post(
        people.ledger_token,
        _body(kamla, period="2024-12", paid_on="2025-01-05"),
        key="k-hi",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.json()["detail"] == "भुगतान का महीना नामांकन शुरू होने (2025-01) से पहले का है।"
    assert not Benefit.objects.exists()


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_a_payment_dated_before_the_month_it_pays_for_is_refused(people: SchemePeople, kamla: Member) -> None:
    response = _post(people.ledger_token, _body(kamla, period="2025-05", paid_on="2025-04-30"))
    assert response.status_code == 422
    assert response.json()["detail"] == "The payment date is before the month it pays for."
    assert not Benefit.objects.exists()


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_the_first_month_of_the_enrolment_and_a_payment_on_its_first_day_are_booked(
    people: SchemePeople, kamla: Member
) -> None:
    response = _post(people.ledger_token, _body(kamla, period="2025-01", paid_on="2025-01-01"))
    assert response.status_code == 201, response.content
    assert Benefit.objects.get().amount == 1700


@time_machine.travel(date(2025, 6, 15), tick=False)
def test_a_refused_payment_sent_again_with_its_key_gets_the_same_refusal(
    people: SchemePeople, kamla: Member
) -> None:
    first = _post(people.ledger_token, _body(kamla, amount=True), key="retry-1")
    again = _post(people.ledger_token, _body(kamla, amount=True), key="retry-1")
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert not Benefit.objects.exists()
