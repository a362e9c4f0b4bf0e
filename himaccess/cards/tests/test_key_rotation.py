from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from himaccess.cards import actions
from himaccess.cards.tests.conftest import AshaCards
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import signing


def test_rotation_keeps_cards_signed_by_the_old_key_valid(personas: Personas, asha_cards: AshaCards) -> None:
    old_kid = asha_cards.ravi.key_id
    call_command("rotate_card_key")
    karan_card = actions.issue_member_card(personas.member(personas.karan), acting_user=personas.meena)
    assert karan_card.key_id != old_kid
    assert verify_text(asha_cards.ravi.qr_text).verdict == spec.GENUINE
    assert verify_text(karan_card.qr_text).verdict == spec.GENUINE
    published = {k["kid"] for k in Client().get("/cards/keys.json").json()["keys"]}
    assert {old_kid, karan_card.key_id} <= published


def test_embedded_key_is_written_owner_only_outside_the_database(settings: Settings, db: None) -> None:
    key = signing.active_key("card")
    path = Path(settings.SIGNING_KEY_DIR) / "card" / f"{key.kid}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    jwks = (Path(settings.SIGNING_KEY_DIR) / "card" / "card.jwks.json").read_text()
    assert "PRIVATE" not in jwks and '"d"' not in jwks


def test_key_from_the_environment_signs_and_rotation_needs_a_path(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    private = Ed25519PrivateKey.generate()
    monkeypatch.setenv("CARD_SIGNING_KEY", base64.b64encode(signing.private_key_pem(private)).decode())
    monkeypatch.setenv("CARD_SIGNING_KEY", signing.private_key_pem(private).decode())
    card = actions.issue_family_card(personas.karan_family, acting_user=personas.meena)
    assert card.key_id == signing.key_id(private.public_key())
    with pytest.raises(ImproperlyConfigured):
        signing.rotate("card")
    new = signing.rotate("card", out=tmp_path / "next.pem")
    assert stat.S_IMODE((tmp_path / "next.pem").stat().st_mode) == 0o600
    monkeypatch.delenv("CARD_SIGNING_KEY")
    monkeypatch.setenv("CARD_SIGNING_KEY_FILE", str(tmp_path / "next.pem"))
    assert signing.active_key("card").kid == new.kid
    assert verify_text(card.qr_text).verdict == spec.GENUINE


def test_raw_base64_key_is_accepted(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    private = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    monkeypatch.setenv("CARD_SIGNING_KEY", base64.b64encode(raw).decode())
    assert signing.active_key("card").kid == signing.key_id(private.public_key())


def test_production_without_a_configured_key_refuses_to_sign(settings: Any, db: None) -> None:
    settings.GENERATE_SIGNING_KEYS = False
    with pytest.raises(ImproperlyConfigured):
        signing.active_key("card")
