#!/usr/bin/env python3
"""Reference offline verifier for Him Parivar cards and Him Seva certificates.

Needs only Python 3.11+, the ``cryptography``, ``cbor2`` and ``brotli``
packages (``brotli`` only for Brotli-compressed codes), the published key set
(``keys.json``, a JWKS) and the latest signed revocation list. No network.
The algorithm is written out in ``docs/card-verification.md``; this file is
its executable form, and the Him-Access server uses the same code.

Usage::

    python himparivar_verify.py --keys keys.json [--revocations revocations.json] QR-TEXT
    echo QR-TEXT | python himparivar_verify.py --keys keys.json -
    python himparivar_verify.py --certificate --keys certificate-keys.json \\
        --revocations certificate-revocations.json CERTIFICATE-URL-OR-TOKEN

Prints the verdict (with its message in English and Hindi), the document's
minimal details and the revocation list's age as JSON; exits 0 only for a
genuine card or certificate.

A card's QR text is MOSIP Claim 169 (v1.2): Base45( zlib or Brotli( [CWT tag
61] COSE_Sign1( CWT ) ) ), signed with Ed25519. Claim 169 fields used (layout
2, the spec's table): 1 ID, 3 language, 4 full name, 8 date of birth
(YYYYMMDD), 9 gender (1 male, 2 female, 3 other), 19 full name in the
secondary language, 20 secondary language, 21 location code (district LGD
code). Him Parivar's own fields sit in the private-use CWT claim -65537:
1 card kind ("F" family, "M" member), 2 Family ID of a member card,
4 layout version, 5 number of living members and 6 SHA-256 of their Member IDs
on a family card. Cards of layout 1 (no layout version) put the location at
20, the secondary language at 21, the Hindi name at 22 and the Member IDs
themselves in field 3; they are read as such until the last of them expires.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

try:  # Brotli is one of the two compressions Claim 169 v1.2 allows; zlib needs nothing.
    import brotli
except ImportError:  # pragma: no cover - the product installs it; a bare verifier may not
    brotli = None

# The largest QR code (version 40, level L) holds 4,296 alphanumeric characters.
MAX_TEXT_LENGTH = 4296
# Decompressed credentials are a few hundred bytes; the cap stops a zlib or Brotli bomb.
MAX_DECOMPRESSED = 16_384

CWT_TAG = 61
COSE_SIGN1_TAG = 18
COSE_ALG = 1
COSE_KID = 4
ALG_EDDSA = -8
ALG_ED25519 = -19  # RFC 9864's fully specified name for the same signature
ED25519_ALGS = (ALG_EDDSA, ALG_ED25519)
CWT_ISS = 1
CWT_EXP = 4
CWT_NBF = 5
CWT_IAT = 6
CWT_CTI = 7
CLAIM_169 = 169
HP_EXTENSION = -65537  # below -65536: the CWT registry's private-use range

# Claim 169 v1.2, section 3.1.
C169_ID = 1
C169_VERSION = 2
C169_LANGUAGE = 3
C169_FULL_NAME = 4
C169_DOB = 8
C169_GENDER = 9
C169_SECONDARY_FULL_NAME = 19
C169_SECONDARY_LANGUAGE = 20
C169_LOCATION = 21
C169_LEGAL_STATUS = 22
# Where layout 1 cards (issued before the layout version existed) put the same fields.
LEGACY_LOCATION = 20
LEGACY_SECONDARY_LANGUAGE = 21
LEGACY_SECONDARY_FULL_NAME = 22

EXT_KIND = 1
EXT_FAMILY_ID = 2
EXT_MEMBER_IDS = 3  # layout 1 only: the list made family codes unreadable for large families
EXT_LAYOUT = 4
EXT_MEMBER_COUNT = 5
EXT_MEMBERS_DIGEST = 6

LEGACY_LAYOUT = 1
CURRENT_LAYOUT = 2
LAYOUTS = (LEGACY_LAYOUT, CURRENT_LAYOUT)

GENDER_CODES = {"M": 1, "F": 2, "T": 3}
GENDER_LETTERS = {code: letter for letter, code in GENDER_CODES.items()}

GENUINE = "genuine"
TAMPERED = "tampered"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
REVOKED = "revoked"
UNKNOWN_KEY = "unknown_key"
UNSUPPORTED = "unsupported"
NOT_CREDENTIAL = "not_credential"
NOT_CERTIFICATE = "not_certificate"
VERDICTS = (
    GENUINE,
    TAMPERED,
    EXPIRED,
    NOT_YET_VALID,
    REVOKED,
    UNKNOWN_KEY,
    UNSUPPORTED,
    NOT_CREDENTIAL,
    NOT_CERTIFICATE,
)

# The reader's language, for a verifier with no translation catalogue. The server's pages use the
# same sentences from its catalogue.
MESSAGES = {
    GENUINE: (
        "Genuine: signed by the Government of Himachal Pradesh and valid.",
        "असली: हिमाचल प्रदेश सरकार द्वारा हस्ताक्षरित और मान्य।",
    ),
    TAMPERED: (
        "Not genuine: the code is damaged or was altered after it was signed.",
        "असली नहीं: कोड क्षतिग्रस्त है या हस्ताक्षर के बाद बदला गया है।",
    ),
    EXPIRED: (
        "Expired: past its validity date. Ask for the current one.",
        "समाप्त: इसकी वैधता की तिथि निकल चुकी है। वर्तमान वाला माँगें।",
    ),
    NOT_YET_VALID: (
        "Not yet valid: its validity starts later. Check again on or after the start date.",
        "अभी मान्य नहीं: इसकी वैधता बाद में शुरू होती है। आरंभ तिथि पर या उसके बाद फिर जाँचें।",
    ),
    REVOKED: (
        "Revoked: it has been withdrawn. Ask for the current one.",
        "रद्द: इसे वापस ले लिया गया है। वर्तमान वाला माँगें।",
    ),
    UNKNOWN_KEY: (
        "Not genuine: signed with a key the Government of Himachal Pradesh has not published.",
        "असली नहीं: ऐसी कुंजी से हस्ताक्षरित जिसे हिमाचल प्रदेश सरकार ने प्रकाशित नहीं किया है।",
    ),
    UNSUPPORTED: (
        "Cannot be checked: it uses a signature algorithm or format this verifier does not support.",
        "जाँच संभव नहीं: इसमें ऐसा हस्ताक्षर एल्गोरिद्म या प्रारूप है जिसे यह सत्यापक नहीं जानता।",
    ),
    NOT_CREDENTIAL: (
        "This is not a Him Parivar card code.",
        "यह हिम परिवार कार्ड का कोड नहीं है।",
    ),
    NOT_CERTIFICATE: (
        "This is not a Him Seva certificate code.",
        "यह हिम सेवा प्रमाणपत्र का कोड नहीं है।",
    ),
}

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


def members_digest(member_ids: Iterable[str]) -> bytes:
    """What a layout 2 family card holds instead of its members: SHA-256 of the sorted IDs, one a line."""
    return hashlib.sha256("\n".join(sorted(member_ids)).encode("utf-8")).digest()


def numeric_date(value: Any) -> float | None:
    """A CWT NumericDate (RFC 8392: integer or floating point seconds), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # a bignum
        return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    return seconds


def _epoch_date(value: Any) -> str:
    seconds = numeric_date(value)
    if seconds is None:
        return ""
    try:
        return datetime.fromtimestamp(seconds, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return ""


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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def layout_of(cwt: Mapping[Any, Any]) -> int | None:
    """1 for the first cards (Him Parivar fields, no version), the version given, or 2 for a plain card."""
    ext = cwt.get(HP_EXTENSION)
    if not isinstance(ext, Mapping):
        return CURRENT_LAYOUT
    version = ext.get(EXT_LAYOUT, LEGACY_LAYOUT)
    return version if isinstance(version, int) and version in LAYOUTS else None


def _details(cwt: Mapping[Any, Any], kid: str, layout: int) -> dict[str, Any]:
    claim = cwt.get(CLAIM_169)
    ext = cwt.get(HP_EXTENSION)
    claim = claim if isinstance(claim, Mapping) else {}
    ext = ext if isinstance(ext, Mapping) else {}
    legacy = layout == LEGACY_LAYOUT
    kind = {"F": "family", "M": "member"}.get(str(ext.get(EXT_KIND)), "")
    cti = cwt.get(CWT_CTI)
    details: dict[str, Any] = {
        "kind": kind,
        "layout": layout,
        "id": _text(claim.get(C169_ID)),
        "name_en": _text(claim.get(C169_FULL_NAME)),
        "name_hi": _text(claim.get(LEGACY_SECONDARY_FULL_NAME if legacy else C169_SECONDARY_FULL_NAME)),
        "language": _text(claim.get(C169_LANGUAGE)),
        "secondary_language": _text(
            claim.get(LEGACY_SECONDARY_LANGUAGE if legacy else C169_SECONDARY_LANGUAGE)
        ),
        "issued_on": _epoch_date(cwt.get(CWT_IAT)),
        "expires_on": _epoch_date(cwt.get(CWT_EXP)),
        "valid_from": _epoch_date(cwt.get(CWT_NBF)),
        "issuer": _text(cwt.get(CWT_ISS)),
        "key_id": kid,
        "credential_id": cti.hex() if isinstance(cti, bytes) else "",
    }
    if kind != "family":
        details["date_of_birth"] = _yyyymmdd(claim.get(C169_DOB))
        gender = claim.get(C169_GENDER)
        details["gender"] = GENDER_LETTERS.get(gender, "") if isinstance(gender, int) else ""
    if kind == "member":
        details["family_id"] = _text(ext.get(EXT_FAMILY_ID))
    elif kind == "family":
        details["district_lgd_code"] = _text(claim.get(LEGACY_LOCATION if legacy else C169_LOCATION))
        if legacy:
            members = ext.get(EXT_MEMBER_IDS, [])
            ids = [m for m in members if isinstance(m, str)] if isinstance(members, list | tuple) else []
            details["member_ids"] = ids
            details["member_count"] = len(ids)
        else:
            count = ext.get(EXT_MEMBER_COUNT)
            digest = ext.get(EXT_MEMBERS_DIGEST)
            details["member_count"] = count if isinstance(count, int) and not isinstance(count, bool) else 0
            details["members_digest"] = digest.hex() if isinstance(digest, bytes) else ""
    return details


def family_members_match(details: Mapping[str, Any], member_ids: Collection[str]) -> bool:
    """Whether these Member IDs (read from the members' own cards) are exactly the family card's members."""
    if details.get("kind") != "family":
        return False
    if details.get("layout") == LEGACY_LAYOUT:
        return sorted(details.get("member_ids", [])) == sorted(member_ids)
    return members_digest(member_ids).hex() == details.get("members_digest") and len(
        member_ids
    ) == details.get("member_count")


def _is_zlib(data: bytes) -> bool:
    # RFC 1950: deflate method 8, and the two header bytes as a big-endian number divisible by 31.
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0


def _inflate(compressed: bytes) -> bytes | Result:
    """zlib if the zlib header is there, else Brotli (Claim 169 v1.2), both bounded."""
    if _is_zlib(compressed):
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(compressed, MAX_DECOMPRESSED)
        except zlib.error:
            return Result(TAMPERED, reason="damaged or altered")
        if inflater.unconsumed_tail or not inflater.eof:
            return Result(TAMPERED, reason="damaged, cut off or oversized")
        return raw
    if brotli is None:
        return Result(UNSUPPORTED, reason="Brotli-compressed: install the brotli package to check it")
    try:
        decompressor = brotli.Decompressor()
        raw = decompressor.process(compressed, output_buffer_limit=MAX_DECOMPRESSED + 1)
        finished = decompressor.is_finished()
    except brotli.error:
        return Result(NOT_CREDENTIAL, reason="neither zlib nor Brotli")
    if len(raw) > MAX_DECOMPRESSED:
        return Result(TAMPERED, reason="oversized")
    if not finished:
        return Result(NOT_CREDENTIAL, reason="neither zlib nor a complete Brotli stream")
    return raw


def _unwrap(text: str) -> tuple[bytes, bool] | Result:
    """QR text to the COSE bytes and whether they came through zlib, or the verdict on why not."""
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
            looks_cut = _is_zlib(b45decode(text[: len(text) - len(text) % 3])[:2])
        except NotBase45:
            looks_cut = False
        if looks_cut:
            return Result(TAMPERED, reason="damaged or cut off")
        return Result(NOT_CREDENTIAL, reason="not Base45")
    if len(compressed) < 2:
        return Result(NOT_CREDENTIAL, reason="too short")
    raw = _inflate(compressed)
    return raw if isinstance(raw, Result) else (raw, _is_zlib(compressed))


def _cose_sign1(raw: bytes, *, checksummed: bool) -> list[Any] | Result:
    """The four COSE_Sign1 items, tagged 18, optionally inside the CWT tag 61, or bare."""
    try:
        message = cbor2.loads(raw)
    except Exception:
        # zlib's checksum held, so this was a credential once; Brotli has none: foreign data may inflate.
        return Result(TAMPERED if checksummed else NOT_CREDENTIAL, reason="not decodable")
    if isinstance(message, cbor2.CBORTag) and message.tag == CWT_TAG:
        message = message.value
    if isinstance(message, cbor2.CBORTag):
        if message.tag != COSE_SIGN1_TAG:
            return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
        message = message.value
    # cbor2 6 decodes arrays as tuples, earlier versions as lists.
    if not (isinstance(message, list | tuple) and len(message) == 4):
        return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
    if not all(isinstance(x, bytes) for x in (message[0], message[2], message[3])):
        return Result(NOT_CREDENTIAL, reason="not a COSE_Sign1")
    return list(message)


def _check_signature(
    protected_bytes: bytes, unprotected: Any, payload: bytes, signature: bytes, keys: Mapping[str, Any]
) -> str | Result:
    """The key id that verifies the signature, or the verdict."""
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except Exception:
        return Result(TAMPERED, reason="protected header not decodable")
    if not isinstance(protected, Mapping) or COSE_ALG not in protected:
        return Result(TAMPERED, reason="no signature algorithm in the protected header")
    algorithm = protected[COSE_ALG]
    if algorithm not in ED25519_ALGS or isinstance(algorithm, bool):
        return Result(
            UNSUPPORTED,
            details={"algorithm": str(algorithm)[:20]},
            reason="signed with an algorithm this verifier does not support",
        )
    kid_raw = protected.get(COSE_KID)
    if kid_raw is None and isinstance(unprotected, Mapping):
        kid_raw = unprotected.get(COSE_KID)
    data = sig_structure(protected_bytes, payload)
    if kid_raw is None:
        # Claim 169 leaves key discovery to the verifier: without a key id, try each published key.
        for kid, key in keys.items():
            try:
                key.verify(signature, data)
            except InvalidSignature:
                continue
            return kid
        return Result(UNKNOWN_KEY, reason="no key id, and no published key verifies it")
    kid = kid_raw.decode("utf-8", "replace")[:64] if isinstance(kid_raw, bytes) else str(kid_raw)[:64]
    public_key = keys.get(kid)
    if public_key is None:
        return Result(UNKNOWN_KEY, details={"key_id": kid}, reason="signed with a key that is not published")
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return Result(TAMPERED, details={"key_id": kid}, reason="signature does not match")
    return kid


def verify(
    text: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    is_revoked: Callable[[str], bool] | Collection[str] = (),
    now: datetime | None = None,
) -> Result:
    """Verify one QR text. Never raises on any input: every outcome is a verdict.

    1. Base45-decode and decompress (zlib when its header is there, else Brotli; bounded);
       failure is "not a credential" or "tampered".
    2. CBOR-decode a COSE_Sign1 (tag 18, inside CWT tag 61 or not, or a bare 4-array).
    3. An algorithm other than Ed25519 is "unsupported".
    4. Find the key by its kid in the published set: none is "unknown key"; no kid at all: try each.
    5. Check the Ed25519 signature over Sig_structure: failure is "tampered".
    6. An unknown layout version is "unsupported"; the CWT's cti in the revocation list is
       "revoked"; exp in the past (or missing) is "expired"; nbf in the future is "not yet valid".
    """
    unwrapped = _unwrap(text)
    if isinstance(unwrapped, Result):
        return unwrapped
    raw, checksummed = unwrapped
    message = _cose_sign1(raw, checksummed=checksummed)
    if isinstance(message, Result):
        return message
    protected_bytes, unprotected, payload, signature = message
    kid = _check_signature(protected_bytes, unprotected, payload, signature, keys)
    if isinstance(kid, Result):
        return kid
    try:
        cwt = cbor2.loads(payload)
    except Exception:
        return Result(NOT_CREDENTIAL, reason="payload not decodable")
    if not isinstance(cwt, Mapping) or not isinstance(cwt.get(CLAIM_169), Mapping):
        return Result(NOT_CREDENTIAL, reason="no identity claim")
    layout = layout_of(cwt)
    if layout is None:
        return Result(UNSUPPORTED, details={"key_id": kid}, reason="a card layout newer than this verifier")
    details = _details(cwt, kid, layout)
    credential_id = details["credential_id"]
    revoked = bool(credential_id) and (
        is_revoked(credential_id) if callable(is_revoked) else credential_id in is_revoked
    )
    if revoked:
        return Result(REVOKED, details=details, reason="revoked by the issuer")
    moment = (now or datetime.now(UTC)).timestamp()
    expires = numeric_date(cwt.get(CWT_EXP))
    if expires is None or expires < moment:
        return Result(EXPIRED, details=details, reason="past its expiry date")
    not_before = numeric_date(cwt.get(CWT_NBF))
    if CWT_NBF in cwt and (not_before is None or not_before > moment):
        return Result(NOT_YET_VALID, details=details, reason="before its not-before date")
    return Result(GENUINE, details=details)


def load_keys(jwks: Any) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWKS by key id; anything else in it is skipped."""
    keys: dict[str, Ed25519PublicKey] = {}
    entries = jwks.get("keys", []) if isinstance(jwks, Mapping) else []
    for jwk in entries if isinstance(entries, list) else []:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        kid, x = jwk.get("kid"), jwk.get("x")
        if not isinstance(kid, str) or not isinstance(x, str):
            continue
        try:
            keys[kid] = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
        except (ValueError, binascii.Error):
            continue
    return keys


class RevocationListError(ValueError):
    pass


@dataclass
class RevocationList:
    sequence: int
    issued_at: str
    revoked: frozenset[str]

    def age_hours(self, now: datetime | None = None) -> float | None:
        """How old the list is: a verifier offline for long says so beside every verdict."""
        try:
            issued = datetime.fromisoformat(self.issued_at)
        except ValueError:
            return None
        if issued.tzinfo is None:
            issued = issued.replace(tzinfo=UTC)
        return round(((now or datetime.now(UTC)) - issued).total_seconds() / 3600, 1)


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_revocations(document: Any, keys: Mapping[str, Ed25519PublicKey]) -> RevocationList:
    """Check the list's signature (JWS, flattened JSON serialisation, EdDSA) and read it."""
    try:
        protected_text, payload_text = document["protected"], document["payload"]
        header = json.loads(_b64(protected_text))
        signature = _b64(document["signature"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise RevocationListError("not a signed revocation list") from exc
    if not isinstance(header, Mapping) or header.get("alg") != "EdDSA" or header.get("kid") not in keys:
        raise RevocationListError("revocation list signed with an unknown key")
    try:
        keys[header["kid"]].verify(signature, f"{protected_text}.{payload_text}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise RevocationListError("revocation list signature does not match") from exc
    try:
        payload = json.loads(_b64(payload_text))
        return RevocationList(
            sequence=int(payload["sequence"]),
            issued_at=str(payload["issued_at"]),
            revoked=frozenset(str(item) for item in payload["revoked"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise RevocationListError("revocation list is malformed") from exc


# Certificates: a compact JWS (RFC 7515) in the QR code's link, header {"alg": "EdDSA", "kid", "typ"}.
CERTIFICATE_TYPE = "hp-certificate+jws"
INDIA = timezone(timedelta(hours=5, minutes=30), "IST")  # no zoneinfo database needed: India has no DST
MAX_TOKEN_LENGTH = 4096


def certificate_token(text: str) -> str:
    """The token in a scanned verification link, or pasted on its own."""
    text = text.strip()
    if "t=" in text:
        text = text.split("t=", 1)[1].split("&", 1)[0]
    return text


def _certificate_expiry(value: Any) -> float | None:
    """NumericDate, or the calendar date certificates signed before NumericDates carried (end of day)."""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=INDIA).timestamp()
    return numeric_date(value)


def verify_certificate(
    text: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    is_revoked: Callable[[str], bool] | Collection[str] = (),
    now: datetime | None = None,
) -> Result:
    """Verify a certificate's token offline: the same verdicts as a card. Never raises."""
    token = certificate_token(text) if isinstance(text, str) else ""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        return Result(NOT_CERTIFICATE, reason="not a compact JWS")
    header_text, body_text, signature_text = token.split(".")
    try:
        header = json.loads(_b64(header_text))
        payload = json.loads(_b64(body_text))
        signature = _b64(signature_text)
    except (ValueError, binascii.Error, RecursionError):
        return Result(TAMPERED, reason="malformed token")
    if not isinstance(header, Mapping) or not isinstance(payload, Mapping):
        return Result(TAMPERED, reason="malformed token")
    if header.get("typ") != CERTIFICATE_TYPE:
        return Result(NOT_CERTIFICATE, reason="not a certificate token")
    if header.get("alg") != "EdDSA":
        return Result(UNSUPPORTED, reason="signed with an algorithm this verifier does not support")
    kid = str(header.get("kid", ""))[:64]
    public_key = keys.get(kid)
    if public_key is None:
        return Result(UNKNOWN_KEY, details={"key_id": kid}, reason="signed with a key that is not published")
    try:
        public_key.verify(signature, f"{header_text}.{body_text}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return Result(TAMPERED, details={"key_id": kid}, reason="signature does not match")
    issued = payload.get("issued_on") or _epoch_date(payload.get("iat"))
    details = {
        "number": _text(payload.get("no")),
        "application": _text(payload.get("app")),
        "service": _text(payload.get("svc")),
        "member_id": _text(payload.get("sub")),
        "name_en": _text(payload.get("name")),
        "name_hi": _text(payload.get("name_hi")),
        "issued_on": issued if isinstance(issued, str) else "",
        "valid_until": _text(payload.get("valid_until")) or _text(payload.get("exp")),
        "key_id": kid,
    }
    number = details["number"]
    revoked = bool(number) and (is_revoked(number) if callable(is_revoked) else number in is_revoked)
    if revoked:
        return Result(REVOKED, details=details, reason="revoked by the issuer")
    moment = (now or datetime.now(UTC)).timestamp()
    if payload.get("exp") is not None:
        expires = _certificate_expiry(payload["exp"])
        if expires is None or expires < moment:
            return Result(EXPIRED, details=details, reason="past its validity date")
    if payload.get("nbf") is not None:
        not_before = numeric_date(payload["nbf"])
        if not_before is None or not_before > moment:
            return Result(NOT_YET_VALID, details=details, reason="before its not-before date")
    return Result(GENUINE, details=details)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RevocationListError(f"cannot read {path.name}: {exc.__class__.__name__}") from exc


def main(argv: list[str] | None = None) -> int:
    """Exit 0 for genuine, 1 for any other verdict, 2 when the key or revocation file is unusable."""
    parser = argparse.ArgumentParser(description="Verify a Him Parivar card or Him Seva certificate offline.")
    parser.add_argument("--keys", required=True, type=Path, help="published key set (JWKS)")
    parser.add_argument("--revocations", type=Path, help="latest signed revocation list")
    parser.add_argument(
        "--today", type=date.fromisoformat, help="check validity as of this date (YYYY-MM-DD)"
    )
    parser.add_argument("--certificate", action="store_true", help="the text is a certificate link or token")
    parser.add_argument(
        "--members", help="comma-separated Member IDs to check against a family card's member list"
    )
    parser.add_argument("text", help="the QR text, or - to read it from standard input")
    args = parser.parse_args(argv)
    now = datetime(args.today.year, args.today.month, args.today.day, tzinfo=UTC) if args.today else None
    report: dict[str, Any] = {}
    try:
        keys = load_keys(_read_json(args.keys))
        if not keys:
            raise RevocationListError(f"{args.keys.name} holds no Ed25519 key")
        revoked: frozenset[str] = frozenset()
        if args.revocations:
            revocations = load_revocations(_read_json(args.revocations), keys)
            revoked = revocations.revoked
            report["revocation_list"] = {
                "sequence": revocations.sequence,
                "issued_at": revocations.issued_at,
                "age_hours": revocations.age_hours(now),
            }
        else:
            report["revocation_list"] = None
    except RevocationListError as exc:
        print(f"not checked: {exc}", file=sys.stderr)
        return 2
    text = sys.stdin.read() if args.text == "-" else args.text
    check = verify_certificate if args.certificate else verify
    result = check(text, keys, is_revoked=revoked, now=now)
    english, hindi = MESSAGES[result.verdict]
    output = {**result.as_dict(), "message_en": english, "message_hi": hindi, **report}
    if args.members is not None:
        ids = [m.strip() for m in args.members.split(",") if m.strip()]
        output["members_match"] = family_members_match(result.details, ids)
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0 if result.is_genuine else 1


if __name__ == "__main__":
    sys.exit(main())
