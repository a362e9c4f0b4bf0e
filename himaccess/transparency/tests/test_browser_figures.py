"""In a real browser: the figures pages and Meena's dashboard fit a phone and a desktop, in both languages.

Nothing is wider than the screen at 390 px or 1280 px, every chart is drawn
inside its column, and axe-core finds no WCAG 2.1 A/AA violation.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from himaccess.applications.tests.conftest import submit_character
from himaccess.browser import accessibility_violations, logged_in_page
from himaccess.grievances import actions as grievances
from himaccess.grievances.tests.conftest import Ladder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PAGE_WIDTH = "document.documentElement.scrollWidth"
WIDEST_CHART = (
    "Math.max(...[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().right))"
)


def _open(browser: Browser, live_server: LiveServer, client: Any, language: str, size: ViewportSize) -> Page:
    page: Page
    if client is None:
        page = browser.new_context(base_url=live_server.url).new_page()
    else:
        page = logged_in_page(browser, live_server, client)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size(size)
    return page


@pytest.mark.parametrize("language", ["en", "hi"])
def test_figures_and_dashboard_fit_and_pass_axe(
    browser: Browser, live_server: LiveServer, ladder: Ladder, language: str
) -> None:
    personas = ladder.personas
    complaint = ladder.file_for_asha()
    grievances.resolve(complaint, note="Entered", acting_user=personas.meena)
    submit_character(personas)
    visits = [
        (None, "/figures/"),
        (None, "/figures/complaints/?district=22"),
        (personas.client_for(personas.meena), "/figures/my-area/"),
    ]
    for client, url in visits:
        for size in (PHONE, DESKTOP):
            page = _open(browser, live_server, client, language, size)
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language
            assert page.evaluate(PAGE_WIDTH) <= size["width"], (url, size)
            if "figures/" in url and url != "/figures/":
                assert page.locator("svg.chart").count() >= 2, url
                assert page.evaluate(WIDEST_CHART) <= size["width"], (url, size)
            assert accessibility_violations(page) == [], (url, size, language)
            page.context.close()
