"""Compact JWS (RFC 7515) signed with the Ed25519 keys of ``lib.signing``.

``sign(payload, purpose)`` gives ``header.payload.signature`` (base64url, no
padding; header ``{"alg": "EdDSA", "kid": ..., "typ": ...}``);
``verify(token, purpose)`` checks it against every key the purpose has
published (JWKS), so documents signed before a key rotation still verify.
Any JOSE library can verify these tokens with the published JWKS.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from himaccess.lib import input_guard, signing

MAX_TOKEN_LENGTH = 4096
MAX_DEPTH = 8


class Invalid(ValueError):
    """Not a token of this purpose, or altered after signing."""


class UnknownKey(Invalid):
    """Well formed, but signed by a key the state has not published."""


class Unsupported(Invalid):
    """Well formed, but signed with an algorithm other than EdDSA: not checkable, so not accepted."""


@dataclass(frozen=True)
class Verified:
    payload: dict[str, Any]
    kid: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def sign(payload: dict[str, Any], purpose: str, *, typ: str = "JWT") -> tuple[str, str]:
    """The token and the key id that signed it."""
    key = signing.active_key(purpose)
    header = b64url(_compact_json({"alg": "EdDSA", "kid": key.kid, "typ": typ}))
    body = b64url(_compact_json(payload))
    signature = b64url(key.sign(f"{header}.{body}".encode("ascii")))
    return f"{header}.{body}.{signature}", key.kid


def sign_flattened(payload: dict[str, Any], purpose: str) -> dict[str, str]:
    """A JWS in the flattened JSON serialisation (RFC 7515 section 7.2.2), as signed lists are published.

    The payload is kept in its published key order, and the header carries no
    ``typ``: offline verifiers written against the first revocation lists check
    exactly ``alg`` and ``kid``.
    """
    key = signing.active_key(purpose)
    protected = b64url(json.dumps({"alg": "EdDSA", "kid": key.kid}, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    return {
        "protected": protected,
        "payload": body,
        "signature": b64url(key.sign(f"{protected}.{body}".encode())),
    }


def verify(token: str, purpose: str, *, typ: str = "JWT") -> Verified:
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise Invalid("not a compact JWS")
    header_text, body_text, signature_text = token.split(".")
    try:
        header_json, body_json = b64url_decode(header_text), b64url_decode(body_text)
        if any(input_guard.json_deeper_than(part, MAX_DEPTH) for part in (header_json, body_json)):
            # Refused before parsing: deep nesting would make the parser recurse past its limit.
            raise Invalid("malformed token")
        header = json.loads(header_json)
        payload = json.loads(body_json)
        signature = b64url_decode(signature_text)
    except (ValueError, binascii.Error) as exc:
        raise Invalid("malformed token") from exc
    if not isinstance(header, dict) or header.get("typ") != typ:
        raise Invalid("not a token of this kind")
    if header.get("alg") != "EdDSA":
        raise Unsupported("unsupported algorithm")
    if not isinstance(payload, dict):
        raise Invalid("payload is not an object")
    public_key = signing.public_keys(purpose).get(str(header.get("kid")))
    if public_key is None:
        raise UnknownKey("unknown key id")
    if not signing.verify(public_key, signature, f"{header_text}.{body_text}".encode("ascii")):
        raise Invalid("signature does not match")
    return Verified(payload=payload, kid=str(header["kid"]))
