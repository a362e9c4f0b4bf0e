"""API errors speak the reader's language and keep machine-readable details."""

from __future__ import annotations

import pytest

from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_invalid_body_is_422_with_translated_messages(personas: Personas) -> None:
    client = personas.client_for(personas.sunita)
    for language, required in (("en", "This field is required."), ("hi", "यह जानकारी ज़रूरी है।")):
        response = client.post(
            "/api/v1/grievances/complaints",
            data="{}",
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors and all({"loc", "type", "msg"} <= set(item) for item in errors)
        assert required in {item["msg"] for item in errors}


def test_malformed_json_is_422_not_500(personas: Personas) -> None:
    client = personas.client_for(personas.sunita)
    response = client.post("/api/v1/grievances/complaints", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_unknown_object_is_404_in_the_readers_language(personas: Personas) -> None:
    client = personas.client_for(personas.meena)
    response = client.get("/api/v1/members/M00000000000", HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code in (404, 422)
