from __future__ import annotations

import base64

from himaccess.accounts import totp

# RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; 6-digit codes are the last six of its 8.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_codes_match_the_rfc_6238_vectors() -> None:
    assert totp.code_at(RFC_SECRET, 59) == "287082"
    assert totp.code_at(RFC_SECRET, 1111111109) == "081804"
    assert totp.code_at(RFC_SECRET, 1234567890) == "005924"
    assert totp.code_at(RFC_SECRET, 2000000000) == "279037"


def test_one_step_either_side_is_accepted_and_two_are_not() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for delta in (-1, 0, 1):
        assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step + delta), at=now) == step + delta
    for delta in (-2, 2):
        assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step + delta), at=now) is None


def test_a_step_already_used_is_refused() -> None:
    now = 1_700_000_000.0
    step = totp.step_at(now)
    assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step), at=now, after_step=step) is None
    assert totp.matching_step(RFC_SECRET, "12345", at=now) is None
    assert totp.matching_step(RFC_SECRET, "abcdef", at=now) is None


def test_the_enrolment_uri_names_issuer_and_account() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="meena", issuer="Him Access HP")
    assert uri.startswith("otpauth://totp/Him%20Access%20HP%3Ameena?secret=JBSWY3DPEHPK3PXP")
    assert "period=30" in uri and "digits=6" in uri
