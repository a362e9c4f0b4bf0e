"""The verifier's rules from Claim 169 v1.2 and RFC 8392, on credentials built by hand from the spec.

These run the verification function alone (the standalone verifier's and the
server's), with a key made for the test: no database.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

import brotli
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import translation

from himaccess.cards.tests.conftest import encode
from himaccess.cards.verification import MESSAGES
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.lib import signing

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
PRIVATE = Ed25519PrivateKey.generate()
KEY = signing.SigningKey.from_private_key(PRIVATE)
KEYS = {KEY.kid: PRIVATE.public_key()}


def _cwt(**times: Any) -> dict[Any, Any]:
    cwt: dict[Any, Any] = {
        spec.CWT_ISS: "https://himaccess.hp.gov.in",
        spec.CWT_EXP: T + 86400,
        spec.CWT_NBF: T - 60,
        spec.CWT_IAT: T - 60,
        spec.CWT_CTI: bytes.fromhex("00112233445566ff"),
        spec.CLAIM_169: {
            spec.C169_ID: "M0000000001",
            spec.C169_LANGUAGE: "eng",
            spec.C169_FULL_NAME: "Ravi Kumar",
            spec.C169_SECONDARY_FULL_NAME: "रवि कुमार",
            spec.C169_SECONDARY_LANGUAGE: "hin",
        },
        spec.HP_EXTENSION: {spec.EXT_KIND: "M", spec.EXT_FAMILY_ID: "F0000000001", spec.EXT_LAYOUT: 2},
    }
    for name, value in times.items():
        key = {"exp": spec.CWT_EXP, "nbf": spec.CWT_NBF, "iat": spec.CWT_IAT}[name]
        if value is None:
            cwt.pop(key)
        else:
            cwt[key] = value
    return cwt


def _verify(text: str, **kwargs: Any) -> spec.Result:
    return spec.verify(text, KEYS, now=NOW, **kwargs)


def test_a_plain_credential_is_genuine() -> None:
    result = _verify(encode(_cwt(), PRIVATE))
    assert result.verdict == spec.GENUINE
    assert result.details["name_hi"] == "रवि कुमार" and result.details["secondary_language"] == "hin"


def test_not_before_in_the_future_is_not_yet_valid() -> None:
    assert _verify(encode(_cwt(nbf=T + 3600), PRIVATE)).verdict == spec.NOT_YET_VALID
    assert _verify(encode(_cwt(nbf=T - 1), PRIVATE)).verdict == spec.GENUINE
    # A not-before that is no NumericDate is not trusted to have passed.
    assert _verify(encode(_cwt(nbf="tomorrow"), PRIVATE)).verdict == spec.NOT_YET_VALID


def test_floating_point_numeric_dates_are_read() -> None:
    assert _verify(encode(_cwt(exp=T + 0.5, nbf=T - 0.25, iat=T - 0.25), PRIVATE)).verdict == spec.GENUINE
    assert _verify(encode(_cwt(exp=T - 0.5), PRIVATE)).verdict == spec.EXPIRED
    assert _verify(encode(_cwt(nbf=T + 0.5), PRIVATE)).verdict == spec.NOT_YET_VALID
    assert _verify(encode(_cwt(exp=float("nan")), PRIVATE)).verdict == spec.EXPIRED
    assert _verify(encode(_cwt(exp=True), PRIVATE)).verdict == spec.EXPIRED
    assert _verify(encode(_cwt(exp=10**400), PRIVATE)).verdict == spec.EXPIRED
    assert _verify(encode(_cwt(iat=-(10**30)), PRIVATE)).details["issued_on"] == ""
    assert _verify(encode(_cwt(exp=None), PRIVATE)).verdict == spec.EXPIRED


def test_the_cwt_tag_61_around_cose_sign1_is_accepted() -> None:
    # Section 3.2.1's example: 61(18([protected, unprotected, payload, signature])).
    text = encode(_cwt(), PRIVATE, cwt_tag=True)
    assert cbor2.loads(zlib.decompress(spec.b45decode(text))).tag == spec.CWT_TAG
    assert _verify(text).verdict == spec.GENUINE


def test_brotli_compressed_credentials_are_read() -> None:
    text = encode(_cwt(), PRIVATE, compression="brotli")
    assert spec.b45decode(text)[0] != 0x78
    assert _verify(text).verdict == spec.GENUINE
    assert _verify(encode(_cwt(), PRIVATE, compression="brotli", cwt_tag=True)).verdict == spec.GENUINE


def test_a_brotli_bomb_is_refused_without_inflating_it() -> None:
    bomb = spec.b45encode(brotli.compress(b"\0" * 10_000_000))
    assert len(bomb) < spec.MAX_TEXT_LENGTH
    assert _verify(bomb).verdict == spec.TAMPERED


def test_a_zlib_bomb_is_refused_without_inflating_it() -> None:
    bomb = spec.b45encode(zlib.compress(b"\0" * 2_000_000, 9))
    assert len(bomb) < spec.MAX_TEXT_LENGTH
    assert _verify(bomb).verdict == spec.TAMPERED


@pytest.mark.parametrize("alg", [-7, -35, -257, 5, "EdDSA", -65536])
def test_an_algorithm_other_than_ed25519_is_unsupported_not_tampered(alg: Any) -> None:
    result = _verify(encode(_cwt(), PRIVATE, alg=alg))
    assert result.verdict == spec.UNSUPPORTED
    assert not result.is_genuine


def test_the_fully_specified_ed25519_label_is_accepted() -> None:
    assert _verify(encode(_cwt(), PRIVATE, alg=spec.ALG_ED25519)).verdict == spec.GENUINE


def test_without_a_key_id_each_published_key_is_tried() -> None:
    other = Ed25519PrivateKey.generate()
    keys = {"other": other.public_key(), **KEYS}
    assert spec.verify(encode(_cwt(), PRIVATE, kid=None), keys, now=NOW).verdict == spec.GENUINE
    assert spec.verify(encode(_cwt(), Ed25519PrivateKey.generate(), kid=None), keys, now=NOW).verdict == (
        spec.UNKNOWN_KEY
    )


def test_a_layout_newer_than_the_verifier_is_unsupported() -> None:
    cwt = _cwt()
    cwt[spec.HP_EXTENSION][spec.EXT_LAYOUT] = 3
    assert _verify(encode(cwt, PRIVATE)).verdict == spec.UNSUPPORTED


def test_the_layout_version_tells_the_old_key_table_from_the_spec() -> None:
    cwt = _cwt()
    del cwt[spec.HP_EXTENSION][spec.EXT_LAYOUT]
    cwt[spec.CLAIM_169] = {
        spec.C169_ID: "M0000000001",
        spec.C169_FULL_NAME: "Ravi Kumar",
        spec.LEGACY_SECONDARY_LANGUAGE: "hin",
        spec.LEGACY_SECONDARY_FULL_NAME: "रवि कुमार",
    }
    details = _verify(encode(cwt, PRIVATE)).details
    assert details["layout"] == spec.LEGACY_LAYOUT
    assert details["name_hi"] == "रवि कुमार" and details["secondary_language"] == "hin"


def test_a_credential_without_our_fields_is_read_by_the_spec_table() -> None:
    cwt = _cwt()
    del cwt[spec.HP_EXTENSION]
    details = _verify(encode(cwt, PRIVATE)).details
    assert details["layout"] == spec.CURRENT_LAYOUT and details["name_hi"] == "रवि कुमार"


def test_revocation_comes_before_expiry_and_not_before() -> None:
    text = encode(_cwt(exp=T - 10), PRIVATE)
    assert _verify(text, is_revoked={"00112233445566ff"}).verdict == spec.REVOKED


BAD_INPUT = [
    "",
    " ",
    "\x00\x01\x02",
    "HC1:NCFOXN%TS3DH",
    "https://example.org/?x=1",
    "Ω" * 50,
    "A" * 5000,
    "0" * 3 * 1000,
    "::::::",
    "6BF",  # Base45 of a zlib header with nothing after it
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_gets_a_verdict_never_an_exception(text: str) -> None:
    result = _verify(text)
    assert result.verdict in spec.VERDICTS and not result.is_genuine


def test_every_cut_of_a_credential_gets_a_verdict() -> None:
    for tag, compression in ((False, "zlib"), (True, "brotli")):
        text = encode(_cwt(), PRIVATE, cwt_tag=tag, compression=compression)
        for end in range(0, len(text), 5):
            result = _verify(text[:end])
            assert result.verdict in spec.VERDICTS and not result.is_genuine


def test_wrong_types_everywhere_get_a_verdict() -> None:
    value: object
    for value in (None, 1, 1.5, "x", b"x", [], {}, cbor2.CBORTag(1, 0)):
        for where in ("claim", "ext", "cti", "iss"):
            cwt = _cwt()
            target = {
                "claim": spec.CLAIM_169,
                "ext": spec.HP_EXTENSION,
                "cti": spec.CWT_CTI,
                "iss": spec.CWT_ISS,
            }
            cwt[target[where]] = value
            result = _verify(encode(cwt, PRIVATE))
            assert result.verdict in spec.VERDICTS
    for message in ([1, 2, 3], {"a": 1}, cbor2.CBORTag(61, cbor2.CBORTag(61, [])), cbor2.CBORTag(98, [])):
        assert _verify(spec.b45encode(zlib.compress(cbor2.dumps(message)))).verdict == spec.NOT_CREDENTIAL


def test_every_verdict_has_its_own_sentence_in_english_and_hindi() -> None:
    card_verdicts = [v for v in spec.VERDICTS if v != spec.NOT_CERTIFICATE]
    for language in ("en", "hi"):
        with translation.override(language):
            sentences = [str(MESSAGES[v]) for v in card_verdicts]
        assert len(set(sentences)) == len(card_verdicts)
    with translation.override("hi"):
        hindi = {v: str(MESSAGES[v]) for v in card_verdicts}
    with translation.override("en"):
        english = {v: str(MESSAGES[v]) for v in card_verdicts}
    assert all(hindi[v] != english[v] for v in card_verdicts)
    # The standalone verifier carries both languages itself.
    assert set(spec.MESSAGES) == set(spec.VERDICTS)
    assert (
        len({en for en, _ in spec.MESSAGES.values()})
        == len({hi for _, hi in spec.MESSAGES.values()})
        == len(spec.VERDICTS)
    )
