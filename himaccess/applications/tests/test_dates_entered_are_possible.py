"""Dates in a service's form are dates that can be: no future calamity, no appointment in the past.

A date field says when its date lies (``when`` in the definition): ``past``
for something that happened, ``upcoming`` for an appointment; either way no
date before 1900 and none more than a year ahead.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from himaccess.applications.models import Application
from himaccess.applications.tests.test_bad_input import draft_for, post_form
from himaccess.catalog.models import Service
from himaccess.conftest import ClientResponse, Personas

pytestmark = pytest.mark.django_db

TODAY = date(2025, 8, 10)


def report_calamity(personas: Personas, event_date: str, language: str = "en") -> ClientResponse:
    client: Client = personas.client_for(personas.asha)
    return client.post(
        "/api/v1/services/applications",
        {
            "service": "REV-03",
            "member_id": personas.member(personas.asha).member_id,
            "answers": {
                "event_date": event_date,
                "calamity": "landslide",
                "damage": "Cowshed wall",
                "estimated_loss": 40000,
            },
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_the_shipped_forms_say_when_their_dates_lie() -> None:
    when = {
        (service.code, field["name"]): field["when"]
        for service in Service.objects.select_related("current_version")
        if service.current_version
        for field in service.current_version.form_fields
        if field["type"] == "date"
    }
    assert when[("REV-03", "event_date")] == "past"
    assert when[("REV-07", "appointment_date")] == "upcoming"
    assert set(when.values()) <= {"past", "upcoming"}, "every shipped date field says when it lies"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("event_date", "message"),
    [
        ("2099-01-01", "event_date: The date cannot be in the future."),
        ("2025-08-11", "event_date: The date cannot be in the future."),
        ("1899-12-31", "event_date: The date cannot be before 1900."),
        ("0001-01-01", "event_date: The date cannot be before 1900."),
    ],
)
def test_a_calamity_that_cannot_have_happened_is_refused(
    personas: Personas, event_date: str, message: str
) -> None:
    response = report_calamity(personas, event_date)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Application.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_refusal_is_in_hindi_for_a_hindi_reader(personas: Personas) -> None:
    response = report_calamity(personas, "2099-01-01", language="hi")
    assert "तारीख़ भविष्य की नहीं हो सकती।" in response.json()["detail"]


@time_machine.travel(TODAY, tick=False)
def test_yesterdays_calamity_is_reported(personas: Personas) -> None:
    response = report_calamity(personas, "2025-08-09")
    assert response.status_code == 201, response.content
    assert Application.objects.get().answers["event_date"] == "2025-08-09"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("appointment", "message"),
    [
        ("2025-08-09", "The date cannot be in the past."),
        ("2026-09-01", "The date cannot be after 11-08-2026."),
        ("2099-01-01", "The date cannot be after 11-08-2026."),
    ],
)
def test_an_appointment_must_lie_ahead_within_a_year(
    personas: Personas, appointment: str, message: str
) -> None:
    application = draft_for(personas, "REV-07")
    response = post_form(
        personas, application, {"deed": "sale", "other_party": "Mohan Lal", "appointment_date": appointment}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_next_week_is_accepted(personas: Personas) -> None:
    application = draft_for(personas, "REV-07")
    response = post_form(
        personas, application, {"deed": "sale", "other_party": "Mohan Lal", "appointment_date": "2025-08-17"}
    )
    page = response.content.decode()
    assert "The date cannot" not in page
    assert "Attach the required documents" in page  # the date passed; the deed itself is still missing
