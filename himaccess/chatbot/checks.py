"""Deployment checks of the chatbot's channels (``himaccess check --deploy``; only with DEBUG off).

``chatbot.E001``  WhatsApp replies would go to the local fake while the webhook takes real messages
``chatbot.E002``  the Graph API backend without its access token or phone number id
``chatbot.E003``  the language model switched on without its address or model name
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from himaccess.chatbot import whatsapp


@register(Tags.security, deploy=True)
def check_whatsapp(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    if settings.DEBUG:
        return []
    problems = []
    if whatsapp.configured() and settings.WHATSAPP_BACKEND == "fake":
        problems.append(
            Error(
                "The WhatsApp webhook is configured but replies go to the local fake (whatsapp.log).",
                hint="Set WHATSAPP_BACKEND=graph with WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID, "
                "or leave WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN empty to keep the channel off.",
                id="chatbot.E001",
            )
        )
    if settings.WHATSAPP_BACKEND == "graph" and not (
        settings.WHATSAPP_ACCESS_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID and whatsapp.configured()
    ):
        problems.append(
            Error(
                "WHATSAPP_BACKEND=graph needs WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, "
                "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN.",
                id="chatbot.E002",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_language_model(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    if settings.DEBUG or settings.CHATBOT_LLM_BACKEND == "none":
        return []
    if settings.CHATBOT_LLM_URL and settings.CHATBOT_LLM_MODEL:
        return []
    return [
        Error(
            "CHATBOT_LLM_BACKEND=openai needs CHATBOT_LLM_URL and CHATBOT_LLM_MODEL.",
            hint="Or set CHATBOT_LLM_BACKEND=none: the chatbot answers fully without a language model.",
            id="chatbot.E003",
        )
    ]
