"""``audit.record``: what an entry holds, that it never holds secrets, that it rolls back with its change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory

from himaccess.audit.log import record
from himaccess.audit.models import AuditEntry
from himaccess.audit.verification import verify_chain
from himaccess.lib.identifiers import verhoeff_check_digit

pytestmark = pytest.mark.django_db

AADHAAR_BODY = "23456789012"
AADHAAR = AADHAAR_BODY + str(verhoeff_check_digit(AADHAAR_BODY))


def test_entry_names_the_object_by_its_public_id(personas: Any) -> None:
    entry = record(personas.meena, "family.viewed", personas.asha_family, source="test")
    assert entry.object_type == "registry.family"
    assert entry.object_id == personas.asha_family.family_id
    member = personas.member(personas.ravi)
    assert record(None, "member.viewed", member).object_id == member.member_id


def test_secrets_never_reach_the_chain(personas: Any) -> None:
    entry = record(
        personas.asha,
        "member.mobile_changed",
        personas.member(personas.asha),
        before={"mobile": "9816000001", "otp": "482913", "password": "hunter2-hunter2"},
        after={
            "mobile": "9816000009",
            "code": "111222",
            "access_token": "abc.def",
            "client_secret": "s3cr3t",
            "aadhaar": AADHAAR,
            "note": f"caller read out {AADHAAR[:4]} {AADHAAR[4:8]} {AADHAAR[8:]}",
            "nested": [{"totp": "123456"}],
            "pincode": "175001",
            "aadhaar_last4": AADHAAR[-4:],
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    text = stored.before + stored.after
    for secret in ("482913", "hunter2", "111222", "abc.def", "s3cr3t", AADHAAR, AADHAAR[4:8] + " "):
        assert secret not in text
    after = json.loads(stored.after)
    assert after["note"].endswith("XXXX XXXX " + AADHAAR[-4:])
    assert after["pincode"] == "175001"
    assert after["aadhaar_last4"] == AADHAAR[-4:]
    assert after["mobile"] == "9816000009"


def test_entry_is_rolled_back_with_the_change_it_records(personas: Any) -> None:
    written = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(personas.meena, "family.corrected", personas.asha_family)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == written
    entry = record(personas.meena, "family.corrected", personas.asha_family)
    # The rolled-back entry took no position: this one is the last of its chain, with no gap.
    assert entry.seq == AuditEntry.objects.filter(chain=entry.chain).count()
    assert AuditEntry.objects.count() == written + 1
    assert verify_chain().ok


def test_client_address_ignores_forwarded_for_without_a_trusted_proxy(personas: Any, settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert record(None, "x.y", request=request).client_address == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert record(None, "x.y", request=request).client_address == "203.0.113.9"


def test_spoofed_forwarded_for_left_of_the_proxy_is_not_trusted(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert record(None, "x.y", request=request).client_address == "198.51.100.7"
