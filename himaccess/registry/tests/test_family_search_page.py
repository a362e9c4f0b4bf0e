"""The officials' family search page: IDs, mobile numbers and names in either script, within scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from himaccess.conftest import ClientResponse, Personas

pytestmark = pytest.mark.django_db


def search(client: Client, q: str) -> ClientResponse:
    return client.get(reverse("registry:search"), {"q": q})


@pytest.mark.parametrize("query", ["आशा देवी", "Asha Devi", "asha devee", "9816000001"])
def test_tehsildar_finds_asha_by_name_in_either_script_or_mobile(personas: Personas, query: str) -> None:
    response = search(personas.client_for(personas.meena), query)
    assert response.status_code == 200
    assert personas.asha_family.display_id in response.content.decode()


def test_family_id_typed_with_spaces_is_found(personas: Personas) -> None:
    response = search(personas.client_for(personas.meena), personas.asha_family.display_id)
    assert personas.asha_family.display_id in response.content.decode()


def test_official_of_another_district_finds_nothing_of_mandi(personas: Personas) -> None:
    response = search(personas.client_for(personas.vikram), "Asha Devi")
    assert response.status_code == 200
    assert personas.asha_family.display_id not in response.content.decode()


def test_citizens_cannot_search_the_register(personas: Personas) -> None:
    assert search(personas.client_for(personas.asha), "Karan").status_code == 404


def test_mistyped_id_gets_a_clear_message(personas: Personas) -> None:
    family_id = personas.asha_family.family_id
    wrong = family_id[:-1] + str((int(family_id[-1]) + 1) % 10)
    response = search(personas.client_for(personas.meena), wrong)
    assert response.status_code == 400
    assert "check its digits" in response.content.decode()


def test_oversize_query_is_refused(personas: Personas) -> None:
    assert search(personas.client_for(personas.meena), "x" * 500).status_code == 400
