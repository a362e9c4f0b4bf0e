"""``himaccess check --deploy`` refuses a production chatbot that would answer WhatsApp into a log file."""

from __future__ import annotations

from typing import Any

from himaccess.chatbot import checks


def _ids(messages: Any) -> set[str]:
    return {message.id for message in messages}


def test_a_configured_webhook_with_the_fake_adapter_is_refused_in_production(settings: Any) -> None:
    settings.DEBUG = False
    settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN = "secret", "token"
    settings.WHATSAPP_BACKEND = "fake"
    assert "chatbot.E001" in _ids(checks.check_whatsapp())
    settings.WHATSAPP_BACKEND = "graph"
    assert "chatbot.E002" in _ids(checks.check_whatsapp())
    settings.WHATSAPP_ACCESS_TOKEN, settings.WHATSAPP_PHONE_NUMBER_ID = "token", "106540352242922"
    assert not _ids(checks.check_whatsapp())


def test_the_channel_left_off_passes(settings: Any) -> None:
    settings.DEBUG = False
    settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN, settings.WHATSAPP_BACKEND = "", "", "fake"
    assert not _ids(checks.check_whatsapp())


def test_a_language_model_without_its_address_is_refused(settings: Any) -> None:
    settings.DEBUG = False
    settings.CHATBOT_LLM_BACKEND, settings.CHATBOT_LLM_URL = "openai", ""
    assert "chatbot.E003" in _ids(checks.check_language_model())
    settings.CHATBOT_LLM_URL, settings.CHATBOT_LLM_MODEL = "http://llm.example/v1", "helpdesk-small"
    assert not _ids(checks.check_language_model())
