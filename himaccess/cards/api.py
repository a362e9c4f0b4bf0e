"""Card verification for apps and departments: the same verdicts as the public page."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router, Schema

from himaccess.cards.credentials import PURPOSE
from himaccess.cards.verification import MESSAGES, revocation_document, verify_text
from himaccess.lib import signing
from himaccess.lib.schemas import CleanTextSchema

router = Router(tags=["cards"])


class VerifyIn(CleanTextSchema):
    qr_text: str


class VerifyOut(Schema):
    verdict: str
    message: str
    reason: str
    details: dict[str, Any]


@router.post("/verify", response=VerifyOut, auth=None)
def verify(request: Any, body: VerifyIn) -> dict[str, Any]:
    """Verdict (genuine, tampered, expired, not_yet_valid, revoked, unknown_key, unsupported,
    not_credential), its sentence in the request's language, and minimal details."""
    result = verify_text(body.qr_text)
    return {"verdict": result.verdict, "message": str(MESSAGES[result.verdict]), **result.as_dict()}


@router.get("/keys", auth=None)
def keys(request: Any, response: HttpResponse) -> dict[str, Any]:
    """The published Ed25519 public keys (JWKS) that card signatures verify against."""
    # Public: verifier apps may cache it, like the /cards/keys/ page.
    patch_cache_control(response, public=True, max_age=3600)
    return signing.published_jwks(PURPOSE)


@router.get("/revocations", auth=None)
def revocations(request: Any, response: HttpResponse) -> dict[str, Any]:
    """The signed revocation list (JWS, flattened JSON): withdrawn cards not yet expired."""
    patch_cache_control(response, public=True, max_age=300)
    return revocation_document()
