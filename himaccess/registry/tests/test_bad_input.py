"""Bad input gets a clear 4xx in the user's language and writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from himaccess.conftest import Personas
from himaccess.registry.models import ChangeRequest, Family, RegisterChange

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return ChangeRequest.objects.count(), RegisterChange.objects.count()


def new_request_url(family: Family, kind: str) -> str:
    return reverse("registry:new_change_request", args=[family.family_id, kind])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date_of_birth": "2023-02-30"}, "Enter a valid date"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "1800-01-01"}, "more than 120 years"),
        ({"name_en": "X" * 150}, "at most 100"),
        ({"name_en": "Ravi<script>"}, "Latin letters only"),
        ({"name_hi": "Ravi", "name_en": ""}, "Devanagari"),
        ({"name_hi": "", "name_en": ""}, "Hindi or in English"),
        ({"gender": "Q"}, "Select a valid choice"),
    ],
)
def test_birth_form_rejects_bad_values(personas: Personas, data: dict[str, str], message: str) -> None:
    before = counts()
    payload = {
        "name_hi": "अनु",
        "name_en": "Anu",
        "gender": "F",
        "date_of_birth": "2024-01-01",
        "relation": "daughter",
    }
    payload.update(data)
    response = personas.client_for(personas.asha).post(
        new_request_url(personas.asha_family, "birth"), payload
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_errors_come_in_hindi_for_a_hindi_reader(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    payload = {"name_hi": "अनु", "gender": "F", "date_of_birth": "2999-01-01", "relation": "daughter"}
    response = client.post(new_request_url(personas.asha_family, "birth"), payload, HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 400
    assert "भविष्य" in response.content.decode()


def test_correction_to_a_pincode_of_another_district_is_refused(personas: Personas) -> None:
    before = counts()
    client = personas.client_for(personas.asha)
    response = client.post(
        new_request_url(personas.asha_family, "correction"),
        {"member_id": "", "field": "pincode", "new_value": "171001"},
    )
    assert response.status_code == 400
    assert "district" in response.content.decode()
    assert counts() == before


def test_unknown_kind_and_malformed_ids_are_404(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert client.get(new_request_url(personas.asha_family, "adoption")).status_code == 404
    assert client.get(reverse("registry:family", args=["F123"])).status_code == 404
    assert client.get(reverse("registry:change_request", args=["not-a-reference"])).status_code == 404


def test_marriage_out_to_an_unknown_family_is_refused(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    client = personas.client_for(personas.asha)
    for bad in ("F00000000000", "F 1234", "garbage"):
        response = client.post(
            new_request_url(personas.asha_family, "marriage_out"),
            {"member_id": ravi.member_id, "to_family_id": bad, "relation": "spouse"},
        )
        assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


def test_member_of_another_family_cannot_be_named(personas: Personas) -> None:
    karan = personas.member(personas.karan)
    response = personas.client_for(personas.asha).post(
        new_request_url(personas.asha_family, "death"), {"member_id": karan.member_id, "date": "2024-01-01"}
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()
