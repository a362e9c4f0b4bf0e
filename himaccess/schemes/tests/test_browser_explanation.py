"""In Chromium: Asha reads why she appears eligible for the widow pension, in English and then Hindi.

Each condition is a sentence nested under its group and indented on screen; the condition that
she receives no other pension (a ``not`` in the rule) reads positively and is ticked.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from himaccess.browser import accessibility_violations, logged_in_page
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.tests.conftest import SchemePeople

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A condition's own item: one with no conditions inside it.
CONDITION = ".scheme-clauses li:not(:has(li))"


def _check(page: Page, *, negation: str, group: str, flat_words: tuple[str, ...]) -> None:
    main = page.inner_text("main")
    for word in flat_words:
        assert word not in main
    item = page.locator(CONDITION, has_text=negation)
    assert item.count() == 1
    text = item.inner_text()
    assert "✔" in text and "✘" not in text
    # Nested as the rule nests, and indented as it is nested.
    heading = page.locator(".scheme-clauses > li > .clause-text")
    assert heading.inner_text() == group
    heading_box, item_box = heading.bounding_box(), item.locator(".clause-text").bounding_box()
    assert heading_box is not None and item_box is not None
    assert item_box["x"] > heading_box["x"]
    assert accessibility_violations(page) == []


def test_asha_reads_her_eligibility_as_sentences_in_english_and_hindi(
    browser: Browser, live_server: LiveServer, people: SchemePeople
) -> None:
    asha = people.p.member(people.p.asha)
    reevaluation.reevaluate_member(asha, trigger="test")
    page = logged_in_page(browser, live_server, people.p.client_for(people.p.asha))
    page.goto(f"/schemes/members/{asha.member_id}/widow_destitute_ekal_nari_pension/")
    assert "You appear eligible" in page.inner_text("main")
    _check(
        page,
        negation="Does not receive another social-security pension",
        group="All of these conditions:",
        flat_words=("This must NOT hold", "does not hold", "✔ holds"),
    )
    widowed = page.locator(CONDITION, has_text="Marital status is one of: Widowed").inner_text()
    assert "Family register (Panchayat secretary)" in widowed and "recorded " in widowed

    page.get_by_role("button", name="हिन्दी").click()
    assert page.locator("html").get_attribute("lang") == "hi"
    assert "आप पात्र दिखते हैं" in page.inner_text("main")
    _check(
        page,
        negation="कोई अन्य सामाजिक सुरक्षा पेंशन नहीं मिल रही है",
        group="ये सभी शर्तें:",
        flat_words=("NOT", "नहीं होनी चाहिए", "All of these"),
    )
    widowed = page.locator(CONDITION, has_text="वैवाहिक स्थिति इनमें से एक है: विधवा").inner_text()
    assert "परिवार रजिस्टर (पंचायत सचिव)" in widowed and "को दर्ज" in widowed
