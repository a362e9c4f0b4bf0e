"""The vault's whole interface: validate, reference, store and reveal Aadhaar numbers.

Other apps call these functions and keep what they return (the reference and
the last four digits); they never import ``himaccess.vault.models``.

- ``normalise`` checks a typed number (12 digits, not starting with 0 or 1,
  Verhoeff checksum) and raises ``InvalidAadhaar`` with a message in the
  reader's language that never repeats the number.
- ``reference_for`` is the number's keyed hash (HMAC-SHA256, hex): what the
  register stores and its uniqueness of living people is built on.
- ``store`` seals the number (AES-256-GCM) into the vault, once per number,
  and writes an audit row; ``store_many`` is the bulk path for importing an
  existing register.
- ``reveal`` opens a number for one of ``REVEAL_PURPOSES`` only, and writes
  an audit row naming the purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from himaccess.audit import log as audit
from himaccess.lib.identifiers import verhoeff_is_valid
from himaccess.vault import keys
from himaccess.vault.masking import masked
from himaccess.vault.models import VaultEntry

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from himaccess.accounts.models import User

NONCE_BYTES = 12
# Longer input is refused before it is looked at (a pasted document, not a number).
MAX_INPUT_LENGTH = 40
# Spaces and hyphens people group the digits with; nothing else is dropped.
_SEPARATORS = str.maketrans("", "", " -\u00a0")
# Aadhaar letters and phones print the number in Devanagari digits too.
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_REFERENCE = re.compile(r"[0-9a-f]{64}")
_MAX_PURPOSE_LENGTH = 40
STORE_BATCH = 5000
_COPY_COLUMNS = ("reference", "key_id", "nonce", "ciphertext", "last4")

# Why a full number may be read back, and nothing else.
REVEAL_PURPOSES: dict[str, StrPromise] = {
    "ekyc": _("Aadhaar e-KYC with UIDAI after the member's recorded consent"),
    "aadhaar_payment": _("Seeding a benefit payment through the Aadhaar Payment Bridge"),
    "legal_order": _("An order of a court or a request made under law"),
}


class InvalidAadhaar(ValueError):
    """The input is not an Aadhaar number; ``message`` says why in the reader's language."""

    MESSAGES: dict[str, StrPromise] = {
        "length": _("An Aadhaar number has 12 digits."),
        "digits": _("An Aadhaar number has only digits (spaces and hyphens between them are fine)."),
        "leading": _("An Aadhaar number never starts with 0 or 1."),
        "checksum": _("This is not a valid Aadhaar number: one of the digits is wrong. Please check it."),
    }

    def __init__(self, code: str, *, position: int | None = None) -> None:
        self.code = code
        self.message = self.MESSAGES[code]
        # Which input of a bulk store failed (0-based); None for a single number.
        self.position = position
        # The code only: the exception's text must never carry the number into a log.
        super().__init__(code)


class UnknownPurpose(ValueError):
    """Reveal asked for a purpose not in ``REVEAL_PURPOSES`` (or store without a purpose)."""


class NotInVault(LookupError):
    """No number is stored under this reference."""


@dataclass(frozen=True)
class AadhaarRef:
    reference: str
    last4: str

    @property
    def masked(self) -> str:
        return masked(self.last4)


def normalise(number: str) -> str:
    """The 12 ASCII digits of a typed Aadhaar number, or ``InvalidAadhaar``."""
    if not isinstance(number, str):
        raise InvalidAadhaar("digits")
    if len(number) > MAX_INPUT_LENGTH:
        raise InvalidAadhaar("length")
    digits = number.translate(_SEPARATORS).translate(_DEVANAGARI_DIGITS)
    if not digits:
        raise InvalidAadhaar("length")
    if not _ASCII_DIGITS.fullmatch(digits):
        raise InvalidAadhaar("digits")
    if len(digits) != 12:
        raise InvalidAadhaar("length")
    if digits[0] in "01":
        raise InvalidAadhaar("leading")
    if not verhoeff_is_valid(digits):
        raise InvalidAadhaar("checksum")
    return digits


def _reference(digits: str, key: bytes) -> str:
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def reference_for(number: str) -> str:
    """The keyed hash the register keeps for ``number`` (validated first); nothing is written."""
    return _reference(normalise(number), keys.key_ring().reference_key)


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _sealed_row(digits: str, reference: str, ring: keys.KeyRing) -> tuple[str, str, bytes, bytes, str]:
    """(reference, key id, nonce, ciphertext, last4): the columns of ``_COPY_COLUMNS``."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = _cipher(ring.current).encrypt(nonce, digits.encode("ascii"), reference.encode("ascii"))
    return reference, ring.current_id, nonce, ciphertext, digits[-4:]


def seal(digits: str, reference: str, ring: keys.KeyRing) -> VaultEntry:
    """An unsaved row holding ``digits`` sealed under the current key with a fresh nonce."""
    reference, key_id, nonce, ciphertext, last4 = _sealed_row(digits, reference, ring)
    return VaultEntry(reference=reference, key_id=key_id, nonce=nonce, ciphertext=ciphertext, last4=last4)


def open_entry(entry: VaultEntry, ring: keys.KeyRing) -> str:
    """The number sealed in ``entry`` (``InvalidTag`` if the row was tampered with)."""
    key = ring.keys.get(entry.key_id)
    if key is None:
        raise ImproperlyConfigured(f"Vault key {entry.key_id!r} is not configured (see VAULT_KEYS)")
    plain = _cipher(key).decrypt(bytes(entry.nonce), bytes(entry.ciphertext), entry.reference.encode("ascii"))
    return plain.decode("ascii")


def _check_store_purpose(purpose: str) -> None:
    if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > _MAX_PURPOSE_LENGTH:
        raise UnknownPurpose("a store needs a short purpose, e.g. 'registration' or 'ekyc'")


@transaction.atomic
def store(number: str, *, actor: User | None, purpose: str) -> AadhaarRef:
    """Seal ``number`` into the vault once; the same number always gives the same row and reference."""
    _check_store_purpose(purpose)
    digits = normalise(number)
    ring = keys.key_ring()
    reference = _reference(digits, ring.reference_key)
    entry = VaultEntry.objects.filter(reference=reference).first()
    created = entry is None
    if entry is None:
        sealed = seal(digits, reference, ring)
        # get_or_create: a concurrent store of the same number lands on the one row.
        entry, created = VaultEntry.objects.get_or_create(
            reference=reference,
            defaults={
                "key_id": sealed.key_id,
                "nonce": sealed.nonce,
                "ciphertext": sealed.ciphertext,
                "last4": sealed.last4,
            },
        )
    audit.record(actor, "vault.stored", entry, after={"purpose": purpose, "new": created}, source="vault")
    return AadhaarRef(reference=reference, last4=digits[-4:])


def store_many(
    numbers: Iterable[str], *, actor: User | None, purpose: str, batch_size: int = STORE_BATCH
) -> Iterator[AadhaarRef]:
    """Seal many numbers (importing an existing register), yielding each one's ``AadhaarRef`` in order.

    1. Numbers are taken ``batch_size`` at a time and all validated before
       any of the batch is written; a bad one raises ``InvalidAadhaar`` with
       its ``position`` in the input.
    2. Each batch is one transaction: one multi-row insert that skips
       numbers already in the vault, and one audit row with the counts.
    3. Batches written before a bad number stay written; storing is
       idempotent, so the import is run again once the input is corrected.
    """
    _check_store_purpose(purpose)
    ring = keys.key_ring()
    batch: list[str] = []
    for position, number in enumerate(numbers):
        try:
            batch.append(normalise(number))
        except InvalidAadhaar as exc:
            raise InvalidAadhaar(exc.code, position=position) from None
        if len(batch) >= batch_size:
            yield from _store_batch(batch, ring, actor=actor, purpose=purpose)
            batch = []
    if batch:
        yield from _store_batch(batch, ring, actor=actor, purpose=purpose)


def _store_batch(
    digits_list: list[str], ring: keys.KeyRing, *, actor: User | None, purpose: str
) -> list[AadhaarRef]:
    refs = [AadhaarRef(reference=_reference(d, ring.reference_key), last4=d[-4:]) for d in digits_list]
    unique = {ref.reference: digits for ref, digits in zip(refs, digits_list, strict=True)}
    with transaction.atomic():
        present = set(
            VaultEntry.objects.filter(reference__in=list(unique)).values_list("reference", flat=True)
        )
        missing = [_sealed_row(digits, ref, ring) for ref, digits in unique.items() if ref not in present]
        if connection.vendor == "postgresql":
            _copy_in(missing)
        else:
            rows = [VaultEntry(**dict(zip(_COPY_COLUMNS, row, strict=True))) for row in missing]
            VaultEntry.objects.bulk_create(rows, ignore_conflicts=True)
        audit.record(
            actor,
            "vault.stored_many",
            None,
            after={"purpose": purpose, "count": len(digits_list), "new": len(missing)},
            source="vault",
        )
    return refs


def _copy_in(rows: list[tuple[str, str, bytes, bytes, str]]) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT that skips numbers stored meanwhile.

    A multi-row INSERT of thousands of rows spends most of its time binding
    parameters; COPY streams them.
    """
    if not rows:
        return
    table = connection.ops.quote_name(VaultEntry._meta.db_table)
    columns = ", ".join(_COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS vault_incoming "
            "(reference varchar(64), key_id varchar(32), nonce bytea, ciphertext bytea, last4 varchar(4)) "
            "ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY vault_incoming ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, created_at, sealed_at) "  # noqa: S608
            f"SELECT {columns}, now(), now() FROM vault_incoming ON CONFLICT (reference) DO NOTHING"
        )
        cursor.execute("TRUNCATE vault_incoming")


@transaction.atomic
def reveal(reference: str, *, purpose: str, actor: User) -> str:
    """The full number under ``reference``, for one of ``REVEAL_PURPOSES``, with an audit row."""
    if purpose not in REVEAL_PURPOSES:
        raise UnknownPurpose(f"not a purpose for which a number may be revealed: {purpose!r}")
    if actor is None or actor.pk is None or not actor.is_active:
        raise PermissionError("revealing a number needs a named, active user")
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise NotInVault("not a vault reference")
    entry = VaultEntry.objects.filter(reference=reference).first()
    if entry is None:
        raise NotInVault("no number under this reference")
    number = open_entry(entry, keys.key_ring())
    audit.record(actor, "vault.revealed", entry, after={"purpose": purpose}, source="vault")
    return number


def last4(reference: str) -> str | None:
    """The last four digits kept with ``reference``, or None when nothing is stored under it."""
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        return None
    return VaultEntry.objects.filter(reference=reference).values_list("last4", flat=True).first()
