from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from himaccess.cards import actions
from himaccess.cards.tests.conftest import AshaCards
from himaccess.conftest import Personas

SCRIPT = Path(__file__).resolve().parents[1] / "verifier" / "himparivar_verify.py"


def _published(tmp_path: Path) -> tuple[Path, Path]:
    client = Client()
    keys, revocations = tmp_path / "keys.json", tmp_path / "revocations.json"
    keys.write_text(json.dumps(client.get("/cards/keys.json").json()))
    revocations.write_text(json.dumps(client.get("/cards/revocations.json").json()))
    return keys, revocations


def test_standalone_script_verifies_offline_without_django(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    actions.revoke(asha_cards.asha, reason="lost", acting_user=personas.meena)
    keys, revocations = _published(tmp_path)

    def run(text: str) -> tuple[int, dict[str, Any]]:
        # -I: isolated, so nothing of the project is importable; only the script's own imports.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-I", str(SCRIPT), "--keys", str(keys), "--revocations", str(revocations), text],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        return done.returncode, json.loads(done.stdout)

    code, out = run(asha_cards.ravi.qr_text)
    assert code == 0 and out["verdict"] == "genuine" and out["details"]["name_hi"] == "रवि कुमार"
    assert out["revocation_list"]["sequence"] >= 1
    assert run(asha_cards.asha.qr_text)[1]["verdict"] == "revoked"
    assert run("not a card")[0] == 1


def test_verify_card_command_offline_and_online(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys, revocations = _published(tmp_path)
    call_command("verify_card", asha_cards.ravi.qr_text, keys=str(keys), revocations=str(revocations))
    assert '"genuine"' in capsys.readouterr().out
    call_command("verify_card", asha_cards.family.qr_text)
    assert '"genuine"' in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("verify_card", asha_cards.family.qr_text[:-5])
    with pytest.raises(CommandError):
        call_command("verify_card", asha_cards.ravi.qr_text, keys=str(keys), today="2099-01-01")


def test_verify_page_and_api_give_the_verdict(asha_cards: AshaCards) -> None:
    client = Client()
    assert client.get("/cards/verify/").status_code == 200
    page = client.post("/cards/verify/", {"qr_text": asha_cards.ravi.qr_text})
    assert page.status_code == 200 and "रवि कुमार" in page.content.decode()
    api = client.post(
        "/api/v1/cards/verify", {"qr_text": asha_cards.ravi.qr_text}, content_type="application/json"
    )
    assert api.json()["verdict"] == "genuine" and api.json()["details"]["gender"] == "M"
    assert client.get("/api/v1/cards/keys").json()["keys"]
    assert "signature" in client.get("/api/v1/cards/revocations").json()
    assert client.get("/cards/keys.json")["Access-Control-Allow-Origin"] == "*"


def test_print_run_streams_sheets_to_disk(personas: Personas, tmp_path: Path) -> None:
    call_command(
        "print_cards",
        district=personas.asha_family.district_id,
        out=tmp_path / "run",
        members=True,
        workers=1,
        chunk=1,
    )
    files = sorted((tmp_path / "run").glob("*.pdf"))
    assert len(files) == 2  # Asha's and Karan's families, one chunk each
    from himaccess.cards.models import Card, PrintStatus

    cards = Card.objects.filter(family__district_id=personas.asha_family.district_id)
    assert cards.count() == 2 + 3  # two family cards, three living members
    assert set(cards.values_list("print_request__status", flat=True)) == {PrintStatus.PRINTED}
    # A second run reprints the same cards, issuing nothing new.
    call_command(
        "print_cards",
        district=personas.asha_family.district_id,
        out=tmp_path / "again",
        members=True,
        workers=1,
    )
    assert cards.count() == 5
    with pytest.raises(CommandError):
        call_command("print_cards", district=999999, out=tmp_path / "none")
