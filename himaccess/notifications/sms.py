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

``send_many`` does the same for a run that texts thousands at once (a month's
milk payments): the rows are written in bulk in the caller's transaction and
handed over after commit in batches of ``BATCH``, one task per batch.

The caller says the language: the one asked for, else the recipient's
preferred language if they have a login, else Hindi, as
``accounts.language.language_for`` answers (docs/decisions/0402). This module
knows nothing of logins: it sits below accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from himaccess.notifications.delivery import file_path, hand_over, outbox
from himaccess.notifications.models import REDACTED, SECRET_PARAMS, SmsMessage, SmsTemplate
from himaccess.notifications.outgoing import OutgoingSms, outgoing, seal, unseal
from himaccess.notifications.tasks import deliver_sms, deliver_sms_batch

# What other apps use of the delivery side, through this module.
__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "OutgoingSms",
    "Sms",
    "file_path",
    "hand_over",
    "outbox",
    "outgoing",
    "seal",
    "send",
    "send_many",
    "unseal",
]

LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"


# Messages handed to one delivery task by ``send_many``.
BATCH = 500


@dataclass(frozen=True)
class Sms:
    """One message for ``send_many``."""

    mobile: str
    template_key: str
    params: Mapping[str, Any]
    language: str


def _message(template: SmsTemplate, sms: Sms) -> SmsMessage:
    """The unsaved row of one message; raises on a bad number or language, or a missing value."""
    if not (len(sms.mobile) == 10 and sms.mobile.isdigit()):
        raise ValueError("mobile must be ten digits")
    if sms.language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    values = {name: str(value) for name, value in sms.params.items()}
    template.render(sms.language, values)
    secret = {name: value for name, value in values.items() if name in SECRET_PARAMS}
    return SmsMessage(
        to=sms.mobile,
        template=template,
        language=sms.language,
        params={name: REDACTED if name in SECRET_PARAMS else value for name, value in values.items()},
        sealed_params=seal(values) if secret else None,
    )


def send(mobile: str, template_key: str, params: dict[str, Any], *, language: str) -> SmsMessage:
    """Queue an SMS from a registered template; raises on an unknown template or a missing value."""
    message = _message(SmsTemplate.objects.get(key=template_key), Sms(mobile, template_key, params, language))
    message.save()
    # Robust: a broker that cannot be reached must not turn a committed change into an error
    # answer; the message stays queued and the relay hands it over.
    transaction.on_commit(lambda: deliver_sms.delay(message.pk), robust=True)
    return message


def _queue(batch: list[int]) -> Callable[[], None]:
    def queue() -> None:
        deliver_sms_batch.delay(batch)

    return queue


def send_many(messages: Iterable[Sms]) -> int:
    """``send`` for many messages: validated first, written in bulk, handed over in batches after commit.

    All or nothing like ``send``: one bad message raises before any row is written.
    Returns how many were queued.
    """
    templates: dict[str, SmsTemplate] = {}
    rows: list[SmsMessage] = []
    for sms in messages:
        if sms.template_key not in templates:
            templates[sms.template_key] = SmsTemplate.objects.get(key=sms.template_key)
        rows.append(_message(templates[sms.template_key], sms))
    created = SmsMessage.objects.bulk_create(rows, batch_size=BATCH)
    ids = [message.pk for message in created]
    for start in range(0, len(ids), BATCH):
        transaction.on_commit(_queue(ids[start : start + BATCH]), robust=True)
    return len(ids)
