"""Sending an SMS: ``send(mobile, template_key, params, language=...) -> SmsMessage``.

1. ``send`` renders the template now (a missing value fails here, in the
   caller's transaction), writes an ``SmsMessage`` row with secret values
   (``models.SECRET_PARAMS``, e.g. an OTP) redacted and sealed, and queues
   ``tasks.deliver_sms`` to run once the caller's transaction commits.
2. The task hands the text to the backend chosen by ``settings.SMS_BACKEND``:

   ``file``    appends to ``DATA_DIR/sms.log``: in the embedded demo that file
               stands in for the phone, so it holds the text people would read;
   ``console`` prints it to standard output;
   ``http``    posts it to a DLT-compliant gateway (``gateway.py``), retried
               with backoff while the gateway is unreachable;
   ``memory``  keeps it in ``outbox`` (tests only; not selectable from the
               environment).

The language is the one asked for, else the recipient's preferred language
if they have a login, else Hindi (docs/decisions/0402).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from himaccess.notifications.models import REDACTED, SECRET_PARAMS, SmsMessage, SmsTemplate

LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    text: str
    language: str
    dlt_template_id: str
    reference: str


# Messages handed to the "memory" backend, in order (tests read them).
outbox: list[OutgoingSms] = []


def _seal_key() -> bytes:
    return hashlib.sha256(
        b"himaccess.notifications.sealed-params\x00" + settings.SECRET_KEY.encode()
    ).digest()


def seal(values: dict[str, str]) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_seal_key()).encrypt(nonce, json.dumps(values).encode(), b"sms")


def unseal(blob: bytes | memoryview) -> dict[str, str]:
    data = bytes(blob)
    values: dict[str, str] = json.loads(AESGCM(_seal_key()).decrypt(data[:12], data[12:], b"sms"))
    return values


def language_for(mobile: str, language: str | None = None) -> str:
    """The language an SMS to ``mobile`` goes in: the one asked for, else the recipient's, else Hindi."""
    if language in LANGUAGES:
        return language
    from himaccess.accounts.models import User

    preferred = User.objects.filter(mobile=mobile, kind=User.Kind.CITIZEN).values_list(
        "preferred_language", flat=True
    )
    found = preferred.first()
    return found if found in LANGUAGES else DEFAULT_LANGUAGE


def send(
    mobile: str, template_key: str, params: dict[str, Any], *, language: str | None = None
) -> SmsMessage:
    """Queue an SMS from a registered template; raises on an unknown template or a missing value."""
    if not (len(mobile) == 10 and mobile.isdigit()):
        raise ValueError("mobile must be ten digits")
    template = SmsTemplate.objects.get(key=template_key)
    values = {name: str(value) for name, value in params.items()}
    language = language_for(mobile, language)
    template.render(language, values)
    secret = {name: value for name, value in values.items() if name in SECRET_PARAMS}
    message = SmsMessage.objects.create(
        to=mobile,
        template=template,
        language=language,
        params={name: REDACTED if name in SECRET_PARAMS else value for name, value in values.items()},
        sealed_params=seal(values) if secret else None,
    )
    from himaccess.notifications.tasks import deliver_sms

    # Robust: a broker that cannot be reached must not turn a committed change into an error
    # answer; the message stays queued and the relay hands it over.
    transaction.on_commit(lambda: deliver_sms.delay(message.pk), robust=True)
    return message


def outgoing(message: SmsMessage) -> OutgoingSms:
    """The text to hand over: the template rendered with the clear values."""
    values = dict(message.params)
    if message.sealed_params is not None:
        values.update(unseal(message.sealed_params))
    return OutgoingSms(
        to=message.to,
        text=message.template.render(message.language, values),
        language=message.language,
        dlt_template_id=message.template.dlt_template_id_in(message.language),
        reference=str(message.pk),
    )


def file_path() -> str:
    return str(settings.DATA_DIR / "sms.log")


def _send_file(sms: OutgoingSms) -> str:
    os.makedirs(settings.DATA_DIR, exist_ok=True)
    stamp = timezone.localtime().isoformat(timespec="seconds")
    with open(file_path(), "a", encoding="utf-8") as handle:
        handle.write(f"{stamp} to {sms.to} [DLT {sms.dlt_template_id}] {sms.text}\n")
    return f"file-{sms.reference}"


def _send_console(sms: OutgoingSms) -> str:
    sys.stdout.write(f"SMS to {sms.to} [DLT {sms.dlt_template_id}]: {sms.text}\n")
    return f"console-{sms.reference}"


def _send_memory(sms: OutgoingSms) -> str:
    outbox.append(sms)
    return f"memory-{sms.reference}"


def hand_over(sms: OutgoingSms) -> str:
    """Give the message to the configured backend; returns the provider's message id."""
    backend = settings.SMS_BACKEND
    if backend == "http":
        from himaccess.notifications import gateway

        return gateway.post(sms)
    senders = {"file": _send_file, "console": _send_console, "memory": _send_memory}
    return senders[backend](sms)
