"""The register's pages in a real browser: a family reports a birth, the tehsildar approves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from himaccess.browser import logged_in_page
from himaccess.conftest import Personas
from himaccess.registry.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_birth_reported_by_family_and_approved_by_tehsildar(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    asha = logged_in_page(browser, live_server, personas.client_for(personas.asha))
    asha.goto("/register/my-family/")
    assert personas.asha_family.display_id in asha.inner_text("h1")
    asha.get_by_role("link", name="Birth").click()
    asha.get_by_label("Name in Hindi").fill("अनु")
    asha.get_by_label("Name in English").fill("Anu")
    asha.get_by_label("Gender").select_option("F")
    asha.get_by_label("Date of birth").fill("2025-01-15")
    asha.get_by_label("Relation to the head").select_option("granddaughter")
    asha.get_by_role("button", name="File the request").click()
    assert "has been filed" in asha.inner_text("main")
    reference = asha.url.rstrip("/").split("/")[-1]

    meena = logged_in_page(browser, live_server, personas.client_for(personas.meena))
    meena.goto("/register/queue/")
    meena.get_by_role("link", name=reference).click()
    meena.get_by_label("Approve").check()
    meena.get_by_role("button", name="Record the decision").click()
    assert "approved" in meena.inner_text("main").lower()

    asha.goto("/register/my-family/")
    assert "अनु" in asha.inner_text("table")
    assert Member.objects.filter(name_en="Anu", family=personas.asha_family).exists()


def test_family_page_switches_to_hindi(browser: Browser, live_server: LiveServer, personas: Personas) -> None:
    page = logged_in_page(browser, live_server, personas.client_for(personas.asha))
    page.goto("/register/my-family/")
    page.get_by_role("button", name="हिन्दी").click()
    assert page.locator("html").get_attribute("lang") == "hi"
    assert "सदस्य" in page.inner_text("main")


def test_tehsildar_of_another_district_sees_not_found(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    page = logged_in_page(browser, live_server, personas.client_for(personas.vikram))
    response = page.goto(f"/register/families/{personas.asha_family.family_id}/")
    assert response is not None and response.status == 404
