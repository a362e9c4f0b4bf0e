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


def render_png(pdf_bytes: bytes, tmp_path: Path, *, dpi: int = 300, last_page: int = 0) -> list[Path]:
    """Rasterise a PDF as a printer or scanner would see it (poppler's pdftoppm); all pages, or up to one."""
    source = tmp_path / "card.pdf"
    source.write_bytes(pdf_bytes)
    limit = ["-l", str(last_page)] if last_page else []
    command = ["pdftoppm", "-r", str(dpi), *limit, "-png", str(source), str(tmp_path / "page")]
    subprocess.run(command, check=True)  # noqa: S603
    return sorted(tmp_path.glob("page-*.png"))


def encode(
    cwt: dict[Any, Any],
    private_key: Ed25519PrivateKey,
    *,
    alg: Any = spec.ALG_EDDSA,
    kid: bytes | None = b"",
    cwt_tag: bool = False,
    compression: str = "zlib",
) -> str:
    """A credential built by hand from the spec: any algorithm label, key id, tag 61 or not, zlib or Brotli.

    ``kid=b""`` puts the key's own id in the protected header; ``kid=None`` leaves it out.
    """
    key = signing.SigningKey.from_private_key(private_key)
    header: dict[int, Any] = {spec.COSE_ALG: alg}
    if kid is not None:
        header[spec.COSE_KID] = kid or key.kid.encode()
    protected = cbor2.dumps(header)
    payload = cbor2.dumps(cwt)
    signature = key.sign(spec.sig_structure(protected, payload))
    message: Any = cbor2.CBORTag(spec.COSE_SIGN1_TAG, [protected, {}, payload, signature])
    if cwt_tag:
        message = cbor2.CBORTag(spec.CWT_TAG, message)
    raw = cbor2.dumps(message)
    if compression == "brotli":
        import brotli

        return spec.b45encode(brotli.compress(raw))
    return spec.b45encode(zlib.compress(raw))


def make_legacy(card: Card) -> Card:
    """Turn a freshly issued card into one as issued before layout versions (same key, same id).

    Cards of layout 1 can no longer be issued, so the rows a deployment already holds are made here.
    """
    cwt = decode_cwt(card.qr_text)
    claim, ext = cwt[spec.CLAIM_169], cwt[spec.HP_EXTENSION]
    legacy_claim = {k: v for k, v in claim.items() if k not in (19, 20, 21)}
    if spec.C169_SECONDARY_FULL_NAME in claim:
        legacy_claim[spec.LEGACY_SECONDARY_LANGUAGE] = claim[spec.C169_SECONDARY_LANGUAGE]
        legacy_claim[spec.LEGACY_SECONDARY_FULL_NAME] = claim[spec.C169_SECONDARY_FULL_NAME]
    legacy_ext: dict[int, Any] = {spec.EXT_KIND: ext[spec.EXT_KIND]}
    if card.kind == Card.Kind.FAMILY:
        legacy_claim[spec.LEGACY_LOCATION] = claim[spec.C169_LOCATION]
        legacy_ext[spec.EXT_MEMBER_IDS] = [m.member_id for m in card.family.living_members()]
    else:
        legacy_ext[spec.EXT_FAMILY_ID] = ext[spec.EXT_FAMILY_ID]
    legacy = {
        spec.CWT_ISS: "hp.gov.in",
        spec.CWT_EXP: cwt[spec.CWT_EXP],
        spec.CWT_IAT: cwt[spec.CWT_IAT],
        spec.CWT_CTI: cwt[spec.CWT_CTI],
        spec.CLAIM_169: legacy_claim,
        spec.HP_EXTENSION: legacy_ext,
    }
    key = signing.active_key("card")
    Card.objects.filter(pk=card.pk).update(qr_text=encode(legacy, key.private_key), layout=spec.LEGACY_LAYOUT)
    card.refresh_from_db()
    return card
