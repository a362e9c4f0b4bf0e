"""Certificates: the statement from the definition, the signed QR statement, and verification.

The QR code holds a URL to the public verification page carrying a compact
JWS (``lib.jws``, Ed25519, key id in the header; keys published at
``/services/keys.json``). Its payload is the minimum a checker needs: the
certificate and application numbers, the service, the member's ID and name
in both scripts, the issue and expiry dates, and the certified facts of the
statement (never an address, a mobile number or an Aadhaar number).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.applications.models import Application, Certificate
from himaccess.lib import jws

PURPOSE = "certificate"
TOKEN_TYPE = "hp-certificate+jws"  # noqa: S105 - a JOSE "typ", not a secret
ISSUER = "hp.gov.in"
# Placeholders never carried in the QR: they identify where someone lives, or are long lists.
_NOT_IN_QR = frozenset(
    {"address_en", "address_hi", "applicant_name_en", "applicant_name_hi", "heirs", "damage"}
)
MAX_FACT_LENGTH = 80

GENUINE = "genuine"
REVOKED = "revoked"
EXPIRED = "expired"
TAMPERED = "tampered"
UNKNOWN_KEY = "unknown_key"
NOT_CERTIFICATE = "not_certificate"

MESSAGES: dict[str, Promise] = {
    GENUINE: _("Genuine: this certificate was issued by the Government of Himachal Pradesh and is in force."),
    REVOKED: _("Revoked: this certificate was withdrawn and is no longer valid."),
    EXPIRED: _("Expired: this certificate is past its validity date."),
    TAMPERED: _("Not genuine: the code is damaged or was altered after it was signed."),
    UNKNOWN_KEY: _(
        "Not genuine: it was signed with a key the Government of Himachal Pradesh has not published."
    ),
    NOT_CERTIFICATE: _("This is not a Him Seva certificate code."),
}


def _day(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def _display(value: Any, field_def: dict[str, Any] | None, language: str) -> str:
    if field_def and field_def.get("type") == "choice":
        for choice in field_def.get("choices", []):
            if choice["value"] == value:
                return str(choice["label_hi" if language == "hi" else "label_en"])
    if field_def and field_def.get("type") == "date" and isinstance(value, str) and value:
        try:
            return _day(date.fromisoformat(value))
        except ValueError:
            return value
    if field_def and field_def.get("type") == "number" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, bool):
        return ("हाँ" if value else "नहीं") if language == "hi" else ("Yes" if value else "No")
    return "" if value is None else str(value)


def render_statement(application: Application, language: str, facts: dict[str, str]) -> str:
    output = application.service_version.output
    template = output["statement_hi" if language == "hi" else "statement_en"]
    fields = {f["name"]: f for f in application.service_version.form_fields}
    values = {name: _display(application.answers.get(name), fields.get(name), language) for name in fields}
    values.update(facts)
    return string.Formatter().vformat(template, (), values)


def placeholders(application: Application) -> list[str]:
    output = application.service_version.output
    return [name for _, name, _, _ in string.Formatter().parse(output["statement_en"]) if name]


@dataclass
class Drafted:
    statement_en: str
    statement_hi: str
    valid_until: date | None
    payload: dict[str, Any] = field(default_factory=dict)


def draft(application: Application, number: str, issued_on: date) -> Drafted:
    output = application.service_version.output
    validity = output.get("validity_days")
    valid_until = issued_on + timedelta(days=int(validity)) if validity else None
    facts = {
        "certificate_no": number,
        "issued_on": _day(issued_on),
        "valid_until": _day(valid_until) if valid_until else "",
        "service_name_en": application.service_version.name_en,
        "service_name_hi": application.service_version.name_hi,
    }
    fields = {f["name"]: f for f in application.service_version.form_fields}
    certified = {
        name: _display(application.answers.get(name), fields.get(name), "en")[:MAX_FACT_LENGTH]
        for name in placeholders(application)
        if name in fields and name not in _NOT_IN_QR
    }
    member = application.member
    payload = {
        "iss": ISSUER,
        "no": number,
        "app": application.number,
        "svc": application.service_id,
        "ver": application.service_version.number,
        "sub": member.member_id,
        "name": member.name_en,
        "name_hi": member.name_hi,
        "iat": issued_on.isoformat(),
        "exp": valid_until.isoformat() if valid_until else None,
        "facts": certified,
    }
    return Drafted(
        statement_en=render_statement(application, "en", facts),
        statement_hi=render_statement(application, "hi", facts),
        valid_until=valid_until,
        payload=payload,
    )


def sign(payload: dict[str, Any]) -> tuple[str, str]:
    return jws.sign(payload, PURPOSE, typ=TOKEN_TYPE)


def verification_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('applications:verify')}?t={token}"


def token_from(text: str) -> str:
    """The token in a scanned URL or in pasted text."""
    text = text.strip()
    if "t=" in text:
        text = text.split("t=", 1)[1].split("&", 1)[0]
    return text


@dataclass(frozen=True)
class Verdict:
    verdict: str
    payload: dict[str, Any] | None = None
    certificate: Certificate | None = None

    @property
    def message(self) -> str:
        return str(MESSAGES[self.verdict])

    @property
    def is_genuine(self) -> bool:
        return self.verdict == GENUINE


def verify(text: str) -> Verdict:
    token = token_from(text)
    try:
        verified = jws.verify(token, PURPOSE, typ=TOKEN_TYPE)
    except jws.UnknownKey:
        return Verdict(UNKNOWN_KEY)
    except jws.Invalid:
        return Verdict(TAMPERED if token.count(".") == 2 else NOT_CERTIFICATE)
    payload = verified.payload
    certificate = Certificate.objects.filter(number=str(payload.get("no", ""))).first()
    if certificate is None or certificate.token != token:
        # Signed by us but not a certificate we hold: treat as not genuine rather than guess.
        return Verdict(TAMPERED)
    if certificate.is_revoked:
        return Verdict(REVOKED, payload, certificate)
    expires = payload.get("exp")
    if expires and date.fromisoformat(expires) < timezone.localdate():
        return Verdict(EXPIRED, payload, certificate)
    return Verdict(GENUINE, payload, certificate)
