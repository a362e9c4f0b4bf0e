"""Ed25519 signing keys with key ids, for everything the state signs offline-verifiably.

A *purpose* (``"card"``, ``"certificate"``) names one key ring:

1. The active private key is read from ``<PURPOSE>_SIGNING_KEY`` (a PEM, or
   base64 of PKCS#8 DER or of the 32-byte raw key) or from the file named by
   ``<PURPOSE>_SIGNING_KEY_FILE``. Private keys never live in the database
   or the repository.
2. With neither set, the embedded profile (``DEBUG`` on) generates a key on
   first use under ``settings.SIGNING_KEY_DIR/<purpose>/`` with 0600
   permissions and marks it active; any other profile refuses to start signing.
3. Every public key ever active is kept in ``<purpose>.jwks.json`` in the same
   directory, so rotating the active key does not invalidate what the old one
   signed: verifiers look the signature's key id up in the published set.

A key id is the first 11 characters of the key's RFC 7638 JWK thumbprint
(base64url of SHA-256), short enough to sit in every QR code.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from himaccess.lib.environment import env_str

KEY_ID_LENGTH = 11
_lock = threading.Lock()
_active_cache: dict[tuple[str, ...], SigningKey] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The key as a JWK (RFC 8037 OKP), with its key id."""
    x = _b64url(raw_public_bytes(public_key))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": key_id(public_key), "use": "sig", "alg": "EdDSA"}


def key_id(public_key: Ed25519PublicKey) -> str:
    x = _b64url(raw_public_bytes(public_key))
    # RFC 7638: the thumbprint hashes the required members in lexicographic order, no spaces.
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())[:KEY_ID_LENGTH]


def public_key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 JWK")
    return Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    @classmethod
    def from_private_key(cls, private_key: Ed25519PrivateKey) -> SigningKey:
        return cls(kid=key_id(private_key.public_key()), private_key=private_key)


def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def load_private_key(material: str | bytes) -> Ed25519PrivateKey:
    """Parse a PEM, or base64 of PKCS#8 DER or of the 32-byte raw private key."""
    data = material.encode() if isinstance(material, str) else material
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
    else:
        try:
            der = base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise ValueError("signing key is neither PEM nor base64") from exc
        key = (
            Ed25519PrivateKey.from_private_bytes(der)
            if len(der) == 32
            else serialization.load_der_private_key(der, password=None)
        )
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("signing key is not an Ed25519 key")
    return key


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_dir(purpose: str) -> Path:
    return Path(settings.SIGNING_KEY_DIR) / purpose


def _env_names(purpose: str) -> tuple[str, str]:
    upper = purpose.upper()
    return f"{upper}_SIGNING_KEY", f"{upper}_SIGNING_KEY_FILE"


def _write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: never overwrite a key that may already have signed something.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _key_set_path(purpose: str) -> Path:
    return key_dir(purpose) / f"{purpose}.jwks.json"


def _read_key_set(purpose: str) -> list[dict[str, Any]]:
    path = _key_set_path(purpose)
    if not path.exists():
        return []
    keys: list[dict[str, Any]] = json.loads(path.read_text()).get("keys", [])
    return keys


def _remember_public_key(purpose: str, public_key: Ed25519PublicKey) -> None:
    """Add the key to the published set if missing (atomic replace of the file)."""
    keys = _read_key_set(purpose)
    jwk = public_jwk(public_key)
    if any(k.get("kid") == jwk["kid"] for k in keys):
        return
    keys.append(jwk)
    path = _key_set_path(purpose)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"keys": keys}, indent=2))
    tmp.replace(path)


def _load_configured(purpose: str) -> Ed25519PrivateKey | None:
    env_key, env_file = _env_names(purpose)
    inline = env_str(env_key, "")
    if inline:
        return load_private_key(inline)
    file_name = env_str(env_file, "")
    if file_name:
        return load_private_key(Path(file_name).read_bytes())
    return None


def _load_or_create_embedded(purpose: str) -> Ed25519PrivateKey:
    directory = key_dir(purpose)
    pointer = directory / "active"
    if pointer.exists():
        return load_private_key((directory / f"{pointer.read_text().strip()}.pem").read_bytes())
    if not settings.GENERATE_SIGNING_KEYS:
        env_key, env_file = _env_names(purpose)
        raise ImproperlyConfigured(f"{env_key} or {env_file} must be set when DEBUG is off")
    private_key = Ed25519PrivateKey.generate()
    _activate_embedded(purpose, private_key)
    return private_key


def _activate_embedded(purpose: str, private_key: Ed25519PrivateKey) -> None:
    directory = key_dir(purpose)
    kid = key_id(private_key.public_key())
    _write_secret(directory / f"{kid}.pem", private_key_pem(private_key))
    _remember_public_key(purpose, private_key.public_key())
    tmp = directory / f"active.{os.getpid()}.tmp"
    tmp.write_text(kid)
    tmp.replace(directory / "active")


def _cache_key(purpose: str) -> tuple[str, ...]:
    env_key, env_file = _env_names(purpose)
    return (purpose, str(settings.SIGNING_KEY_DIR), env_str(env_key, ""), env_str(env_file, ""))


def active_key(purpose: str) -> SigningKey:
    """The key that signs new documents of this purpose (cached per process)."""
    cache_key = _cache_key(purpose)
    cached = _active_cache.get(cache_key)
    if cached is not None:
        return cached
    with _lock:
        private_key = _load_configured(purpose) or _load_or_create_embedded(purpose)
        signing_key = SigningKey.from_private_key(private_key)
        # A read-only key directory still serves: published_jwks merges the active key in.
        with contextlib.suppress(OSError):
            _remember_public_key(purpose, signing_key.public_key)
        _active_cache[cache_key] = signing_key
        return signing_key


def published_jwks(purpose: str) -> dict[str, list[dict[str, Any]]]:
    """Every public key of the purpose, the active one included, as a JWKS."""
    keys = _read_key_set(purpose)
    active = public_jwk(active_key(purpose).public_key)
    if not any(k.get("kid") == active["kid"] for k in keys):
        keys.append(active)
    return {"keys": keys}


def public_keys(purpose: str) -> dict[str, Ed25519PublicKey]:
    return {jwk["kid"]: public_key_from_jwk(jwk) for jwk in published_jwks(purpose)["keys"]}


def rotate(purpose: str, *, out: Path | None = None) -> SigningKey:
    """Make a new key; the old public keys stay published.

    With the key configured from the environment, the new private key is
    written to ``out`` (0600) and the operator points ``<PURPOSE>_SIGNING_KEY_FILE``
    at it; in the embedded profile it becomes active at once.
    """
    with _lock:
        configured = _load_configured(purpose)
        private_key = Ed25519PrivateKey.generate()
        if configured is not None:
            if out is None:
                env_key, env_file = _env_names(purpose)
                raise ImproperlyConfigured(
                    f"{env_key}/{env_file} is set: give a path for the new key and point {env_file} at it"
                )
            _remember_public_key(purpose, configured.public_key())
            _write_secret(out, private_key_pem(private_key))
            _remember_public_key(purpose, private_key.public_key())
        else:
            current = _load_or_create_embedded(purpose)
            _remember_public_key(purpose, current.public_key())
            _activate_embedded(purpose, private_key)
        _active_cache.clear()
        return SigningKey.from_private_key(private_key)
