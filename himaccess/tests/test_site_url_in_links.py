"""Links that leave the site (SMS, PDFs, QR codes) start with the deployment's base URL, port included."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from himaccess.applications.certificates import verification_url
from himaccess.lib import links
from himaccess.notifications import sms
from himaccess.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8123"


def test_absolute_addresses_use_site_url(settings: Any) -> None:
    settings.SITE_URL = "https://him.example/portal"
    assert links.absolute("/services/") == "https://him.example/portal/services/"
    assert verification_url("abc").startswith("https://him.example/portal/services/")
    with pytest.raises(ValueError):
        links.absolute("services/")


def test_the_sms_for_a_complaint_links_to_the_configured_port(personas: Any, settings: Any) -> None:
    settings.SITE_URL = BASE
    client = personas.client_for(personas.asha)
    category = client.get("/api/v1/grievances/categories").json()
    fileable = next(c["code"] for c in category if c["fileable"])
    body = {"category": fileable, "description": "The hand pump in our lane has not worked for a week."}
    response = client.post(
        "/api/v1/grievances/complaints", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    mobile = personas.member(personas.asha).mobile
    texts = [sms.outgoing(m).text for m in SmsMessage.objects.filter(to=mobile)]
    assert texts and all("localhost:8000" not in text for text in texts)
    assert any(f"{BASE}/" in text for text in texts), texts


def test_demo_on_another_port_puts_that_port_in_links(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = "http://localhost:8000"
    out = StringIO()
    call_command("demo", port=8123, families=1, no_serve=True, activity=False, stdout=out)
    assert settings.SITE_URL == BASE
    assert links.absolute("/cards/") == f"{BASE}/cards/"
    assert f"{BASE}/" in out.getvalue()
