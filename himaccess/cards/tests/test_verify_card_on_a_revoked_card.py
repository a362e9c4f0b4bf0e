"""``verify_card`` on a withdrawn card says when and why, with an exit status of its own.

A revoked card is not a forgery: the command does not end in an error that
says "not genuine", it reports the revocation and exits 3 (0 genuine, 1 any
other verdict, 2 unusable files).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from himaccess.cards import actions
from himaccess.cards.tests.conftest import AshaCards, resign
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, Relation, Source


def _verify(text: str, **options: Any) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command("verify_card", text, stdout=out, stderr=err, **options)
    code = ended.value.code
    assert isinstance(code, int)
    return code, json.loads(out.getvalue()), err.getvalue()


def _today() -> str:
    return timezone.localdate().strftime("%d-%m-%Y")


def test_revoked_card_is_reported_with_its_date_and_reason(personas: Personas, asha_cards: AshaCards) -> None:
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)

    code, report, said = _verify(asha_cards.ravi.qr_text)

    assert code == 3
    assert report["verdict"] == spec.REVOKED
    assert report["withdrawn"] == {
        "status": "revoked",
        "on": timezone.localdate().isoformat(),
        "reason": "reported lost",
    }
    assert f"Revoked on {_today()}: reported lost." in said
    assert "not genuine" not in said.lower() and "CommandError" not in said


def test_the_sentence_is_in_the_readers_language(personas: Personas, asha_cards: AshaCards) -> None:
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)
    with translation.override("hi"):
        code, _report, said = _verify(asha_cards.ravi.qr_text)
    assert code == 3 and f"{_today()} को रद्द" in said and "reported lost" in said


def test_a_card_replaced_by_a_newer_one_says_so(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        members.record_birth(
            personas.asha_family,
            members.NewMember(
                name_en="Meera Kumari",
                name_hi="मीरा कुमारी",
                gender=Gender.FEMALE,
                date_of_birth=date(2024, 2, 1),
                relation=Relation.GRANDDAUGHTER,
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
    code, report, said = _verify(asha_cards.family.qr_text)
    assert code == 3 and report["withdrawn"]["status"] == "superseded"
    assert "replaced by a newer card (member added to the family)" in said


def test_offline_with_the_revocation_list_exits_3_too(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(Client().get("/cards/keys.json").json()))
    revocations = tmp_path / "revocations.json"
    revocations.write_text(json.dumps(Client().get("/cards/revocations.json").json()))

    code, report, said = _verify(asha_cards.ravi.qr_text, keys=str(keys), revocations=str(revocations))

    assert code == 3 and report["verdict"] == spec.REVOKED and report["revocation_list"]["age_hours"] < 1
    assert said.startswith("Revoked")


def test_genuine_is_0_and_a_forgery_is_still_an_error_with_status_1(
    personas: Personas, asha_cards: AshaCards
) -> None:
    out = io.StringIO()
    call_command("verify_card", asha_cards.asha.qr_text, stdout=out)
    assert json.loads(out.getvalue())["verdict"] == spec.GENUINE
    with pytest.raises(CommandError, match="Not genuine") as raised:
        call_command(
            "verify_card", resign(asha_cards.asha.qr_text, Ed25519PrivateKey.generate()), stdout=io.StringIO()
        )
    assert raised.value.returncode == 1
