"""Certificate tokens are JWTs any JOSE library validates; revoked ones are published in a signed list."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from joserfc import jwt
from joserfc.errors import ExpiredTokenError
from joserfc.jwk import KeySet

from himaccess.applications import certificates
from himaccess.applications.actions import decisions, issuing
from himaccess.applications.models import Application, Certificate
from himaccess.cards.verifier import himparivar_verify as offline
from himaccess.conftest import Personas
from himaccess.lib import jws, signing

pytestmark = pytest.mark.django_db
SCRIPT = Path(offline.__file__)
IST = ZoneInfo("Asia/Kolkata")


def _approve(personas: Personas, prem: Any, application: Application) -> Certificate:
    application = decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    return Certificate.objects.get(application=application)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_standard_jwt_library_validates_the_token_with_the_published_key(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    certificate = _approve(personas, prem, submitted)
    key_set = KeySet.import_key_set(Client().get("/services/keys.json").json())
    token = jwt.decode(certificate.token, key_set, algorithms=["EdDSA"])
    claims = token.claims
    assert token.header["alg"] == "EdDSA" and token.header["kid"] == certificate.key_id
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": settings.CREDENTIAL_ISSUER},
        sub={"essential": True, "value": personas.member(personas.ravi).member_id},
        iat={"essential": True},
        nbf={"essential": True},
        exp={"essential": True},
    )
    registry.validate(claims)
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)
    assert certificate.valid_until is not None
    end_of_last_day = datetime.combine(certificate.valid_until, time(23, 59, 59), tzinfo=IST)
    assert claims["exp"] == int(end_of_last_day.timestamp())
    assert claims["valid_until"] == certificate.valid_until.isoformat()
    assert claims["issued_on"] == certificate.issued_at.astimezone(IST).date().isoformat()
    with pytest.raises(ExpiredTokenError):
        jwt.JWTClaimsRegistry(now=claims["exp"] + 1).validate(claims)


def test_the_certificate_expires_after_its_last_day_on_indian_time(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    certificate = _approve(personas, prem, submitted)
    assert certificate.valid_until is not None
    last_day = datetime.combine(certificate.valid_until, time(23, 0), tzinfo=IST)
    with time_machine.travel(last_day, tick=False):
        assert certificates.verify(certificate.token).verdict == certificates.GENUINE
    with time_machine.travel(last_day + timedelta(hours=2), tick=False):
        assert certificates.verify(certificate.token).verdict == certificates.EXPIRED


def test_tokens_signed_with_iso_dates_before_still_verify(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    certificate = _approve(personas, prem, submitted)
    payload = jws.verify(certificate.token, "certificate", typ=certificates.TOKEN_TYPE).payload
    assert certificate.valid_until is not None
    legacy = {
        **{k: v for k, v in payload.items() if k not in ("nbf", "issued_on", "valid_until")},
        "iss": "hp.gov.in",
        "iat": certificate.issued_at.date().isoformat(),
        "exp": certificate.valid_until.isoformat(),
    }
    token, _ = certificates.sign(legacy)
    Certificate.objects.filter(pk=certificate.pk).update(token=token)
    assert certificates.verify(token).verdict == certificates.GENUINE
    after = datetime.combine(certificate.valid_until + timedelta(days=1), time(9, 0), tzinfo=IST)
    with time_machine.travel(after, tick=False):
        assert certificates.verify(token).verdict == certificates.EXPIRED


def test_an_unknown_algorithm_is_unsupported_on_the_page_and_the_api(
    personas: Personas, prem: Any, submitted: Application
) -> None:
    certificate = _approve(personas, prem, submitted)
    _, body, signature = certificate.token.split(".")
    for alg in ("none", "HS256", "ES256"):
        header = _b64({"alg": alg, "kid": certificate.key_id, "typ": certificates.TOKEN_TYPE})
        forged = f"{header}.{body}.{signature}"
        assert certificates.verify(forged).verdict == certificates.UNSUPPORTED
        page = Client().get("/services/verify/", {"t": forged})
        assert page.status_code == 200 and "Cannot be checked" in page.content.decode()
        hindi = Client(headers={"accept-language": "hi"}).get("/services/verify/", {"t": forged})
        assert "जाँच संभव नहीं" in hindi.content.decode()
        api = Client().get("/api/v1/services/certificates/verify", {"token": forged})
        assert api.status_code == 200 and api.json()["verdict"] == certificates.UNSUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a.b.c",
        "\x00.\x01.\x02",
        "x" * 6000,
        "eyJhbGciOiJFZERTQSJ9.e30.",
        "..",
        "e30.e30.e30",
        "W10.W10.AA",
    ],
)
def test_bad_input_gets_a_verdict_never_an_error(personas: Personas, text: str) -> None:
    assert certificates.verify(text).verdict in (
        certificates.NOT_CERTIFICATE,
        certificates.TAMPERED,
        certificates.UNSUPPORTED,
    )
    assert offline.verify_certificate(text, {}).verdict in offline.VERDICTS
    response = Client().post("/services/verify/", {"text": text[:1000] or " "})
    assert response.status_code in (200, 400)


def _published(tmp_path: Path) -> tuple[Path, Path]:
    client = Client()
    keys, revocations = tmp_path / "keys.json", tmp_path / "revocations.json"
    keys.write_text(json.dumps(client.get("/services/keys.json").json()))
    revocations.write_text(json.dumps(client.get("/services/revocations.json").json()))
    return keys, revocations


def _run(tmp_path: Path, keys: Path, revocations: Path, text: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-I",
            str(SCRIPT),
            "--certificate",
            "--keys",
            str(keys),
            "--revocations",
            str(revocations),
            text,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def test_revoking_publishes_a_new_signed_list_and_the_offline_verifier_uses_it(
    personas: Personas, prem: Any, submitted: Application, tmp_path: Path
) -> None:
    certificate = _approve(personas, prem, submitted)
    before = Client().get("/services/revocations.json")
    assert before["Access-Control-Allow-Origin"] == "*"
    keys = offline.load_keys(signing.published_jwks("certificate"))
    assert offline.load_revocations(before.json(), keys).revoked == frozenset()
    link = certificates.verification_url(certificate.token)
    keys_file, list_file = _published(tmp_path)
    code, out = _run(tmp_path, keys_file, list_file, link)
    assert code == 0 and out["verdict"] == "genuine" and out["details"]["number"] == certificate.number
    assert out["details"]["valid_until"] == str(certificate.valid_until)
    assert out["revocation_list"]["age_hours"] < 1 and out["message_hi"]

    issuing.revoke_certificate(certificate, "Issued on false facts", acting_user=personas.meena)
    listed = offline.load_revocations(Client().get("/services/revocations.json").json(), keys)
    assert certificate.number in listed.revoked and listed.sequence == 1
    keys_file, list_file = _published(tmp_path)
    code, out = _run(tmp_path, keys_file, list_file, link)
    assert code == 1 and out["verdict"] == "revoked"
    # A tampered token and a foreign text get their own verdicts offline too.
    header, body, signature = certificate.token.split(".")
    assert (
        _run(tmp_path, keys_file, list_file, f"{header}.{body[:-4]}AAAA.{signature}")[1]["verdict"]
        == "tampered"
    )
    assert _run(tmp_path, keys_file, list_file, "hello")[1]["verdict"] == "not_certificate"


def test_a_list_not_signed_by_a_published_key_is_refused(personas: Personas, tmp_path: Path) -> None:
    keys_file, list_file = _published(tmp_path)
    document = json.loads(list_file.read_text())
    document["payload"] = _b64({"sequence": 0, "issued_at": "2026-12-01T00:00:00+00:00", "revoked": []})
    list_file.write_text(json.dumps(document))
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-I",
            str(SCRIPT),
            "--certificate",
            "--keys",
            str(keys_file),
            "--revocations",
            str(list_file),
            "x.y.z",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        done.returncode == 2 and "signature does not match" in done.stderr and "Traceback" not in done.stderr
    )
