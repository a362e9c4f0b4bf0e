"""Verifying a card on the server, and the signed revocation list verifiers download.

The server runs the same code as the offline reference verifier; only the
revocation check differs: it asks the database, which is always current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.cards.credentials import PURPOSE
from himaccess.cards.models import Card
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.lib import jws, signing

MESSAGES: dict[str, Promise] = {
    spec.GENUINE: _("Genuine: this card was issued by the Government of Himachal Pradesh and is valid."),
    spec.TAMPERED: _("Not genuine: the code is damaged or was altered after it was signed."),
    spec.EXPIRED: _("Expired: this card is past its validity date. Ask the family for their current card."),
    spec.NOT_YET_VALID: _(
        "Not yet valid: this card's validity starts later. Check it again on or after its start date."
    ),
    spec.REVOKED: _("Revoked: this card has been withdrawn. Ask the family for their current card."),
    spec.UNKNOWN_KEY: _(
        "Not genuine: it was signed with a key the Government of Himachal Pradesh has not published."
    ),
    spec.UNSUPPORTED: _(
        "Cannot be checked: this code uses a signature algorithm or card layout this service does not "
        "support. It is not accepted as a Him Parivar card."
    ),
    spec.NOT_CREDENTIAL: _("This is not a Him Parivar card code."),
}


@dataclass(frozen=True)
class Look:
    """How the verify page shows a verdict: its colour, a mark, and a heading read at a glance."""

    tone: str  # the section's class: "genuine" (green), "caution" (amber) or "not-genuine" (red)
    mark: str  # beside the heading, hidden from screen readers: the heading says it in words
    heading: Promise


_GENUINE = Look("genuine", "✓", _("Genuine card"))
_NOT_GENUINE = Look("not-genuine", "✗", _("Not a genuine card"))
# A real card that is no longer, or not yet, in force is not a forgery: it gets its own colour.
LOOKS: dict[str, Look] = {
    spec.GENUINE: _GENUINE,
    spec.REVOKED: Look("caution", "!", _("Card revoked")),
    spec.EXPIRED: Look("caution", "!", _("Card expired")),
    spec.NOT_YET_VALID: Look("caution", "!", _("Card not yet valid")),
    spec.TAMPERED: _NOT_GENUINE,
    spec.UNKNOWN_KEY: _NOT_GENUINE,
    spec.UNSUPPORTED: Look("not-genuine", "?", _("Card cannot be checked")),
    spec.NOT_CREDENTIAL: Look("not-genuine", "✗", _("Not a Him Parivar card")),
}


@dataclass(frozen=True)
class Withdrawal:
    """When and why the server withdrew a card: what an official checking a revoked card needs."""

    status: str  # Card.Status.REVOKED, or SUPERSEDED when a newer card replaced it
    on: date
    reason: str


def withdrawal(credential_id: str) -> Withdrawal | None:
    card = Card.objects.filter(credential_id=credential_id, revocation_seq__isnull=False).first()
    if card is None or card.revoked_at is None:
        return None
    return Withdrawal(status=card.status, on=timezone.localdate(card.revoked_at), reason=card.reason)


def _is_withdrawn(credential_id: str) -> bool:
    return Card.objects.filter(credential_id=credential_id, revocation_seq__isnull=False).exists()


def verify_text(text: str) -> spec.Result:
    return spec.verify(text, signing.public_keys(PURPOSE), is_revoked=_is_withdrawn)


def revocation_sequence() -> int:
    return Card.objects.aggregate(seq=Max("revocation_seq"))["seq"] or 0


def revocation_document() -> dict[str, Any]:
    """The signed list (JWS, flattened JSON serialisation): cached until the next revocation or day."""
    sequence = revocation_sequence()
    today = timezone.localdate()
    key = signing.active_key(PURPOSE)
    cache_key = f"cards:revocations:{sequence}:{today.isoformat()}:{key.kid}"
    cached: dict[str, Any] | None = cache.get(cache_key)
    if cached is not None:
        return cached
    revoked = list(
        Card.objects.on_revocation_list().order_by("credential_id").values_list("credential_id", flat=True)
    )
    payload = {
        "iss": settings.CREDENTIAL_ISSUER,
        "sequence": sequence,
        "issued_at": timezone.now().isoformat(timespec="seconds"),
        "valid_on": today.isoformat(),
        "revoked": revoked,
    }
    document = jws.sign_flattened(payload, PURPOSE)
    cache.set(cache_key, document, 24 * 3600)
    return document
