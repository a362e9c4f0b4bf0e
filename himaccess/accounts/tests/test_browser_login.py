"""Logging in through the real pages in a real browser."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from himaccess.accounts import totp
from himaccess.accounts.models import TotpDevice
from himaccess.accounts.testing import last_code_sent_to
from himaccess.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_logs_in_with_a_code_and_sees_only_her_family(
    browser: Browser, live_server: LiveServer, personas: Personas, settings: Settings
) -> None:
    settings.SMS_BACKEND = "memory"
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="I am a resident").click()
    page.get_by_label("Mobile number").fill("9816000001")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code").fill(last_code_sent_to("9816000001"))
    page.get_by_role("button", name="Log in").click()
    page.goto("/register/my-family/")
    assert personas.asha_family.display_id in page.inner_text("h1")
    response = page.goto(f"/register/families/{personas.karan_family.family_id}/")
    assert response is not None and response.status == 404


def test_official_enrols_an_authenticator_on_first_login(
    browser: Browser, live_server: LiveServer, personas: Personas
) -> None:
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/accounts/official/")
    page.get_by_label("Username").fill("meena")
    page.get_by_label("Password").fill("x-unused-password")
    page.get_by_role("button", name="Continue").click()
    assert "/accounts/official/enrol/" in page.url
    device = TotpDevice.objects.get(user=personas.meena)
    assert device.secret in page.inner_text("main").replace(" ", "")
    page.get_by_label("Code").fill(totp.code_at(device.secret, time.time()))
    page.get_by_role("button", name="Confirm and log in").click()
    page.goto("/register/queue/")
    assert page.get_by_role("heading", name="Change requests to decide").is_visible()
