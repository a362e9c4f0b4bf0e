"""The OpenID Connect signing key: from the environment, a file, or made once locally.

Read at settings time, in this order: ``OIDC_RSA_PRIVATE_KEY`` (the PEM
itself), ``OIDC_RSA_PRIVATE_KEY_FILE`` (a path to it), else a 2048-bit RSA
key generated on first start into ``<key_dir>/oidc-rsa.pem`` with mode 0600.
The key is never written to the repository or the database. Several web
nodes must share one key: give it to them through the environment or a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

GENERATED_KEY_NAME = "oidc-rsa.pem"


def load_private_key(*, pem: str, path: str, key_dir: Path) -> str:
    if pem:
        return pem.replace("\\n", "\n")
    if path:
        try:
            return Path(path).read_text()
        except OSError as exc:
            raise ImproperlyConfigured(f"OIDC_RSA_PRIVATE_KEY_FILE cannot be read: {exc}") from exc
    target = key_dir / GENERATED_KEY_NAME
    if target.exists():
        return target.read_text()
    return _generate(target)


def _generate(target: Path) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_EXCL: two processes starting at once keep the first key, never a mix.
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return target.read_text()
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    return pem
