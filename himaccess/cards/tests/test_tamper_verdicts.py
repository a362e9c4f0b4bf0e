from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from pytest_django import Settings

from himaccess.cards.tests.conftest import AshaCards, resign
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.lib import signing


def test_resigned_with_an_unknown_key_is_unknown_key(asha_cards: AshaCards) -> None:
    forged = resign(asha_cards.ravi.qr_text, Ed25519PrivateKey.generate())
    assert verify_text(forged).verdict == spec.UNKNOWN_KEY


def test_claims_changed_under_the_published_key_id_are_tampered(asha_cards: AshaCards) -> None:
    # A forger keeps the real key id but cannot make the real signature.
    cwt_forgery = resign(
        asha_cards.ravi.qr_text, Ed25519PrivateKey.generate(), cwt_changes={spec.CWT_EXP: 4102444800}
    )
    real_kid = signing.active_key("card").kid.encode()
    import zlib

    import cbor2

    message = cbor2.loads(zlib.decompress(spec.b45decode(cwt_forgery)))
    protected = cbor2.dumps({spec.COSE_ALG: spec.ALG_EDDSA, spec.COSE_KID: real_kid})
    forged = cbor2.CBORTag(spec.COSE_SIGN1_TAG, [protected, *message.value[1:]])
    text = spec.b45encode(zlib.compress(cbor2.dumps(forged)))
    assert verify_text(text).verdict == spec.TAMPERED


def test_every_single_character_change_is_caught(asha_cards: AshaCards) -> None:
    text = asha_cards.ravi.qr_text
    verdicts = set()
    for position in range(0, len(text), 7):
        replacement = "0" if text[position] != "0" else "1"
        altered = text[:position] + replacement + text[position + 1 :]
        verdict = verify_text(altered).verdict
        verdicts.add(verdict)
        assert verdict != spec.GENUINE, position
    assert verdicts <= {spec.TAMPERED, spec.NOT_CREDENTIAL, spec.UNKNOWN_KEY}


def test_one_byte_altered_inside_the_payload_is_tampered(asha_cards: AshaCards) -> None:
    import zlib

    raw = bytearray(zlib.decompress(spec.b45decode(asha_cards.ravi.qr_text)))
    index = raw.index(b"Ravi")
    raw[index] = ord("D")  # "Davi": a valid, re-compressed code with one byte changed
    altered = spec.b45encode(zlib.compress(bytes(raw)))
    assert verify_text(altered).verdict == spec.TAMPERED


@pytest.mark.parametrize("cut", [1, 3, 30, 200])
def test_truncated_code_is_a_clear_verdict(asha_cards: AshaCards, cut: int) -> None:
    result = verify_text(asha_cards.ravi.qr_text[:-cut])
    assert result.verdict in {spec.TAMPERED, spec.NOT_CREDENTIAL}


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "https://example.org/",
        '{"id": "M1"}',
        "HELLO WORLD",
        "",
        "   ",
        "\x00\x01",
        "आशा",
        "A" * 4000,
    ],
)
def test_foreign_text_is_not_a_credential(db: None, text: str) -> None:
    assert verify_text(text).verdict == spec.NOT_CREDENTIAL


def test_huge_input_is_not_a_credential_on_the_page_and_too_large_for_the_api(
    db: None, settings: Settings
) -> None:
    huge = "6BF" * 300_000
    client = Client()
    page = client.post("/cards/verify/", {"qr_text": huge})
    assert page.status_code == 200
    assert b"not a Him Parivar card code" in page.content
    # JSON bodies are capped at the edge (JSON_BODY_MAX_BYTES); below the cap the API gives a verdict.
    api = client.post("/api/v1/cards/verify", {"qr_text": huge}, content_type="application/json")
    assert api.status_code == 413
    assert "larger than" in api.json()["detail"]
    just_under = "6BF" * (settings.JSON_BODY_MAX_BYTES // 3 - 10)
    api = client.post("/api/v1/cards/verify", {"qr_text": just_under}, content_type="application/json")
    assert api.status_code == 200
    assert api.json()["verdict"] == spec.NOT_CREDENTIAL


def test_malformed_api_body_is_a_4xx_not_a_500(db: None) -> None:
    client = Client()
    for body in ["not json", '{"other": 1}', '{"qr_text": 5}', "[]"]:
        response = client.post("/api/v1/cards/verify", body, content_type="application/json")
        assert 400 <= response.status_code < 500, body
