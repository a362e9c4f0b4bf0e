"""WCAG 2.1 AA on the pages people use most, in both languages, checked with axe-core."""

from __future__ import annotations

import pytest
from django.urls import reverse

from himaccess.browser import accessibility_violations, logged_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_citizen_pages_have_no_wcag_violations(browser, live_server, personas, language):
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


def test_official_pages_have_no_wcag_violations(browser, live_server, personas):
    page = logged_in_page(browser, live_server, personas.client_for(personas.meena))
    page.goto(reverse("registry:new_change_request", args=[personas.asha_family.family_id, "death"]))
    page.goto(reverse("registry:queue"))
    assert accessibility_violations(page) == []
    page.goto(reverse("registry:search") + "?q=Asha")
    assert accessibility_violations(page) == []


def test_public_pages_have_no_wcag_violations(browser, live_server, db):
    page = browser.new_context(base_url=live_server.url).new_page()
    for url in (reverse("accounts:login"), reverse("accounts:citizen_login"), reverse("cards:verify")):
        page.goto(url)
        assert accessibility_violations(page) == [], url
