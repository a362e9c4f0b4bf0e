"""Certificates: the statement from the definition, the signed QR statement, and verification.

The QR code holds a URL to the public verification page carrying a compact
JWS (``lib.jws``, Ed25519, key id in the header; keys published at
``/services/keys.json``). Its payload is the minimum a checker needs: the
certificate and application numbers, the service, the member's ID and name
in both scripts, the issue and expiry dates, and the certified facts of the
statement (never an address, a mobile number or an Aadhaar number).

The token is a JWT any JOSE library validates with the published key:
``iat``, ``nbf`` and ``exp`` are NumericDates (``exp`` only when the
certificate expires: the end of its last day, Indian time), and the calendar
dates a reader sees sit under ``issued_on`` and ``valid_until``. Tokens
signed before this carried ISO dates in ``iat``/``exp``; ``verify`` still
reads them. A signed list of revoked certificates is published beside the
keys (``revocation_document``) for verifiers that work offline.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.applications import prefill
from himaccess.applications.models import Application, Certificate
from himaccess.cards.verifier import himparivar_verify as offline
from himaccess.lib import jws, links, signing
from himaccess.registry.models import Gender

PURPOSE = "certificate"
TOKEN_TYPE = "hp-certificate+jws"  # noqa: S105 - a JOSE "typ", not a secret
_IST = ZoneInfo("Asia/Kolkata")
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
UNSUPPORTED = "unsupported"
NOT_YET_VALID = "not_yet_valid"
NOT_CERTIFICATE = "not_certificate"

MESSAGES: dict[str, Promise] = {
    GENUINE: _("Genuine: this certificate was issued by the Government of Himachal Pradesh and is in force."),
    REVOKED: _("Revoked: this certificate was withdrawn and is no longer valid."),
    EXPIRED: _("Expired: this certificate is past its validity date."),
    TAMPERED: _("Not genuine: the code is damaged or was altered after it was signed."),
    UNKNOWN_KEY: _(
        "Not genuine: it was signed with a key the Government of Himachal Pradesh has not published."
    ),
    UNSUPPORTED: _(
        "Cannot be checked: this code uses a signature algorithm this service does not support. "
        "It is not accepted as a Him Seva certificate."
    ),
    NOT_YET_VALID: _("Not yet valid: this certificate's validity starts later."),
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


# Definitions offer every kinship at once; the certificate says the one that is true of the applicant.
_ANY_KINSHIP = {
    "en": "son / daughter / wife of {relative_name}",
    "hi": "{relative_name} के पुत्र / पुत्री / पत्नी",
}
# (named as spouse, gender) -> the words in each language (in Hindi the postposition agrees).
_KINSHIP: dict[tuple[bool, str], dict[str, str]] = {
    (False, Gender.MALE): {"en": "son of {relative_name}", "hi": "{relative_name} के पुत्र"},
    (False, Gender.FEMALE): {"en": "daughter of {relative_name}", "hi": "{relative_name} की पुत्री"},
    (False, Gender.TRANSGENDER): {"en": "child of {relative_name}", "hi": "{relative_name} की संतान"},
    (True, Gender.FEMALE): {"en": "wife of {relative_name}", "hi": "{relative_name} की पत्नी"},
    (True, Gender.MALE): {"en": "husband of {relative_name}", "hi": "{relative_name} के पति"},
    (True, Gender.TRANSGENDER): {"en": "spouse of {relative_name}", "hi": "{relative_name} के जीवनसाथी"},
}


def render_statement(application: Application, language: str, facts: dict[str, str]) -> str:
    """The certificate's sentence in one language, from the definition's template and the answers.

    Beyond filling the placeholders: the father's or husband's name is written
    in the language's script (the register's Hindi name where it knows the
    person), the kinship is the applicant's own (son, daughter or wife of...),
    each place in the address is named once, and a mauza the address already
    names is not said again before it.
    """
    language = "hi" if language == "hi" else "en"
    output = application.service_version.output
    template = output[f"statement_{language}"]
    fields = {f["name"]: f for f in application.service_version.form_fields}
    answers = application.answers
    values = {name: _display(answers.get(name), fields.get(name), language) for name in fields}
    address_key = f"address_{language}"
    if values.get(address_key):
        values[address_key] = prefill.places_once(values[address_key])
    member = application.member
    if answers.get("relative_name"):
        relative = prefill.certificate_relative(member, str(answers["relative_name"]))
        values["relative_name"] = relative.name_hi if language == "hi" else relative.name_en
        gender = answers.get("gender") or member.gender
        kinship = _KINSHIP.get((relative.is_spouse, gender))
        if kinship is not None:
            template = template.replace(_ANY_KINSHIP[language], kinship[language])
    mauza = str(answers.get("mauza") or "")
    if mauza:
        if prefill.names_place(str(answers.get("address_en") or ""), mauza):
            template = template.replace(f"{{mauza}}, {{{address_key}}}", f"{{{address_key}}}")
        if language == "hi":
            values["mauza"] = prefill.place_in_hindi(application.family, mauza)
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
    issued_at = int(timezone.now().timestamp())
    payload: dict[str, Any] = {
        "iss": settings.CREDENTIAL_ISSUER,
        "no": number,
        "app": application.number,
        "svc": application.service_id,
        "ver": application.service_version.number,
        "sub": member.member_id,
        "name": member.name_en,
        "name_hi": member.name_hi,
        "iat": issued_at,
        "nbf": issued_at,
        "issued_on": issued_on.isoformat(),
        "facts": certified,
    }
    if valid_until is not None:
        payload["valid_until"] = valid_until.isoformat()
        # Valid through its whole last day, on Indian time.
        payload["exp"] = int(datetime.combine(valid_until, time(23, 59, 59), tzinfo=_IST).timestamp())
    return Drafted(
        statement_en=render_statement(application, "en", facts),
        statement_hi=render_statement(application, "hi", facts),
        valid_until=valid_until,
        payload=payload,
    )


def sign(payload: dict[str, Any]) -> tuple[str, str]:
    return jws.sign(payload, PURPOSE, typ=TOKEN_TYPE)


def verification_url(token: str) -> str:
    return links.absolute(f"{reverse('applications:verify')}?t={token}")


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

    @property
    def tone(self) -> str:
        """The verify page's colour: green genuine, amber a real certificate not in force, red otherwise."""
        if self.verdict == GENUINE:
            return "genuine"
        return "caution" if self.verdict in (REVOKED, EXPIRED, NOT_YET_VALID) else "not-genuine"


def verify(text: str) -> Verdict:
    token = token_from(text)
    try:
        verified = jws.verify(token, PURPOSE, typ=TOKEN_TYPE)
    except jws.UnknownKey:
        return Verdict(UNKNOWN_KEY)
    except jws.Unsupported:
        return Verdict(UNSUPPORTED)
    except jws.Invalid:
        return Verdict(TAMPERED if token.count(".") == 2 else NOT_CERTIFICATE)
    payload = verified.payload
    certificate = Certificate.objects.filter(number=str(payload.get("no", ""))).first()
    if certificate is None or certificate.token != token:
        # Signed by us but not a certificate we hold: treat as not genuine rather than guess.
        return Verdict(TAMPERED)
    if certificate.is_revoked:
        return Verdict(REVOKED, payload, certificate)
    # The offline verifier's rule: NumericDates, or the ISO dates of the first tokens.
    offline_verdict = offline.verify_certificate(
        token, signing.public_keys(PURPOSE), now=timezone.now()
    ).verdict
    if offline_verdict in (EXPIRED, NOT_YET_VALID):
        return Verdict(offline_verdict, payload, certificate)
    return Verdict(GENUINE, payload, certificate)


def revocation_document() -> dict[str, Any]:
    """The signed list of revoked certificates (JWS, flattened JSON), beside the keys.

    Cached under a key made of the number of revocations and the latest one, so
    a revocation publishes a new list at once (no one has to remember to clear it).
    """
    state = Certificate.objects.filter(revoked_at__isnull=False).aggregate(
        n=Count("pk"), last=Max("revoked_at")
    )
    sequence = state["n"] or 0
    last = state["last"].isoformat() if state["last"] else "-"
    key = signing.active_key(PURPOSE)
    today = timezone.localdate()
    cache_key = f"certificates:revocations:{sequence}:{last}:{today.isoformat()}:{key.kid}"
    cached: dict[str, Any] | None = cache.get(cache_key)
    if cached is not None:
        return cached
    revoked = list(
        Certificate.objects.filter(revoked_at__isnull=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
    payload = {
        "iss": settings.CREDENTIAL_ISSUER,
        "kind": "certificate",
        # Revocations are never undone, so their count only grows, like the card list's sequence.
        "sequence": sequence,
        "issued_at": timezone.now().isoformat(timespec="seconds"),
        "valid_on": today.isoformat(),
        "revoked": revoked,
    }
    document = jws.sign_flattened(payload, PURPOSE)
    cache.set(cache_key, document, 24 * 3600)
    return document
