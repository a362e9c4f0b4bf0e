from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from himaccess.accounts import otp


def _ask(client: Client, mobile: str, address: str = "10.0.0.1") -> Any:
    return client.post(reverse("accounts:citizen_login"), {"mobile": mobile}, REMOTE_ADDR=address)


def test_sends_are_limited_per_number(personas: Any) -> None:
    limit = otp.SEND_LIMITS_PER_NUMBER[0].count
    for i in range(limit):
        assert _ask(Client(), "9816000001", f"10.0.1.{i}").status_code == 302
    response = _ask(Client(), "9816000001", "10.0.2.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()


def test_sends_are_limited_per_address(db: Any) -> None:
    limit = otp.SEND_LIMITS_PER_ADDRESS[0].count
    for i in range(limit):
        assert _ask(Client(), f"98170{i:05d}").status_code == 302
    assert _ask(Client(), "9817099999").status_code == 429
    assert _ask(Client(), "9817099999", "10.0.0.2").status_code == 302


def test_unknown_numbers_are_limited_like_known_ones(personas: Any) -> None:
    limit = otp.SEND_LIMITS_PER_NUMBER[0].count
    for i in range(limit):
        _ask(Client(), "9999912345", f"10.0.3.{i}")
    assert _ask(Client(), "9999912345", "10.0.4.1").status_code == 429


def test_verifications_are_limited_per_number(personas: Any) -> None:
    client = Client()
    _ask(client, "9816000001")
    limit = otp.VERIFY_LIMITS_PER_NUMBER[0].count
    for i in range(limit):
        response = client.post(
            reverse("accounts:citizen_verify"), {"code": "000000"}, REMOTE_ADDR=f"10.1.0.{i}"
        )
        assert response.status_code == 400
    response = client.post(reverse("accounts:citizen_verify"), {"code": "000000"}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429


def test_a_helpline_reset_lifts_the_limit(personas: Any) -> None:
    for i in range(otp.SEND_LIMITS_PER_NUMBER[0].count + 1):
        _ask(Client(), "9816000001", f"10.0.5.{i}")
    otp.reset_limits("9816000001")
    assert _ask(Client(), "9816000001", "10.0.6.1").status_code == 302
