"""Two departments' clients, a purpose each, and tokens got through the real token endpoint.

- ``pension``: Social Justice's client, purpose ``pension-check`` (consent; identity, family, category).
- ``health``: Health's client, purpose ``health-card`` (consent; identity, contact).
- ``census``: Social Justice's purpose ``pension-audit`` with a legal basis (identity only).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from himaccess.notifications import sms
from himaccess.sharing.models import DataClient, Purpose
from himaccess.sharing.testing import make_data_client, make_purpose

TOKEN_URL = "/o/department/token/"
API = "/api/v1/department"


@dataclass
class Dept:
    client: DataClient
    secret: str
    purpose: Purpose

    @property
    def client_id(self) -> str:
        return self.client.client_id


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(client_id: str, secret: str, scope: str = "register.verify register.read") -> Any:
    return Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )


def bearer(dept: Dept, scope: str = "register.verify register.read") -> Client:
    response = token_for(dept.client_id, dept.secret, scope)
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> Iterator[list[sms.OutgoingSms]]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def pension(db: Any) -> Dept:
    purpose = make_purpose("pension-check", department_code="social_justice")
    audit = make_purpose(
        "pension-audit",
        department_code="social_justice",
        groups=("identity",),
        legal_basis="HP Social Security Pension Rules, 2010, rule 9 (annual verification)",
    )
    client, secret = make_data_client(
        "Pension DBT", department_code="social_justice", purposes=[purpose, audit]
    )
    return Dept(client, secret, purpose)


@pytest.fixture
def health(db: Any) -> Dept:
    purpose = make_purpose("health-card", department_code="health", groups=("identity", "contact"))
    client, secret = make_data_client(
        "Health card", department_code="health", purposes=[purpose], groups=("identity", "contact")
    )
    return Dept(client, secret, purpose)
