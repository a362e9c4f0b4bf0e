"""Cards follow Claim 169 v1.2's key table; cards of the first layout are reissued and honoured meanwhile."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from himaccess.cards import actions
from himaccess.cards.models import Card, PrintRequest, PrintStatus
from himaccess.cards.tests.conftest import AshaCards, decode_cwt, make_legacy
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.registry.actions import members
from himaccess.registry.models import Source


def _command(*args: Any, **options: Any) -> str:
    out = io.StringIO()
    call_command("reissue_old_layout_cards", *args, stdout=out, **options)
    return out.getvalue()


def test_member_card_fields_sit_where_claim_169_puts_them(personas: Personas, asha_cards: AshaCards) -> None:
    claim = decode_cwt(asha_cards.ravi.qr_text)[spec.CLAIM_169]
    assert claim[19] == "रवि कुमार"  # full name, secondary language
    assert claim[20] == "hin"  # secondary language
    assert claim[3] == "eng" and claim[4] == "Ravi Kumar"
    assert 21 not in claim and 22 not in claim  # no location on a member card; never a legal status
    assert asha_cards.ravi.layout == spec.CURRENT_LAYOUT


def test_family_card_location_code_is_claim_21(personas: Personas, asha_cards: AshaCards) -> None:
    cwt = decode_cwt(asha_cards.family.qr_text)
    assert cwt[spec.CLAIM_169][21] == str(personas.asha_family.district_id)
    assert cwt[spec.CLAIM_169][19] == "आशा देवी" and cwt[spec.CLAIM_169][20] == "hin"
    assert 22 not in cwt[spec.CLAIM_169]
    assert cwt[spec.HP_EXTENSION][spec.EXT_LAYOUT] == spec.CURRENT_LAYOUT
    assert spec.EXT_MEMBER_IDS not in cwt[spec.HP_EXTENSION]


def test_issuer_is_the_configured_https_uri(personas: Personas, settings: Any) -> None:
    settings.CREDENTIAL_ISSUER = "https://himaccess.hp.gov.in"
    card = actions.issue_member_card(personas.member(personas.ravi), acting_user=personas.meena)
    assert decode_cwt(card.qr_text)[spec.CWT_ISS] == "https://himaccess.hp.gov.in"
    assert verify_text(card.qr_text).details["issuer"] == "https://himaccess.hp.gov.in"


def test_first_layout_cards_verify_with_their_own_meaning(personas: Personas, asha_cards: AshaCards) -> None:
    ravi = make_legacy(asha_cards.ravi)
    family = make_legacy(asha_cards.family)
    member = verify_text(ravi.qr_text)
    assert member.verdict == spec.GENUINE and member.details["layout"] == spec.LEGACY_LAYOUT
    assert member.details["name_hi"] == "रवि कुमार" and member.details["secondary_language"] == "hin"
    whole = verify_text(family.qr_text)
    assert whole.verdict == spec.GENUINE and whole.details["district_lgd_code"] == str(
        personas.asha_family.district_id
    )
    living = [m.member_id for m in personas.asha_family.living_members()]
    assert sorted(whole.details["member_ids"]) == sorted(living)
    assert spec.family_members_match(whole.details, living)
    page = Client().post("/cards/verify/", {"qr_text": family.qr_text}).content.decode()
    assert "आशा देवी" in page and living[0] in page


def test_reissue_moves_old_cards_to_the_print_queue_and_honours_them(
    personas: Personas, asha_cards: AshaCards
) -> None:
    old = [make_legacy(c) for c in (asha_cards.family, asha_cards.asha, asha_cards.ravi)]
    assert "cards in an older layout: 3" in _command(dry_run=True)
    assert "3 cards reissued" in _command()
    for card in old:
        card.refresh_from_db()
        assert card.status == Card.Status.SUPERSEDED and card.revocation_seq is None
        assert card.superseded_by is not None and card.superseded_by.layout == spec.CURRENT_LAYOUT
        # The old card says what its replacement says: it stays good until it expires.
        assert verify_text(card.qr_text).verdict == spec.GENUINE
        assert verify_text(card.superseded_by.qr_text).verdict == spec.GENUINE
        assert PrintRequest.objects.get(card=card.superseded_by).status == PrintStatus.REQUESTED
    listed = Client().get("/cards/revocations.json").json()
    assert spec.load_revocations(listed, _keys()).revoked.isdisjoint({c.credential_id for c in old})
    # Run again: nothing left to do.
    assert "0 cards reissued; 0 old cards left" in _command()
    assert Card.objects.count() == 6


def test_reissue_can_stop_and_resume(personas: Personas, asha_cards: AshaCards) -> None:
    karan_family_card = actions.issue_family_card(personas.karan_family, acting_user=personas.meena)
    for card in (asha_cards.family, asha_cards.ravi, karan_family_card):
        make_legacy(card)
    first = _command(limit=1, batch=1)
    assert "1 families" in first and "old cards left" in first
    assert Card.objects.in_old_layout().count() in (1, 2)
    assert "0 old cards left" in _command(batch=1)
    assert not Card.objects.in_old_layout().exists()


def test_withdrawing_the_replacement_lists_the_honoured_old_card(
    personas: Personas, asha_cards: AshaCards
) -> None:
    old_ravi = make_legacy(asha_cards.ravi)
    _command()
    old_ravi.refresh_from_db()
    assert old_ravi.superseded_by is not None
    actions.revoke(old_ravi.superseded_by, reason="lost", acting_user=personas.meena)
    assert verify_text(old_ravi.qr_text).verdict == spec.REVOKED
    listed = spec.load_revocations(Client().get("/cards/revocations.json").json(), _keys())
    assert {old_ravi.credential_id, old_ravi.superseded_by.credential_id} <= listed.revoked


def test_a_register_change_after_the_reissue_withdraws_the_old_card_too(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    old_ravi = make_legacy(asha_cards.ravi)
    _command()
    with django_capture_on_commit_callbacks(execute=True):
        members.record_death(
            personas.member(personas.ravi), on=date(2026, 11, 1), acting_user=None, source=Source.PANCHAYAT
        )
    assert verify_text(old_ravi.qr_text).verdict == spec.REVOKED


def test_an_old_card_of_someone_no_longer_in_the_family_is_revoked_not_reissued(
    personas: Personas, asha_cards: AshaCards
) -> None:
    old_ravi = make_legacy(asha_cards.ravi)
    # The death is recorded but the card handlers have not run (their dispatch failed, say).
    members.record_death(
        personas.member(personas.ravi), on=date(2026, 11, 1), acting_user=None, source=Source.PANCHAYAT
    )
    _command()
    old_ravi.refresh_from_db()
    assert old_ravi.status == Card.Status.REVOKED and old_ravi.superseded_by is None
    assert verify_text(old_ravi.qr_text).verdict == spec.REVOKED


def test_the_command_refuses_absurd_options(personas: Personas) -> None:
    with pytest.raises(CommandError):
        _command(batch=0)
    with pytest.raises(CommandError):
        _command(limit=-1)


def _keys() -> dict[str, Any]:
    return spec.load_keys(Client().get("/cards/keys.json").json())


def test_verify_card_with_unusable_files_or_options_says_so(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "!!", "kid": 3}]}')
    for keys in (garbage, empty, tmp_path / "missing.json"):
        with pytest.raises(CommandError) as raised:
            call_command("verify_card", asha_cards.ravi.qr_text, keys=str(keys), stdout=io.StringIO())
        assert raised.value.returncode == 2
    good = tmp_path / "keys.json"
    good.write_text(json.dumps(Client().get("/cards/keys.json").json()))
    with pytest.raises(CommandError):
        call_command(
            "verify_card", asha_cards.ravi.qr_text, keys=str(good), today="31-12-2026", stdout=io.StringIO()
        )
    with pytest.raises(CommandError):
        call_command(
            "verify_card",
            asha_cards.ravi.qr_text,
            keys=str(good),
            revocations=str(garbage),
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="not a Him Parivar"):
        call_command("verify_card", "\x00garbage", stdout=io.StringIO())


def test_a_print_run_prints_replacements_not_old_layout_cards(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    old_family = make_legacy(asha_cards.family)
    old_ravi = make_legacy(asha_cards.ravi)
    call_command(
        "print_cards",
        district=personas.asha_family.district_id,
        out=tmp_path / "run",
        workers=1,
        stdout=io.StringIO(),
    )
    old_family.refresh_from_db()
    old_ravi.refresh_from_db()
    assert old_family.status == old_ravi.status == Card.Status.SUPERSEDED
    new_family, new_ravi = old_family.superseded_by, old_ravi.superseded_by
    assert new_family is not None and new_ravi is not None
    # The run printed the new family card; Ravi's new card waits in the queue.
    assert PrintRequest.objects.get(card=new_family).status == PrintStatus.PRINTED
    assert PrintRequest.objects.get(card=new_ravi).status == PrintStatus.REQUESTED
    assert not PrintRequest.objects.filter(
        card__in=[old_family, old_ravi], status=PrintStatus.PRINTED
    ).exists()
    assert not Card.objects.in_old_layout().exists()
