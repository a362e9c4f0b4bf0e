"""``vault.E001``: production has its vault keys configured (``check --deploy``).

Without them the first Aadhaar stored or looked up fails at that moment, in a
citizen's e-KYC; the deployment check says so before anyone is served.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from himaccess.vault.keys import key_ring


@register(Tags.security, deploy=True)
def vault_keys(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    try:
        key_ring()
    except ImproperlyConfigured as exc:
        return [
            Error(
                f"The Aadhaar vault's keys are not usable: {exc}",
                hint="Set VAULT_KEYS (or VAULT_KEY_FILE) to '<id>:<base64 32-byte key>' entries and "
                "VAULT_REFERENCE_KEY (or _FILE) to a different secret; `himaccess vault new-key` makes one.",
                id="vault.E001",
            )
        ]
    return []
