"""A state administrator registers a department client in the admin, and rotates its secret there."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from himaccess.accounts import actions as accounts
from himaccess.accounts.testing import login_official
from himaccess.sharing.models import ClientSecret, DataClient
from himaccess.sharing.testing import make_purpose
from himaccess.sharing.tests.conftest import token_for

PASSWORD = "A long passphrase for the state keeper 42"


@pytest.fixture
def admin_browser(db: Any) -> Client:
    keeper = accounts.create_official("state.keeper", PASSWORD, staff=True, acting_user=None)
    keeper.is_superuser = True
    keeper.save()
    browser = Client()
    login_official(browser, keeper, PASSWORD)
    return browser


def _shown(page: Any, label: str) -> str:
    match = re.search(label + r"</dt><dd><code>([^<]+)</code>", page.content.decode())
    assert match, page.content.decode()[:2000]
    return match.group(1)


def test_register_then_rotate_in_the_admin(admin_browser: Client) -> None:
    purpose = make_purpose("pension-check")
    added = admin_browser.post(
        "/admin/sharing/dataclient/add/",
        {
            "name": "Pension DBT",
            "name_hi": "पेंशन डीबीटी",
            "department": "social_justice",
            "purposes": [purpose.pk],
            "groups": ["identity", "family"],
            "requests_per_minute": "300",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert added.status_code == 200
    client_id, secret = _shown(added, "Client ID"), _shown(added, "Client secret")
    client = DataClient.objects.get(application__client_id=client_id)
    assert client.groups() == ["identity", "family"] and client.registered_by is not None
    assert token_for(client_id, secret).status_code == 200

    rotated = admin_browser.post(
        "/admin/sharing/dataclient/",
        {"action": "rotate_secret", "_selected_action": [client.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    new = _shown(rotated, "Client secret")
    assert new != secret
    assert ClientSecret.objects.live().filter(client=client).count() == 2
    assert token_for(client_id, new).status_code == 200 and token_for(client_id, secret).status_code == 200


def test_admin_refuses_another_departments_purpose(admin_browser: Client) -> None:
    foreign = make_purpose("health-card", department_code="health")
    page = admin_browser.post(
        "/admin/sharing/dataclient/add/",
        {
            "name": "Sneaky",
            "department": "social_justice",
            "purposes": [foreign.pk],
            "groups": ["identity"],
            "requests_per_minute": "300",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "another department" in page.content.decode()
    assert not DataClient.objects.exists()
