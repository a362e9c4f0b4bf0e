"""JSON nested too deep or too large is refused at the edge, before any parser or database sees it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pytest_django import Settings

from himaccess.applications.models import Application
from himaccess.conftest import Personas
from himaccess.grievances.models import Complaint
from himaccess.schemes.models import Benefit

pytestmark = pytest.mark.django_db

LEDGER = "/api/v1/schemes/benefits"
COMPLAINTS = "/api/v1/grievances/complaints"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_hundred_thousand_deep_json_to_the_ledger_is_400_in_hindi(settings: Settings) -> None:
    response = Client().post(
        LEDGER,
        nested(100_000),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer any.token",
        HTTP_IDEMPOTENCY_KEY="deep-1",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"इसका JSON {settings.JSON_MAX_DEPTH} स्तरों से अधिक गहराई तक नेस्टेड है।",
        "code": "bad_request",
        "errors": [],
    }
    assert not Benefit.objects.exists()


def test_deep_json_sent_as_text_is_refused_too() -> None:
    # The ledger reads any body as JSON, whatever its declared type.
    response = Client().post(LEDGER, nested(5000), content_type="text/plain")
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]


def test_the_depth_limit_is_exact(personas: Personas, settings: Settings) -> None:
    client = personas.client_for(personas.asha)
    limit = settings.JSON_MAX_DEPTH
    deepest_allowed = {"category": "x", "description": "y", "location": json.loads(nested(limit - 1))}
    response = client.post(COMPLAINTS, json.dumps(deepest_allowed), content_type="application/json")
    # It reached the endpoint, which answers for itself (this category does not exist).
    assert response.json() == {
        "detail": "There is no such complaint category.",
        "code": "bad_request",
        "errors": [],
    }
    one_more = {"category": "x", "description": "y", "location": json.loads(nested(limit))}
    response = client.post(COMPLAINTS, json.dumps(one_more), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Its JSON is nested more than {limit} levels deep.",
        "code": "bad_request",
        "errors": [],
    }
    assert not Complaint.objects.exists()


def test_brackets_inside_strings_do_not_count(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    body = {"category": "revenue-mutation-delay", "description": "[[[[" * 100 + '\\"{{{{' * 100}
    response = client.post(COMPLAINTS, json.dumps(body), content_type="application/json")
    assert response.status_code != 400, response.content


def test_a_body_over_the_limit_is_413_and_writes_nothing(personas: Personas, settings: Settings) -> None:
    client = personas.client_for(personas.asha)
    body = json.dumps(
        {"category": "revenue-mutation-delay", "description": "x" * settings.JSON_BODY_MAX_BYTES}
    )
    response = client.post(COMPLAINTS, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"It is larger than {settings.JSON_BODY_MAX_BYTES} bytes, the most this service accepts.",
        "code": "too_large",
        "errors": [],
    }
    assert not Complaint.objects.exists()


def test_an_oversize_form_is_413_on_a_bilingual_page(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = Client().post("/grievances/track/", {"reference": "G" * 20_000}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    page = response.content.decode()
    assert "The request is too large" in page and "अनुरोध बहुत बड़ा है" in page


def test_a_malformed_multipart_body_is_400() -> None:
    response = Client().post(
        "/grievances/track/",
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
        content_type="multipart/form-data",  # no boundary
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        '{"service": "\\ud800", "member_id": "M1"}',
        '{"service": "CERT-05", "answers": {"purpose": "a\\udfffb"}}',
        '{"\\ud83d": 1}',
    ],
)
def test_a_lone_surrogate_in_json_is_refused_at_the_edge(personas: Personas, body: str) -> None:
    """JSON can spell half a character ("\\ud800"); no database can store it, so it never gets that far."""
    client = personas.client_for(personas.asha)
    response = client.post("/api/v1/services/applications", body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Application.objects.exists()
