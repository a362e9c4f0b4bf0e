"""Complaints filed through the API with an Idempotency-Key: a retry is answered alike, filed once."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from himaccess.grievances.models import Complaint
from himaccess.grievances.tests.conftest import Ladder
from himaccess.idempotency.tests.lost_answer import lose_answer  # noqa: F401  (a fixture)

URL = "/api/v1/grievances/complaints"


def _body(description: str = "Mutation of my land not entered", mobile: str = "9816000001") -> dict[str, Any]:
    return {"mobile": mobile, "category": "revenue-mutation-delay", "description": description}


def _post(client: Client, body: dict[str, Any], key: str | None = "call-0001", **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_same_key_and_body_files_once_and_answers_alike(ladder: Ladder) -> None:
    sunita = ladder.personas.client_for(ladder.personas.sunita)
    first = _post(sunita, _body())
    assert first.status_code == 201, first.content
    again = _post(sunita, _body())
    # Not the "repeat" answer (200) a second filing would get: the very first answer.
    assert again.status_code == 201 and again.content == first.content
    assert again.json()["repeat"] is False and again["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1


def test_same_key_with_another_body_is_422_in_both_languages_and_files_nothing(ladder: Ladder) -> None:
    sunita = ladder.personas.client_for(ladder.personas.sunita)
    assert _post(sunita, _body()).status_code == 201
    other = _post(sunita, _body(mobile="9816000003"))
    assert other.status_code == 422 and "different request body" in other.json()["detail"]
    in_hindi = _post(sunita, _body(mobile="9816000003"), HTTP_ACCEPT_LANGUAGE="hi")
    assert in_hindi.status_code == 422 and "दूसरे अनुरोध" in in_hindi.json()["detail"]
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().complainant_mobile == "9816000001"


def test_another_caller_with_the_same_key_is_answered_on_its_own(ladder: Ladder) -> None:
    personas = ladder.personas
    helpline = _post(personas.client_for(personas.sunita), _body(mobile="9816000003"), key="k-1")
    ashas = _post(personas.client_for(personas.asha), _body(), key="k-1")
    assert helpline.status_code == ashas.status_code == 201
    assert "Idempotent-Replayed" not in ashas
    assert ashas.json()["reference"] != helpline.json()["reference"]
    assert Complaint.objects.count() == 2


def test_a_lost_answer_is_given_again_on_retry_without_filing_twice(
    ladder: Ladder,
    lose_answer: Any,  # noqa: F811
) -> None:
    asha = ladder.personas.client_for(ladder.personas.asha)
    lose_answer(lambda: _post(asha, _body()))
    assert Complaint.objects.count() == 1
    retry = _post(asha, _body())
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["reference"] == Complaint.objects.get().reference
    assert Complaint.objects.count() == 1


def test_a_refused_complaint_stores_nothing_and_the_key_stays_free(ladder: Ladder) -> None:
    sunita = ladder.personas.client_for(ladder.personas.sunita)
    refused = _post(sunita, {**_body(), "category": "no-such-category"})
    assert 400 <= refused.status_code < 500
    assert _post(sunita, _body()).status_code == 201
    assert Complaint.objects.count() == 1
