"""An officer's action form: nothing chosen for them, and a failed submission keeps what they wrote.

Prem (patwari) decides Asha's character certificate application for Ravi.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from himaccess.accounts.models import User
from himaccess.applications.models import Application
from himaccess.audit.models import AuditEntry
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

NOTE = "Visited the house on Tuesday; neighbours confirm the address."


def _post(personas: Personas, who: User, application: Application, data: dict[str, object]) -> str:
    response = personas.client_for(who).post(reverse("applications:act", args=[application.number]), data)
    assert response.status_code == 400
    return response.content.decode()


def test_the_form_starts_with_no_action_chosen(
    personas: Personas, prem: User, submitted: Application
) -> None:
    page = (
        personas.client_for(prem)
        .get(reverse("applications:detail", args=[submitted.number]))
        .content.decode()
    )
    assert '<option value="" selected>' in page


def test_no_action_chosen_keeps_the_note_and_says_so_at_the_top(
    personas: Personas, prem: User, submitted: Application
) -> None:
    page = _post(personas, prem, submitted, {"action": "", "version": submitted.version, "note": NOTE})
    assert page.index("There is a problem") < page.index("<h1")
    assert "Choose an action." in page
    assert NOTE in page
    before = submitted.version
    submitted.refresh_from_db()
    assert submitted.version == before and submitted.stage_role == "patwari"


def test_an_action_of_another_stage_is_refused_on_the_form(
    personas: Personas, prem: User, submitted: Application
) -> None:
    page = _post(personas, prem, submitted, {"action": "approve", "version": submitted.version, "note": NOTE})
    assert "not allowed at the application" in page
    assert NOTE in page


def test_hindi_summary(personas: Personas, prem: User, submitted: Application) -> None:
    client = personas.client_for(prem)
    client.cookies["django_language"] = "hi"
    response = client.post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "", "version": submitted.version, "note": NOTE},
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "समस्या" in page
    assert "There is a problem" not in page


def test_a_refused_submission_writes_nothing_and_puts_the_error_on_the_field(
    personas: Personas, prem: User, submitted: Application
) -> None:
    steps, entries = submitted.steps.count(), AuditEntry.objects.count()
    page = _post(personas, prem, submitted, {"action": "", "version": submitted.version, "note": NOTE})
    assert '<a href="#id_action">' in page
    assert 'id="id_action_error"' in page and 'aria-describedby="id_action_error"' in page
    assert "Not allowed" not in page
    assert submitted.steps.count() == steps and AuditEntry.objects.count() == entries
