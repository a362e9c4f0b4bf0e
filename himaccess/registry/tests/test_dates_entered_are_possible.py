"""Dates in a change request are dates that can be: no death in the future, none before 1900."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from himaccess.conftest import ClientResponse, Personas
from himaccess.registry.models import ChangeRequest
from himaccess.registry.tests.test_change_requests import file_birth

pytestmark = pytest.mark.django_db


def report(personas: Personas, kind: str, data: dict[str, str], language: str = "en") -> ClientResponse:
    client = personas.client_for(personas.asha)
    url = reverse("registry:new_change_request", args=[personas.asha_family.family_id, kind])
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


@time_machine.travel(date(2025, 8, 10), tick=False)
@pytest.mark.parametrize(
    ("kind", "when", "message"),
    [
        ("death", "2099-01-01", "The date cannot be in the future."),
        ("death", "2025-08-11", "The date cannot be in the future."),
        ("death", "1899-12-31", "The date cannot be before 1900."),
        ("migration_out", "2099-01-01", "The date cannot be in the future."),
        ("migration_out", "1800-01-01", "The date cannot be before 1900."),
    ],
)
def test_an_impossible_date_of_death_or_leaving_is_refused(
    personas: Personas, kind: str, when: str, message: str
) -> None:
    ravi = personas.member(personas.ravi)
    response = report(personas, kind, {"member_id": ravi.member_id, "date": when, "destination": "Delhi"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChangeRequest.objects.exists()


@time_machine.travel(date(2025, 8, 10), tick=False)
def test_a_birth_in_the_future_is_refused_in_hindi(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = "hi"
    response = file_birth(client, personas.asha_family, date_of_birth="2099-01-01")
    assert response.status_code == 400
    assert "तारीख़ भविष्य की नहीं हो सकती।" in response.content.decode()
    assert not ChangeRequest.objects.exists()


@time_machine.travel(date(2025, 8, 10), tick=False)
def test_yesterdays_death_is_filed(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    response = report(personas, "death", {"member_id": ravi.member_id, "date": "2025-08-09"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get().kind == ChangeRequest.Kind.DEATH
