"""Filing a change request through the API: scoped like the page, and idempotent with a key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from himaccess.conftest import Personas
from himaccess.idempotency.tests.lost_answer import lose_answer  # noqa: F401  (a fixture)
from himaccess.registry.actions import corrections
from himaccess.registry.models import ChangeRequest

URL = "/api/v1/change-requests"


def _body(personas: Personas, value: str = "50", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "family_id": personas.asha_family.family_id,
        "kind": "correction",
        "details": {
            "member_id": personas.member(personas.asha).member_id,
            "field": "disability_percent",
            "new_value": value,
        },
    }
    body.update(changes)
    return body


def _post(client: Client, body: dict[str, Any], key: str | None = "cr-0001", **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_the_family_files_a_correction(personas: Personas) -> None:
    response = _post(personas.client_for(personas.asha), _body(personas), key=None)
    assert response.status_code == 201, response.content
    answer = response.json()
    filed = ChangeRequest.objects.get()
    assert answer["reference"] == filed.reference and answer["status"] == "pending"
    assert answer["member_id"] == personas.member(personas.asha).member_id
    assert filed.payload["new_value"] == "50" and filed.requested_by == personas.asha


def test_same_key_and_body_files_once_and_answers_alike(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    first = _post(client, _body(personas))
    again = _post(client, _body(personas))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert ChangeRequest.objects.count() == 1


def test_same_key_with_another_body_is_422_in_both_languages_and_files_nothing(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert _post(client, _body(personas)).status_code == 201
    other = _post(client, _body(personas, value="60"))
    assert other.status_code == 422 and "different request body" in other.json()["detail"]
    in_hindi = _post(client, _body(personas, value="60"), HTTP_ACCEPT_LANGUAGE="hi")
    assert in_hindi.status_code == 422 and "दूसरे अनुरोध" in in_hindi.json()["detail"]
    assert ChangeRequest.objects.get().payload["new_value"] == "50"


def test_another_caller_with_the_same_key_is_answered_on_its_own(personas: Personas) -> None:
    ashas = _post(personas.client_for(personas.asha), _body(personas))
    meenas = _post(personas.client_for(personas.meena), _body(personas))
    assert ashas.status_code == meenas.status_code == 201
    assert "Idempotent-Replayed" not in meenas
    assert meenas.json()["reference"] != ashas.json()["reference"]
    assert ChangeRequest.objects.count() == 2


def test_a_lost_answer_is_given_again_on_retry_without_filing_twice(
    personas: Personas,
    lose_answer: Any,  # noqa: F811
) -> None:
    client = personas.client_for(personas.asha)
    lose_answer(lambda: _post(client, _body(personas)))
    assert ChangeRequest.objects.count() == 1
    retry = _post(client, _body(personas))
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["reference"] == ChangeRequest.objects.get().reference
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["karan", "vikram", "sunita"])
def test_outside_the_family_and_its_area_is_404_and_files_nothing(personas: Personas, who: str) -> None:
    response = _post(personas.client_for(getattr(personas, who)), _body(personas))
    assert response.status_code == 404
    assert not ChangeRequest.objects.exists()


def test_anonymous_is_401(personas: Personas) -> None:
    assert _post(Client(), _body(personas)).status_code == 401


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"kind": "adoption"}, 422),
        ({"family_id": "not-an-id"}, 422),
        ({"details": {"field": "disability_percent", "new_value": "50"}}, 422),  # whose?
        ({"details": {"member_id": "M1", "field": "disability_percent", "new_value": "5\x00"}}, 400),
        ({"details": {"x" * 41: "1"}}, 422),
        ({"details": {f"f{i}": "1" for i in range(31)}}, 422),
    ],
)
def test_malformed_requests_are_a_clear_4xx_and_file_nothing(
    personas: Personas, changes: dict[str, Any], status: int
) -> None:
    response = _post(personas.client_for(personas.asha), _body(personas, **changes))
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not ChangeRequest.objects.exists()


def test_a_value_failing_its_rule_is_422_with_the_fields_message(personas: Personas) -> None:
    response = _post(personas.client_for(personas.asha), _body(personas, value="250"))
    assert response.status_code == 422
    assert "new_value" in response.json()["detail"]
    assert not ChangeRequest.objects.exists()


def test_a_stored_answer_is_not_replayed_once_the_login_lost_its_number(personas: Personas) -> None:
    """Ravi's number moves to someone else: a retry with his old key is judged afresh, in his scope now."""
    ravi = personas.member(personas.ravi)
    body = {
        "family_id": personas.asha_family.family_id,
        "kind": "correction",
        "details": {"member_id": ravi.member_id, "field": "disability_percent", "new_value": "40"},
    }
    client = personas.client_for(personas.ravi)
    assert _post(client, body, key="ravi-1").status_code == 201
    corrections.change_contact(ravi, {"mobile": "9418000066"}, acting_user=personas.asha)
    again = personas.client_for(personas.ravi)  # a new login with the old number
    replay = _post(again, body, key="ravi-1")
    assert replay.status_code == 404 and "Idempotent-Replayed" not in replay
    assert ChangeRequest.objects.count() == 1
