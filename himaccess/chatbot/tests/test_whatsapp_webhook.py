"""The WhatsApp Business Cloud API webhook: the handshake, signatures, replays and what it answers."""

from __future__ import annotations

import json
import time
from unittest import mock

import pytest
from django.test import Client
from pytest_django import Settings

from himaccess.chatbot import tasks, whatsapp
from himaccess.chatbot.models import Conversation, InboundWhatsApp, Message
from himaccess.chatbot.tests.conftest import VERIFY_TOKEN, signed_post, whatsapp_text
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

WEBHOOK = "/chatbot/whatsapp/"
SENDER = "919816000004"


def test_the_subscription_handshake_echoes_the_challenge_for_our_token(db: object) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = Client().get(WEBHOOK, query)
    assert response.status_code == 200 and response.content == b"1158201444"


def test_a_wrong_verify_token_is_refused(db: object) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    response = Client().get(WEBHOOK, query)
    assert response.status_code == 403 and b"1158201444" not in response.content


def test_a_signed_message_is_answered_through_the_adapter(personas: Personas) -> None:
    response = signed_post(
        Client(), whatsapp_text(SENDER, "income certificate ke liye kya chahiye", "wamid.1")
    )
    assert response.status_code == 200 and response.json() == {"accepted": 1}
    sent = whatsapp.outbox[-1]
    assert sent.to == SENDER
    assert "aay praman patra" in sent.text and "/services/apply/CERT-02/" in sent.text
    conversation = Conversation.objects.get(channel="whatsapp")
    assert conversation.whatsapp_to == SENDER


def test_a_forged_signature_is_refused_and_nothing_is_answered(personas: Personas) -> None:
    body = json.dumps(whatsapp_text(SENDER, "hello", "wamid.forged")).encode()
    for header in ("sha256=" + "0" * 64, whatsapp.sign(body, "another-secret"), "", "md5=abc"):
        response = Client().post(
            WEBHOOK, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
        )
        assert response.status_code == 403
    assert not whatsapp.outbox and not InboundWhatsApp.objects.exists() and not Message.objects.exists()


def test_a_body_changed_after_signing_is_refused(personas: Personas) -> None:
    body = json.dumps(whatsapp_text(SENDER, "hello", "wamid.changed")).encode()
    header = whatsapp.sign(body, "test-app-secret-for-signatures")
    tampered = body.replace(b"hello", b"hallo")
    response = Client().post(
        WEBHOOK, tampered, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
    )
    assert response.status_code == 403 and not whatsapp.outbox


def test_a_replayed_message_id_is_not_answered_twice(personas: Personas) -> None:
    payload = whatsapp_text(SENDER, "namaste", "wamid.replayed")
    client = Client()
    assert signed_post(client, payload).json() == {"accepted": 1}
    assert signed_post(client, payload).json() == {"accepted": 0}
    assert len(whatsapp.outbox) == 1
    assert Message.objects.filter(role=Message.Role.CITIZEN).count() == 1


def test_a_message_older_than_the_ids_kept_is_ignored(personas: Personas, settings: Settings) -> None:
    old = int(time.time()) - (settings.CHATBOT_TRANSCRIPT_DAYS + 1) * 86_400
    response = signed_post(Client(), whatsapp_text(SENDER, "namaste", "wamid.ancient", timestamp=old))
    assert response.json() == {"accepted": 0} and not whatsapp.outbox


def test_a_picture_gets_a_polite_answer(personas: Personas) -> None:
    payload = whatsapp_text(SENDER, "", "wamid.image")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message["type"] = "image"
    message["image"] = {"id": "1479537139650973", "mime_type": "image/jpeg"}
    signed_post(Client(), payload)
    assert "text messages" in whatsapp.outbox[-1].text or "लिखे हुए संदेश" in whatsapp.outbox[-1].text


def test_delivery_statuses_and_malformed_bodies_are_accepted_quietly(personas: Personas) -> None:
    statuses = {"entry": [{"changes": [{"value": {"statuses": [{"id": "wamid.x", "status": "read"}]}}]}]}
    assert signed_post(Client(), statuses).json() == {"accepted": 0}
    weird: object
    for weird in (
        {"entry": "nope"},
        {"entry": [{"changes": [{"value": {"messages": [{"from": "x"}]}}]}]},
        [],
    ):
        assert signed_post(Client(), weird).status_code == 200
    assert not whatsapp.outbox


def test_a_signed_body_that_is_not_json_is_a_400(personas: Personas) -> None:
    body = b"not json at all"
    response = Client().post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=whatsapp.sign(body, "test-app-secret-for-signatures"),
    )
    assert response.status_code == 400


def test_the_webhook_is_off_until_configured(personas: Personas, settings: Settings) -> None:
    settings.WHATSAPP_APP_SECRET = ""
    assert (
        Client()
        .get(WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})
        .status_code
        == 404
    )
    assert Client().post(WEBHOOK, b"{}", content_type="application/json").status_code == 404


def test_the_text_goes_to_the_reply_task_sealed(personas: Personas) -> None:
    """A code typed into WhatsApp never sits in the broker in clear."""
    with mock.patch.object(tasks.whatsapp_reply, "delay", autospec=True) as queued:
        signed_post(Client(), whatsapp_text(SENDER, "my code is 482913", "wamid.sealed"))
    (sender, sealed, is_text), _kwargs = queued.call_args
    assert sender == SENDER and is_text and "482913" not in sealed
