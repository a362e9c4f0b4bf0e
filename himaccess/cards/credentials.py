"""The signed credential inside a card's QR code (MOSIP Claim 169, Ed25519).

Only the minimum a counter needs goes in: IDs, names in both scripts, date
of birth and gender for a member, the Family ID a member belongs to, the
number of living members and a hash of their IDs for a family (the IDs
themselves sit on the members' own cards, so the family code stays the same
size for any family), issue and expiry dates, the key id. Never an Aadhaar
number, bank account, social category or income. The field numbers and the
checks a verifier makes are in ``verifier/himparivar_verify.py``; every card
issued now is layout ``spec.CURRENT_LAYOUT``.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import cbor2
from django.conf import settings

from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.lib import signing

if TYPE_CHECKING:
    from himaccess.registry.models import Family, Member

PURPOSE = "card"
LAYOUT = spec.CURRENT_LAYOUT
CREDENTIAL_ID_BYTES = 8
_IST = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class Credential:
    credential_id: str
    key_id: str
    qr_text: str


def new_credential_id() -> str:
    return os.urandom(CREDENTIAL_ID_BYTES).hex()


def _end_of_day(day: date) -> int:
    # A card is valid through its whole expiry day, on Indian time.
    return int(datetime.combine(day, time(23, 59, 59), tzinfo=_IST).timestamp())


def member_claims(member: Member) -> tuple[dict[int, Any], dict[int, Any]]:
    claim = {
        spec.C169_ID: member.member_id,
        spec.C169_LANGUAGE: "eng",
        spec.C169_FULL_NAME: member.name_en,
        spec.C169_DOB: member.date_of_birth.strftime("%Y%m%d"),
        spec.C169_GENDER: spec.GENDER_CODES.get(member.gender, 3),
        spec.C169_SECONDARY_LANGUAGE: "hin",
        spec.C169_SECONDARY_FULL_NAME: member.name_hi,
    }
    extension: dict[int, Any] = {
        spec.EXT_KIND: "M",
        spec.EXT_FAMILY_ID: member.family.family_id,
        spec.EXT_LAYOUT: LAYOUT,
    }
    return claim, extension


def family_claims(
    family: Family, head: Member | None, member_ids: Sequence[str]
) -> tuple[dict[int, Any], dict[int, Any]]:
    claim: dict[int, Any] = {spec.C169_ID: family.family_id, spec.C169_LOCATION: str(family.district_id)}
    if head is not None:
        claim.update(
            {
                spec.C169_LANGUAGE: "eng",
                spec.C169_FULL_NAME: head.name_en,
                spec.C169_SECONDARY_LANGUAGE: "hin",
                spec.C169_SECONDARY_FULL_NAME: head.name_hi,
            }
        )
    extension: dict[int, Any] = {
        spec.EXT_KIND: "F",
        spec.EXT_LAYOUT: LAYOUT,
        spec.EXT_MEMBER_COUNT: len(member_ids),
        spec.EXT_MEMBERS_DIGEST: spec.members_digest(member_ids),
    }
    return claim, extension


def sign(
    claim: dict[int, Any],
    extension: dict[int, Any],
    *,
    issued_at: datetime,
    expires_on: date,
    credential_id: str | None = None,
    key: signing.SigningKey | None = None,
) -> Credential:
    """CWT → COSE_Sign1 (Ed25519, kid in the protected header) → zlib → Base45."""
    key = key or signing.active_key(PURPOSE)
    credential_id = credential_id or new_credential_id()
    issued = int(issued_at.timestamp())
    cwt = {
        spec.CWT_ISS: settings.CREDENTIAL_ISSUER,
        spec.CWT_EXP: _end_of_day(expires_on),
        spec.CWT_NBF: issued,
        spec.CWT_IAT: issued,
        spec.CWT_CTI: bytes.fromhex(credential_id),
        spec.CLAIM_169: claim,
        spec.HP_EXTENSION: extension,
    }
    protected = cbor2.dumps({spec.COSE_ALG: spec.ALG_EDDSA, spec.COSE_KID: key.kid.encode()})
    payload = cbor2.dumps(cwt)
    signature = key.sign(spec.sig_structure(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(spec.COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return Credential(credential_id, key.kid, spec.b45encode(zlib.compress(message, 9)))


def fingerprint(claim: dict[int, Any], extension: dict[int, Any]) -> str:
    return hashlib.sha256(cbor2.dumps([claim, extension], canonical=True)).hexdigest()
