"""An SMS as it is handed to a backend, and the sealing of its secret values.

``send`` seals secret values (``models.SECRET_PARAMS``, e.g. an OTP) with
AES-GCM keyed from SECRET_KEY; ``outgoing`` renders the stored message with
them in clear, only when it is handed over.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from himaccess.notifications.models import SmsMessage


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    text: str
    language: str
    dlt_template_id: str
    reference: str


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
