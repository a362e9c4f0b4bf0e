"""Deployment checks: defaults that are safe on a laptop and unsafe in production.

Each is an Error tagged ``deploy``, so ``himaccess check --deploy`` fails
while one applies, and each says what to set instead. They look only at
settings and the environment (no database), and only when DEBUG is off: the
embedded profile keeps its working defaults.

``himaccess.E001``  SMS written to a file or the console (one-time codes in clear)
``himaccess.E002``  the HTTP SMS gateway without its address or key
``himaccess.E003``  a per-process or dummy cache (rate limits per process, or none)
``himaccess.E004``  no Celery broker (tasks, the SMS among them, run inside requests)
``himaccess.E005``  the public or a short REGISTER_ID_KEY
``himaccess.E006``  a short AUDIT_HMAC_KEY (the default, derived from SECRET_KEY, is fine)
``himaccess.E007``  card or certificate signing keys generated on the node
``himaccess.E008``  card or certificate signing keys missing
``himaccess.E009``  an OpenID Connect signing key generated on the node
``himaccess.E010``  a public address (SITE_URL, CREDENTIAL_ISSUER) that is not https
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from himaccess.lib.environment import env_str

# Keys shorter than this can be guessed, or were typed by hand as a placeholder.
MIN_KEY_LENGTH = 16
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "per process",
    "django.core.cache.backends.dummy.DummyCache": "a dummy that keeps nothing",
}
# Purposes of the Ed25519 keys read by himaccess.lib.signing ("<PURPOSE>_SIGNING_KEY[_FILE]").
SIGNING_PURPOSES = ("card", "certificate")
GENERATED_OIDC_KEY = "oidc-rsa.pem"


def _signing_key_configured(purpose: str) -> bool:
    upper = purpose.upper()
    if env_str(f"{upper}_SIGNING_KEY", "") or env_str(f"{upper}_SIGNING_KEY_FILE", ""):
        return True
    # A key installed with `rotate_card_key` (or copied in) and made active.
    return (Path(settings.SIGNING_KEY_DIR) / purpose / "active").exists()


def _oidc_key_generated() -> bool:
    generated = Path(settings.SIGNING_KEY_DIR) / GENERATED_OIDC_KEY
    configured = settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY", "")
    try:
        return generated.exists() and generated.read_text() == configured
    except OSError:
        return False


@register(Tags.security, deploy=True)
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    if settings.DEBUG:
        return []
    if settings.SMS_BACKEND in ("file", "console"):
        where = (
            str(Path(settings.DATA_DIR) / "sms.log") if settings.SMS_BACKEND == "file" else "standard output"
        )
        return [
            Error(
                f"SMS_BACKEND={settings.SMS_BACKEND} writes every SMS, one-time login codes included, "
                f"in clear to {where} instead of sending it.",
                hint="Set SMS_BACKEND=http with SMS_GATEWAY_URL and SMS_GATEWAY_API_KEY of the DLT gateway.",
                id="himaccess.E001",
            )
        ]
    if settings.SMS_BACKEND == "http" and not (settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_API_KEY):
        return [
            Error(
                "SMS_BACKEND=http without SMS_GATEWAY_URL or SMS_GATEWAY_API_KEY: no SMS can be delivered.",
                hint="Set SMS_GATEWAY_URL (https://...) and SMS_GATEWAY_API_KEY of the DLT gateway.",
                id="himaccess.E002",
            )
        ]
    return []


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache is {PER_PROCESS_CACHES[backend]}: rate limits on login codes and "
            "complaint tracking are counted per web process (or not at all), so each worker "
            "multiplies every limit.",
            hint="Set CACHE_URL=redis://host:6379/1 so that every web process shares one count.",
            id="himaccess.E003",
        )
    ]


@register(Tags.security, deploy=True)
def check_task_broker(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    if settings.DEBUG or settings.CELERY_BROKER_URL:
        return []
    return [
        Error(
            "CELERY_BROKER_URL is not set: background tasks run inside web requests, so a login code "
            "for a registered number takes longer than for an unknown one, and a slow SMS gateway "
            "holds a web worker.",
            hint="Set CELERY_BROKER_URL (amqp://... or redis://...) and run a Celery worker and beat.",
            id="himaccess.E004",
        )
    ]


@register(Tags.security, deploy=True)
def check_keys(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    if settings.DEBUG:
        return []
    errors: list[CheckMessage] = []
    register_key = settings.REGISTER_ID_KEY
    if register_key == settings.PUBLIC_REGISTER_ID_KEY or len(register_key) < MIN_KEY_LENGTH:
        errors.append(
            Error(
                "REGISTER_ID_KEY is the public default or too short: Family, Member, application and "
                "complaint numbers can be predicted and walked.",
                hint=f"Set REGISTER_ID_KEY to a random secret of at least {MIN_KEY_LENGTH} characters "
                "before the first ID is issued, and never change it afterwards.",
                id="himaccess.E005",
            )
        )
    if len(settings.AUDIT_HMAC_KEY) < MIN_KEY_LENGTH:
        errors.append(
            Error(
                "AUDIT_HMAC_KEY is too short: a cut or rewritten audit chain could be signed again.",
                hint="Unset AUDIT_HMAC_KEY (it is then derived from SECRET_KEY) or set a long random secret.",
                id="himaccess.E006",
            )
        )
    if settings.GENERATE_SIGNING_KEYS:
        errors.append(
            Error(
                "GENERATE_SIGNING_KEYS is on: a missing card or certificate key is generated on the node "
                "that first needs it, so nodes sign with keys nobody configured or published.",
                hint="Set GENERATE_SIGNING_KEYS=false and configure the keys (CARD_SIGNING_KEY[_FILE], "
                "CERTIFICATE_SIGNING_KEY[_FILE]).",
                id="himaccess.E007",
            )
        )
    missing = [purpose for purpose in SIGNING_PURPOSES if not _signing_key_configured(purpose)]
    if missing:
        names = ", ".join(f"{purpose.upper()}_SIGNING_KEY" for purpose in missing)
        errors.append(
            Error(
                f"No signing key is configured for: {names}; signing cards or certificates will fail.",
                hint="Set each as an Ed25519 private key (PEM or base64), inline or through the _FILE "
                "variable.",
                id="himaccess.E008",
            )
        )
    if _oidc_key_generated():
        errors.append(
            Error(
                "The OpenID Connect signing key was generated on this node: other nodes sign ID tokens "
                "with other keys, and a new node or a cleaned directory changes the key.",
                hint="Set OIDC_RSA_PRIVATE_KEY or OIDC_RSA_PRIVATE_KEY_FILE (one RSA key for every node).",
                id="himaccess.E009",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_public_addresses(app_configs: Any = None, **kwargs: Any) -> Iterable[CheckMessage]:
    """Links in SMS and on certificates, and the issuer printed in every card, must be https."""
    if settings.DEBUG:
        return []
    plain = [
        name
        for name in ("SITE_URL", "CREDENTIAL_ISSUER")
        if not getattr(settings, name).startswith("https://")
    ]
    if not plain:
        return []
    return [
        Error(
            f"{' and '.join(plain)} not https: SMS links, certificate QRs and every card issued would "
            "point citizens and verifiers at an address anyone on the way can change.",
            hint="Set SITE_URL to the public https address (CREDENTIAL_ISSUER defaults to it).",
            id="himaccess.E010",
        )
    ]
