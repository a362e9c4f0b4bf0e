from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
import requests

from himaccess.notifications import sms
from himaccess.notifications.models import SmsMessage, SmsTemplate
from himaccess.notifications.tasks import MAX_ATTEMPTS


def _response(status: int, body: Any = None) -> mock.Mock:
    response = mock.create_autospec(requests.Response, instance=True)
    response.status_code = status
    response.json.return_value = body if body is not None else {}
    return response


@pytest.fixture
def gateway(settings: Any, db: Any) -> Any:
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "https://sms-gateway.invalid/v1/send"
    settings.SMS_GATEWAY_API_KEY = "gateway-key"
    settings.SMS_DLT_ENTITY_ID = "1101000000000001"
    SmsTemplate.objects.filter(key="otp_login").update(
        dlt_template_id_en="1107000000000000001", dlt_template_id_hi="1107000000000000002"
    )
    with mock.patch("himaccess.notifications.gateway.requests.post", autospec=True) as post:
        yield post


def _send(capture: Any, language: str = "hi") -> SmsMessage:
    with capture(execute=True):
        message = sms.send("9418000001", "otp_login", {"code": "493817", "minutes": 10}, language=language)
    message.refresh_from_db()
    return message


def test_the_gateway_gets_the_dlt_facts(gateway: Any, django_capture_on_commit_callbacks: Any) -> None:
    gateway.return_value = _response(200, {"id": "prov-1"})
    message = _send(django_capture_on_commit_callbacks)
    assert message.status == SmsMessage.Status.SENT and message.provider_id == "prov-1"
    (url,), kwargs = gateway.call_args
    assert url == "https://sms-gateway.invalid/v1/send"
    assert kwargs["headers"] == {"Authorization": "Bearer gateway-key"}
    assert kwargs["timeout"]
    body = kwargs["json"]
    assert body["to"] == "919418000001" and body["unicode"] is True
    assert body["dlt_template_id"] == "1107000000000000002" and body["dlt_entity_id"] == "1101000000000001"
    assert "493817" in body["message"]


def test_an_unavailable_gateway_is_retried_until_it_answers(
    gateway: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gateway.side_effect = [_response(503), requests.Timeout(), _response(200, {"id": "prov-2"})]
    message = _send(django_capture_on_commit_callbacks, "en")
    assert gateway.call_count == 3
    assert message.status == SmsMessage.Status.SENT and message.attempts == 3
    assert message.sealed_params is None


def test_the_message_fails_after_the_last_retry(
    gateway: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gateway.side_effect = requests.ConnectionError()
    message = _send(django_capture_on_commit_callbacks)
    assert gateway.call_count == MAX_ATTEMPTS
    assert message.status == SmsMessage.Status.FAILED and message.attempts == MAX_ATTEMPTS
    assert message.sealed_params is None and "ConnectionError" in message.error


def test_a_rejection_is_not_retried(gateway: Any, django_capture_on_commit_callbacks: Any) -> None:
    gateway.return_value = _response(400, {"error": "bad template"})
    message = _send(django_capture_on_commit_callbacks)
    assert gateway.call_count == 1 and message.status == SmsMessage.Status.FAILED


def test_a_template_without_a_dlt_id_is_never_posted(
    gateway: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = sms.send("9418000001", "otp_consent", {"code": "493817", "minutes": 10}, language="hi")
    message.refresh_from_db()
    assert gateway.call_count == 0
    assert message.status == SmsMessage.Status.FAILED and "DLT" in message.error
