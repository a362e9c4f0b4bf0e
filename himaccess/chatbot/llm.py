"""Optional rewording of an answer by a language model behind an OpenAI-compatible endpoint.

Off unless ``CHATBOT_LLM_BACKEND=openai`` (with ``CHATBOT_LLM_URL`` and
``CHATBOT_LLM_MODEL``); the chatbot is complete without it. The model never
answers a question: it is given an answer already built from the records and
asked to make it read more naturally in the same language. What comes back is
used only if:

1. every fact of the answer (each document's name, each amount, each time
   limit, each link) is still there, word for word;
2. it holds no number that the original answer does not hold, so a fee, a
   time limit or an amount cannot be invented;
3. it is not empty, not much longer than the original, and arrived within
   ``CHATBOT_LLM_TIMEOUT_SECONDS``.

Otherwise the original answer is sent. Personal records (a person's
applications, complaints, decisions) are never sent to the model.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

NUMBER = re.compile(r"\d[\d,.]*\d|\d")
MAX_GROWTH = 1.6
SYSTEM = (
    "You reword answers of a government helpdesk for citizens of Himachal Pradesh. Rewrite the answer "
    "the user gives so that it reads naturally and politely, in the same language and script "
    "({language}). Keep every name, number, amount, time limit and link exactly as written. Do not add "
    "any fact, number, advice or link. Reply with the reworded answer only."
)
LANGUAGE_NAMES = {"hi": "Hindi in Devanagari", "en": "English", "hi-Latn": "Hindi in Latin letters"}


def enabled() -> bool:
    return bool(
        settings.CHATBOT_LLM_BACKEND == "openai" and settings.CHATBOT_LLM_URL and settings.CHATBOT_LLM_MODEL
    )


def _numbers(text: str) -> set[str]:
    return {match.replace(",", "").rstrip(".") for match in NUMBER.findall(text)}


def keeps_facts(original: str, reworded: str, facts: list[str]) -> bool:
    """Whether the rewording keeps every fact and adds no number (see the module docstring)."""
    if not reworded.strip() or len(reworded) > len(original) * MAX_GROWTH + 80:
        return False
    if any(fact and fact not in reworded for fact in facts):
        return False
    return _numbers(reworded) <= _numbers(original)


def rephrase(answer: str, facts: list[str], language: str) -> str | None:
    """The reworded answer, or None (off, unreachable, slow, or a fact lost or added)."""
    if not enabled():
        return None
    headers = {"Content-Type": "application/json"}
    if settings.CHATBOT_LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.CHATBOT_LLM_API_KEY}"
    body: dict[str, Any] = {
        "model": settings.CHATBOT_LLM_MODEL,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM.format(language=LANGUAGE_NAMES.get(language, "English"))},
            {"role": "user", "content": answer},
        ],
    }
    url = settings.CHATBOT_LLM_URL.rstrip("/") + "/chat/completions"
    try:
        response = requests.post(
            url, json=body, headers=headers, timeout=settings.CHATBOT_LLM_TIMEOUT_SECONDS
        )
        response.raise_for_status()
        reworded = str(response.json()["choices"][0]["message"]["content"]).strip()
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning(
            "chatbot rewording unavailable (%s); the answer is sent as built", type(error).__name__
        )
        return None
    if not keeps_facts(answer, reworded, facts):
        logger.info("chatbot rewording dropped: it lost or added a fact")
        return None
    return reworded
