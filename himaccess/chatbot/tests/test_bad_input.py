"""Empty, huge, binary and gibberish messages, malformed requests: a polite answer or a 4xx, never a 5xx."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from himaccess.chatbot.models import Conversation, Message
from himaccess.chatbot.tests.conftest import API, Chat
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_an_empty_message_gets_a_polite_prompt(personas: Personas) -> None:
    for text in ("", "   ", "\n\t"):
        answer = Chat().say(text)
        assert answer["intent"] == "unknown" and "type your question" in answer["reply"]


def test_a_huge_message_is_refused_in_the_readers_language(personas: Personas) -> None:
    response = Client().post(
        API, {"text": "पानी " * 1000}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="hi"
    )
    assert response.status_code == 422
    assert "बहुत लंबा" in json.dumps(response.json(), ensure_ascii=False)
    assert not Message.objects.exists()


def test_a_message_just_under_the_cap_but_too_long_to_read_gets_a_polite_answer(personas: Personas) -> None:
    answer = Chat().say("water " * 300)
    assert "too long" in answer["reply"]


@pytest.mark.parametrize("text", ["nul\x00byte", "bell\x07", "escape\x1b[31m"])
def test_control_characters_are_refused_before_anything_is_stored(personas: Personas, text: str) -> None:
    response = Client().post(API, {"text": text}, content_type="application/json")
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_binary_bytes_are_refused(personas: Personas) -> None:
    response = Client().post(API, b"\xff\xfe\x00\x01binary", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "ԱԲԳ ქართული 中文 العربية कखग xyz",
        "🙏🙏🙏",
        "????!!!!",
        "http://x.example/<script>alert(1)</script>",
        "1",
    ],
)
def test_mixed_script_gibberish_gets_a_polite_answer(personas: Personas, text: str) -> None:
    answer = Chat().say(text)
    assert answer["intent"] in ("unknown", "human_handoff")
    assert "<script>" not in answer["reply"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": 42},
        {"text": ["a"]},
        {"conversation_id": 7, "text": "hi"},
        {},
        {"text": "hi", "conversation_id": "x" * 500},
    ],
)
def test_a_body_of_the_wrong_shape_is_a_422(personas: Personas, body: dict[str, object]) -> None:
    response = Client().post(API, body, content_type="application/json")
    assert response.status_code == 422


def test_malformed_json_is_a_4xx(personas: Personas) -> None:
    response = Client().post(API, b'{"text": "hi"', content_type="application/json")
    assert 400 <= response.status_code < 500


def test_the_wrong_method_is_a_405(personas: Personas) -> None:
    assert Client().get(API).status_code == 405


def test_a_flood_of_messages_is_slowed_down(personas: Personas) -> None:
    chat = Chat()
    chat.say("namaste")
    for _ in range(29):
        chat.say("namaste")
    response = chat.client.post(
        API, {"text": "namaste", "conversation_id": chat.conversation_id}, content_type="application/json"
    )
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
