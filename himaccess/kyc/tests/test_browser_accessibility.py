"""WCAG 2.1 AA on the e-KYC pages, in both languages, checked with axe-core in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from himaccess.browser import accessibility_violations, logged_in_page
from himaccess.conftest import ASHA_PANCHAYAT, MANDI, Personas
from himaccess.kyc import actions, campaign
from himaccess.kyc.models import Method

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_citizen_ekyc_pages_have_no_wcag_violations(
    browser: Any, live_server: Any, personas: Personas, language: str
) -> None:
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = language
    page = logged_in_page(browser, live_server, client)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    asha = personas.member(personas.asha)
    for url in (reverse("kyc:index"), reverse("kyc:consent", args=[asha.member_id])):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert accessibility_violations(page) == [], url


def test_campaign_pages_have_no_wcag_violations(browser: Any, live_server: Any, personas: Personas) -> None:
    actions.verify_without_aadhaar(
        personas.member(personas.ravi), method=Method.PHYSICAL, acting_user=personas.suresh, note="camp"
    )
    campaign.recount()
    page = logged_in_page(browser, live_server, personas.client_for(personas.meena))
    for url in (
        reverse("kyc:campaign"),
        reverse("kyc:campaign") + f"?district={MANDI}",
        reverse("kyc:pending_list", args=[ASHA_PANCHAYAT]),
        reverse("kyc:reviews"),
    ):
        page.goto(url)
        assert accessibility_violations(page) == [], url
