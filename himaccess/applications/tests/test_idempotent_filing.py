"""Filing through the API with an Idempotency-Key: a retry is answered alike and never files twice."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from himaccess.applications.models import Application
from himaccess.conftest import Personas
from himaccess.idempotency.tests.lost_answer import lose_answer  # noqa: F401  (a fixture)

URL = "/api/v1/services/applications"


def _body(personas: Personas, purpose: str = "Police constable recruitment") -> dict[str, Any]:
    return {
        "service": "CERT-05",
        "member_id": personas.member(personas.ravi).member_id,
        "answers": {"relative_name": "Late Mohan Lal", "purpose": purpose},
    }


def _post(client: Client, body: dict[str, Any], key: str | None = "asha-cert-1", **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_same_key_and_body_files_once_and_answers_alike(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    first = _post(client, _body(personas))
    assert first.status_code == 201, first.content
    again = _post(client, _body(personas))
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_a_retry_with_the_fields_reordered_is_the_same_request(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    first = _post(client, _body(personas))
    reordered = dict(reversed(list(_body(personas).items())))
    again = client.post(
        URL,
        json.dumps(reordered, indent=2),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="asha-cert-1",
    )
    assert again.status_code == 201 and again.json() == first.json()
    assert Application.objects.count() == 1


def test_same_key_with_another_body_is_422_in_both_languages_and_files_nothing(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert _post(client, _body(personas)).status_code == 201
    other = _post(client, _body(personas, purpose="Passport"))
    assert other.status_code == 422
    assert "different request body" in other.json()["detail"]
    in_hindi = _post(client, _body(personas, purpose="Passport"), HTTP_ACCEPT_LANGUAGE="hi")
    assert in_hindi.status_code == 422 and "दूसरे अनुरोध" in in_hindi.json()["detail"]
    assert Application.objects.count() == 1
    assert Application.objects.get().answers["purpose"] == "Police constable recruitment"


def test_another_caller_with_the_same_key_is_answered_on_its_own(personas: Personas) -> None:
    ashas = _post(personas.client_for(personas.asha), _body(personas))
    ravis = _post(personas.client_for(personas.ravi), _body(personas))
    assert ashas.status_code == ravis.status_code == 201
    assert "Idempotent-Replayed" not in ravis
    assert ravis.json()["number"] != ashas.json()["number"]
    assert Application.objects.count() == 2


def test_a_key_used_for_a_complaint_is_422_here(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    complaint = {"category": "revenue-mutation-delay", "description": "Mutation of my land not entered"}
    filed = client.post(
        "/api/v1/grievances/complaints",
        json.dumps(complaint),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="asha-1",
    )
    assert filed.status_code == 201
    response = _post(client, _body(personas), key="asha-1")
    assert response.status_code == 422
    assert not Application.objects.exists()


def test_a_lost_answer_is_given_again_on_retry_without_filing_twice(
    personas: Personas,
    lose_answer: Any,  # noqa: F811
) -> None:
    client = personas.client_for(personas.asha)
    lose_answer(lambda: _post(client, _body(personas)))
    assert Application.objects.count() == 1  # committed, though Asha never heard
    retry = _post(client, _body(personas))
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["number"] == Application.objects.get().number
    assert Application.objects.count() == 1


def test_a_refused_request_stores_nothing_and_the_key_stays_free(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    refused = _post(client, {**_body(personas), "service": "NOPE-99"})
    assert refused.status_code == 422
    assert _post(client, _body(personas)).status_code == 201
    assert Application.objects.count() == 1


def test_without_a_key_each_post_files_anew(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert _post(client, _body(personas), key=None).status_code == 201
    assert _post(client, _body(personas), key=None).status_code == 201
    assert Application.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_retries_racing_with_one_key_file_once_on_postgresql(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (set DATABASE_URL)")
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            client = personas.client_for(personas.asha)
            barrier.wait(timeout=30)
            answers.append(_post(client, _body(personas), key="race-1"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Application.objects.count() == 1
    numbers = {a.json()["number"] for a in answers if a.status_code == 201}
    assert numbers == {Application.objects.get().number}
    # The loser got the winner's answer, or was told the key is still in progress: never a second row.
    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409])
