"""Idempotency keys: their form is checked, they belong to one caller and one endpoint, and they expire."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from himaccess.conftest import Personas
from himaccess.idempotency import keys
from himaccess.idempotency.models import IdempotencyRecord

COMPLAINTS = "/api/v1/grievances/complaints"


def _complaint() -> dict[str, Any]:
    return {"category": "revenue-mutation-delay", "description": "Mutation of my land not entered"}


def _post(client: Client, url: str, body: dict[str, Any], key: str | None, **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("key", ["", "x" * 101, "has space", "ключ", "semi;colon", "new\tline"])
def test_a_malformed_key_is_400_in_the_callers_language_and_nothing_is_filed(
    personas: Personas, key: str
) -> None:
    client = personas.client_for(personas.asha)
    response = _post(client, COMPLAINTS, _complaint(), key, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"] and "अक्षर" in response.json()["detail"]
    assert not IdempotencyRecord.objects.exists()
    assert _post(client, COMPLAINTS, _complaint(), key).json()["detail"].startswith("The Idempotency")


def test_the_longest_allowed_key_is_accepted(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    key = "A1_.:+/=-" + "z" * 91
    assert _post(client, COMPLAINTS, _complaint(), key).status_code == 201
    assert IdempotencyRecord.objects.get().key == key


def test_an_expired_key_is_swept_and_may_be_used_afresh(personas: Personas, settings: Any) -> None:
    client = personas.client_for(personas.asha)
    first = _post(client, COMPLAINTS, _complaint(), "daily-1")
    assert first.status_code == 201
    later = timezone.now() + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        call_command("idempotency_sweep", stdout=StringIO())
        assert not IdempotencyRecord.objects.exists()
        # A day later Asha has logged in again (sessions last hours).
        again = _post(personas.client_for(personas.asha), COMPLAINTS, _complaint(), "daily-1")
    # The key is new again: the complaint desk sees a repeat of the open complaint, not a replay.
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert "Idempotent-Replayed" not in again


def test_an_expired_key_not_yet_swept_is_not_replayed(personas: Personas, settings: Any) -> None:
    client = personas.client_for(personas.asha)
    assert _post(client, COMPLAINTS, _complaint(), "daily-2").status_code == 201
    later = timezone.now() + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        again = _post(personas.client_for(personas.asha), COMPLAINTS, _complaint(), "daily-2")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again
    assert IdempotencyRecord.objects.get().status_code == 200


def test_the_sweep_keeps_live_keys(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert _post(client, COMPLAINTS, _complaint(), "live-1").status_code == 201
    call_command("idempotency_sweep", stdout=StringIO())
    assert IdempotencyRecord.objects.filter(key="live-1").exists()


def test_a_twin_holding_the_key_when_this_request_commits_leaves_nothing_of_it(db: Any) -> None:
    """The twin's answer lands while this request works: this one's work is undone, it is told 409."""
    request = RequestFactory().post(
        "/anything", data=b'{"a": 1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="twin-1"
    )
    written: list[int] = []

    def create() -> tuple[int, dict[str, Any]]:
        # What this request does, then the twin's answer appearing under the same caller and key.
        written.append(IdempotencyRecord.objects.create(**_record("other-work")).pk)
        IdempotencyRecord.objects.create(**_record("twin-1"))
        return 201, {"done": True}

    response = keys.respond(request, caller="user:1", endpoint="test.create", create=create)
    assert response.status_code == 409 and response["Retry-After"] == "1"
    assert not IdempotencyRecord.objects.filter(pk__in=written).exists()


def _record(key: str) -> dict[str, Any]:
    now = timezone.now()
    return {
        "caller": "user:1",
        "key": key,
        "endpoint": "test.create",
        "request_hash": keys.request_hash(b'{"a": 1}'),
        "status_code": 201,
        "response_body": "{}",
        "created_at": now,
        "expires_at": now + timedelta(hours=1),
    }
