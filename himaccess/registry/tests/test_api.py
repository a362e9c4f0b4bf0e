"""The register's read API: scoped, explicit fields, clear errors."""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_official_reads_family_in_jurisdiction_and_the_read_is_logged(personas: Personas) -> None:
    family = personas.asha_family
    response = personas.client_for(personas.meena).get(f"/api/v1/families/{family.family_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["family_id"] == family.family_id
    assert {m["name_en"] for m in body["members"]} == {"Asha Devi", "Ravi Kumar"}
    assert "bank_account" not in body["members"][0] and "mobile" not in body["members"][0]
    assert DataAccess.objects.for_family(family).exists()


def test_citizen_reads_own_family_without_access_log(personas: Personas) -> None:
    family = personas.asha_family
    response = personas.client_for(personas.ravi).get(f"/api/v1/families/{family.display_id}")
    assert response.status_code == 200
    assert not DataAccess.objects.for_family(family).exists()


@pytest.mark.parametrize("who", ["karan", "vikram"])
def test_outside_scope_is_404(personas: Personas, who: str) -> None:
    client = personas.client_for(getattr(personas, who))
    member = personas.member(personas.asha)
    assert client.get(f"/api/v1/families/{personas.asha_family.family_id}").status_code == 404
    assert client.get(f"/api/v1/members/{member.member_id}").status_code == 404


def test_anonymous_is_401(personas: Personas, client: Client) -> None:
    assert client.get(f"/api/v1/families/{personas.asha_family.family_id}").status_code == 401


def test_malformed_id_is_422_with_a_message_in_the_readers_language(personas: Personas) -> None:
    client = personas.client_for(personas.meena)
    response = client.get("/api/v1/families/F12345678901")
    assert response.status_code == 422
    assert "Family ID" in response.json()["detail"]
    hindi = client.get("/api/v1/members/M1", HTTP_ACCEPT_LANGUAGE="hi")
    assert hindi.status_code == 422
    assert "सदस्य" in hindi.json()["detail"]


def test_openapi_document_is_published(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/families/{family_id}" in response.json()["paths"]
