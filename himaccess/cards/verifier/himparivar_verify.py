#!/usr/bin/env python3
"""Reference offline verifier for Him Parivar family and member cards.

Needs only Python 3.11+, the ``cryptography`` and ``cbor2`` packages, the
published key set (``keys.json``, a JWKS) and the latest revocation list
(``revocations.json``). No network. The algorithm is written out in
``docs/card-verification.md``; this file is its executable form, and the
Him-Access server uses the same code.

Usage::

    python himparivar_verify.py --keys keys.json [--revocations revocations.json] QR-TEXT
    echo QR-TEXT | python himparivar_verify.py --keys keys.json -

Prints the verdict and the card's minimal details as JSON; exits 0 only for
a genuine card.

The QR text is MOSIP Claim 169: Base45( zlib( COSE_Sign1( CWT ) ) ), signed
with Ed25519. Claim 169 fields used: 1 ID, 3 language, 4 full name, 8 date of
birth (YYYYMMDD), 9 gender (1 male, 2 female, 3 other), 20 location code
(district LGD code), 21 secondary language, 22 secondary full name. Him
Parivar's own fields sit in the private-use CWT claim -65537: 1 card kind
("F" family, "M" member), 2 Family ID of a member card, 3 Member IDs of the
living members on a family card.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# The largest QR code (version 40, level L) holds 4,296 alphanumeric characters.
MAX_TEXT_LENGTH = 4296
# Decompressed credentials are a few hundred bytes; the cap stops a zlib bomb.
MAX_DECOMPRESSED = 16_384

COSE_SIGN1_TAG = 18
COSE_ALG = 1
COSE_KID = 4
ALG_EDDSA = -8
CWT_ISS = 1
CWT_EXP = 4
CWT_IAT = 6
CWT_CTI = 7
CLAIM_169 = 169
HP_EXTENSION = -65537  # below -65536: the CWT registry's private-use range

C169_ID = 1
C169_LANGUAGE = 3
C169_FULL_NAME = 4
C169_DOB = 8
C169_GENDER = 9
C169_LOCATION = 20
C169_SECONDARY_LANGUAGE = 21
C169_SECONDARY_FULL_NAME = 22
EXT_KIND = 1
EXT_FAMILY_ID = 2
EXT_MEMBER_IDS = 3

GENDER_CODES = {"M": 1, "F": 2, "T": 3}
GENDER_LETTERS = {code: letter for letter, code in GENDER_CODES.items()}

GENUINE = "genuine"
TAMPERED = "tampered"
EXPIRED = "expired"
REVOKED = "revoked"
UNKNOWN_KEY = "unknown_key"
NOT_CREDENTIAL = "not_credential"
VERDICTS = (GENUINE, TAMPERED, EXPIRED, REVOKED, UNKNOWN_KEY, NOT_CREDENTIAL)

_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {ch: i for i, ch in enumerate(_B45)}


class NotBase45(ValueError):
    pass


def b45encode(data: bytes) -> str:
    """RFC 9285: two bytes to three characters, a last odd byte to two."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out.append(_B45[c] + _B45[d] + _B45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(_B45[c] + _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise NotBase45("length")
    try:
        values = [_B45_INDEX[ch] for ch in text]
    except KeyError as exc:
        raise NotBase45("character") from exc
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise NotBase45("value")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise NotBase45("value")
            out.append(n)
    return bytes(out)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes an Ed25519 COSE_Sign1 signature covers (RFC 9052 section 4.4)."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


@dataclass
class Result:
    verdict: str
    details: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def is_genuine(self) -> bool:
        return self.verdict == GENUINE

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reason": self.reason, "details": self.details}


def _yyyymmdd(value: Any) -> str:
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return ""


def _epoch_date(value: Any) -> str:
    return datetime.fromtimestamp(value, UTC).date().isoformat() if isinstance(value, int) else ""


def _details(cwt: Mapping[Any, Any], kid: str) -> dict[str, Any]:
    claim = cwt.get(CLAIM_169)
    ext = cwt.get(HP_EXTENSION)
    claim = claim if isinstance(claim, Mapping) else {}
    ext = ext if isinstance(ext, Mapping) else {}
    kind = {"F": "family", "M": "member"}.get(str(ext.get(EXT_KIND)), "")
    cti = cwt.get(CWT_CTI)
    details: dict[str, Any] = {
        "kind": kind,
        "id": claim.get(C169_ID, ""),
        "name_en": claim.get(C169_FULL_NAME, ""),
        "name_hi": claim.get(C169_SECONDARY_FULL_NAME, ""),
        "issued_on": _epoch_date(cwt.get(CWT_IAT)),
        "expires_on": _epoch_date(cwt.get(CWT_EXP)),
        "issuer": cwt.get(CWT_ISS, ""),
        "key_id": kid,
        "credential_id": cti.hex() if isinstance(cti, bytes) else "",
    }
    if kind == "member":
        details["family_id"] = ext.get(EXT_FAMILY_ID, "")
        details["date_of_birth"] = _yyyymmdd(claim.get(C169_DOB))
        gender = claim.get(C169_GENDER)
        details["gender"] = GENDER_LETTERS.get(gender, "") if isinstance(gender, int) else ""
    elif kind == "family":
        members = ext.get(EXT_MEMBER_IDS, [])
        details["member_ids"] = (
            [m for m in members if isinstance(m, str)] if isinstance(members, list | tuple) else []
        )
        location = claim.get(C169_LOCATION)
        details["district_lgd_code"] = location if isinstance(location, str) else ""
    return details


def _unwrap(text: str) -> tuple[str, bytes] | Result:
    """QR text to the COSE bytes, or the verdict on why it is not a credential."""
    if not isinstance(text, str) or not text.strip():
        return Result(NOT_CREDENTIAL, reason="empty")
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        return Result(NOT_CREDENTIAL, reason="too long for a QR code")
    try:
        compressed = b45decode(text)
    except NotBase45:
        # A cut-off code still opens with the zlib header; anything else is foreign text.
        try:
            looks_cut = b45decode(text[: len(text) - len(text) % 3])[:1] == b"\x78"
        except NotBase45:
            looks_cut = False
        if looks_cut:
            return Result(TAMPERED, reason="damaged or cut off")
        return Result(NOT_CREDENTIAL, reason="not Base45")
    if len(compressed) < 2 or compressed[0] != 0x78:
        return Result(NOT_CREDENTIAL, reason="not zlib-compressed")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, MAX_DECOMPRESSED)
        if inflater.unconsumed_tail or not inflater.eof:
            return Result(TAMPERED, reason="damaged, cut off or oversized")
    except zlib.error:
        return Result(TAMPERED, reason="damaged or altered")
    return text, raw


def verify(
    text: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    is_revoked: Callable[[str], bool] | Collection[str] = (),
    now: datetime | None = None,
) -> Result:
    """Verify one QR text. Never raises on any input: every outcome is a verdict.

    1. Base45-decode and inflate (bounded); failure is "not a credential" or "tampered".
    2. CBOR-decode a COSE_Sign1 (tag 18 or a bare 4-array) with alg EdDSA.
    3. Find the key by its kid in the published set: none is "unknown key".
    4. Check the Ed25519 signature over Sig_structure: failure is "tampered".
    5. The CWT's cti in the revocation list is "revoked"; exp in the past is "expired".
    """
    unwrapped = _unwrap(text)
    if isinstance(unwrapped, Result):
        return unwrapped
    _, raw = unwrapped
    try:
        message = cbor2.loads(raw)
    except Exception:
        return Result(TAMPERED, reason="not decodable")
    if isinstance(message, cbor2.CBORTag):
        if message.tag != COSE_SIGN1_TAG:
            return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
        message = message.value
    # cbor2 6 decodes arrays as tuples, earlier versions as lists.
    if not (isinstance(message, list | tuple) and len(message) == 4):
        return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
    protected_bytes, unprotected, payload, signature = message
    if not all(isinstance(x, bytes) for x in (protected_bytes, payload, signature)):
        return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except Exception:
        return Result(TAMPERED, reason="protected header not decodable")
    if not isinstance(protected, Mapping) or protected.get(COSE_ALG) != ALG_EDDSA:
        return Result(TAMPERED, reason="not signed with EdDSA")
    kid_raw = protected.get(COSE_KID)
    if kid_raw is None and isinstance(unprotected, Mapping):
        kid_raw = unprotected.get(COSE_KID)
    kid = kid_raw.decode("utf-8", "replace") if isinstance(kid_raw, bytes) else ""
    public_key = keys.get(kid)
    if public_key is None:
        return Result(UNKNOWN_KEY, details={"key_id": kid}, reason="signed with a key that is not published")
    try:
        public_key.verify(signature, sig_structure(protected_bytes, payload))
    except InvalidSignature:
        return Result(TAMPERED, details={"key_id": kid}, reason="signature does not match")
    try:
        cwt = cbor2.loads(payload)
    except Exception:
        return Result(NOT_CREDENTIAL, reason="payload not decodable")
    if not isinstance(cwt, Mapping) or not isinstance(cwt.get(CLAIM_169), Mapping):
        return Result(NOT_CREDENTIAL, reason="no identity claim")
    details = _details(cwt, kid)
    revoked = (
        is_revoked(details["credential_id"])
        if callable(is_revoked)
        else details["credential_id"] in is_revoked
    )
    if revoked:
        return Result(REVOKED, details=details, reason="revoked by the issuer")
    expires = cwt.get(CWT_EXP)
    moment = now or datetime.now(UTC)
    if not isinstance(expires, int) or expires < moment.timestamp():
        return Result(EXPIRED, details=details, reason="past its expiry date")
    return Result(GENUINE, details=details)


def load_keys(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "kid" in jwk:
            x = jwk["x"]
            keys[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(
                base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            )
    return keys


class RevocationListError(ValueError):
    pass


@dataclass
class RevocationList:
    sequence: int
    issued_at: str
    revoked: frozenset[str]


def load_revocations(document: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]) -> RevocationList:
    """Check the list's signature (JWS, flattened JSON serialisation, EdDSA) and read it."""

    def b64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    try:
        protected_text, payload_text = document["protected"], document["payload"]
        header = json.loads(b64(protected_text))
        signature = b64(document["signature"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RevocationListError("not a signed revocation list") from exc
    if header.get("alg") != "EdDSA" or header.get("kid") not in keys:
        raise RevocationListError("revocation list signed with an unknown key")
    try:
        keys[header["kid"]].verify(signature, f"{protected_text}.{payload_text}".encode("ascii"))
    except InvalidSignature as exc:
        raise RevocationListError("revocation list signature does not match") from exc
    payload = json.loads(b64(payload_text))
    return RevocationList(
        sequence=int(payload["sequence"]),
        issued_at=str(payload["issued_at"]),
        revoked=frozenset(payload["revoked"]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Him Parivar card QR code offline.")
    parser.add_argument("--keys", required=True, type=Path, help="published key set (JWKS)")
    parser.add_argument("--revocations", type=Path, help="latest signed revocation list")
    parser.add_argument("--today", type=date.fromisoformat, help="check expiry as of this date (YYYY-MM-DD)")
    parser.add_argument("text", help="the QR text, or - to read it from standard input")
    args = parser.parse_args(argv)
    keys = load_keys(json.loads(args.keys.read_text()))
    revoked: frozenset[str] = frozenset()
    report: dict[str, Any] = {}
    if args.revocations:
        try:
            revocations = load_revocations(json.loads(args.revocations.read_text()), keys)
        except (RevocationListError, ValueError, KeyError) as exc:
            print(f"revocation list rejected: {exc}", file=sys.stderr)
            return 2
        revoked = revocations.revoked
        report["revocation_list"] = {"sequence": revocations.sequence, "issued_at": revocations.issued_at}
    text = sys.stdin.read() if args.text == "-" else args.text
    now = datetime(args.today.year, args.today.month, args.today.day, tzinfo=UTC) if args.today else None
    result = verify(text, keys, is_revoked=revoked, now=now)
    print(json.dumps({**result.as_dict(), **report}, ensure_ascii=False, indent=2))
    return 0 if result.is_genuine else 1


if __name__ == "__main__":
    sys.exit(main())
