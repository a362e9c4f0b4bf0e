"""WCAG 2.1 AA on the pages people use most, in both languages, checked with axe-core."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from himaccess.browser import accessibility_violations, logged_in_page
from himaccess.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_citizen_pages_have_no_wcag_violations(
    browser: Browser, live_server: LiveServer, personas: Personas, language: str
) -> None:
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = language
    page = logged_in_page(browser, live_server, client)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    family = personas.asha_family
    for url in (
        reverse("home"),
        reverse("registry:family", args=[family.family_id]),
        reverse("registry:new_change_request", args=[family.family_id, "birth"]),
        reverse("registry:new_change_request", args=[family.family_id, "split"]),
    ):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert accessibility_violations(page) == [], url


def test_official_pages_have_no_wcag_violations(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    page = logged_in_page(browser, live_server, personas.client_for(personas.meena))
    page.goto(reverse("registry:new_change_request", args=[personas.asha_family.family_id, "death"]))
    page.goto(reverse("registry:queue"))
    assert accessibility_violations(page) == []
    page.goto(reverse("registry:search") + "?q=Asha")
    assert accessibility_violations(page) == []


def test_public_pages_have_no_wcag_violations(browser: Browser, live_server: LiveServer, db: None) -> None:
    page = browser.new_context(base_url=live_server.url).new_page()
    for url in (reverse("accounts:login"), reverse("accounts:citizen_login"), reverse("cards:verify")):
        page.goto(url)
        assert accessibility_violations(page) == [], url
