"""The public verify page, the API and the standalone script give each verdict in the reader's language."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from himaccess.cards import actions
from himaccess.cards.tests.conftest import AshaCards, decode_cwt, encode, resign
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import signing

SCRIPT = Path(spec.__file__)


def _later(card_text: str) -> str:
    """The same card, re-signed with the real key to start in an hour, Brotli-compressed inside tag 61."""
    cwt = decode_cwt(card_text)
    cwt[spec.CWT_NBF] = time.time() + 3600.5
    return encode(cwt, signing.active_key("card").private_key, cwt_tag=True, compression="brotli")


def _es256(card_text: str) -> str:
    return encode(decode_cwt(card_text), signing.active_key("card").private_key, alg=-7)


@pytest.mark.parametrize(
    ("make", "verdict", "english", "hindi"),
    [
        (_later, spec.NOT_YET_VALID, "Not yet valid", "अभी मान्य नहीं"),
        (_es256, spec.UNSUPPORTED, "Cannot be checked", "जाँच संभव नहीं"),
    ],
)
def test_page_and_api_answer_in_english_and_hindi(
    asha_cards: AshaCards, make: Any, verdict: str, english: str, hindi: str
) -> None:
    text = make(asha_cards.ravi.qr_text)
    page = Client().post("/cards/verify/", {"qr_text": text})
    assert page.status_code == 200 and english in page.content.decode()
    hindi_page = Client(headers={"accept-language": "hi"}).post("/cards/verify/", {"qr_text": text})
    assert hindi in hindi_page.content.decode()
    api = Client(headers={"accept-language": "hi"}).post(
        "/api/v1/cards/verify", {"qr_text": text}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["verdict"] == verdict and hindi in api.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"qr_text": "A" * 5000},
        {"qr_text": 12},
        {"qr_text": ["x"]},
        {},
        {"qr_text": "NCF\u202eX"},
        {"qr_text": "6BFO\x07"},
    ],
)
def test_bad_input_to_the_api_is_a_clear_4xx_or_a_verdict(personas: Personas, body: dict[str, Any]) -> None:
    response = Client().post("/api/v1/cards/verify", body, content_type="application/json")
    assert response.status_code in (200, 400, 422)
    if response.status_code == 200:
        assert response.json()["verdict"] in spec.VERDICTS and response.json()["verdict"] != spec.GENUINE
    page = Client().post("/cards/verify/", {"qr_text": str(body.get("qr_text", ""))[:4000]})
    assert page.status_code in (200, 400)


def test_standalone_script_checks_members_and_reads_brotli(
    personas: Personas, asha_cards: AshaCards, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(Client().get("/cards/keys.json").json()))
    living = [m.member_id for m in personas.asha_family.living_members()]

    def run(*args: str) -> tuple[int, dict[str, Any]]:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-I", str(SCRIPT), "--keys", str(keys), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, json.loads(done.stdout)

    code, out = run("--members", ",".join(living), asha_cards.family.qr_text)
    assert code == 0 and out["members_match"] is True and out["revocation_list"] is None
    assert out["message_en"].startswith("Genuine") and out["message_hi"].startswith("असली")
    assert run("--members", living[0], asha_cards.family.qr_text)[1]["members_match"] is False
    code, out = run(_later(asha_cards.ravi.qr_text))
    assert code == 1 and out["verdict"] == spec.NOT_YET_VALID


def test_each_kind_of_verdict_has_its_own_colour_and_heading(
    personas: Personas, asha_cards: AshaCards
) -> None:
    def page(text: str) -> str:
        return Client().post("/cards/verify/", {"qr_text": text}).content.decode()

    genuine = page(asha_cards.ravi.qr_text)
    assert 'class="verdict genuine"' in genuine and "Genuine card" in genuine
    forged = page(resign(asha_cards.ravi.qr_text, Ed25519PrivateKey.generate()))
    assert 'class="verdict not-genuine"' in forged and "Not a genuine card" in forged
    actions.revoke(asha_cards.ravi, reason="reported lost", acting_user=personas.meena)
    revoked = page(asha_cards.ravi.qr_text)
    assert 'class="verdict caution"' in revoked and "Card revoked" in revoked
    assert "verdict-" not in genuine + forged + revoked
