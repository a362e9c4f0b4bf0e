from __future__ import annotations

import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from himaccess.cards import actions
from himaccess.cards.models import Card
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import signing


@dataclass
class AshaCards:
    family: Card
    asha: Card
    ravi: Card


@pytest.fixture
def asha_cards(personas: Personas) -> AshaCards:
    family = personas.asha_family
    asha, ravi = personas.member(personas.asha), personas.member(personas.ravi)
    return AshaCards(
        family=actions.issue_family_card(family, acting_user=personas.meena),
        asha=actions.issue_member_card(asha, acting_user=personas.meena),
        ravi=actions.issue_member_card(ravi, acting_user=personas.meena),
    )


def decode_cwt(qr_text: str) -> dict[Any, Any]:
    message = cbor2.loads(zlib.decompress(spec.b45decode(qr_text)))
    return cbor2.loads(message.value[2])


def resign(qr_text: str, private_key: Ed25519PrivateKey, *, cwt_changes: dict[Any, Any] | None = None) -> str:
    """The same credential signed by another key (optionally with changed claims), encoded as a QR text."""
    cwt = decode_cwt(qr_text)
    cwt.update(cwt_changes or {})
    key = signing.SigningKey.from_private_key(private_key)
    protected = cbor2.dumps({spec.COSE_ALG: spec.ALG_EDDSA, spec.COSE_KID: key.kid.encode()})
    payload = cbor2.dumps(cwt)
    signature = key.sign(spec.sig_structure(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(spec.COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return spec.b45encode(zlib.compress(message))


def render_png(pdf_bytes: bytes, tmp_path: Path, *, dpi: int = 300) -> list[Path]:
    """Rasterise a PDF as a printer or scanner would see it (poppler's pdftoppm)."""
    source = tmp_path / "card.pdf"
    source.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(tmp_path / "page")], check=True)  # noqa: S603,S607
    return sorted(tmp_path.glob("page-*.png"))
