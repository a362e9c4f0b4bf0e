"""The HTTP edge to a DLT-compliant SMS gateway.

Indian bulk-SMS gateways (NIC's SMS service, and the commercial ones) take the
same facts under different field names: the recipient with its country code,
the text, the sender id (DLT header), the principal entity id and the content
template id, and a flag for Unicode text. This adapter posts them as JSON::

    POST SMS_GATEWAY_URL
    Authorization: Bearer SMS_GATEWAY_API_KEY
    {"to": "91XXXXXXXXXX", "sender": ..., "message": ..., "unicode": true,
     "dlt_entity_id": ..., "dlt_template_id": ..., "reference": "<our id>"}

and expects ``2xx`` with ``{"id": "<provider message id>"}``. A gateway with
other field names needs only ``payload`` changed. A timeout, a connection
error, ``429`` or ``5xx`` raise ``GatewayUnavailable`` (worth retrying); any
other ``4xx`` raises ``GatewayRejected`` (retrying would not help).
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

from himaccess.notifications.outgoing import OutgoingSms

# Connect and read timeouts, seconds: a slow gateway must not hold a worker.
TIMEOUT = (3.05, 10)


class GatewayUnavailable(Exception):
    pass


class GatewayRejected(Exception):
    pass


def payload(sms: OutgoingSms) -> dict[str, Any]:
    return {
        "to": f"91{sms.to}",
        "sender": settings.SMS_SENDER_ID,
        "message": sms.text,
        "unicode": sms.language == "hi",
        "dlt_entity_id": settings.SMS_DLT_ENTITY_ID,
        "dlt_template_id": sms.dlt_template_id,
        "reference": sms.reference,
    }


def post(sms: OutgoingSms) -> str:
    if not settings.SMS_GATEWAY_URL:
        raise GatewayRejected("SMS_GATEWAY_URL is not set")
    if not sms.dlt_template_id:
        # Operators drop unregistered texts; better to fail visibly in the log.
        raise GatewayRejected("the template has no DLT template id for this language")
    try:
        response = requests.post(
            settings.SMS_GATEWAY_URL,
            json=payload(sms),
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_API_KEY}"},
            timeout=TIMEOUT,
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise GatewayUnavailable(type(exc).__name__) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise GatewayUnavailable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise GatewayRejected(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise GatewayRejected("response is not JSON") from exc
    provider_id = body.get("id") if isinstance(body, dict) else None
    if not provider_id:
        raise GatewayRejected("response has no message id")
    return str(provider_id)
