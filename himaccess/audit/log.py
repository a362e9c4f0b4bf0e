"""Writing the audit chain: ``record`` appends one entry in the caller's transaction.

Appends are serialised by locking the chain's head row (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction mode already
serialises writers), so two concurrent writers can never take the same
position or link to the same previous row. The lock is held until the
caller's transaction ends: keep audited transactions short.

Before/after values never carry secrets: keys naming a secret (OTP, code,
password, token, secret, PIN, Aadhaar) are replaced by ``[redacted]`` and a
12-digit Verhoeff-valid number anywhere in a value is masked to its last four.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from himaccess.audit import chain
from himaccess.audit.models import AuditEntry, AuditHead
from himaccess.audit.redaction import REDACTED, mask_aadhaar_numbers

if TYPE_CHECKING:
    from himaccess.accounts.models import User

logger = logging.getLogger(__name__)

# Words that, as a whole word of a key (split on "_", "-" and case), mark a secret.
_SECRET_WORDS = frozenset(
    {"otp", "totp", "password", "passwd", "passphrase", "token", "secret", "pin", "aadhaar", "aadhar"}
)
# "code" alone is too common a word (service_code, lgd_code): only these keys.
_SECRET_KEYS = frozenset({"code", "verification_code", "auth_code", "authorization_code", "one_time_code"})
# Keys that look like secrets by their words but hold what may be kept.
_ALLOWED_SUFFIXES = ("_ref", "_last4", "_last_4", "_masked")
_ALLOWED_KEYS = frozenset({"pin_code"})
_KEY_WORDS = re.compile(r"[^a-z0-9]+")
# Public identifiers, in order of preference, that name an object in the chain.
_PUBLIC_ID_FIELDS = ("member_id", "family_id", "reference")


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    if lowered in _ALLOWED_KEYS or lowered.endswith(_ALLOWED_SUFFIXES):
        return False
    if lowered in _SECRET_KEYS:
        return True
    return any(word in _SECRET_WORDS for word in _KEY_WORDS.split(lowered))


def scrub(value: Any) -> Any:
    """A copy of ``value`` with secret keys redacted and Aadhaar numbers masked."""
    if isinstance(value, dict):
        return {str(k): (REDACTED if is_secret_key(str(k)) else scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return mask_aadhaar_numbers(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 12:
        return mask_aadhaar_numbers(str(value))
    return value


def canonical_json(data: dict[str, Any] | None) -> str:
    if data is None:
        return ""
    return json.dumps(
        scrub(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )


def client_address(request: HttpRequest | None) -> str:
    """The caller's IP address: REMOTE_ADDR, or the proxy-reported one behind trusted proxies."""
    return "" if request is None else client_address_from_meta(request.META)


def client_address_from_meta(meta: Mapping[str, Any]) -> str:
    """The client address from WSGI variables (``request.META`` or a copy of it).

    With ``settings.TRUSTED_PROXY_COUNT`` = n > 0, the n-th address from the
    right of X-Forwarded-For is the client as seen by the outermost trusted
    proxy; addresses further left are client-supplied and never trusted.
    """
    candidate = str(meta.get("REMOTE_ADDR", ""))
    proxies: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


def object_reference(obj: models.Model | None) -> tuple[str, str]:
    """The (type, opaque id) naming ``obj``: its public ID where it has one, else its key."""
    if obj is None:
        return "", ""
    meta = obj._meta
    for name in _PUBLIC_ID_FIELDS:
        try:
            field = meta.get_field(name)
        except Exception:  # noqa: S112 - FieldDoesNotExist: try the next name
            continue
        if not field.is_relation and getattr(obj, name, None):
            return meta.label_lower, str(getattr(obj, name))
    return meta.label_lower, str(obj.pk)


def record(
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain inside the caller's transaction."""
    object_type, object_id = object_reference(obj)
    before_text = canonical_json(before)
    after_text = canonical_json(after)
    address = client_address(request)
    actor_id = actor.pk if actor is not None and actor.pk is not None else None
    with transaction.atomic(savepoint=False):
        # The head row is made on the first append; ignore_conflicts lets two
        # first writers race without an error, and the lock then orders them.
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
            head = AuditHead.objects.select_for_update().get(pk=1)
        if head.seq == 0 and AuditEntry.objects.exists():
            raise RuntimeError(
                "The audit chain has entries but its head row was lost: run `himaccess audit verify`"
            )
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor_id,
            action=action[:64],
            object_type=object_type,
            object_id=object_id[:64],
            before=before_text,
            after=after_text,
            source=source[:40],
            client_address=address,
            prev_hash=head.hash,
        )
        entry.hash = entry.computed_hash()
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(
            seq=entry.seq,
            hash=entry.hash,
            signature=chain.head_signature(entry.seq, entry.hash, settings.AUDIT_HMAC_KEY),
            updated_at=entry.at,
        )
    return entry
