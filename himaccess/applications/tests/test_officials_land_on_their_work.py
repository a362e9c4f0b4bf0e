"""Officials land on their work, and no link an official is shown leads nowhere.

- Prem (patwari) finds Asha's character certificate application waiting on his work page,
  counted, and the count goes late when its time limit passes.
- Meena (tehsildar) has no family of her own: "my family" takes her to the family search and
  reads no family (the access log stays empty).
- A service page offers officials no "Apply" that would fail; Lalit (Lok Mitra) gets the assisted
  path; time limits read in working days and the appellate authority by its title.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from himaccess.accounts.models import User
from himaccess.applications.models import Application
from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_patwari_sees_the_waiting_application_on_his_work_page(
    personas: Personas, prem: User, submitted: Application
) -> None:
    page = personas.client_for(prem).get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your work" in text
    assert "Applications to decide" in text
    assert "1 waiting" in text
    assert "past its time limit" not in text
    assert "One window to the Government" not in text  # not the citizens' tiles

    assert submitted.due_at is not None
    with time_machine.travel(submitted.due_at + timedelta(hours=1)):
        late = personas.client_for(prem).get("/").content.decode()
    assert "1 past its time limit" in late


def test_work_page_in_hindi(personas: Personas, prem: User, submitted: Application) -> None:
    client = personas.client_for(prem)
    client.cookies["django_language"] = "hi"
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "आपका काम" in text
    assert "Applications to decide" not in text


def test_citizen_still_sees_the_tiles(personas: Personas) -> None:
    text = personas.client_for(personas.asha).get("/").content.decode()
    assert "One window to the Government" in text
    assert "Your work" not in text


def test_official_has_no_family_of_their_own(personas: Personas) -> None:
    client = personas.client_for(personas.meena)
    response = client.get(reverse("registry:my_family"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:search")
    assert client.get(reverse("registry:start"))["Location"] == reverse("registry:search")
    assert not DataAccess.objects.exists()


def test_register_front_door_takes_a_citizen_to_their_family(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert client.get("/register/")["Location"] == reverse("registry:my_family")
    assert client.get("/register/", follow=True).status_code == 200


def test_service_page_offers_officials_no_dead_apply_link(personas: Personas, lalit: User) -> None:
    page = personas.client_for(personas.meena).get(reverse("catalog:service", args=["CERT-05"]))
    text = page.content.decode()
    assert reverse("applications:apply", args=["CERT-05"]) not in text
    assert "Lok Mitra Kendra" in text
    operator = personas.client_for(lalit).get(reverse("catalog:service", args=["CERT-05"])).content.decode()
    assert reverse("applications:assisted") + "?service=CERT-05" in operator
    assert (
        personas.client_for(lalit).get(reverse("applications:assisted") + "?service=CERT-05").status_code
        == 200
    )


def test_official_typing_the_apply_address_is_told_why(personas: Personas) -> None:
    response = personas.client_for(personas.meena).get(reverse("applications:apply", args=["CERT-05"]))
    assert response.status_code == 403
    assert "Lok Mitra Kendra" in response.content.decode()
    assert not Application.objects.exists()


def test_officials_making_a_complaint_go_to_their_own_tools(personas: Personas) -> None:
    assert personas.client_for(personas.sunita).get(reverse("grievances:new"))["Location"] == reverse(
        "grievances:console"
    )
    assert personas.client_for(personas.meena).get(reverse("grievances:new"))["Location"] == reverse(
        "grievances:queue"
    )


def test_time_limits_in_working_days_and_appeal_by_title(personas: Personas) -> None:
    text = (
        personas.client_for(personas.asha).get(reverse("catalog:service", args=["CERT-05"])).content.decode()
    )
    assert "working hours" not in text
    assert "working days" in text
    assert ">sdm<" not in text and ": sdm" not in text


def test_every_link_on_an_officials_work_page_opens(
    personas: Personas, prem: User, submitted: Application
) -> None:
    client = personas.client_for(prem)
    text = client.get("/").content.decode()
    # Pages only: static files are served by the web server, not the test client.
    links = {link for link in re.findall(r'href="(/[^"#]*)"', text) if not link.startswith("/static/")}
    assert links
    for link in links:
        assert client.get(link).status_code in (200, 302), link
