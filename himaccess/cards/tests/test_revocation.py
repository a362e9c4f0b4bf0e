from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from himaccess.cards import actions
from himaccess.cards.models import Card
from himaccess.cards.tests.conftest import AshaCards
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas


def test_revoked_card_gets_the_revoked_verdict(personas: Personas, asha_cards: AshaCards) -> None:
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)
    card = Card.objects.get(pk=asha_cards.ravi.pk)
    assert card.status == Card.Status.REVOKED and card.revoked_at and card.reason == "reported lost"
    assert verify_text(card.qr_text).verdict == spec.REVOKED
    assert verify_text(asha_cards.asha.qr_text).verdict == spec.GENUINE


def test_revoking_needs_a_reason_and_an_active_card(personas: Personas, asha_cards: AshaCards) -> None:
    with pytest.raises(ValidationError):
        actions.revoke(asha_cards.ravi, reason=" ", acting_user=personas.meena)
    actions.revoke(asha_cards.ravi, reason="lost", acting_user=personas.meena)
    with pytest.raises(ValidationError):
        actions.revoke(asha_cards.ravi, reason="lost again", acting_user=personas.meena)


def test_signed_revocation_list_lets_an_offline_verifier_refuse_the_card(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    client = Client()
    first = client.get("/cards/revocations.json").json()
    actions.revoke(asha_cards.ravi, reason="lost", acting_user=personas.meena)
    document = client.get("/cards/revocations.json").json()
    keys = spec.load_keys(client.get("/cards/keys.json").json())
    before, after = spec.load_revocations(first, keys), spec.load_revocations(document, keys)
    assert after.sequence > before.sequence
    assert asha_cards.ravi.credential_id in after.revoked
    assert asha_cards.asha.credential_id not in after.revoked
    assert spec.verify(asha_cards.ravi.qr_text, keys, is_revoked=after.revoked).verdict == spec.REVOKED
    assert spec.verify(asha_cards.asha.qr_text, keys, is_revoked=after.revoked).verdict == spec.GENUINE


def test_an_altered_revocation_list_is_refused(personas: Personas, asha_cards: AshaCards) -> None:
    actions.revoke(asha_cards.ravi, reason="lost", acting_user=personas.meena)
    client = Client()
    document = client.get("/cards/revocations.json").json()
    keys = spec.load_keys(client.get("/cards/keys.json").json())
    import base64

    payload = json.loads(base64.urlsafe_b64decode(document["payload"] + "=="))
    payload["revoked"] = []
    document["payload"] = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(spec.RevocationListError):
        spec.load_revocations(document, keys)
