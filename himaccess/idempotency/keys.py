"""Idempotency keys on creates: the same request sent twice is done once and answered alike.

A create endpoint hands its work to ``respond`` as a function returning
``(status, payload)``. With an ``Idempotency-Key`` header the caller gets:

- the first answer again (same status, same JSON, ``Idempotent-Replayed: true``)
  for the same key and the same body, without the work being done again;
- 422 for the same key with another body or on another endpoint;
- 400 for a key that is too long or holds other characters than
  letters, digits and ``_ . : + / = -``.

Keys belong to a caller (``caller("user", pk)``, ``caller("client", pk)``):
one caller's key never reaches another's answer. They are kept for
``IDEMPOTENCY_KEY_HOURS`` and then swept (``himaccess idempotency_sweep``,
hourly under Celery beat).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.idempotency.models import IdempotencyRecord
from himaccess.lib.api_errors import error_response

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:+/=-]{1,100}")
SWEEP_BATCH = 5000

Answer = tuple[int, Mapping[str, Any]]


class _Taken(Exception):
    """Another request with the same key committed while this one worked."""


def caller(kind: str, pk: object) -> str:
    return f"{kind}:{pk}"


def openapi(*, required: bool = False) -> dict[str, Any]:
    """The header as documented in the API's OpenAPI document (a route's ``openapi_extra``)."""
    return {
        "parameters": [
            {
                "in": "header",
                "name": HEADER,
                "required": required,
                "schema": {"type": "string", "pattern": KEY_PATTERN.pattern, "maxLength": 100},
                "description": "The same key and body again: the first answer, nothing done twice. "
                f"Kept {settings.IDEMPOTENCY_KEY_HOURS} hours, per caller.",
            }
        ]
    }


def request_hash(body: bytes) -> str:
    """SHA-256 of the body with key order and spacing ignored, so a re-serialised retry still matches."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _problem(status: int, message: str, code: str) -> JsonResponse:
    return error_response(status, message, code=code)


def _json(response_body: str, status: int) -> HttpResponse:
    return HttpResponse(response_body, status=status, content_type="application/json")


def _build(create: Callable[[], Answer]) -> tuple[int, str]:
    """Do the work and serialise its answer; called inside the transaction that writes the rows."""
    status, payload = create()
    return status, json.dumps(payload, cls=DjangoJSONEncoder)


def _replay(stored: IdempotencyRecord, endpoint: str, fingerprint: str) -> HttpResponse:
    if stored.endpoint != endpoint or stored.request_hash != fingerprint:
        return _problem(
            422,
            _("This Idempotency-Key was already used with a different request body."),
            "idempotency_key_reused",
        )
    response = _json(stored.response_body, stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def respond(
    request: HttpRequest,
    *,
    caller: str,
    endpoint: str,
    create: Callable[[], Answer],
    required: bool = False,
) -> HttpResponse:
    """Answer a create, doing its work at most once per caller and key.

    1. No key: refused with 400 if ``required``; otherwise the work is done
       and its answer built in one transaction.
    2. A malformed key: 400, nothing done.
    3. A live answer stored for the caller's key: replayed if the endpoint and
       body match, else 422; nothing done.
    4. Otherwise, in one transaction: the work, its answer serialised, and the
       answer stored. A committed create therefore always has its answer.
    5. If a twin request with the same key committed meanwhile, the unique
       constraint refuses this one's answer: its work is rolled back and the
       twin's answer is given (or 409 if that answer cannot be read yet).

    Exceptions from ``create`` (a 4xx raised by the endpoint) roll everything
    back and store nothing, so the key may be used again.
    """
    raw = request.headers.get(HEADER)
    if raw is None:
        if required:
            return _problem(
                400,
                _("An Idempotency-Key header (1 to 100 characters) is required."),
                "idempotency_key_missing",
            )
        with transaction.atomic():
            status, body = _build(create)
        return _json(body, status)
    key = raw.strip()
    if not KEY_PATTERN.fullmatch(key):
        return _problem(
            400,
            _(
                "The Idempotency-Key header must have 1 to 100 characters: letters, digits "
                "and _ . : + / = - only."
            ),
            "idempotency_key_malformed",
        )
    fingerprint = request_hash(request.body)
    stored = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    now = timezone.now()
    if stored is not None and stored.expires_at > now:
        return _replay(stored, endpoint, fingerprint)
    try:
        with transaction.atomic():
            if stored is not None:
                stored.delete()  # expired and not yet swept: the key is free again
            status, body = _build(create)
            try:
                # No savepoint (two round trips fewer): a conflict dooms this transaction, which
                # is what _Taken does anyway.
                with transaction.atomic(savepoint=False):
                    IdempotencyRecord.objects.create(
                        caller=caller,
                        key=key,
                        endpoint=endpoint,
                        request_hash=fingerprint,
                        status_code=status,
                        response_body=body,
                        created_at=now,
                        expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
                    )
            except IntegrityError:
                raise _Taken from None
    except _Taken:
        winner = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if winner is None:
            response = _problem(
                409,
                _("A request with this Idempotency-Key is still being processed. Try again shortly."),
                "idempotency_key_in_use",
            )
            response["Retry-After"] = "1"
            return response
        return _replay(winner, endpoint, fingerprint)
    return _json(body, status)


def sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Delete the answers whose keys have expired, a batch at a time; returns how many."""
    now = now or timezone.now()
    removed = 0
    while True:
        expired = list(
            IdempotencyRecord.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:batch]
        )
        if not expired:
            return removed
        removed += IdempotencyRecord.objects.filter(pk__in=expired).delete()[0]


def forget_caller(kind: str, pk: object) -> int:
    """Drop every answer stored for a caller whose credentials just changed; returns how many.

    A stored answer was built for the caller's scope at the time; once a
    session ends for a reason (a transfer, a replaced mobile number), a replay
    must not hand that answer to whoever holds the credential now.
    """
    return IdempotencyRecord.objects.filter(caller=caller(kind, pk)).delete()[0]
