"""The card check in a real browser: a genuine card shows green, a forged one red, a revoked one amber."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from himaccess.cards import actions
from himaccess.cards.tests.conftest import AshaCards, resign
from himaccess.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# site.css: .verdict.genuine, the red of .verdict, and .verdict.caution.
GREEN, GREEN_EDGE = "rgb(238, 247, 239)", "rgb(30, 107, 47)"
RED, RED_EDGE = "rgb(251, 238, 238)", "rgb(138, 28, 28)"
AMBER, AMBER_EDGE = "rgb(255, 244, 224)", "rgb(138, 83, 0)"


def _check(page: Page, qr_text: str) -> tuple[str, str, str, str]:
    """The verdict's class, background, left edge colour and heading after pasting the code."""
    page.goto("/cards/verify/")
    page.get_by_label("Text of the QR code").fill(qr_text)
    page.get_by_role("button", name="Verify", exact=True).click()
    verdict = page.get_by_role("status").filter(has=page.locator("h2"))
    style = verdict.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderLeftColor]"
    )
    return verdict.get_attribute("class") or "", style[0], style[1], verdict.locator("h2").inner_text()


def test_genuine_is_green_and_forged_is_red(
    browser: Browser, live_server: LiveServer, personas: Personas, asha_cards: AshaCards
) -> None:
    page = browser.new_context(base_url=live_server.url, locale="en-IN").new_page()

    tone, background, edge, heading = _check(page, asha_cards.ravi.qr_text)
    assert tone.split() == ["verdict", "genuine"]
    assert (background, edge) == (GREEN, GREEN_EDGE)
    assert "Genuine card" in heading

    forged = resign(asha_cards.ravi.qr_text, Ed25519PrivateKey.generate())
    tone, background, edge, heading = _check(page, forged)
    assert tone.split() == ["verdict", "not-genuine"]
    assert (background, edge) == (RED, RED_EDGE)
    assert "Not a genuine card" in heading


def test_revoked_is_neither_green_nor_the_red_of_a_forgery(
    browser: Browser, live_server: LiveServer, personas: Personas, asha_cards: AshaCards
) -> None:
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)
    page = browser.new_context(base_url=live_server.url, locale="en-IN").new_page()

    tone, background, edge, heading = _check(page, asha_cards.ravi.qr_text)

    assert tone.split() == ["verdict", "caution"]
    assert (background, edge) == (AMBER, AMBER_EDGE)
    assert "Card revoked" in heading
