"""The citizen's "my apps" page: listed applications to open, and consents to withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaccess.integrations.tests.conftest import Flow

pytestmark = pytest.mark.django_db


def test_my_apps_lists_launchable_apps_and_given_consents(
    personas: Any, pension_app: Any, narrow_app: Any
) -> None:
    flow = Flow(browser=personas.client_for(personas.asha), registered=pension_app)
    flow.code_from(flow.consent(flow.authorize_url()))
    page = flow.browser.get("/my-apps/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="https://pension.example.gov.in/"' in html
    assert "Tourism Permits" not in html  # not listed, no consent
    assert "Withdraw consent" in html


def test_my_apps_in_hindi(personas: Any, pension_app: Any) -> None:
    browser = personas.client_for(personas.asha)
    page = browser.get("/my-apps/", HTTP_ACCEPT_LANGUAGE="hi")
    assert "सामाजिक सुरक्षा पेंशन" in page.content.decode()


def test_my_apps_needs_a_login(db: Any) -> None:
    assert Client().get("/my-apps/").status_code == 302


def test_withdraw_needs_post(personas: Any) -> None:
    assert personas.client_for(personas.asha).get("/my-apps/consents/1/withdraw/").status_code == 405
