"""The centre's JSON API: weighments idempotent, refusals in the one error shape and the caller's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from himaccess.natural_farming.models import Weighment
from himaccess.natural_farming.tests.conftest import NF

pytestmark = pytest.mark.django_db

URL = "/api/v1/natural-farming/centres/{code}/weighments"


def post(client: Client, body: Any, *, key: str | None = "scale-1:0001", code: str = "mandi-sadar") -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL.format(code=code), data, content_type="application/json", **headers)


def body(nf: NF, **overrides: Any) -> dict[str, Any]:
    return {"farmer": nf.asha.reference, "crop": "wheat", "kg": 120.5, "moisture_percent": 11, **overrides}


def test_a_weighment_is_recorded_and_its_receipt_returned(nf: NF) -> None:
    answer = post(nf.client(nf.om), body(nf))
    assert answer.status_code == 201, answer.content
    receipt = answer.json()
    assert receipt["kg"] == "120.5"
    assert receipt["amount"] == "7471.00"  # 120.5 x (60 + 2)
    assert receipt["cap_kg_per_season"] == "2000.0"
    assert receipt["sold_this_season_kg"] == "120.5"


def test_the_same_key_returns_the_first_receipt_and_weighs_nothing_again(nf: NF) -> None:
    client = nf.client(nf.om)
    first = post(client, body(nf))
    again = post(client, body(nf))
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Weighment.objects.count() == 1
    other = post(client, body(nf, kg=130))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_weighment_without_a_key_is_refused(nf: NF) -> None:
    answer = post(nf.client(nf.om), body(nf), key=None)
    assert answer.status_code == 400
    assert not Weighment.objects.exists()


def test_a_refusal_keeps_the_key_free(nf: NF) -> None:
    client = nf.client(nf.om)
    assert post(client, body(nf, kg=2500)).status_code == 409  # over the cap
    assert post(client, body(nf)).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"kg": 1900}, 201, None),
        ({"farmer": "N00000000000"}, 422, "unknown_farmer"),
        ({"crop": "maize"}, 409, "outside_window"),
        ({"kg": 0.05}, 422, "weight"),
    ],
)
def test_refusals_have_a_code_for_programs(
    nf: NF, overrides: dict[str, Any], status: int, code: str | None
) -> None:
    answer = post(nf.client(nf.om), body(nf, **overrides))
    assert answer.status_code == status
    if code:
        assert answer.json()["code"] == code
        assert not Weighment.objects.exists()


def test_above_the_cap_is_a_conflict_in_hindi_for_a_hindi_caller(nf: NF) -> None:
    client = nf.client(nf.om, language="hi")
    assert post(client, body(nf, kg=1900), key="k1").status_code == 201
    answer = post(client, body(nf, kg=200), key="k2")
    assert answer.status_code == 409
    assert answer.json()["code"] == "over_cap"
    assert "सीमा" in answer.json()["detail"]
    assert Weighment.objects.count() == 1


def test_an_uncertified_farmer_is_refused_in_english_for_an_english_caller(nf: NF) -> None:
    answer = post(nf.client(nf.om, language="en"), body(nf, farmer=nf.ravi.reference))
    assert answer.status_code == 422
    assert answer.json()["code"] == "not_certified"
    assert "certified" in answer.json()["detail"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"kg": "120"},
        {"kg": True},
        {"kg": None},
        {"crop": "rice"},
        {"farmer": 12345},
        {"moisture_percent": "wet"},
        {"kg": 1e308},
        {"quality_note": "x" * 201},
    ],
)
def test_wrong_types_and_absurd_values_are_422(nf: NF, overrides: dict[str, Any]) -> None:
    answer = post(nf.client(nf.om), body(nf, **overrides))
    assert answer.status_code == 422
    assert answer.json()["errors"]
    assert not Weighment.objects.exists()


def test_control_characters_are_refused_at_the_edge(nf: NF) -> None:
    answer = post(nf.client(nf.om), body(nf, quality_note="clean\u0000grain"))
    assert answer.status_code == 400
    assert not Weighment.objects.exists()


def test_a_body_that_is_not_json_is_refused(nf: NF) -> None:
    assert post(nf.client(nf.om), "{kg: 12").status_code == 400


def test_no_one_else_weighs_at_the_centre(nf: NF) -> None:
    p = nf.personas
    for user in (nf.tara, nf.devika, nf.kamal, p.meena, p.vikram, p.asha, p.karan):
        answer = post(nf.client(user), body(nf))
        assert answer.status_code == 404, user.username
    assert post(Client(), body(nf)).status_code == 401
    assert post(nf.client(nf.om), body(nf), code="kangra").status_code == 404
    assert not Weighment.objects.exists()


def test_the_operator_reads_the_day_and_a_farmers_standing(nf: NF) -> None:
    client = nf.client(nf.om)
    post(client, body(nf))
    day = client.get(URL.format(code="mandi-sadar"))
    assert [w["kg"] for w in day.json()] == ["120.5"]
    standing = client.get(f"/api/v1/natural-farming/centres/mandi-sadar/farmers/{nf.asha.reference}").json()
    assert standing["certified"] is True
    wheat = next(c for c in standing["crops"] if c["crop"] == "wheat")
    assert (wheat["window_open_now"], wheat["sold_this_season_kg"], wheat["price_per_kg"]) == (
        True,
        "120.5",
        "60.00",
    )
    assert nf.client(nf.tara).get(URL.format(code="mandi-sadar")).status_code == 404
