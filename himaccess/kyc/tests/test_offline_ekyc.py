"""Offline e-KYC files: a genuine one verifies; tampered, unsigned, foreign, expired, wrong-code and
hostile zips get a clear verdict in the person's language and store nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

import pytest
import pyzipper
from lxml import etree

from himaccess.conftest import Personas
from himaccess.kyc.models import KycCheck, KycState, OfflineFailure
from himaccess.kyc.tests.conftest import IST, Uidai, zipped
from himaccess.registry.models import EkycStatus
from himaccess.vault.tests.numbers import ASHA

pytestmark = pytest.mark.django_db


class PoiFields(TypedDict):
    """What the UIDAI file says of the person (its Poi element) and the Aadhaar number's last four digits."""

    name: str
    dob: str
    gender: str
    last4: str


ASHA_FIELDS: PoiFields = {"name": "आशा देवी", "dob": "12-04-1978", "gender": "F", "last4": ASHA[-4:]}


@pytest.fixture
def steps(personas: Personas, journey: Any) -> Any:
    asha = personas.member(personas.asha)
    started = journey(personas.client_for(personas.asha), asha.member_id)
    assert started.consent(asha.mobile).status_code == 302
    return started


def _refused(response: Any, words: str) -> None:
    assert response.status_code == 400, response.status_code
    assert words in response.content.decode()
    assert not KycCheck.objects.exists() and not KycState.objects.exists()


def test_a_genuine_file_verifies(steps: Any, uidai: Uidai, personas: Personas) -> None:
    response = steps.offline(uidai.signed_zip("Ab12", **ASHA_FIELDS), "Ab12")
    assert response.status_code == 200
    assert "Aadhaar matches the register" in response.content.decode()
    check = KycCheck.objects.get()
    assert (check.method, check.outcome) == ("offline_xml", "verified")
    member = personas.member(personas.asha)
    assert member.ekyc_status == EkycStatus.VERIFIED


def test_an_older_sha1_signed_file_verifies(steps: Any, uidai: Uidai) -> None:
    data = uidai.offline_zip(uidai.sign(uidai.xml(**ASHA_FIELDS), algorithm="rsa-sha1"), "Ab12")
    assert "Aadhaar matches the register" in steps.offline(data, "Ab12").content.decode()


def test_a_tampered_file_is_refused(steps: Any, uidai: Uidai) -> None:
    signed = etree.fromstring(uidai.sign(uidai.xml(**(ASHA_FIELDS | {"name": "Someone Else"}))))
    signed.find("UidData/Poi").set("name", "आशा देवी")
    _refused(
        steps.offline(uidai.offline_zip(etree.tostring(signed), "Ab12"), "Ab12"), "changed after UIDAI signed"
    )


def test_an_unsigned_file_is_refused(steps: Any, uidai: Uidai) -> None:
    data = uidai.offline_zip(etree.tostring(uidai.xml(**ASHA_FIELDS)), "Ab12")
    _refused(steps.offline(data, "Ab12"), "carries no UIDAI signature")


def test_a_file_signed_by_someone_else_is_refused(steps: Any, uidai: Uidai, stranger_key: Any) -> None:
    key, cert = stranger_key
    data = uidai.offline_zip(uidai.sign(uidai.xml(**ASHA_FIELDS), key=key, cert=cert), "Ab12")
    _refused(steps.offline(data, "Ab12"), "signature is not UIDAI")


def test_an_expired_file_is_refused(steps: Any, uidai: Uidai) -> None:
    old = datetime.now(IST) - timedelta(days=4)
    _refused(steps.offline(uidai.signed_zip("Ab12", made=old, **ASHA_FIELDS), "Ab12"), "older than 3 days")


def test_a_file_from_the_future_is_refused(steps: Any, uidai: Uidai) -> None:
    later = datetime.now(IST) + timedelta(days=1)
    _refused(steps.offline(uidai.signed_zip("Ab12", made=later, **ASHA_FIELDS), "Ab12"), "in the future")


def test_wrong_share_codes_are_counted_and_limited(steps: Any, uidai: Uidai, settings: Any) -> None:
    settings.KYC_OFFLINE_SHARE_CODE_TRIES = 2
    data = uidai.signed_zip("Ab12", **ASHA_FIELDS)
    _refused(steps.offline(data, "Zz99"), "share code does not open")
    _refused(steps.offline(data, "Zz98"), "share code does not open")
    # Even the right code is refused now, until the day has passed.
    _refused(steps.offline(data, "Ab12"), "Too many wrong share codes")
    assert OfflineFailure.objects.count() == 2


def test_the_verdict_speaks_hindi(steps: Any, uidai: Uidai) -> None:
    steps.client.cookies["django_language"] = "hi"
    data = uidai.offline_zip(etree.tostring(uidai.xml(**ASHA_FIELDS)), "Ab12")
    response = steps.offline(data, "Ab12")
    assert response.status_code == 400
    assert "हस्ताक्षर" in response.content.decode()


def test_a_zip_bomb_is_refused(steps: Any, uidai: Uidai) -> None:
    bomb = zipped({"offlineaadhaar.xml": b"<a>" + b"A" * 3_000_000 + b"</a>"}, "Ab12")
    _refused(steps.offline(bomb, "Ab12"), "expands to far more")


def test_a_highly_compressed_small_file_is_refused(steps: Any, uidai: Uidai) -> None:
    bomb = zipped({"offlineaadhaar.xml": b"<a>" + b"A" * 500_000 + b"</a>"}, "Ab12")
    _refused(steps.offline(bomb, "Ab12"), "expands to far more")


@pytest.mark.parametrize(
    "name", ["../../etc/offline.xml", "/var/offline.xml", "folder/offline.xml", "offline.exe"]
)
def test_paths_and_odd_names_in_the_zip_are_refused(steps: Any, uidai: Uidai, name: str) -> None:
    data = uidai.offline_zip(uidai.sign(uidai.xml(**ASHA_FIELDS)), "Ab12", name=name)
    _refused(steps.offline(data, "Ab12"), "exactly one XML file")


def test_two_files_in_the_zip_are_refused(steps: Any, uidai: Uidai) -> None:
    xml = uidai.sign(uidai.xml(**ASHA_FIELDS))
    data = zipped({"a.xml": xml, "b.xml": xml}, "Ab12")
    _refused(steps.offline(data, "Ab12"), "exactly one XML file")


def test_an_unlocked_zip_is_refused(steps: Any, uidai: Uidai) -> None:
    data = zipped({"offlineaadhaar.xml": uidai.sign(uidai.xml(**ASHA_FIELDS))}, None)
    _refused(steps.offline(data, "Ab12"), "not the zip file of Aadhaar offline e-KYC")


def test_not_a_zip_is_refused(steps: Any, uidai: Uidai) -> None:
    _refused(steps.offline(b"%PDF-1.4 not a zip", "Ab12"), "not the zip file of Aadhaar offline e-KYC")


def test_an_oversized_upload_is_refused(steps: Any, uidai: Uidai, settings: Any) -> None:
    settings.KYC_OFFLINE_MAX_UPLOAD_BYTES = 10_240
    data = zipped({"offlineaadhaar.xml": bytes(range(256)) * 200}, "Ab12", compression=pyzipper.ZIP_STORED)
    _refused(steps.offline(data, "Ab12"), "too large")


def test_entities_in_the_xml_are_refused(steps: Any, uidai: Uidai) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><OfflinePaperlessKyc>&e;</OfflinePaperlessKyc>'
    _refused(steps.offline(uidai.offline_zip(evil, "Ab12"), "Ab12"), "not offline e-KYC XML")


def test_a_file_for_another_aadhaar_than_the_registers_is_refused(
    steps: Any, uidai: Uidai, personas: Personas
) -> None:
    from himaccess.registry.actions import aadhaar

    aadhaar.attach_aadhaar(personas.member(personas.asha), ASHA, actor=None)
    data = uidai.signed_zip("Ab12", **(ASHA_FIELDS | {"last4": "0000"}))
    _refused(steps.offline(data, "Ab12"), "different Aadhaar number")


def test_a_site_without_the_uidai_certificate_says_so(steps: Any, uidai: Uidai, settings: Any) -> None:
    data = uidai.signed_zip("Ab12", **ASHA_FIELDS)
    settings.KYC_OFFLINE_UIDAI_CERT_FILE = ""
    _refused(steps.offline(data, "Ab12"), "not set up")
