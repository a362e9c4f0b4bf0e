"""In a real browser: Sunita registers a caller's complaint; Asha confirms from the SMS link."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from himaccess.browser import logged_in_page
from himaccess.grievances import actions, confirmation
from himaccess.grievances.models import Complaint
from himaccess.grievances.tests.conftest import Ladder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sunita_registers_a_call_and_reads_back_the_reference(
    browser: Browser, live_server: LiveServer, ladder: Ladder
) -> None:
    page = logged_in_page(browser, live_server, ladder.personas.client_for(ladder.personas.sunita))
    page.goto("/grievances/console/")
    page.get_by_label("Caller's mobile number").fill("9816000001")
    page.get_by_label("Caller's name").fill("Asha Devi")
    page.get_by_label("What is the complaint about?").select_option("revenue-mutation-delay")
    page.get_by_label("The complaint in the caller's words").fill("Intkal not entered for my land")
    page.get_by_role("button", name="Register the complaint").click()
    complaint = Complaint.objects.get()
    assert page.inner_text("#reference") == complaint.display_reference
    assert complaint.assignee == ladder.personas.meena and complaint.channel == "helpline"

    page.get_by_label("Reference number or caller's mobile").fill(complaint.reference)
    page.get_by_role("button", name="Look up").click()
    assert complaint.display_reference in page.inner_text("table")


def test_asha_confirms_from_the_sms_link(browser: Browser, live_server: LiveServer, ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    actions.resolve(complaint, note="Mutation entered on 3 March", acting_user=ladder.personas.meena)
    complaint.refresh_from_db()
    path = "/" + confirmation.url_for(complaint).split("/", 3)[3]
    page = browser.new_context(base_url=live_server.url, locale="en-IN").new_page()
    page.goto(path)
    assert "Mutation entered on 3 March" in page.inner_text("main")
    page.get_by_label("Yes, it is solved").check()
    page.get_by_role("button", name="Send my answer").click()
    assert page.inner_text("#status") == "Closed"
    complaint.refresh_from_db()
    assert complaint.closed_how == Complaint.ClosedHow.CONFIRMED
    again = page.goto(path)
    assert again is not None and again.status == 410
