"""Writing the audit chains: ``record`` appends one entry in the caller's transaction.

The log is ``AUDIT_CHAINS`` chains, each with its own head row. An append
locks one head (``SELECT ... FOR UPDATE``) until the caller's transaction
ends, so two writers can never take the same position in a chain or link to
the same previous row; but it takes the first head no one holds (``SKIP
LOCKED``), starting from the chain the object's name hashes to, so
concurrent transactions do not wait for each other unless every chain is
held. On SQLite the IMMEDIATE transaction mode already serialises writers
and the object's chain is used. Every ``AUDIT_CHECKPOINT_EVERY`` entries of
a chain, a signed checkpoint of all heads is written with the entry.

Before/after values never carry secrets: keys naming a secret (OTP, code,
password, token, secret, PIN, Aadhaar) are replaced by ``[redacted]`` and a
12-digit Verhoeff-valid number anywhere in a value is masked to its last four.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from himaccess.audit import chain
from himaccess.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from himaccess.audit.redaction import REDACTED, mask_aadhaar_numbers

if TYPE_CHECKING:
    # Any login (the project's user model is accounts.User): the log sits below accounts.
    from django.contrib.auth.base_user import AbstractBaseUser

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
    actor: AbstractBaseUser | None,
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
    chains: int = settings.AUDIT_CHAINS
    preferred = preferred_chain(object_type, object_id, actor_id, chains)
    with transaction.atomic(savepoint=False):
        head = _lock_a_head(preferred, chains)
        if head.seq == 0 and AuditEntry.objects.filter(chain=head.pk).exists():
            raise RuntimeError(
                "The audit chain has entries but its head row was lost: run `himaccess audit verify`"
            )
        entry = AuditEntry(
            chain=head.pk,
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
        AuditHead.objects.filter(pk=head.pk).update(
            seq=entry.seq,
            hash=entry.hash,
            signature=chain.head_signature(entry.seq, entry.hash, settings.AUDIT_HMAC_KEY, head.pk),
            updated_at=entry.at,
        )
        if entry.seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
            write_checkpoint()
    return entry


def preferred_chain(object_type: str, object_id: str, actor_id: int | None, chains: int) -> int:
    """The chain an object's entries go to when no one holds it: a stable hash of its name."""
    name = f"{object_type}:{object_id}" if object_id else f"actor:{actor_id}"
    return zlib.crc32(name.encode()) % chains + 1


def _lock_a_head(preferred: int, chains: int) -> AuditHead:
    """Lock the first free head from ``preferred`` on (in a ring), or wait for ``preferred``."""
    if connection.vendor == "postgresql":
        # One statement: heads are tried in ring order and those another transaction holds are
        # skipped, so an append waits only when every chain is held.
        heads = AuditHead.objects.raw(
            f"SELECT id, seq, hash, signature, updated_at FROM {AuditHead._meta.db_table} "  # noqa: S608 - the model's own table
            "WHERE id <= %s ORDER BY (id - %s + %s) %% %s LIMIT 1 FOR UPDATE SKIP LOCKED",
            [chains, preferred, chains, chains],
        )
        for head in heads:
            return head
    found = AuditHead.objects.select_for_update().filter(pk=preferred).first()
    if found is not None:
        return found
    # Heads are made on the first append (and when AUDIT_CHAINS grows); ignore_conflicts
    # lets two first writers race without an error, and the lock then orders them.
    AuditHead.objects.bulk_create([AuditHead(pk=n) for n in range(1, chains + 1)], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=preferred)


def write_checkpoint() -> AuditCheckpoint:
    """Sign every chain's head as this transaction sees it (committed heads, and its own).

    Reads without locking: each head read is one that was (or, for the heads
    this transaction moved, will be) committed, so it is a state every chain
    must keep extending.
    """
    heads = AuditHead.objects.values_list("id", "seq", "hash").order_by("id")
    text = chain.checkpoint_text(heads)
    return AuditCheckpoint.objects.create(
        at=timezone.now(), heads=text, signature=chain.checkpoint_signature(text, settings.AUDIT_HMAC_KEY)
    )
