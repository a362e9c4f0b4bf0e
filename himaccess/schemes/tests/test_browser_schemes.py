"""In a real browser: a citizen sees why she is eligible and accepts the offer; the officer sanctions."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from himaccess.browser import logged_in_page
from himaccess.schemes.models import Enrolment
from himaccess.schemes.tests.conftest import SchemePeople

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_see_why_eligible_then_accept_offer(
    browser: Browser, live_server: LiveServer, people: SchemePeople
) -> None:
    kamla = people.member(people.kamla)
    page = logged_in_page(browser, live_server, people.p.client_for(people.kamla))
    page.goto(f"/schemes/families/{kamla.family.family_id}/")
    page.get_by_role("link", name="Old Age Pension (State Social Security Pension)").first.click()
    main = page.inner_text("main")
    assert "You appear eligible" in main
    assert "Age (completed years) is at least 60" in main
    assert "1700" in main
    page.get_by_role("button", name="Accept and apply").click()
    assert "has been sent to the department's officer" in page.inner_text("main")
    enrolment = Enrolment.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")

    officer = logged_in_page(browser, live_server, people.p.client_for(people.priya))
    officer.goto("/schemes/queue/")
    officer.get_by_role("link", name=enrolment.reference).click()
    officer.get_by_label("Sanction").check()
    officer.get_by_role("button", name="Record the decision").click()
    assert "Sanctioned" in officer.inner_text("main")
