"""Interoperability with an independent Claim 169 implementation (the ``claim169`` package from PyPI).

It reads the product's cards with the meaning the spec gives every field, and
the product's verifier accepts what it writes with the product's key.
"""

from __future__ import annotations

from collections.abc import Mapping

import claim169
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from himaccess.cards.tests.conftest import AshaCards, decode_cwt, make_legacy
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import signing


def _public_raw() -> bytes:
    return signing.raw_public_bytes(signing.active_key("card").public_key)


def _private_raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_the_library_reads_a_member_card_field_by_field(personas: Personas, asha_cards: AshaCards) -> None:
    ravi = personas.member(personas.ravi)
    decoded = claim169.decode_with_ed25519(asha_cards.ravi.qr_text, _public_raw())
    assert decoded.is_verified()
    assert decoded.detected_compression == "zlib"
    assert decoded.claim169.to_dict() == {
        "id": ravi.member_id,
        "language": "eng",
        "fullName": "Ravi Kumar",
        "dateOfBirth": "20010903",
        "gender": int(claim169.Gender.MALE),
        "secondaryFullName": "रवि कुमार",
        "secondaryLanguage": "hin",
    }
    assert decoded.claim169.legal_status is None and decoded.claim169.location_code is None
    cwt = decode_cwt(asha_cards.ravi.qr_text)
    assert decoded.cwt_meta.issuer == cwt[spec.CWT_ISS]
    assert decoded.cwt_meta.expires_at == cwt[spec.CWT_EXP]
    assert decoded.cwt_meta.issued_at == decoded.cwt_meta.not_before == cwt[spec.CWT_IAT]


def test_the_library_reads_a_family_card_field_by_field(personas: Personas, asha_cards: AshaCards) -> None:
    decoded = claim169.decode_with_ed25519(asha_cards.family.qr_text, _public_raw())
    assert decoded.is_verified()
    assert decoded.claim169.to_dict() == {
        "id": personas.asha_family.family_id,
        "language": "eng",
        "fullName": "Asha Devi",
        "secondaryFullName": "आशा देवी",
        "secondaryLanguage": "hin",
        "locationCode": str(personas.asha_family.district_id),
    }


def test_first_layout_cards_are_why_they_are_reissued(personas: Personas, asha_cards: AshaCards) -> None:
    # Read by the spec's table, a layout 1 card gives the Hindi name as the legal status.
    legacy = make_legacy(asha_cards.ravi)
    decoded = claim169.decode_with_ed25519(legacy.qr_text, _public_raw())
    assert decoded.claim169.legal_status == "रवि कुमार"
    assert decoded.claim169.location_code == "hin"
    # The product's verifier knows the layout and reads it right.
    assert verify_text(legacy.qr_text).details["name_hi"] == "रवि कुमार"


def _library_card(
    private_raw: bytes, meta: Mapping[str, int] | None = None, *, algorithm: str = "ed25519"
) -> str:
    meta = meta or {}
    data = claim169.Claim169Input(id="M1234567890", full_name="Pushpa Katoch")
    data.language = "eng"
    data.secondary_full_name = "पुष्पा कटोच"
    data.secondary_language = "hin"
    data.date_of_birth = "19780214"
    data.gender = int(claim169.Gender.FEMALE)
    data.location_code = "24"
    cwt = claim169.CwtMetaInput(issuer="https://himaccess.hp.gov.in", expires_at=meta.get("exp", 4102444800))
    cwt.issued_at = 1764633600
    cwt.not_before = meta.get("nbf", 1764633600)
    if algorithm == "es256":
        return claim169.encode_with_ecdsa_p256(data, cwt, private_raw)
    return claim169.encode_with_ed25519(data, cwt, private_raw)


def test_a_card_the_library_writes_with_our_key_is_genuine(personas: Personas) -> None:
    text = _library_card(_private_raw(signing.active_key("card").private_key))
    result = verify_text(text)
    assert result.verdict == spec.GENUINE
    details = result.details
    assert details["id"] == "M1234567890" and details["name_en"] == "Pushpa Katoch"
    assert details["name_hi"] == "पुष्पा कटोच" and details["secondary_language"] == "hin"
    assert details["date_of_birth"] == "1978-02-14" and details["gender"] == "F"
    assert details["issuer"] == "https://himaccess.hp.gov.in" and details["layout"] == spec.CURRENT_LAYOUT
    # The library puts no key id in: the verifier found the key among the published ones.
    assert details["key_id"] == signing.active_key("card").kid


@pytest.mark.parametrize(
    ("meta", "verdict"), [({"exp": 1764633601}, spec.EXPIRED), ({"nbf": 4102444000}, spec.NOT_YET_VALID)]
)
def test_the_library_cards_dates_are_honoured(personas: Personas, meta: dict[str, int], verdict: str) -> None:
    text = _library_card(_private_raw(signing.active_key("card").private_key), meta)
    assert verify_text(text).verdict == verdict


def test_a_card_the_library_writes_with_another_key_is_not_genuine(personas: Personas) -> None:
    assert verify_text(_library_card(_private_raw(Ed25519PrivateKey.generate()))).verdict == spec.UNKNOWN_KEY


def test_a_card_signed_with_ecdsa_is_unsupported_not_tampered(personas: Personas) -> None:
    private = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    assert verify_text(_library_card(private, algorithm="es256")).verdict == spec.UNSUPPORTED
