"""An official's dashboard shows their own area, and the overdue work in it that they can open.

Meena (tehsildar, Mandi) finds Asha's overdue application and complaint on
hers; Vikram (tehsildar, Kangra) finds neither, and his figures count none of
Mandi's. Citizens are refused, visitors are sent to log in. The work page
carries the area's headline figures and a link to the dashboard.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts.models import User
from himaccess.applications.models import Application
from himaccess.applications.tests.conftest import submit_character
from himaccess.conftest import MANDI_TEHSIL
from himaccess.geography.models import Tehsil
from himaccess.grievances.models import Complaint
from himaccess.grievances.tests.conftest import Ladder

pytestmark = pytest.mark.django_db
DASHBOARD = "/figures/my-area/"


def _overdue_work(ladder: Ladder) -> tuple[Application, Complaint, Any]:
    """Asha's application and complaint, both left past their time limit; returns a moment after."""
    application = submit_character(ladder.personas)
    complaint = ladder.file_for_asha()
    assert application.due_at is not None
    return application, complaint, max(application.due_at, complaint.due_at) + timedelta(hours=1)


def _hindi(client: Client) -> Client:
    client.cookies["django_language"] = "hi"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "hi"
    return client


def test_meena_sees_the_overdue_work_of_her_area_with_links(ladder: Ladder, prem: User) -> None:
    application, complaint, later = _overdue_work(ladder)
    with time_machine.travel(later, tick=False):
        page = ladder.personas.client_for(ladder.personas.meena).get(DASHBOARD)
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("applications:detail", args=[application.number]) in text
    assert reverse("grievances:detail", args=[complaint.reference]) in text
    assert application.display_number in text and complaint.display_reference in text
    headline = page.context["headline"]
    assert headline.applications.overdue == 1 and headline.complaints.overdue == 1
    assert headline.register.families == 2  # Asha's and Karan's, in Mandi tehsil; not Kangra's
    assert page.context["area"] == "Mandi"
    assert "no-store" in page["Cache-Control"]


def test_vikram_of_kangra_sees_none_of_mandis_lists_or_figures(ladder: Ladder) -> None:
    application, complaint, later = _overdue_work(ladder)
    with time_machine.travel(later, tick=False):
        # Meena's figures are cached first: Vikram's are his area's own, not hers.
        assert ladder.personas.client_for(ladder.personas.meena).get(DASHBOARD).status_code == 200
        page = ladder.personas.client_for(ladder.personas.vikram).get(DASHBOARD)
    assert page.status_code == 200
    text = page.content.decode()
    for private in (
        application.number,
        application.display_number,
        complaint.reference,
        complaint.display_reference,
    ):
        assert private not in text
    assert not page.context["late_applications"] and not page.context["late_complaints"]
    headline = page.context["headline"]
    assert headline.applications.received == 0 and headline.complaints.received == 0
    assert headline.register.families == 1  # Pushpa's, in Kangra tehsil
    assert page.context["area"] == "Kangra"


def test_a_state_official_also_sees_the_districts(ladder: Ladder) -> None:
    _overdue_work(ladder)
    page = ladder.personas.client_for(ladder.personas.sunita).get(DASHBOARD)
    assert page.status_code == 200
    titles = [figure.title for figure in page.context["figures"]]
    assert "Complaints by district" in titles
    assert page.context["headline"].register.families == 3
    meena = ladder.personas.client_for(ladder.personas.meena).get(DASHBOARD)
    assert "Complaints by district" not in [figure.title for figure in meena.context["figures"]]


def test_citizens_and_officials_without_a_posting_are_refused(ladder: Ladder, client: Client) -> None:
    personas = ladder.personas
    assert personas.client_for(personas.asha).get(DASHBOARD).status_code == 403
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    transferred = personas.vikram
    transferred.postings.update(ended_at=timezone.now())
    assert personas.client_for(User.objects.get(pk=transferred.pk)).get(DASHBOARD).status_code == 403
    assert personas.client_for(personas.meena).post(DASHBOARD).status_code == 405


def test_dashboard_in_hindi_names_the_area_in_hindi(ladder: Ladder) -> None:
    _application, _complaint, later = _overdue_work(ladder)
    with time_machine.travel(later, tick=False):
        page = _hindi(ladder.personas.client_for(ladder.personas.meena)).get(DASHBOARD)
    text = page.content.decode()
    assert '<html lang="hi"' in text
    tehsil = Tehsil.objects.get(pk=MANDI_TEHSIL).name_hi
    assert tehsil and page.context["area"] == tehsil
    assert "मण्डी" in text and ">Mandi<" not in text  # the district of the overdue rows
    assert "<svg" in text and 'class="govuk-table stack"' in text


def test_work_page_shows_the_areas_headline_and_links_to_the_dashboard(ladder: Ladder, prem: User) -> None:
    _overdue_work(ladder)
    client = ladder.personas.client_for(ladder.personas.meena)
    page = client.get("/")
    text = page.content.decode()
    assert "Your work" in text and "Mandi in figures" in text
    assert f'href="{DASHBOARD}"' in text and 'href="/figures/"' in text
    vikram = ladder.personas.client_for(ladder.personas.vikram).get("/").content.decode()
    assert "Kangra in figures" in vikram
    hindi = _hindi(client).get("/").content.decode()
    assert Tehsil.objects.get(pk=MANDI_TEHSIL).name_hi in hindi and "Applications to decide" not in hindi


def _queries(ladder: Ladder) -> int:
    cache.clear()  # the figures, and the sessions with them: log in afresh
    client = ladder.personas.client_for(ladder.personas.meena)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_overdue_lists(ladder: Ladder) -> None:
    _application, _complaint, later = _overdue_work(ladder)
    with time_machine.travel(later, tick=False):
        few = _queries(ladder)
    for code in ("revenue-jamabandi-error", "revenue-demarcation", "revenue-disaster-relief"):
        submit_character(ladder.personas)
        ladder.file_for_asha(code=code)
    with time_machine.travel(later, tick=False):
        many = _queries(ladder)
        page = ladder.personas.client_for(ladder.personas.meena).get(DASHBOARD)
    assert page.context["late_applications_count"] == 4 and page.context["late_complaints_count"] == 4
    assert few == many
