"""Him Seva in a real browser: Asha applies for Ravi, two officials decide, she downloads the certificate."""

from __future__ import annotations

from typing import Any

import pytest

from himaccess.accounts.models import Level, Role
from himaccess.applications.models import Certificate
from himaccess.browser import logged_in_page
from himaccess.conftest import MANDI_TEHSIL, make_official

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_decide_and_download_the_certificate(
    browser: Any, live_server: Any, personas: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "memory"
    prem = make_official("prem", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    asha = logged_in_page(browser, live_server, personas.client_for(personas.asha))
    asha.goto("/services/?q=charitra")
    asha.get_by_role("link", name="Character certificate").click()
    asha.get_by_role("link", name="Apply").click()
    asha.get_by_label("Ravi Kumar").check()
    asha.get_by_role("button", name="Continue").click()
    assert asha.get_by_label("Name of the applicant (English)").input_value() == "Ravi Kumar"
    asha.get_by_label("Father's / husband's name").fill("Late Mohan Lal")
    asha.get_by_label("Purpose for which it is needed").fill("Police recruitment")
    asha.get_by_role("button", name="Submit application").click()
    number = asha.inner_text("#application-number")
    assert "Under process" in asha.inner_text("main")

    patwari = logged_in_page(browser, live_server, personas.client_for(prem))
    patwari.goto("/services/queue/")
    patwari.get_by_role("link", name=number).click()
    patwari.get_by_label("Action").select_option("verify")
    patwari.get_by_role("button", name="Record the action").click()
    assert "recorded" in patwari.inner_text("main")

    meena = logged_in_page(browser, live_server, personas.client_for(personas.meena))
    meena.goto("/services/queue/")
    meena.get_by_role("link", name=number).click()
    meena.get_by_label("Action").select_option("approve")
    meena.get_by_role("button", name="Record the action").click()

    asha.reload()
    assert "Approved" in asha.inner_text("main")
    with asha.expect_download() as download_info:
        asha.click("#download-certificate")
    download = download_info.value
    assert download.suggested_filename.startswith("certificate-C")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    certificate = Certificate.objects.get()
    verify = logged_in_page(browser, live_server, personas.client_for(personas.karan))
    verify.goto(f"/services/verify/?t={certificate.token}")
    assert "Genuine" in verify.inner_text("main")
