"""Answers that may carry personal data are never stored by a browser or a proxy; public ones may be."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _not_stored(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_pages_for_a_logged_in_citizen_are_not_stored(personas: Any) -> None:
    asha = personas.client_for(personas.asha)
    family_page = asha.get(f"/register/families/{personas.asha_family.family_id}/")
    assert family_page.status_code == 200 and _not_stored(family_page)
    assert _not_stored(asha.get("/my-apps/"))
    assert _not_stored(asha.get("/"))  # the header names the person's own pages


def test_pages_for_a_logged_in_official_are_not_stored(personas: Any) -> None:
    meena = personas.client_for(personas.meena)
    page = meena.get(f"/register/families/{personas.asha_family.family_id}/")
    assert page.status_code == 200 and _not_stored(page)


def test_api_answers_are_not_stored_whoever_asks(personas: Any) -> None:
    path = f"/api/v1/families/{personas.asha_family.family_id}"
    mine = personas.client_for(personas.asha).get(path)
    assert mine.status_code == 200 and _not_stored(mine)
    refused = Client().get(path)
    assert refused.status_code == 401 and _not_stored(refused)


def test_answers_to_a_post_are_not_stored(db: Any) -> None:
    asked = Client().post("/accounts/citizen/", {"mobile": "9999912345"})
    assert asked.status_code == 302 and _not_stored(asked)
    malformed = Client().post("/accounts/citizen/", {"mobile": "12"})
    assert malformed.status_code == 400 and _not_stored(malformed)


def test_openid_answers_are_not_stored(db: Any) -> None:
    userinfo = Client().get("/o/userinfo/")
    assert userinfo.status_code == 401 and _not_stored(userinfo)


@pytest.mark.parametrize(
    "path",
    [
        "/cards/keys.json",
        "/cards/revocations.json",
        "/api/v1/cards/keys",
        "/api/v1/cards/revocations",
        "/o/.well-known/jwks.json",
        "/o/.well-known/openid-configuration",
    ],
)
def test_public_documents_keep_their_public_cache_header_even_for_a_logged_in_person(
    personas: Any, path: str
) -> None:
    for client in (Client(), personas.client_for(personas.asha)):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_anonymous_public_pages_are_left_to_the_browser(db: Any) -> None:
    for path in ("/", "/grievances/dashboard/", "/grievances/track/"):
        response = Client().get(path)
        assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", ""), path
