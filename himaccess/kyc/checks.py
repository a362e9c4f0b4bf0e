"""Checks of e-KYC's settings: deployment ones (``himaccess check --deploy``, DEBUG off) and one always.

``kyc.E001``  no authentication agency: UIDAI's simulator would answer e-KYC
``kyc.E002``  the agency over plain HTTP (Aadhaar numbers and OTPs in clear)
``kyc.E003``  no UIDAI certificate for offline e-KYC files
``kyc.E004``  a campaign start that is not a date (always checked)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def kyc_settings(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    errors: list[CheckMessage] = []
    if not settings.KYC_AGENCY_URL:
        errors.append(
            Error(
                "KYC_AGENCY_URL is empty: e-KYC would be answered by the built-in UIDAI simulator.",
                hint="Set KYC_AGENCY_URL to the state's KUA/ASA gateway, and KYC_AUA_CODE and "
                "KYC_AUA_LICENCE_KEY.",
                id="kyc.E001",
            )
        )
    elif not settings.KYC_AGENCY_URL.startswith("https://"):
        errors.append(Error("KYC_AGENCY_URL must be an https:// address.", id="kyc.E002"))
    cert = settings.KYC_OFFLINE_UIDAI_CERT_FILE
    if not cert or not Path(cert).is_file():
        errors.append(
            Error(
                "KYC_OFFLINE_UIDAI_CERT_FILE does not name a readable file: "
                "offline e-KYC files cannot be verified.",
                hint="Download UIDAI's offline e-KYC signing certificate and point "
                "KYC_OFFLINE_UIDAI_CERT_FILE at it.",
                id="kyc.E003",
            )
        )
    return errors


@register()
def campaign_start(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """``kyc.E004``: KYC_CAMPAIGN_START must be a date (checked always: a bad one breaks the dashboard)."""
    value = settings.KYC_CAMPAIGN_START
    if not value:
        return []
    try:
        date.fromisoformat(value)
    except ValueError:
        return [Error(f"KYC_CAMPAIGN_START must be a date as YYYY-MM-DD, not {value!r}.", id="kyc.E004")]
    return []
