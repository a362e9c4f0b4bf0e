"""An Aadhaar number on the register: one living person per number, kept as a reference and shown masked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from himaccess.audit.models import AuditEntry
from himaccess.registry.actions import aadhaar as registry_aadhaar
from himaccess.registry.actions import members
from himaccess.registry.models import Member, RegisterChange, Source
from himaccess.vault import actions as vault
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI

pytestmark = pytest.mark.django_db


def _codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [e.code or "" for e in exc.value.error_dict["aadhaar"]]


def test_attach_keeps_reference_and_last4_only(personas: Any) -> None:
    member = personas.member(personas.asha)
    ref = registry_aadhaar.attach_aadhaar(member, f"{ASHA[:4]} {ASHA[4:8]} {ASHA[8:]}", actor=personas.meena)
    member.refresh_from_db()
    assert member.aadhaar_ref == ref.reference == vault.reference_for(ASHA)
    assert member.aadhaar_last4 == ASHA[-4:]
    assert member.aadhaar_masked == f"XXXX XXXX {ASHA[-4:]}"
    rows = RegisterChange.objects.filter(member=member, action="member.aadhaar_added")
    assert {r.field for r in rows} == {"aadhaar_ref", "aadhaar_last4"}
    for row in rows:
        assert ASHA not in row.old_value + row.new_value
    for entry in AuditEntry.objects.all():
        assert ASHA not in entry.before + entry.after + entry.object_id


def test_attaching_the_same_number_again_changes_nothing(personas: Any) -> None:
    member = personas.member(personas.asha)
    first = registry_aadhaar.attach_aadhaar(member, ASHA, actor=personas.meena)
    changes = RegisterChange.objects.count()
    assert registry_aadhaar.attach_aadhaar(member, ASHA, actor=personas.meena) == first
    assert RegisterChange.objects.count() == changes


def test_number_on_another_family_is_refused_without_naming_it(personas: Any) -> None:
    karan = personas.member(personas.karan)
    registry_aadhaar.attach_aadhaar(karan, KARAN, actor=personas.meena)
    asha = personas.member(personas.asha)
    with pytest.raises(ValidationError) as caught:
        registry_aadhaar.attach_aadhaar(asha, KARAN, actor=personas.meena)
    assert _codes(caught) == ["aadhaar_in_use"]
    with translation.override("en"):
        message = " ".join(str(m) for m in caught.value.messages)
    assert "already on the register for another living person" in message
    for secret in (karan.name_en, karan.member_id, karan.display_id, personas.karan_family.family_id, KARAN):
        assert secret not in message
    with translation.override("hi"), pytest.raises(ValidationError) as in_hindi:
        registry_aadhaar.attach_aadhaar(asha, KARAN, actor=personas.meena)
    assert "पहले से किसी अन्य जीवित व्यक्ति" in " ".join(in_hindi.value.messages)
    asha.refresh_from_db()
    assert asha.aadhaar_ref is None
    assert asha.aadhaar_last4 == ""


def test_number_on_another_member_of_the_same_family_is_refused(personas: Any) -> None:
    registry_aadhaar.attach_aadhaar(personas.member(personas.ravi), RAVI, actor=personas.meena)
    with pytest.raises(ValidationError) as caught:
        registry_aadhaar.attach_aadhaar(personas.member(personas.asha), RAVI, actor=personas.meena)
    assert _codes(caught) == ["aadhaar_in_use"]


def test_number_of_a_dead_member_may_be_given_to_a_living_one(personas: Any) -> None:
    """The constraint is on living people: a death frees the number (a wrongly registered duplicate)."""
    karan = personas.member(personas.karan)
    registry_aadhaar.attach_aadhaar(karan, KARAN, actor=personas.meena)
    kangra = personas.kangra_family.head()
    members.record_death(karan, on=date(2026, 1, 5), acting_user=personas.meena, source=Source.OFFICIAL)
    ref = registry_aadhaar.attach_aadhaar(kangra, KARAN, actor=personas.vikram)
    assert Member.objects.filter(aadhaar_ref=ref.reference).count() == 2


def test_dead_member_gets_no_number(personas: Any) -> None:
    karan = personas.member(personas.karan)
    members.record_death(karan, on=date(2026, 1, 5), acting_user=personas.meena, source=Source.OFFICIAL)
    with pytest.raises(ValidationError) as caught:
        registry_aadhaar.attach_aadhaar(karan, KARAN, actor=personas.meena)
    assert _codes(caught) == ["not_living"]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (ASHA[:-1] + str((int(ASHA[-1]) + 1) % 10), "aadhaar_checksum"),
        (ASHA[:11], "aadhaar_length"),
        (ASHA + "1", "aadhaar_length"),
        ("0" + ASHA[1:], "aadhaar_leading"),
        (ASHA[:4] + "abcd" + ASHA[8:], "aadhaar_digits"),
        (ASHA[:4] + "\x00" + ASHA[4:], "aadhaar_digits"),
    ],
)
def test_bad_number_is_refused_and_nothing_written(personas: Any, typed: str, code: str) -> None:
    member = personas.member(personas.asha)
    changes, entries = RegisterChange.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        registry_aadhaar.attach_aadhaar(member, typed, actor=personas.meena)
    assert _codes(caught) == [code]
    assert (RegisterChange.objects.count(), AuditEntry.objects.count()) == (changes, entries)
    member.refresh_from_db()
    assert member.aadhaar_ref is None


def test_family_page_shows_only_the_masked_number(personas: Any) -> None:
    registry_aadhaar.attach_aadhaar(personas.member(personas.asha), ASHA, actor=personas.meena)
    page = personas.client_for(personas.asha).get(f"/register/families/{personas.asha_family.family_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"XXXX XXXX {ASHA[-4:]}" in text
    assert ASHA not in text
    assert vault.reference_for(ASHA) not in text
