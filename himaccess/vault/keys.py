"""The vault's keys: AES-256-GCM keys with ids, and the HMAC key of references.

1. Encryption keys come from ``settings.VAULT_KEYS`` or the file named by
   ``settings.VAULT_KEY_FILE``: entries ``<id>:<base64 of 32 bytes>``,
   separated by commas or newlines. The first entry is the *current* key
   (it encrypts new rows and is the target of ``himaccess vault rotate``);
   the others only decrypt rows not yet rotated.
2. The reference key (HMAC-SHA256) comes from ``settings.VAULT_REFERENCE_KEY``
   or ``settings.VAULT_REFERENCE_KEY_FILE``. It is a different key from the
   encryption keys so that a leaked reference key reveals no number stored,
   and it never changes: references are what the register's uniqueness of
   living people rests on.
3. With neither configured, the embedded profile (``GENERATE_SIGNING_KEYS``,
   on with DEBUG) generates both on first use under
   ``SIGNING_KEY_DIR/vault/`` with 0600 permissions, as the card and
   certificate signing keys are; any other profile refuses to start.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_lock = threading.Lock()
_cache: dict[tuple[str, ...], KeyRing] = {}


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]
    reference_key: bytes

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def parse_keys(text: str, *, origin: str) -> tuple[str, dict[str, bytes]]:
    """``"id:base64,id:base64"`` -> (id of the first, {id: key}); raises naming ``origin``, never a key."""
    entries = [entry.strip() for entry in re.split(r"[,\n]", text) if entry.strip()]
    if not entries:
        raise ImproperlyConfigured(f"{origin} holds no key")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        kid, sep, material = entry.partition(":")
        if not sep or not _KEY_ID.fullmatch(kid):
            raise ImproperlyConfigured(f"{origin}: entry {position} is not '<id>:<base64 key>'")
        try:
            key = base64.b64decode(material, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"{origin}: key {kid!r} is not base64") from exc
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"{origin}: key {kid!r} is not {KEY_BYTES} bytes (AES-256)")
        if kid in keys:
            raise ImproperlyConfigured(f"{origin}: key id {kid!r} appears twice")
        keys[kid] = key
    return entries[0].partition(":")[0], keys


def new_key_entry(kid: str | None = None) -> str:
    """A fresh ``id:base64`` entry, for an operator to put first in VAULT_KEYS."""
    kid = kid or f"k{secrets.token_hex(4)}"
    return f"{kid}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def key_dir() -> Path:
    return Path(settings.SIGNING_KEY_DIR) / "vault"


def _write_secret(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(data)


def _generated(name: str, make: str) -> str:
    path = key_dir() / name
    if not path.exists():
        if not settings.GENERATE_SIGNING_KEYS:
            raise ImproperlyConfigured(
                "The Aadhaar vault's keys are not configured: set VAULT_KEYS or VAULT_KEY_FILE and "
                "VAULT_REFERENCE_KEY or VAULT_REFERENCE_KEY_FILE"
            )
        _write_secret(path, make)
    return path.read_text()


def _encryption_keys() -> tuple[str, dict[str, bytes]]:
    if settings.VAULT_KEYS:
        return parse_keys(settings.VAULT_KEYS, origin="VAULT_KEYS")
    if settings.VAULT_KEY_FILE:
        return parse_keys(Path(settings.VAULT_KEY_FILE).read_text(), origin="VAULT_KEY_FILE")
    return parse_keys(_generated("keys.txt", new_key_entry() + "\n"), origin="the generated vault key file")


def _reference_key() -> bytes:
    if settings.VAULT_REFERENCE_KEY:
        text = settings.VAULT_REFERENCE_KEY
    elif settings.VAULT_REFERENCE_KEY_FILE:
        text = Path(settings.VAULT_REFERENCE_KEY_FILE).read_text()
    else:
        text = _generated("reference.key", secrets.token_urlsafe(KEY_BYTES) + "\n")
    key = text.strip().encode()
    if len(key) < KEY_BYTES:
        raise ImproperlyConfigured(f"The vault's reference key must be at least {KEY_BYTES} characters")
    return key


def _cache_key() -> tuple[str, ...]:
    return (
        str(settings.SIGNING_KEY_DIR),
        settings.VAULT_KEYS,
        settings.VAULT_KEY_FILE,
        settings.VAULT_REFERENCE_KEY,
        settings.VAULT_REFERENCE_KEY_FILE,
    )


def key_ring() -> KeyRing:
    """The configured keys (cached per process and configuration)."""
    cache_key = _cache_key()
    ring = _cache.get(cache_key)
    if ring is not None:
        return ring
    with _lock:
        current_id, keys = _encryption_keys()
        reference_key = _reference_key()
        # The same secret pasted into both settings, raw or as its base64 text.
        if any(reference_key in (key, base64.b64encode(key)) for key in keys.values()):
            raise ImproperlyConfigured("The vault's reference key must differ from its encryption keys")
        ring = KeyRing(current_id=current_id, keys=keys, reference_key=reference_key)
        _cache[cache_key] = ring
        return ring


def forget() -> None:
    """Drop cached keys (after the key file changed under a running process)."""
    with _lock:
        _cache.clear()
