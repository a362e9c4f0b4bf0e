"""The WhatsApp Business Cloud API: checking what Meta sends, reading it, and sending replies.

Inbound (the webhook, ``views.whatsapp_webhook``):

- ``GET`` with ``hub.mode=subscribe``, ``hub.verify_token`` and
  ``hub.challenge``: the subscription handshake; the challenge is echoed only
  when the token is ours.
- ``POST``: ``X-Hub-Signature-256: sha256=<hex>`` must be the HMAC-SHA256 of
  the raw body under the app secret (compared in constant time), else 403.
  ``messages(payload)`` reads the text messages out of the body; statuses
  (delivered, read) and other kinds are skipped.

Outbound goes through an adapter (docs/decisions/1103): ``GraphApi`` posts
to ``{WHATSAPP_GRAPH_URL}/{phone number id}/messages`` with the access token;
``Fake``, the default, appends each reply to ``DATA_DIR/whatsapp.log`` (the
demo's stand-in for the phone) and keeps it in ``outbox`` for tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import requests
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# WhatsApp's limit on a text message body.
TEXT_LIMIT = 4096
SIGNATURE_PREFIX = "sha256="


def configured() -> bool:
    return bool(settings.WHATSAPP_APP_SECRET and settings.WHATSAPP_VERIFY_TOKEN)


def signature_valid(body: bytes, header: str) -> bool:
    """Whether ``header`` is ``sha256=`` and the HMAC-SHA256 of ``body`` under the app secret."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(SIGNATURE_PREFIX) :].strip().lower())


def sign(body: bytes, secret: str) -> str:
    """The header Meta would send with ``body`` (for the demo and tests)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_token_matches(token: str) -> bool:
    expected = settings.WHATSAPP_VERIFY_TOKEN
    return bool(expected) and hmac.compare_digest(expected.encode(), token.encode())


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str
    text: str
    # False for an image, a voice note, a location...: only text (and button replies) is read.
    is_text: bool
    sent_at: datetime | None


def _text_of(message: dict[str, Any]) -> tuple[str, bool]:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body", "")), True
    if kind == "button":
        return str((message.get("button") or {}).get("text", "")), True
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply.get("title", "")), True
    return "", False


def _sent_at(raw: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def messages(payload: Any) -> list[Inbound]:
    """The messages in a webhook body, in order; anything malformed is skipped, never an error."""
    found: list[Inbound] = []
    if not isinstance(payload, dict):
        return found
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for message in value.get("messages") or []:
                if not isinstance(message, dict):
                    continue
                message_id, sender = str(message.get("id") or ""), str(message.get("from") or "")
                if not message_id or not re.fullmatch(r"\d{6,15}", sender) or len(message_id) > 160:
                    continue
                text, is_text = _text_of(message)
                found.append(Inbound(message_id, sender, text, is_text, _sent_at(message.get("timestamp"))))
    return found


def indian_mobile(sender: str) -> str:
    """The ten-digit Indian mobile number of a WhatsApp sender ("919816000001"), or ''."""
    if len(sender) == 12 and sender.startswith("91") and sender[2] in "6789":
        return sender[2:]
    return ""


class Adapter(Protocol):
    def send_text(self, to: str, text: str) -> str: ...


@dataclass(frozen=True)
class Sent:
    to: str
    text: str


# Replies the fake adapter took, in order (tests read them).
outbox: list[Sent] = []


class Fake:
    """Keeps replies in ``outbox`` and appends them to ``DATA_DIR/whatsapp.log``."""

    def send_text(self, to: str, text: str) -> str:
        outbox.append(Sent(to, text))
        path = Path(settings.DATA_DIR) / "whatsapp.log"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
                log.write(f"{stamp} to {to}\n{text}\n\n")
        except OSError:
            logger.warning("whatsapp.log could not be written")
        return f"fake-{len(outbox)}"


class GraphApi:
    """Sends through the WhatsApp Business Cloud API (Graph API)."""

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    def send_text(self, to: str, text: str) -> str:
        url = f"{settings.WHATSAPP_GRAPH_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": text[:TEXT_LIMIT]},
        }
        response = self.session.post(
            url,
            data=json.dumps(body),
            headers={
                "Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}",
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        response.raise_for_status()
        sent = response.json().get("messages") or [{}]
        return str(sent[0].get("id", ""))


def adapter() -> Adapter:
    return GraphApi() if settings.WHATSAPP_BACKEND == "graph" else Fake()


def with_options(text: str, suggestions: list[str]) -> str:
    """A reply as WhatsApp shows it: the suggestions numbered under it (the person may answer "2")."""
    if not suggestions:
        return text[:TEXT_LIMIT]
    numbered = "\n".join(f"{number}. {label}" for number, label in enumerate(suggestions, start=1))
    return f"{text}\n\n{numbered}"[:TEXT_LIMIT]
