"""The pages people use most fit a phone (390 px) in both languages, and the header stays short.

Asha's family page (members, requests, history, who read it), Meena's work page, the change
requests queue and the home page: nothing is wider than the screen, tables become labelled
blocks, and the header (menu folded, language and log out in reach) is under 120 px tall.
On a desktop the menu is shown open. A refused form starts at its error summary.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from himaccess.audit import access
from himaccess.browser import logged_in_page
from himaccess.conftest import Personas
from himaccess.registry.change_requests import filing
from himaccess.registry.models import ChangeRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
HEADER_HEIGHT = "document.querySelector('header.site').getBoundingClientRect().height"
PAGE_WIDTH = "document.documentElement.scrollWidth"


def _open(browser: Browser, live_server: LiveServer, client: Any, language: str, size: ViewportSize) -> Page:
    page: Page
    if client is None:
        page = browser.new_context(base_url=live_server.url).new_page()
    else:
        page = logged_in_page(browser, live_server, client)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size(size)
    return page


def _busy_family(personas: Personas) -> None:
    """Asha's family with a request, a history and officials' reads, as a family page has after a while."""
    filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.BIRTH,
        {
            "name_en": "Anu",
            "name_hi": "अनु",
            "gender": "F",
            "date_of_birth": "2025-01-15",
            "relation": "granddaughter",
            "mother": "",
            "father": "",
        },
        requested_by=personas.asha,
    )
    access.record_read(family=personas.asha_family, purpose="register administration", user=personas.meena)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_pages_fit_a_phone_and_the_header_is_short(
    browser: Browser, live_server: LiveServer, personas: Personas, language: str
) -> None:
    _busy_family(personas)
    family = reverse("registry:family", args=[personas.asha_family.family_id])
    visits = [
        (personas.client_for(personas.asha), family),
        (personas.client_for(personas.asha), reverse("home")),
        (personas.client_for(personas.meena), reverse("home")),  # the official's work page
        (personas.client_for(personas.meena), family),
        (personas.client_for(personas.meena), reverse("registry:queue")),
        (None, reverse("home")),
    ]
    for client, url in visits:
        page = _open(browser, live_server, client, language, PHONE)
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate(PAGE_WIDTH) <= PHONE["width"], url
        assert page.evaluate(HEADER_HEIGHT) < 120, url
        page.context.close()


def test_on_a_phone_the_menu_opens_and_log_out_is_in_reach(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    page = _open(browser, live_server, personas.client_for(personas.meena), "en", PHONE)
    page.goto(reverse("home"))
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("button", name="हिन्दी").is_visible()
    search = page.get_by_role("navigation").get_by_role("link", name="Family search")
    assert not search.is_visible()
    page.get_by_text("Menu", exact=True).click()
    search.click()
    assert page.url.endswith(reverse("registry:search"))
    page.context.close()


def test_on_a_desktop_the_menu_is_open_without_a_click(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    page = _open(browser, live_server, personas.client_for(personas.meena), "en", DESKTOP)
    page.goto(reverse("home"))
    assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.get_by_role("navigation").get_by_role("link", name="Family search").is_visible()
    assert page.evaluate(HEADER_HEIGHT) < 120
    page.context.close()


def test_stacked_rows_name_each_value(browser: Browser, live_server: LiveServer, personas: Personas) -> None:
    page = _open(browser, live_server, personas.client_for(personas.asha), "hi", PHONE)
    page.goto(reverse("registry:family", args=[personas.asha_family.family_id]))
    born = page.locator("table.stack").first.locator("td").nth(4)
    label = born.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "जन्म तिथि" in label
    assert born.inner_text().endswith("12-04-1978")
    page.context.close()


@pytest.mark.parametrize(("language", "problem"), [("en", "There is a problem"), ("hi", "एक समस्या है")])
def test_a_refused_form_starts_at_its_error_summary(
    browser: Browser, live_server: LiveServer, personas: Personas, language: str, problem: str
) -> None:
    page = _open(browser, live_server, personas.client_for(personas.asha), language, PHONE)
    page.goto(reverse("registry:new_change_request", args=[personas.asha_family.family_id, "birth"]))
    page.locator("#id_name_en").fill("Anu")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".govuk-error-summary")
    assert problem in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert summary.evaluate("s => s.getBoundingClientRect().top >= 0 && s.getBoundingClientRect().top < 844")
    assert page.locator("#id_name_en").input_value() == "Anu"
    summary.locator("a[href='#id_gender']").click()
    assert page.evaluate("document.activeElement.id") == "id_gender"
    page.context.close()
