from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts import otp
from himaccess.accounts.models import OtpPurpose
from himaccess.accounts.testing import last_code_sent_to, login_citizen


def test_confirm_page_sends_a_sensitive_change_code_and_returns(personas: Any, deliver: Any) -> None:
    client = Client()
    login_citizen(client, personas.asha)
    url = reverse("accounts:confirm_code")
    query = {"purpose": "sensitive_change", "next": "/register/"}
    assert client.get(url, query).status_code == 200
    with deliver(execute=True):
        assert client.post(url, {**query, "send": "1"}).status_code == 200
    code = last_code_sent_to(personas.asha.mobile)
    response = client.post(url, {**query, "code": code})
    assert response.status_code == 302 and response["Location"] == "/register/"
    request = RequestFactory().get("/")
    request.session = client.session
    assert otp.has_fresh(request, OtpPurpose.SENSITIVE_CHANGE)
    assert not otp.has_fresh(request, OtpPurpose.CONSENT)


def test_confirm_page_refuses_login_purpose_and_outside_targets(personas: Any) -> None:
    client = Client()
    login_citizen(client, personas.asha)
    url = reverse("accounts:confirm_code")
    assert client.get(url, {"purpose": "login"}).status_code == 400
    page = client.get(url, {"purpose": "consent", "next": "https://evil.example/"}).content.decode()
    assert '<input type="hidden" name="next" value="/">' in page


def _request_with_session(client: Client) -> HttpRequest:
    request = RequestFactory().get("/change-mobile/")
    request.session = client.session
    return request


def test_require_fresh_redirects_without_a_code_and_lets_one_change_through(
    personas: Any, deliver: Any
) -> None:
    @otp.require_fresh(OtpPurpose.SENSITIVE_CHANGE)
    def change(request: HttpRequest) -> HttpResponse:
        return HttpResponse("changed" if otp.consume_fresh(request, OtpPurpose.SENSITIVE_CHANGE) else "no")

    client = Client()
    login_citizen(client, personas.asha)
    request = _request_with_session(client)
    response = change(request)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:confirm_code"))
    with deliver(execute=True):
        otp.issue(personas.asha.mobile, OtpPurpose.SENSITIVE_CHANGE, request)
    assert otp.verify(
        personas.asha.mobile, OtpPurpose.SENSITIVE_CHANGE, last_code_sent_to(personas.asha.mobile), request
    )
    assert change(request).content == b"changed"
    assert change(request).status_code == 302  # one code, one change


def test_a_fresh_code_goes_stale_after_ten_minutes(personas: Any, deliver: Any) -> None:
    request = RequestFactory().get("/")
    request.session = Client().session
    with deliver(execute=True):
        otp.issue(personas.asha.mobile, OtpPurpose.SENSITIVE_CHANGE, request)
    otp.verify(
        personas.asha.mobile, OtpPurpose.SENSITIVE_CHANGE, last_code_sent_to(personas.asha.mobile), request
    )
    assert otp.has_fresh(request, OtpPurpose.SENSITIVE_CHANGE)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert not otp.has_fresh(request, OtpPurpose.SENSITIVE_CHANGE)
