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

The caller says the language: the one asked for, else the recipient's
preferred language if they have a login, else Hindi, as
``accounts.language.language_for`` answers (docs/decisions/0402). This module
knows nothing of logins: it sits below accounts.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from himaccess.notifications.delivery import file_path, hand_over, outbox
from himaccess.notifications.models import REDACTED, SECRET_PARAMS, SmsMessage, SmsTemplate
from himaccess.notifications.outgoing import OutgoingSms, outgoing, seal, unseal
from himaccess.notifications.tasks import deliver_sms

# What other apps use of the delivery side, through this module.
__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "OutgoingSms",
    "file_path",
    "hand_over",
    "outbox",
    "outgoing",
    "seal",
    "send",
    "unseal",
]

LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"


def send(mobile: str, template_key: str, params: dict[str, Any], *, language: str) -> SmsMessage:
    """Queue an SMS from a registered template; raises on an unknown template or a missing value."""
    if not (len(mobile) == 10 and mobile.isdigit()):
        raise ValueError("mobile must be ten digits")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    template = SmsTemplate.objects.get(key=template_key)
    values = {name: str(value) for name, value in params.items()}
    template.render(language, values)
    secret = {name: value for name, value in values.items() if name in SECRET_PARAMS}
    message = SmsMessage.objects.create(
        to=mobile,
        template=template,
        language=language,
        params={name: REDACTED if name in SECRET_PARAMS else value for name, value in values.items()},
        sealed_params=seal(values) if secret else None,
    )
    # Robust: a broker that cannot be reached must not turn a committed change into an error
    # answer; the message stays queued and the relay hands it over.
    transaction.on_commit(lambda: deliver_sms.delay(message.pk), robust=True)
    return message
