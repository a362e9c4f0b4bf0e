"""The signature scheme, checked against a receiver written from the guide alone (docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from himaccess.webhooks import signing

SECRET = "whsec_test-secret-of-the-social-justice-department"
BODY = b'{"id":"7c0e","type":"member.born","data":{"member_id":"M12345678901"}}'


def receiver_accepts(body: bytes, header: str, secret: str, now: int, tolerance: int = 300) -> bool:
    """What a department's developer writes from the guide, with nothing of ours imported."""
    parts = [item.split("=", 1) for item in header.split(",")]
    stamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(stamps) != 1 or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


def test_an_independent_receiver_accepts_our_signature() -> None:
    now = int(time.time())
    header = signing.sign(BODY, [SECRET], timestamp=now)
    assert receiver_accepts(BODY, header, SECRET, now)
    assert signing.verify(BODY, header, [SECRET], now=now) == now


def test_our_verifier_accepts_an_independent_signature() -> None:
    now = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{now}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signing.verify(BODY, f"t={now},v1={mac}", [SECRET], now=now) == now


def test_a_changed_body_is_refused_by_both() -> None:
    now = int(time.time())
    header = signing.sign(BODY, [SECRET], timestamp=now)
    tampered = BODY.replace(b"born", b"died")
    assert not receiver_accepts(tampered, header, SECRET, now)
    with pytest.raises(signing.SignatureError):
        signing.verify(tampered, header, [SECRET], now=now)


def test_a_replayed_old_request_is_refused() -> None:
    sent = int(time.time()) - 3600
    header = signing.sign(BODY, [SECRET], timestamp=sent)
    with pytest.raises(signing.SignatureError, match="tolerance"):
        signing.verify(BODY, header, [SECRET])
    assert not receiver_accepts(BODY, header, SECRET, int(time.time()))


def test_the_tolerance_window_is_five_minutes_either_way() -> None:
    now = int(time.time())
    for offset, accepted in ((299, True), (-299, True), (301, False), (-301, False)):
        header = signing.sign(BODY, [SECRET], timestamp=now + offset)
        if accepted:
            signing.verify(BODY, header, [SECRET], now=now)
        else:
            with pytest.raises(signing.SignatureError):
                signing.verify(BODY, header, [SECRET], now=now)


def test_a_retimed_signature_is_refused() -> None:
    """Moving ``t`` forward to pass the window breaks the signature, since ``t`` is signed."""
    old = int(time.time()) - 3600
    mac = signing.sign(BODY, [SECRET], timestamp=old).split("v1=")[1]
    now = int(time.time())
    with pytest.raises(signing.SignatureError, match="no signature"):
        signing.verify(BODY, f"t={now},v1={mac}", [SECRET], now=now)


def test_another_secret_is_refused() -> None:
    header = signing.sign(BODY, ["whsec_someone-else"])
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY, header, [SECRET])


@pytest.mark.parametrize("header", ["", "t=,v1=", "v1=abc", "t=123", "t=abc,v1=00", "garbage"])
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(signing.SignatureError):
        signing.verify(BODY, header, [SECRET])


def test_during_a_rotation_either_secret_verifies() -> None:
    new, old = "whsec_new", "whsec_old"
    now = int(time.time())
    header = signing.sign(BODY, [new, old], timestamp=now)
    assert header.count("v1=") == 2
    assert receiver_accepts(BODY, header, old, now)
    assert receiver_accepts(BODY, header, new, now)
    signing.verify(BODY, header, [old], now=now)
    signing.verify(BODY, header, [new], now=now)
