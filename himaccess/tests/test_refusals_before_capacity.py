"""Requests refused for what they carry are refused before load shedding: they never take nor wait for a slot.

With the process's one slot held by a request in progress and a queue of a
second, a body too large is still a 413, a control character or JSON nested
too deep a 400, each at once; a good request waits its queue time and gets
the 503 with Retry-After. A body too large is refused having read none of
it (or, its length unstated, no more than the limit and a byte).
"""

from __future__ import annotations

import time
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from himaccess.grievances.models import Complaint
from himaccess.tests.test_capacity import one_request_in_progress, shedding

pytestmark = pytest.mark.django_db

__all__ = ["shedding"]  # the fixture, used by name

QUEUE_SECONDS = 1.0
APPLICATIONS = "/api/v1/services/applications"
OVERSIZE = b'{"service": "' + b"x" * 3_000_000 + b'"}'


@pytest.fixture
def queued(shedding: Settings) -> Settings:
    """A request finding the one slot taken waits up to a second for it before the 503."""
    shedding.CAPACITY_QUEUE_MILLISECONDS = int(QUEUE_SECONDS * 1000)
    return shedding


def _post_json(client: Client, body: bytes, **environ: Any) -> tuple[int, float, BytesIO]:
    """A JSON POST whose body arrives as gunicorn hands it over; its status, time taken and stream."""
    stream = BytesIO(body)
    started = time.monotonic()
    response = client.generic(
        "POST",
        APPLICATIONS,
        body,
        content_type="application/json",
        **{"wsgi.input": stream, "wsgi.input_terminated": True, **environ},
    )
    return response.status_code, time.monotonic() - started, stream


def test_an_oversize_body_is_413_at_once_while_every_slot_is_taken(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        status, elapsed, stream = _post_json(client, OVERSIZE)
    assert status == 413
    assert elapsed < QUEUE_SECONDS / 2
    assert stream.tell() == 0, "the body was read although its stated length is refused"


def test_an_oversize_body_of_unstated_length_is_read_no_further_than_the_limit(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        status, elapsed, stream = _post_json(client, OVERSIZE, CONTENT_LENGTH="")
    assert status == 413
    assert elapsed < QUEUE_SECONDS / 2
    assert stream.tell() <= queued.JSON_BODY_MAX_BYTES + 1


def test_an_oversize_form_is_413_at_once_while_every_slot_is_taken(queued: Settings) -> None:
    client = Client()
    body = b"description=" + b"x" * (queued.MAX_REQUEST_BYTES + 1)
    with one_request_in_progress(client):
        started = time.monotonic()
        response = client.post("/grievances/new/", body, content_type="application/x-www-form-urlencoded")
        elapsed = time.monotonic() - started
    assert response.status_code == 413
    assert elapsed < QUEUE_SECONDS / 2
    assert not Complaint.objects.exists()


def test_a_control_character_is_400_at_once_while_every_slot_is_taken(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        started = time.monotonic()
        in_address = client.get("/services/catalogue/", {"q": "a\x00b"})
        in_json = client.post(APPLICATIONS, b'{"service": "CERT-05\\u0000"}', content_type="application/json")
        elapsed = time.monotonic() - started
    assert in_address.status_code == 400
    assert in_json.status_code == 400
    assert elapsed < QUEUE_SECONDS / 2


def test_json_nested_too_deep_is_400_at_once_while_every_slot_is_taken(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        status, elapsed, _stream = _post_json(client, b"[" * 5000 + b"]" * 5000)
    assert status == 400
    assert elapsed < QUEUE_SECONDS / 2


def test_a_good_request_still_waits_its_queue_time_then_gets_503_with_retry_after(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        started = time.monotonic()
        response = client.get("/api/v1/services/catalogue")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response.json()["code"] == "over_capacity"
    assert elapsed >= QUEUE_SECONDS * 0.9


def test_a_good_json_post_still_gets_503_not_a_refusal_of_its_body(queued: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        status, _elapsed, _stream = _post_json(client, b'{"service": "CERT-05"}')
    assert status == 503
